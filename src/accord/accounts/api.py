"""REST API for accounts, their members, contacts and interactions.

Visibility is the services' job: an account the caller may not see is a 404 here too.
"""

from __future__ import annotations

from datetime import date
from enum import Enum, StrEnum
from typing import Annotated

from annotated_types import Len
from fastapi import APIRouter, Depends, Query, Response, status
from pydantic import ValidationError

from accord.accounts import contacts as contact_service
from accord.accounts import service
from accord.accounts.api_schemas import ContactPatch, MembersIn
from accord.accounts.models import AccountKind, AccountStatus
from accord.accounts.schemas import (
    AccountIn,
    AccountOut,
    AccountPage,
    AccountPatch,
    ContactIn,
    ContactOut,
    InteractionIn,
    InteractionOut,
)
from accord.api.common import MAX_ID, Caller, Db, IdPath, IdQuery, problems
from accord.api.concurrency import IfMatch, set_etag
from accord.core.errors import FieldProblem, ValidationFailed
from accord.core.schemas import UserRef
from accord.web.deps import today

ExternalId = Annotated[str, Len(1, 100)]  # accounts.external_id
router = APIRouter()
ACCOUNTS: list[str | Enum] = ["accounts"]
CONTACTS: list[str | Enum] = ["contacts"]
INTERACTIONS: list[str | Enum] = ["interactions"]
#: The sort keys of the service, as an enumeration the OpenAPI document lists.
AccountSort = StrEnum("AccountSort", [(key, key) for key in service.SORTS])  # type: ignore[misc]


def _members(users: list) -> list[UserRef]:
    return [UserRef(id=u.id, email=u.email, name=u.name, role=u.role) for u in users]


# ------------------------------------------------------------------ accounts


@router.get(
    "/accounts",
    tags=ACCOUNTS,
    summary="Search and list accounts",
    description="Only the accounts the caller may see. `q` matches the name "
    "(substring, any case) or the exact external id.",
    response_model=AccountPage,
    responses=problems(),
)
def list_accounts(
    db: Db,
    user: Caller,
    q: Annotated[str | None, Query(max_length=200)] = None,
    status_: Annotated[AccountStatus | None, Query(alias="status")] = None,
    segment: Annotated[str | None, Query(max_length=60)] = None,
    kind: AccountKind | None = None,
    manager_id: IdQuery = None,
    parent_id: IdQuery = None,
    sort: AccountSort = AccountSort("name"),
    page: Annotated[int, Query(ge=1, le=MAX_ID)] = 1,
    page_size: Annotated[int, Query(ge=1, le=service.MAX_PAGE_SIZE)] = 50,
) -> AccountPage:
    flt = service.AccountFilter(
        q=q,
        status=status_.value if status_ else None,
        segment=segment,
        kind=kind.value if kind else None,
        manager_id=manager_id,
        parent_id=parent_id,
    )
    return service.list_accounts(db, user, flt, sort=sort.value, page=page, page_size=page_size)


@router.post(
    "/accounts",
    tags=ACCOUNTS,
    summary="Create an account",
    description="A manager's new account is their own unless `manager_id` says otherwise. "
    "A `sales` user's new company needs `manager_id`: the active manager or head who receives "
    "it and its hand-off (422 on `manager_id` otherwise); it starts in `onboarding`.",
    response_model=AccountOut,
    status_code=status.HTTP_201_CREATED,
    responses=problems(403),
)
def create_account(body: AccountIn, db: Db, user: Caller, response: Response) -> AccountOut:
    account = service.create_account(db, user, body)
    response.headers["Location"] = f"/api/v1/accounts/{account.id}"
    set_etag(response, account.version)
    return account


@router.get(
    "/accounts/by-external-id/{external_id}",
    tags=ACCOUNTS,
    summary="Find an account by its external id",
    response_model=AccountOut,
    responses=problems(404),
)
def get_account_by_external_id(external_id: ExternalId, db: Db, user: Caller) -> AccountOut:
    return service.find_account_by_external_id(db, user, external_id)


@router.get(
    "/accounts/{account_id}",
    tags=ACCOUNTS,
    summary="Read an account",
    description="`ETag` carries the account's version, for `If-Match` on a later change.",
    response_model=AccountOut,
    responses=problems(404),
)
def get_account(account_id: IdPath, db: Db, user: Caller, response: Response) -> AccountOut:
    account = service.get_account(db, user, account_id)
    set_etag(response, account.version)
    return account


@router.patch(
    "/accounts/{account_id}",
    tags=ACCOUNTS,
    summary="Change an account",
    description="Only the fields given change; every change is audited. With `If-Match` "
    "(the `ETag` of a read), a change made meanwhile by someone else is a 409.",
    response_model=AccountOut,
    responses=problems(403, 404, 409),
)
def update_account(
    account_id: IdPath,
    body: AccountPatch,
    db: Db,
    user: Caller,
    response: Response,
    expected: IfMatch,
) -> AccountOut:
    account = service.update_account(db, user, account_id, body, expected=expected)
    set_etag(response, account.version)
    return account


@router.delete(
    "/accounts/{account_id}",
    tags=ACCOUNTS,
    summary="Delete an account (admin)",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=problems(403, 404, 409),
)
def delete_account(account_id: IdPath, db: Db, user: Caller) -> Response:
    service.delete_account(db, user, account_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/accounts/{account_id}/members",
    tags=ACCOUNTS,
    summary="The account's team members",
    response_model=list[UserRef],
    responses=problems(404),
)
def list_members(account_id: IdPath, db: Db, user: Caller) -> list[UserRef]:
    return _members(service.list_members(db, user, account_id))


@router.put(
    "/accounts/{account_id}/members",
    tags=ACCOUNTS,
    summary="Replace the account's team members",
    response_model=list[UserRef],
    responses=problems(403, 404),
)
def set_members(account_id: IdPath, body: MembersIn, db: Db, user: Caller) -> list[UserRef]:
    return _members(service.set_members(db, user, account_id, body.user_ids))


# ------------------------------------------------------------------ contacts


@router.get(
    "/accounts/{account_id}/contacts",
    tags=CONTACTS,
    summary="The account's contacts",
    response_model=list[ContactOut],
    responses=problems(404),
)
def list_contacts(account_id: IdPath, db: Db, user: Caller) -> list[ContactOut]:
    return contact_service.list_contacts(db, user, account_id)


@router.post(
    "/accounts/{account_id}/contacts",
    tags=CONTACTS,
    summary="Add a contact to the account",
    description="A person already known by e-mail is linked rather than duplicated.",
    response_model=ContactOut,
    status_code=status.HTTP_201_CREATED,
    responses=problems(403, 404),
)
def add_contact(
    account_id: IdPath, body: ContactIn, db: Db, user: Caller, response: Response
) -> ContactOut:
    contact = contact_service.add_contact(db, user, account_id, body)
    response.headers["Location"] = f"/api/v1/contacts/{contact.id}"
    set_etag(response, contact.version)
    return contact


@router.patch(
    "/accounts/{account_id}/contacts/{contact_id}",
    tags=CONTACTS,
    summary="Change a contact and its role at this account",
    description="With `If-Match` (the contact's `ETag`), a change made meanwhile is a 409.",
    response_model=ContactOut,
    responses=problems(403, 404, 409),
)
def update_contact(
    account_id: IdPath,
    contact_id: IdPath,
    body: ContactPatch,
    db: Db,
    user: Caller,
    response: Response,
    expected: IfMatch,
) -> ContactOut:
    try:
        contact = contact_service.update_contact(
            db, user, account_id, contact_id, body.model_dump(exclude_unset=True),
            expected=expected,
        )
        set_etag(response, contact.version)
        return contact
    except ValidationError as exc:  # the merged record failed the full contact rules
        raise ValidationFailed(
            [
                FieldProblem(".".join(str(p) for p in e["loc"]) or "body", e["msg"])
                for e in exc.errors()
            ]
        ) from None


@router.delete(
    "/accounts/{account_id}/contacts/{contact_id}",
    tags=CONTACTS,
    summary="Unlink a contact from the account (the person stays)",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=problems(403, 404),
)
def unlink_contact(account_id: IdPath, contact_id: IdPath, db: Db, user: Caller) -> Response:
    contact_service.unlink_contact(db, user, account_id, contact_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/contacts/{contact_id}",
    tags=CONTACTS,
    summary="Read a contact",
    description="Visible when one of the contact's accounts is; `account_ids` lists "
    "only those the caller may see.",
    response_model=ContactOut,
    responses=problems(404),
)
def get_contact(contact_id: IdPath, db: Db, user: Caller, response: Response) -> ContactOut:
    contact = contact_service.get_contact(db, user, contact_id)
    set_etag(response, contact.version)
    return contact


# ------------------------------------------------------------------ interactions


@router.get(
    "/accounts/{account_id}/interactions",
    tags=INTERACTIONS,
    summary="The account's timeline, newest first",
    description="`X-Total-Count` gives the number of interactions.",
    response_model=list[InteractionOut],
    responses=problems(404),
)
def list_interactions(
    account_id: IdPath,
    db: Db,
    user: Caller,
    response: Response,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> list[InteractionOut]:
    items = contact_service.timeline(db, user, account_id, limit=limit, offset=offset)
    response.headers["X-Total-Count"] = str(
        contact_service.count_interactions(db, user, account_id)
    )
    return items


@router.post(
    "/accounts/{account_id}/interactions",
    tags=INTERACTIONS,
    summary="Log an interaction",
    response_model=InteractionOut,
    status_code=status.HTTP_201_CREATED,
    responses=problems(403, 404),
)
def log_interaction(
    account_id: IdPath,
    body: InteractionIn,
    db: Db,
    user: Caller,
    day: Annotated[date, Depends(today)],
) -> InteractionOut:
    return contact_service.log_interaction(db, user, account_id, body, today=day)
