"""The pages of who should take an account (issue 17): the suggestions for an account with a
"Move here" form per manager (``/team/suggest``), the move itself (``POST /team/moves``, from
that form and from the Team page's what-if), the rebalance proposal with a checkbox per move
(``/team/rebalance``) and applying the moves ticked. Each route parses its input, calls one
function of ``team.suggest`` or ``team.moves`` and renders; a refused move comes back on the
suggestions page with its message (422) and nothing written."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from accord.core.errors import FieldProblem, ValidationFailed
from accord.core.schemas import MAX_ID, Id
from accord.team import moves, suggest
from accord.team.moves import MAX_APPLY, Applied, MoveOut
from accord.team.rules import WARNINGS
from accord.web.flash import flash
from accord.web.page_deps import (
    Db,
    FormData,
    PageToday,
    PageUser,
    csrf,
    form_errors,
    form_values,
)
from accord.web.templating import render

router = APIRouter()
TEAM = "/team"


def _id(text: str, field: str, problems: list[FieldProblem]) -> int:
    text = text.strip()
    if text.isascii() and text.isdigit() and len(text) <= 10 and 1 <= int(text) <= MAX_ID:
        return int(text)
    problems.append(FieldProblem(field, f"not an id: {text[:20]!r}"))
    return 0


def _suggest_page(request: Request, db: Any, user: Any, day: Any, account_id: int, *,
                  errors: dict[str, str] | None = None, values: dict[str, Any] | None = None,
                  status_code: int = 200) -> Any:
    result = suggest.suggestions(db, user, day, account_id)
    return render(request, "team/suggest.html", {
        "user": user, "result": result, "errors": errors or {}, "values": values or {},
        "warning_labels": WARNINGS}, status_code=status_code)


@router.get("/team/suggest")
def suggest_page(request: Request, user: PageUser, db: Db, day: PageToday,
                 account_id: Id) -> Any:
    return _suggest_page(request, db, user, day, account_id)


def _moved_words(done: list[MoveOut]) -> str:
    if len(done) == 1:
        m = done[0]
        handoff = f"; hand-off #{m.handoff_id} is open to them" if m.handoff_id else ""
        return f"{m.account_name} moved to {m.to_manager}{handoff}."
    opened = sum(1 for m in done if m.handoff_id)
    return f"{len(done)} accounts moved; {opened} hand-off{'s' if opened != 1 else ''} open."


@router.post("/team/moves", dependencies=csrf)
def move_page(request: Request, user: PageUser, db: Db, day: PageToday, form: FormData) -> Any:
    """One account (the suggestions' "Move here") or several to one manager (the Team
    page's what-if), with an optional reason; then back to the Team page."""
    values = form_values(form, ("to_manager_id", "reason"), multi=("account_id",))
    problems: list[FieldProblem] = []
    accounts = [_id(a, "account_id", problems) for a in values["account_id"]]
    target = _id(values.get("to_manager_id") or "", "to_manager_id", problems)
    if not accounts:
        problems.append(FieldProblem("account_id", "choose the account to move"))
    elif len(accounts) > MAX_APPLY:
        problems.append(FieldProblem("account_id", f"at most {MAX_APPLY} accounts at once"))
    reason = values.get("reason") or None
    try:
        if problems:
            raise ValidationFailed(problems)
        if len(accounts) == 1:
            done = [moves.move(db, user, day, accounts[0], target, reason)]
        else:
            done = moves.apply(db, user, day, [(a, target, reason) for a in accounts]).moves
    except ValidationFailed as exc:
        first = next((a for a in accounts if a), None)
        if first is None:
            raise
        errors = form_errors(exc)
        if len(accounts) > 1:
            errors["form"] = f"none of the {len(accounts)} accounts was moved"
        return _suggest_page(request, db, user, day, first, errors=errors,
                             values={"to_manager_id": target, "reason": reason or ""},
                             status_code=422)
    flash(request, _moved_words(done))
    return RedirectResponse(TEAM, status_code=303)


# ---------------------------------------------------------------- rebalance


def _rebalance_page(request: Request, db: Any, user: Any, day: Any, team_id: int | None, *,
                    errors: dict[str, str] | None = None, ticked: set[str] | None = None,
                    status_code: int = 200) -> Any:
    proposal = moves.rebalance(db, user, day, team_id=team_id)
    return render(request, "team/rebalance.html", {
        "user": user, "proposal": proposal, "errors": errors or {}, "ticked": ticked,
        "by_id": {m.manager_id: m for m in proposal.managers}}, status_code=status_code)


@router.get("/team/rebalance")
def rebalance_page(request: Request, user: PageUser, db: Db, day: PageToday,
                   team_id: Id | None = None) -> Any:
    return _rebalance_page(request, db, user, day, team_id)


def _accepted(values: list[str], problems: list[FieldProblem]) -> list[tuple[int, int, None]]:
    out = []
    for text in values[: MAX_APPLY + 1]:
        account, _, manager = text.partition(":")
        found = (_id(account, "move", problems), _id(manager, "move", problems))
        if all(found):
            out.append((found[0], found[1], None))
    return out


@router.post("/team/rebalance", dependencies=csrf)
def apply_page(request: Request, user: PageUser, db: Db, day: PageToday,
               form: FormData) -> Any:
    """Apply the moves ticked (``account_id:to_manager_id`` each), all or none."""
    values = form_values(form, ("team_id",), multi=("move",))
    problems: list[FieldProblem] = []
    team_text = values.get("team_id") or ""
    team_id = _id(team_text, "team_id", problems) if team_text else None
    accepted = _accepted(values["move"], problems)
    try:
        if problems:
            raise ValidationFailed(problems)
        applied: Applied = moves.apply(db, user, day, accepted)
    except ValidationFailed as exc:
        return _rebalance_page(request, db, user, day, team_id or None,
                               errors=form_errors(exc), ticked=set(values["move"]),
                               status_code=422)
    flash(request, _moved_words(applied.moves))
    return RedirectResponse(TEAM, status_code=303)
