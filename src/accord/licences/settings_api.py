"""REST API of the licences settings: when a seat counts as active, and the thresholds of
the up-sell and risk signals (``/api/v1/licences/settings``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from accord.api.common import Caller, CallerToday, Db, problems
from accord.api.concurrency import IfMatch, set_etag
from accord.licences import settings
from accord.licences.settings import LicencesPolicy
from accord.licences.signals import service as signals

router = APIRouter(tags=["licences"])
Share = Annotated[Decimal, Field(ge=0, le=1, max_digits=5, decimal_places=4,
                                 allow_inf_nan=False)]


class LicencesSettingsIn(BaseModel):
    """A change to the licences settings: only the fields given change."""

    model_config = ConfigDict(extra="forbid")

    active_days: Annotated[int | None, Field(strict=True, ge=1, le=365)] = None
    upsell_allocation: Share | None = None
    upsell_adoption: Share | None = None
    risk_adoption: Share | None = None

    def given(self) -> dict[str, object]:
        return self.model_dump(exclude_unset=True, mode="json")


@router.get("/licences/settings", response_model=LicencesPolicy, responses=problems(),
            summary="The licences settings: when a seat is active, the signals' thresholds",
            description="`ETag` carries the settings' version (0 while the defaults apply). "
            "The currency of subscriptions is the company's (`/api/v1/company`).")
def get_licences_settings(db: Db, user: Caller, response: Response) -> LicencesPolicy:
    set_etag(response, settings.version(db))
    return settings.policy(db)


@router.put("/licences/settings", response_model=LicencesPolicy, responses=problems(403, 409),
            summary="Change the licences settings (admins and heads); only the fields given "
            "change",
            description="The up-sell and risk signals follow the new thresholds at once. With "
            "`If-Match` (the `ETag` of a read), a change made meanwhile is a 409.")
def put_licences_settings(db: Db, user: Caller, body: LicencesSettingsIn, response: Response,
                          expected: IfMatch, day: CallerToday) -> LicencesPolicy:
    out = signals.change_settings(db, user, body.given(), expected, day)
    set_etag(response, settings.version(db))
    return out
