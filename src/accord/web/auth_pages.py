"""Log in, log out, the home redirect."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse

from accord.core import logins
from accord.core import sessions as session_service
from accord.core.database import reading, utcnow
from accord.core.errors import NotAuthenticated
from accord.web import deps
from accord.web.flash import flash
from accord.web.page_deps import PageUser
from accord.web.templating import render

router = APIRouter()

HOME = "/accounts"
#: the home page of managers and heads: My day (calendar.myday), what to do today
DAY_HOME = "/today"
DAY_ROLES = frozenset({"manager", "head"})
#: the home page of specialists (agency work): the briefs of their departments
BRIEFS_HOME = "/briefs/board"
BRIEFS_ROLES = frozenset({"specialist"})


def safe_next(target: str | None) -> str:
    """Only a local path is followed after logging in (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return HOME
    if any(c in target for c in "\r\n"):
        return HOME
    return target


def home_for(user: Any) -> str:
    """Managers and heads start on My day, specialists on the briefs board; everyone else
    (and nobody signed in) on the accounts list."""
    if user is not None and user.role in BRIEFS_ROLES:
        return BRIEFS_HOME
    return DAY_HOME if user is not None and user.role in DAY_ROLES else HOME


@router.get("/")
def home(request: Request) -> RedirectResponse:
    return RedirectResponse(home_for(deps.signed_in_user(request)), status_code=303)


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Any:  # noqa: A002 - query name
    return render(request, "web/login.html", {"user": None, "next": next or ""})


def _checked(request: Request, email: str = Form(""), password: str = Form("")) -> logins.Checked:
    """The password checked (argon2) before the request takes its turn to write (``Db``)."""
    with reading(request.app.state.sessions) as session:
        return logins.check(
            session, email, password, address=deps.client_address(request), now=utcnow()
        )


@router.post("/login", dependencies=[Depends(deps.csrf_protect)])
def login_submit(
    request: Request,
    checked: Annotated[logins.Checked, Depends(_checked)],  # before Db: resolved first
    db: deps.Db,
    email: str = Form(""),
    next: str = Form(""),  # noqa: A002 - form field name
) -> Any:
    form = {"user": None, "next": next, "email": email}
    try:
        user = logins.record(db, email, checked, address=deps.client_address(request), now=utcnow())
    except logins.TooManyAttempts as exc:
        response = render(
            request, "web/login.html", {**form, "error": exc.detail.capitalize() + "."},
            status_code=429,
        )
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except NotAuthenticated:
        # rendered, not raised: the failure counted and audited by record() is committed
        return render(
            request, "web/login.html", {**form, "error": "Wrong e-mail or password."},
            status_code=400,
        )
    deps.login(request, db, user)
    target = safe_next(next)
    if target == HOME and next != HOME:  # no (usable) next: the user's own home page
        target = home_for(user)
    return RedirectResponse(target, status_code=303)


@router.post("/logout", dependencies=[Depends(deps.csrf_protect)])
def logout(request: Request, db: deps.Db) -> RedirectResponse:
    deps.logout(request, db)
    return RedirectResponse("/login", status_code=303)


@router.post("/logout/everywhere", dependencies=[Depends(deps.csrf_protect)])
def logout_everywhere(request: Request, db: deps.Db, user: PageUser) -> RedirectResponse:
    """End every session of the signed-in user, this one included (S1)."""
    ended = session_service.log_out_everywhere(db, user, user.id)
    request.session.clear()
    flash(request, f"Logged out everywhere ({ended} session{'s' if ended != 1 else ''}).", "info")
    return RedirectResponse("/login", status_code=303)
