"""REST API of the clients' fits, validations and settings (issue 16): ``/api/v1/clients/
fits``, ``/api/v1/clients/validations``, ``/api/v1/clients/settings``. Running a fit or a
validation and changing the settings is for admins and heads; everyone reads the fits."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, Response

from accord.api.common import Caller, CallerToday, Db, problems
from accord.api.concurrency import IfMatch, set_etag
from accord.clients import fitting
from accord.clients import settings as clients_settings
from accord.clients.schemas import (
    ClientFitOut,
    ClientFitPage,
    ClientsSettingsIn,
    FitRunIn,
    ValidationRunIn,
    fit_out,
)
from accord.clients.settings import ClientsPolicy
from accord.core.schemas import Id, PageNumber

router = APIRouter(tags=["clients"])


@router.post("/clients/fits", response_model=ClientFitOut, status_code=201,
             responses=problems(403),
             summary="Fit the clients' models now and score every client (admins and heads)",
             description="Reads the purchases of every person account up to `calibration_end` "
             "(default today; inclusive), fits BG/NBD, MBG/NBD and Gamma-Gamma, stores the fit "
             "and replaces every client's scores; when the calibration ends today the "
             "lifecycle statuses follow. A unit other than day, week or month, a calibration "
             "end before the first purchase or after today, or no purchase at all is a 422 "
             "and writes nothing.")
def post_fit(db: Db, user: Caller, day: CallerToday, response: Response,
             body: Annotated[FitRunIn | None, Body()] = None) -> ClientFitOut:
    given = body or FitRunIn()
    done = fitting.run_fit(db, user, day, calibration_end=given.calibration_end,
                           unit=given.unit)
    response.headers["Location"] = f"/api/v1/clients/fits/{done.fit.id}"
    return fit_out(done.fit, scores=done.scores, lifecycle=done.lifecycle)


@router.get("/clients/fits", response_model=ClientFitPage, responses=problems(),
            summary="The stored fits and validations, newest first",
            description="Each with its data window, unit, parameters and log-likelihoods. "
            "`kind`: `scores` or `validation`.")
def list_fits(db: Db, user: Caller,
              kind: Annotated[str | None, Query(max_length=20)] = None,
              page: PageNumber = 1,
              page_size: Annotated[int, Query(ge=1, le=fitting.MAX_PAGE_SIZE)] = 20,
              ) -> ClientFitPage:
    found = fitting.fits(db, user, kind=kind, page=page, page_size=page_size)
    return ClientFitPage(items=[fit_out(f) for f in found.items], total=found.total,
                         page=found.page, page_size=found.page_size, pages=found.pages)


@router.get("/clients/fits/{fit_id}", response_model=ClientFitOut, responses=problems(404),
            summary="One stored fit or validation")
def get_fit(fit_id: Id, db: Db, user: Caller) -> ClientFitOut:
    return fit_out(fitting.get_fit(db, user, fit_id))


@router.post("/clients/validations", response_model=ClientFitOut, status_code=201,
             responses=problems(403),
             summary="Validate the models on a holdout period (admins and heads)",
             description="Fits on the purchases up to `calibration_end`, predicts the "
             "clients' repeat purchases from the next day to `holdout_end` (inclusive) and "
             "stores predicted against actual: per number of calibration repeat purchases, "
             "cumulative by week, and the errors.")
def post_validation(body: ValidationRunIn, db: Db, user: Caller, day: CallerToday,
                    response: Response) -> ClientFitOut:
    done = fitting.run_validation(db, user, day, calibration_end=body.calibration_end,
                                  holdout_end=body.holdout_end, unit=body.unit)
    response.headers["Location"] = f"/api/v1/clients/fits/{done.fit.id}"
    return fit_out(done.fit)


@router.get("/clients/settings", response_model=ClientsPolicy, responses=problems(),
            summary="The clients settings: model, unit, horizon, RFM, lifecycle, lists",
            description="`ETag` carries the settings' version (0 while the defaults apply).")
def get_clients_settings(db: Db, user: Caller, response: Response) -> ClientsPolicy:
    set_etag(response, clients_settings.version(db))
    return clients_settings.policy(db)


@router.put("/clients/settings", response_model=ClientsPolicy, responses=problems(403, 409),
            summary="Change the clients settings (admins and heads); only the fields given "
            "change",
            description="They apply from the next fit. With `If-Match` (the `ETag` of a "
            "read), a change made meanwhile is a 409.")
def put_clients_settings(db: Db, user: Caller, body: ClientsSettingsIn, response: Response,
                         expected: IfMatch) -> ClientsPolicy:
    out = clients_settings.save_policy(db, user, body.given(), expected)
    set_etag(response, clients_settings.version(db))
    return out
