"""Request-scoped collaborators shared by the API and the pages: database session, user, CSRF."""

from __future__ import annotations

import asyncio
import secrets
import weakref
from collections.abc import AsyncIterator, Iterator
from datetime import date, timedelta
from typing import Annotated

import anyio.to_thread
from fastapi import BackgroundTasks, Depends, Request
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

__all__ = [
    "Session",
    "Db",
    "get_db",
    "api_user",
    "page_user",
    "csrf_protect",
    "today",
    "login",
    "logout",
]

from accord.core import identity
from accord.core import sessions as session_service
from accord.core.database import is_busy, is_sqlite, reading, transaction, utcnow
from accord.core.errors import Forbidden, NotAuthenticated
from accord.core.models import User
from accord.core.security import csrf_token_for, csrf_valid
from accord.core.single_flight import DatabaseBusy

#: the most threads running the app's synchronous code at once (Starlette's default is 40):
#: room for every request a busy team sends, so a writer never waits for a thread that a
#: request waiting on it holds
THREADS = 200
#: the longest a writing request queues for its turn (SQLite) before a 503
WRITE_TURN_SECONDS = 30.0


async def write_turn(request: Request) -> AsyncIterator[None]:
    """On SQLite, the writing requests of this process take turns *before* they begin (C1):
    queued here in the event loop, a waiting writer holds no thread and no connection (a
    writer that waited inside its transaction could block, for want of a thread, the one
    it waits for). Readers and PostgreSQL pass straight through."""
    limiter = anyio.to_thread.current_default_thread_limiter()
    if limiter.total_tokens < THREADS:
        limiter.total_tokens = THREADS
    if request.method in ("GET", "HEAD", "OPTIONS") or not is_sqlite(request.app.state.engine):
        yield
        return
    gates = getattr(request.app.state, "write_gates", None)  # one per event loop (tests
    if gates is None:  # may serve one app from several)
        gates = request.app.state.write_gates = weakref.WeakKeyDictionary()
    gate = gates.setdefault(asyncio.get_running_loop(), asyncio.Lock())
    try:
        await asyncio.wait_for(gate.acquire(), timeout=WRITE_TURN_SECONDS)
    except TimeoutError:
        raise DatabaseBusy("the database is busy with other writes; try again in a "
                           "moment") from None
    try:
        yield
    finally:
        gate.release()


def get_db(
    request: Request, _turn: Annotated[None, Depends(write_turn, scope="function")]
) -> Iterator[Session]:
    """One transaction per request: committed when the handler returns, rolled back on error.

    Always taken through ``Db`` (``Depends(get_db, scope="function")``): FastAPI's default
    for a dependency with ``yield`` runs the code after it once the response has been
    *sent*, so a client (a browser following the redirect after a form) could read before
    the commit, and a failed commit would follow a success answer."""
    factory: sessionmaker[Session] = request.app.state.sessions
    # GET requests read only: on SQLite their transaction begins deferred and never takes
    # the write lock; every other request's begins IMMEDIATE (waits its turn to write, C1)
    reads = request.method in ("GET", "HEAD", "OPTIONS")
    try:
        with transaction(factory, read_only=reads) as session:
            yield session
    except OperationalError as exc:
        if is_busy(exc):  # waited the whole busy timeout for another writer (an import?)
            raise DatabaseBusy("the database is busy with another write (an import?); "
                               "try again in a moment") from None
        raise


def today() -> date:
    """The current UTC date, passed into the rules (never read inside them)."""
    return utcnow().date()


#: the request's session, committed before the response is sent (see ``get_db``): the one
#: way routes and dependencies take the database
Db = Annotated[Session, Depends(get_db, scope="function")]


def api_user(request: Request, db: Db, background: BackgroundTasks) -> User:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token:
        by_token = identity.user_for_token(
            db, token.strip(),
            # recorded after the response, in its own short transaction (C2)
            on_due_use=lambda token_id: background.add_task(
                identity.record_token_use, request.app.state.sessions, token_id),
        )
        request.state.user_id = by_token.id  # for the access log
        return by_token
    user = _session_user(request, db, background)
    if user is not None:
        request.state.user_id = user.id
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            check_csrf(request, request.headers.get("x-csrf-token"))
        return user
    raise NotAuthenticated("send an API token as 'Authorization: Bearer <token>'")


def _session_user(
    request: Request, db: Session, background: BackgroundTasks | None = None
) -> User | None:
    """The user of the cookie's server-side session (S1): the cookie carries only the
    session's random id (``sid``, also the CSRF binding); a revoked, expired or unknown id
    is nobody. Reads only: the last-seen time is written after the response, in its own
    short transaction, at most once a minute (``background``)."""
    found = session_service.current(db, request.session.get("sid"))
    if found is None:
        return None
    if found.needs_touch and background is not None:
        background.add_task(session_service.touch, request.app.state.sessions, found.session_id)
    return found.user


def signed_in_user(request: Request) -> User | None:
    """The signed-in user, if any, outside dependency injection (error pages show the
    navigation to whoever is signed in). Detached: read attributes, do not lazy-load."""
    if "session" not in request.scope:
        return None
    factory: sessionmaker[Session] = request.app.state.sessions
    with reading(factory) as db:
        user = _session_user(request, db)
        if user is not None:
            db.expunge(user)
        return user


class LoginRequired(Exception):
    """Raised by page dependencies; the app redirects to the login page."""


def page_user(request: Request, db: Db, background: BackgroundTasks) -> User:
    user = _session_user(request, db, background)
    if user is None:
        raise LoginRequired()
    request.state.user_id = user.id  # for the access log
    return user


def session_id(request: Request) -> str:
    sid = request.session.get("sid")
    if not sid:
        sid = secrets.token_urlsafe(24)
        request.session["sid"] = sid
    return str(sid)


def csrf_token(request: Request) -> str:
    return csrf_token_for(session_id(request), request.app.state.settings.secret_key)


def check_csrf(request: Request, candidate: str | None) -> None:
    if not csrf_valid(session_id(request), request.app.state.settings.secret_key, candidate):
        raise Forbidden("missing or wrong CSRF token; reload the page and try again")


async def csrf_protect(request: Request) -> None:
    """Page dependency for every state-changing form: token from the form or the header."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    candidate = request.headers.get("x-csrf-token")
    if candidate is None:
        form = await request.form()
        value = form.get("csrf_token")
        candidate = value if isinstance(value, str) else None
    check_csrf(request, candidate)


def client_address(request: Request) -> str | None:
    """The client's address as the server sees it (behind a proxy: uvicorn's
    ``--forwarded-allow-ips`` makes it the forwarded one)."""
    return request.client.host if request.client else None


def login(request: Request, db: Session, user: User) -> None:
    """Start a server-side session and put its id in the cookie; a new id on every login (no
    session fixation), so the CSRF token changes too."""
    settings = request.app.state.settings
    token = session_service.start_session(
        db,
        user,
        lifetime=timedelta(seconds=settings.session_max_age_seconds),
        user_agent=request.headers.get("user-agent"),
        address=client_address(request),
    )
    request.session.clear()
    request.session["sid"] = token


def logout(request: Request, db: Session) -> None:
    """End the cookie's session on the server (a replayed cookie is nobody) and clear it."""
    session_service.end_session(db, request.session.get("sid"))
    request.session.clear()
