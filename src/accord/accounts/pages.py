"""Account pages: the list (search, filters, sort, pages), the account page, create and edit.

The account page itself, its contacts, interactions, team members and timeline are in
``accord.glance`` (one account at a glance).
Every read and write goes through the services, which apply visibility: an account the
user may not see is a 404 page naming nothing; a read-only role gets 403 on every POST.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from accord.accounts import service
from accord.accounts.models import AccountKind, AccountStatus, SizeBand
from accord.accounts.schemas import AccountIn, AccountPatch
from accord.accounts.visibility import can_write, require_writer
from accord.core import versions
from accord.core.errors import ValidationFailed
from accord.core.schemas import MAX_ID, Id
from accord.web.flash import flash
from accord.web.page_deps import (
    Db,
    FormData,
    PageUser,
    csrf,
    enum_choices,
    form_errors,
    form_values,
    is_partial,
)
from accord.web.templating import render

router = APIRouter()

PAGE_SIZES = (25, 50, 100, 200)
#: column -> (ascending sort key, descending sort key); None when the column is not sortable
COLUMNS = {
    "name": ("name", "-name"),
    "status": ("status", None),
    "segment": ("segment", None),
    "last_touch": ("-last_touch", "last_touch"),
    "created": ("-created", "created"),
}
ACCOUNT_FIELDS = tuple(AccountIn.model_fields)
STATUS_BADGES = {
    "active": "green",
    "onboarding": "blue",
    "prospect": "grey",
    "lapsed": "amber",
    "churned": "red",
}


def _int_or_none(text: str | None) -> int | None:
    """A whole number from the query; anything else, or past a row id's range, is ignored."""
    try:
        value = int(text) if text not in (None, "") else None
    except ValueError:
        return None
    return value if value is None or 0 <= value <= MAX_ID else None


def _page_numbers(page: int, pages: int) -> list[int | None]:
    """1 … 4 5 [6] 7 8 … 20 — None stands for a gap."""
    wanted = {1, pages, *range(page - 2, page + 3)}
    numbers = sorted(n for n in wanted if 1 <= n <= pages)
    out: list[int | None] = []
    for n in numbers:
        if out and out[-1] is not None and n - out[-1] > 1:
            out.append(None)
        out.append(n)
    return out


def _list_context(
    db: Any, user: Any, params: dict[str, str], *, with_options: bool = True
) -> dict[str, Any]:
    statuses = {s.value for s in AccountStatus}
    kinds = {k.value for k in AccountKind}
    flt = service.AccountFilter(
        q=(params.get("q") or "").strip()[:200] or None,
        status=params.get("status") if params.get("status") in statuses else None,
        segment=(params.get("segment") or None),
        kind=params.get("kind") if params.get("kind") in kinds else None,
        manager_id=_int_or_none(params.get("manager")),
        parent_id=_int_or_none(params.get("parent")),
    )
    sort = str(params.get("sort") or "name")
    sort = sort if sort in service.SORTS else "name"
    page_size = _int_or_none(params.get("page_size"))
    page_size = page_size if page_size in PAGE_SIZES else 50
    page = max(1, _int_or_none(params.get("page")) or 1)
    result = service.list_accounts(db, user, flt, sort=sort, page=page, page_size=page_size)
    state = {
        "q": flt.q or "",
        "status": flt.status or "",
        "segment": flt.segment or "",
        "kind": flt.kind or "",
        "manager": str(flt.manager_id or ""),
        "parent": str(flt.parent_id or ""),
        "sort": sort,
        "page_size": str(page_size),
    }

    def url(**changes: Any) -> str:
        merged = {**state, "page": str(page), **{k: str(v) for k, v in changes.items()}}
        if merged.get("sort") == "name":
            merged.pop("sort")
        if merged.get("page_size") == "50":
            merged.pop("page_size")
        if merged.get("page") == "1":
            merged.pop("page")
        query = urlencode({k: v for k, v in merged.items() if v})
        return f"/accounts?{query}" if query else "/accounts"

    headers = {}
    for col, (first, second) in COLUMNS.items():
        current = sort in (first, second)
        target = second if current and sort == first and second else first
        direction = None
        if current:
            direction = "descending" if sort.startswith("-") else "ascending"
        headers[col] = {"url": url(sort=target, page=1), "aria": direction}
    first_row = (result.page - 1) * result.page_size + 1 if result.total else 0
    last_row = (
        min(result.total, first_row + len(result.items) - 1) if result.items else first_row - 1
    )
    context: dict[str, Any] = {
        "user": user,
        "result": result,
        "state": state,
        "headers": headers,
        "url": url,
        "page_numbers": _page_numbers(result.page, result.pages),
        "page_sizes": PAGE_SIZES,
        "first_row": first_row,
        "last_row": max(last_row, 0),
        "badges": STATUS_BADGES,
        "filtered": any(state[k] for k in ("q", "status", "segment", "kind", "manager", "parent")),
        "can_write": can_write(user),
    }
    if with_options:
        context.update(
            statuses=enum_choices(AccountStatus),
            kinds=enum_choices(AccountKind),
            segments=service.distinct_segments(db, user),
            managers=service.assignable_managers(db),
        )
    return context


@router.get("/accounts")
def accounts_list(request: Request, user: PageUser, db: Db) -> Any:
    params = dict(request.query_params)
    if is_partial(request):
        context = _list_context(db, user, params, with_options=False)
        response = render(request, "accounts/_results.html", context)
        response.headers["HX-Push-Url"] = context["url"]()  # the clean address, not every field
        return response
    return render(request, "accounts/list.html", _list_context(db, user, params))


# ------------------------------------------------------------------ create and edit


ACCOUNT_LABELS = {
    "name": "Name",
    "external_id": "External id",
    "kind": "Kind",
    "status": "Lifecycle status",
    "segment": "Segment",
    "business_line": "Business line",
    "size_band": "Purchase size band",
    "manager_id": "Responsible manager",
    "parent_id": "Parent account id",
    "country": "Country",
    "industry": "Industry",
    "estimated_spend": "Estimated category spend",
    "estimated_spend_source": "Source of the estimate",
    "notes": "Notes",
    "contract_end_on": "Contract end date",
    "notice_days": "Notice period (days)",
}


def _form_context(
    db: Any,
    user: Any,
    values: dict[str, Any],
    errors: dict[str, str],
    account: Any = None,
    *,
    started: dict[str, Any] | None = None,
    changed: dict[str, str] | None = None,
) -> dict[str, Any]:
    """``started``: the hidden ``version`` and ``original`` the form carries (an edit form);
    ``changed``: what a stale save found changed meanwhile (field -> stored value)."""
    # a new account must stay in its creator's view: a head is offered their managers (V6)
    managers = service.assignable_managers(db, user if account is None else None)
    names = {str(m.id): m.name for m in managers}
    return {
        "user": user,
        "values": values,
        "errors": errors,
        "account": account,
        "managers": managers,
        "kinds": enum_choices(AccountKind),
        "statuses": enum_choices(AccountStatus),
        "size_bands": enum_choices(SizeBand),
        **versions.form_state(started, changed),
        "labels": ACCOUNT_LABELS,
        "shown": {"manager_id": names.get((changed or {}).get("manager_id", ""), "")}
        if (changed or {}).get("manager_id")
        else {},
    }


def _started(account: Any) -> dict[str, Any]:
    """The hidden fields of an edit form showing ``account`` as stored."""
    return versions.form_started(account.version, _values_of(account))


@router.get("/accounts/new")
def new_account_form(request: Request, user: PageUser, db: Db) -> Any:
    require_writer(user)
    # a new company starts in onboarding unless an admin or a head loads it as active; a
    # sales user's goes to the manager who receives it and its hand-off (chosen here)
    values = {
        "kind": "company",
        "status": "active" if user.role in ("admin", "head") else "onboarding",
        "manager_id": str(user.id) if user.role in ("manager", "head") else "",
    }
    return render(request, "accounts/form.html", _form_context(db, user, values, {}))


@router.post("/accounts/new", dependencies=csrf)
def create_account(request: Request, user: PageUser, db: Db, form: FormData) -> Any:
    require_writer(user)
    values = form_values(form, ACCOUNT_FIELDS)
    try:
        created = service.create_account(db, user, AccountIn.model_validate(values))
    except (ValidationFailed, ValidationError) as exc:
        return render(
            request,
            "accounts/form.html",
            _form_context(db, user, values, _all_errors(values, exc)),
            status_code=422,
        )
    flash(request, f"Account “{created.name}” created.")
    return RedirectResponse(f"/accounts/{created.id}", status_code=303)


def _all_errors(values: dict[str, Any], exc: ValidationFailed | ValidationError) -> dict[str, str]:
    """The errors of ``exc`` plus a blank name, so that every wrong field shows at once."""
    errors = form_errors(exc)
    if not (values.get("name") or "").strip():
        errors.setdefault("name", "cannot be empty")
    return errors


def _values_of(account: Any) -> dict[str, Any]:
    values = {f: getattr(account, f, None) for f in ACCOUNT_FIELDS}
    return {k: "" if v is None else str(v) for k, v in values.items()}


@router.get("/accounts/{account_id}/edit")
def edit_account_form(request: Request, account_id: Id, user: PageUser, db: Db) -> Any:
    account = service.get_account(db, user, account_id)  # 404 first, then 403
    require_writer(user)
    return render(
        request,
        "accounts/form.html",
        _form_context(db, user, _values_of(account), {}, account, started=_started(account)),
    )


@router.post("/accounts/{account_id}/edit", dependencies=csrf)
def update_account(
    request: Request, account_id: Id, user: PageUser, db: Db, form: FormData
) -> Any:
    values = form_values(form, ACCOUNT_FIELDS)
    started = form_values(form, ("version", "original"))
    try:
        updated = service.update_account(
            db,
            user,
            account_id,
            AccountPatch.model_validate(values),
            expected=versions.form_expected(started, values),
        )
    except versions.Stale as exc:  # the user's input stays; the form now starts from the store
        account = service.get_account(db, user, account_id)
        context = _form_context(
            db, user, values, {}, account, started=_started(account), changed=exc.changed
        )
        return render(request, "accounts/form.html", context, status_code=409)
    except (ValidationFailed, ValidationError) as exc:
        account = service.get_account(db, user, account_id)
        return render(
            request,
            "accounts/form.html",
            _form_context(db, user, values, _all_errors(values, exc), account, started=started),
            status_code=422,
        )
    flash(request, "Account saved.")
    return RedirectResponse(f"/accounts/{updated.id}", status_code=303)
