"""Placeholder: being built (issue 16)."""

import typer


def register(app: typer.Typer) -> None:
    """Adds its commands to ``accord clients``."""
