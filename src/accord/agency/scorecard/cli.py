"""``accord departments scorecard``: on-time rates from the shell."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the scorecard command to ``accord departments``."""
