"""What every CLI command shares: the database, the acting user, errors as exit codes."""

from __future__ import annotations

import functools
import getpass
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date
from enum import StrEnum
from typing import Any, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from sqlalchemy.orm import Session

from accord.core.database import engine_for, session_factory, transaction, utcnow
from accord.core.errors import AccordError
from accord.core.identity import get_user_by_email
from accord.core.models import Role, User
from accord.core.periods import local_date
from accord.core.settings import Settings, get_settings

console = Console()


class Format(StrEnum):
    """What a command prints: a table for people, or JSON for scripts (``--format``)."""

    TABLE = "table"
    JSON = "json"

err_console = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])


class CliState:
    database_url: str | None = None
    as_user: str | None = None


state = CliState()


def database_url() -> str:
    """The --database-url option, else ACCORD_DATABASE_URL, validated like every setting."""
    try:
        if state.database_url:
            return Settings(database_url=state.database_url).database_url
        return get_settings().database_url
    except ValidationError as exc:
        reason = "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())
        fail(f"bad setting: {reason}", 2)
        raise  # unreachable: fail() exits
    except ValueError as exc:  # an ACCORD_<NAME>_FILE that cannot be read, or set twice
        fail(f"bad setting: {exc}", 2)
        raise


def engine() -> Any:
    return engine_for(database_url())


def unit_of_work() -> AbstractContextManager[Session]:
    """One transaction: everything the command changes, or nothing."""
    return transaction(session_factory(engine()))


def os_user() -> str:
    """The operating-system account running the command (``unknown`` when it has none)."""
    try:
        return getpass.getuser() or "unknown"
    except (KeyError, OSError):  # no passwd entry and no LOGNAME/USER (some containers)
        return "unknown"


def operator() -> User:
    """The local operator: full access, recorded in the audit log as ``cli:<os user>``
    (docs/api.md, "The command line"); ``--as EMAIL`` records that user instead."""
    return User(
        id=None,
        email=f"cli:{os_user()}",
        name="Command line",
        role=Role.ADMIN.value,
        is_active=True,
    )


def acting_user(session: Session) -> User:
    """``--as EMAIL`` acts as that user (their visibility applies); otherwise the operator."""
    if state.as_user:
        return get_user_by_email(session, state.as_user)
    return operator()


def acting_today(session: Session, raw: str | None, option: str = "--today") -> date:
    """A command's day: ``raw`` (YYYY-MM-DD; a bad one exits 2 naming ``option``), else the
    acting user's today — the date in their time zone, as on the pages (the operator
    without ``--as``: UTC)."""
    day = option_date(raw, option)
    return day if day is not None else local_date(utcnow(), acting_user(session).time_zone)


def option_date(raw: str | None, option: str) -> date | None:
    """An option's date (YYYY-MM-DD), None when not given; a bad one exits 2 naming
    ``option`` (the value shown cut to 40 characters)."""
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        fail(f"{option}: not a date (YYYY-MM-DD): {raw[:40]!r}", 2)
        raise  # unreachable: fail exits


def fail(message: str, code: int = 1) -> None:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)


def handles_errors(func: F) -> F:
    """Turn domain errors into a readable message and a non-zero exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except AccordError as exc:
            code = 2 if exc.status in (400, 422) else 1
            if exc.errors:
                err_console.print(f"[bold red]error:[/] {exc.title.lower()}", highlight=False)
                for item in exc.errors[:50]:
                    where = ", ".join(f"{k} {v}" for k, v in item.items() if k != "message")
                    err_console.print(f"  - {where}: {item.get('message', '')}", highlight=False)
            else:
                err_console.print(f"[bold red]error:[/] {exc.detail}", highlight=False)
            raise typer.Exit(code) from None
        except FileNotFoundError as exc:
            err_console.print(f"[bold red]error:[/] no such file: {exc.filename}", highlight=False)
            raise typer.Exit(2) from None

    return wrapper  # type: ignore[return-value]
