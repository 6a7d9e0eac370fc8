"""The route table's sample renewals (tests/route_samples.py): Acme, Globex and Hooli each
with a contract end date (so that a list read by someone who must not see Globex or Hooli
would show them), Acme's reminder recorded with the sample opportunity."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from accord.accounts.models import Account
from accord.calendar.models import RenewalReminder


def add(session: Session, cast: Any, ids: dict[str, int], sales_id: int) -> dict[str, int]:
    for name, end in (("acme", date(2027, 6, 30)), ("globex", date(2027, 5, 31)),
                      ("hooli", date(2027, 4, 30))):
        if name in ids:
            account = session.get(Account, ids[name])
            assert account is not None
            account.contract_end_on, account.notice_days = end, 90
    session.add(RenewalReminder(account_id=ids["acme"], contract_end_on=date(2027, 6, 30),
                                due_on=date(2027, 3, 2), opportunity_id=ids.get("opportunity")))
    session.flush()
    return {}
