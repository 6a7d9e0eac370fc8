"""Log in, log out, the home redirect; the user administration pages are mounted here too."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse

from accord.core import users as user_service
from accord.core.errors import NotAuthenticated
from accord.web import deps
from accord.web.admin_pages import router as admin_router
from accord.web.templating import render

router = APIRouter()
router.include_router(admin_router)

HOME = "/accounts"


def safe_next(target: str | None) -> str:
    """Only a local path is followed after logging in (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return HOME
    if any(c in target for c in "\r\n"):
        return HOME
    return target


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse(HOME, status_code=303)


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Any:  # noqa: A002 - query name
    return render(request, "login.html", {"user": None, "next": next or ""})


@router.post("/login", dependencies=[Depends(deps.csrf_protect)])
def login_submit(
    db: deps.Db,
    request: Request,
    email: str = Form(""),
    password: str = Form(""),
    next: str = Form(""),  # noqa: A002 - form field name
) -> Any:
    try:
        user = user_service.authenticate(db, email, password)
    except NotAuthenticated:
        return render(
            request,
            "login.html",
            {"user": None, "next": next, "email": email, "error": "Wrong e-mail or password."},
            status_code=400,
        )
    deps.login(request, user)
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/logout", dependencies=[Depends(deps.csrf_protect)])
def logout(request: Request) -> RedirectResponse:
    request.session.clear()
    return RedirectResponse("/login", status_code=303)
