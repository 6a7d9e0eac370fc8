"""The API contract rows of the clients' fits, validations and settings (issue 16); see
``contract_rows.py``.

An admin fits the models on 40 individual clients with purchases (written straight into
the app's database by the create call), reads the fit and runs a validation; a head changes
the settings. Managers and viewers may not fit, validate or change the settings; a missing
fit is a 404; bad input (a unit of "fortnight", a calibration end after today or not a date,
a setting out of range or unknown, segments that leave (R, FM) pairs out) is a 422 naming
the field, nothing written."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from contract_rows import MISSING, Call, Resource
from route_samples_clients_fits import people_buying

FITS = "/api/v1/clients/fits"
VALIDATIONS = "/api/v1/clients/validations"
SETTINGS = "/api/v1/clients/settings"


def _clients(cast: Any, client: Any) -> dict[str, Any]:
    with client.app.state.sessions.begin() as session:
        people_buying(session, 40, date.today(), seed=11, manager_id=cast.owner.id)
    return {"unit": "week"}


def _validation(cast: Any) -> dict[str, str]:
    return {"calibration_end": (date.today() - timedelta(days=120)).isoformat(),
            "holdout_end": (date.today() - timedelta(days=1)).isoformat(), "unit": "week"}


ROWS = [
    Resource(
        name="client fits",
        actor="admin",
        collection=lambda c: FITS,
        create=_clients,
        shows=("kind", "scores"),
        count=lambda body: int(body["total"]),
        item=lambda c, made: f"{FITS}/{made['id']}",
        also=[Call("POST", lambda c, made: VALIDATIONS, status=201, body=_validation,
                   shows=("kind", "validation"))],
        denied=[("owner", "POST", lambda c: FITS, {"unit": "week"}, 403),
                ("viewer", "POST", lambda c: VALIDATIONS, _validation(None), 403),
                ("billing", "POST", lambda c: FITS, {}, 403)],
        missing=[("viewer", "GET", lambda c: f"{FITS}/{MISSING}")],
        bad=[({"unit": "fortnight"}, "unit"),
             ({"calibration_end": "2999-01-01"}, "calibration_end"),
             ({"calibration_end": "the first of May"}, "calibration_end")],
    ),
    Resource(
        name="clients settings",
        actor="head",
        collection=lambda c: SETTINGS,
        create={"horizon": 26, "lapsed_below": "0.25"},
        create_method="PUT",
        create_status=200,
        shows=("horizon", 26),
        denied=[("owner", "PUT", lambda c: SETTINGS, {"horizon": 12}, 403),
                ("viewer", "PUT", lambda c: SETTINGS, {}, 403)],
        bad=[({"horizon": 0}, "horizon"), ({"lapsed_below": "1.5"}, "lapsed_below"),
             ({"unit": "fortnight"}, "unit"), ({"colour": "red"}, "colour"),
             ({"segments": [{"name": "most", "r": [1, 4], "fm": [1, 5]}]}, "segments")],
    ),
]
