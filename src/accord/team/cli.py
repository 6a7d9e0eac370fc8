"""Placeholder: being built (issue 17)."""

import typer

app = typer.Typer(no_args_is_help=True)
