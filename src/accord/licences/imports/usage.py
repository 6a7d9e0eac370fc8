"""``accord import m365-usage``: the Microsoft 365 active user detail report into an
account's tenant — its people and seats as in ``users`` (a deleted user has left: their seats
are freed from their deletion date), and the last activity per person and workload
(``seat_activity``), as of the report's refresh date.

Same rules, rights and refusals as the Active users export (``users``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy.orm import Session

from accord.core.models import User
from accord.licences.imports import m365
from accord.licences.imports.tenant import TenantOutcome, tenant_of
from accord.licences.imports.users import finish, products

KIND = "m365-usage"


def import_m365_usage(session: Session, user: User, rows: Iterable[m365.Row],
                      headers: Mapping[str, str], header_row: Sequence[str], *,
                      account_id: int | None) -> TenantOutcome:
    """The usage report (rows through its column map, with their cells for the workload
    columns of ``header_row``)."""
    if account_id is not None:
        tenant_of(session, user, account_id, ())
    known = products(session)
    parsed = m365.parse(rows, headers, known, workloads=m365.workload_columns(header_row),
                        header_row=header_row)
    return finish(session, user, parsed, headers, account_id, parsed.reported_on, known,
                  kind=KIND)
