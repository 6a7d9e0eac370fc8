"""`accord inputs …`: agency work from the shell."""

from __future__ import annotations

import typer

app = typer.Typer(help="Agency work: inputs.", no_args_is_help=True)
