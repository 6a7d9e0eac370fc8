"""REST API of renewals: the list and the renewals setting."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Query, Response

from accord.api.common import Caller, CallerToday, Db, problems
from accord.api.concurrency import IfMatch, set_etag
from accord.calendar.renewals import service
from accord.calendar.renewals.rules import RenewalsPolicy
from accord.calendar.renewals.schemas import RenewalPage, RenewalsSettings
from accord.core import policy_store
from accord.core.schemas import Id, PageNumber, Word

router = APIRouter()
TAGS: list[str | Enum] = ["renewals"]
Today = CallerToday  # the caller's own date (their time zone)


@router.get("/renewals", tags=TAGS, response_model=RenewalPage, responses=problems(),
            summary="Renewals of the accounts you see, by notice deadline",
            description="`scope`: `window` (the default: reminder date ≤ today ≤ contract "
            "end), `upcoming` (contract not ended) or `all`; `manager_id`: one manager's "
            "accounts. Each with its notice deadline (contract end − notice days), reminder "
            "date (notice deadline − the setting's lead days), state and the renewal "
            "opportunity its reminder opened.")
def list_renewals(
    db: Db, user: Caller, day: Today, scope: Word = "window", manager_id: Id | None = None,
    page: PageNumber = 1,
    page_size: Annotated[int, Query(ge=1, le=service.MAX_PAGE_SIZE)] = 50,
) -> RenewalPage:
    return service.renewal_page(db, user, day, scope=scope, manager_id=manager_id, page=page,
                                page_size=page_size)


@router.get("/renewals/settings", tags=TAGS, response_model=RenewalsPolicy,
            responses=problems(),
            summary="The renewals setting: the reminder's lead days before the notice deadline",
            description="`ETag` carries the setting's version (0 while the defaults apply).")
def get_settings(db: Db, user: Caller, response: Response) -> RenewalsPolicy:
    set_etag(response, policy_store.setting_version(db, service.POLICY_NAME))
    return service.policy(db)


@router.put("/renewals/settings", tags=TAGS, response_model=RenewalsPolicy,
            responses=problems(403, 409),
            summary="Change the renewals setting (admins)",
            description="Only the fields given change. With `If-Match`, a change made "
            "meanwhile is a 409.")
def put_settings(db: Db, user: Caller, body: RenewalsSettings, response: Response,
                 expected: IfMatch) -> RenewalsPolicy:
    out = service.save_policy(db, user, body.model_dump(), expected)
    set_etag(response, policy_store.setting_version(db, service.POLICY_NAME))
    return out
