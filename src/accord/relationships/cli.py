import typer


def register(app: typer.Typer) -> None:
    """Add this capability's commands to the accord CLI."""
