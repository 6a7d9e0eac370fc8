"""Placeholder: being built (issue 17)."""

import typer


def register(app: typer.Typer) -> None:
    """Adds its commands to ``accord team``."""
