"""The route table's rows for individual clients (issue 16): fits, validations, settings.

See route_policy.py: this file holds one section of its POLICY. Running a fit or a
validation and changing the settings is for admins and heads; everyone reads the fits and
the settings (API). The route table's world has no purchase of a person account, so a fit
or a validation run by whoever may is a 422 (nothing to fit): the other samples' scores
stay. ``{fit_id}``: the sample validation (tests/route_samples_clients_fits.py)."""

from __future__ import annotations

from route_policy import Rule, read, write

#: admins and heads (route_policy.ADMIN_HEAD; spelt out: that module imports this one)
ADMIN_HEAD: frozenset[str] = frozenset({"admin", "head"})
VALIDATION = {"calibration_end": "2026-01-01", "holdout_end": "2026-03-01", "unit": "week"}
SETTINGS_FORM = {"model": "mbgnbd", "unit": "week", "horizon": "26", "yearly_discount": "10",
                 "rfm_window_days": "365", "lapsed_below": "30", "churned_after_days": "730",
                 "winback_p_alive_below": "50", "winback_min_past_cents": "0",
                 "at_risk_drop": "15", "best_p_alive_above": "70", "refit_every_days": "7",
                 "segments": "everyone | 1-5 | 1-5"}

ROWS: dict[tuple[str, str], Rule] = {
    ("POST", "/api/v1/clients/fits"): write(ADMIN_HEAD, body={"unit": "week"}),
    ("GET", "/api/v1/clients/fits"): read(query="kind=validation&page_size=5"),
    ("GET", "/api/v1/clients/fits/{fit_id}"): read(),
    ("POST", "/api/v1/clients/validations"): write(ADMIN_HEAD, body=VALIDATION),
    ("GET", "/api/v1/clients/settings"): read(),
    ("PUT", "/api/v1/clients/settings"): write(ADMIN_HEAD, body={"horizon": 26}),
    ("GET", "/clients/fits"): read(query="kind=validation"),
    ("POST", "/clients/fits"): write(ADMIN_HEAD, form={"unit": "week"}),
    ("POST", "/clients/validations"): write(ADMIN_HEAD, form={
        "calibration_end": "2026-01-01", "holdout_end": "2026-03-01", "unit": "week"}),
    ("GET", "/admin/clients"): read(ADMIN_HEAD),
    ("POST", "/admin/clients"): write(ADMIN_HEAD, form=SETTINGS_FORM),
}
