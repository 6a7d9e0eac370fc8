import typer

import_app = typer.Typer(help="Import.", no_args_is_help=True)
export_app = typer.Typer(help="Export.", no_args_is_help=True)
