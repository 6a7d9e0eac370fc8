"""Placeholder: being built (issue 16)."""

import typer

app = typer.Typer(no_args_is_help=True)
