"""The demo portfolio's individual clients (issue 16), so that the Clients page has data
right after ``make demo``: marketing consent for about 70 % of the person accounts (given on
a day of the last two years), a few of their addresses on the suppression list, then a
scores fit (P(alive), expected value, RFM segments) and a validation (a year's holdout)
through ``clients.fitting``, as an admin's fit would.

Both fits end with the purchase data, not on ``today``: the demo's revenue ends with the
last complete month, so the days from its end to today hold no purchase for anyone. A fit
whose calibration ran to today would read them as every client's silence (T grows, t_x does
not): with the demo's regular buyers that alone pushed the BG/NBD dropout parameters to
their bounds on many days of the month (a, b → ∞, "did not converge", no expected
purchases). So the scores fit's calibration ends on the last day of the month of the latest
purchase (at the latest today), and the validation's holdout ends there and its calibration
a year before. A scores fit not ending today leaves the lifecycle alone
(``fitting.run_fit``): the demo's statuses keep following its revenue rule.

Called by the demo loader after the revenue is loaded (``seed_demo``). With fewer than
``MIN_CLIENTS`` person accounts that bought (a small demo, the query-budget portfolios) the
fits are skipped and the reason is returned; a fit the models refuse is skipped the same way
(inside a savepoint, so it leaves nothing). Consent and suppressions are demo rows, not
audited one by one (the loader's ``demo_loaded`` entry sums up the load); the fits audit
themselves (actor ``job:demo``).
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from accord.accounts.models import Account, AccountContact, AccountKind, Contact
from accord.calendar.jobs.builtin import operator
from accord.clients import fitting
from accord.clients.models import ClientProfile, ClientSuppression
from accord.core.errors import ValidationFailed
from accord.revenue.models import RevenueLine

#: share of person accounts that gave marketing consent
CONSENT_SHARE = 0.7
#: share of person accounts whose address is on the suppression list (at least 3)
SUPPRESSED_SHARE = 0.02
REASONS = ("asked not to be e-mailed", "address bounced", "complained about a newsletter",
           "asked to be forgotten by the newsletter")
#: person accounts with a purchase below which no fit is run
MIN_CLIENTS = 50
#: the validation's holdout: this many days up to the end of the purchase data
HOLDOUT_DAYS = 365
#: and needs at least this much history before its calibration end
MIN_CALIBRATION_DAYS = 90
SEED_STREAM = 16


def _rng(seed: int) -> random.Random:
    return random.Random(seed * 1_000_003 + SEED_STREAM)


def seed_consent(session: Session, *, seed: int, today: date) -> dict[str, int]:
    """Consent profiles for the person accounts (about 70 % given) and a few suppressed
    addresses; counts."""
    rng = _rng(seed)
    people = list(session.scalars(select(Account.id).where(
        Account.kind == AccountKind.PERSON).order_by(Account.id)))
    profiles = []
    for account_id in people:
        given = rng.random() < CONSENT_SHARE
        changed = today - timedelta(days=rng.randrange(1, 730)) if given else None
        profiles.append({"account_id": account_id, "marketing_consent": given,
                         "consent_changed_on": changed})
    if profiles:
        session.execute(insert(ClientProfile), profiles)
    emails = sorted(e for e in session.scalars(
        select(func.lower(Contact.email)).join(AccountContact,
                                               AccountContact.contact_id == Contact.id)
        .join(Account, Account.id == AccountContact.account_id)
        .where(Account.kind == AccountKind.PERSON, Contact.email.is_not(None)).distinct())
        if e)
    wanted = min(len(emails), max(3, round(len(people) * SUPPRESSED_SHARE)))
    chosen = rng.sample(emails, wanted) if emails else []
    added = datetime.combine(today - timedelta(days=30), time(9), tzinfo=UTC)
    rows = [{"email_key": e.strip(), "reason": REASONS[i % len(REASONS)],
             "added_at": added + timedelta(days=i % 30), "added_by_id": None}
            for i, e in enumerate(sorted(chosen))]
    if rows:
        session.execute(insert(ClientSuppression), rows)
    return {"person_accounts": len(people),
            "consent_given": sum(1 for p in profiles if p["marketing_consent"]),
            "suppressed": len(rows)}


def _buyers(session: Session) -> tuple[int, date | None, date | None]:
    """Person accounts with a purchase (a line that is not a credit note), the first and
    the last purchase day."""
    buyers, first, last = session.execute(
        select(func.count(func.distinct(RevenueLine.account_id)), func.min(RevenueLine.date),
               func.max(RevenueLine.date))
        .join(Account, Account.id == RevenueLine.account_id)
        .where(Account.kind == AccountKind.PERSON, RevenueLine.amount_cents >= 0)).one()
    return int(buyers or 0), first, last


def data_end(last: date, today: date) -> date:
    """The end of the purchase data: the last day of the latest purchase's month, at the
    latest today."""
    following = date(last.year + last.month // 12, last.month % 12 + 1, 1)
    return min(following - timedelta(days=1), today)


def seed_fits(session: Session, *, today: date) -> dict[str, Any]:
    """A scores fit and a validation of the last year of data, or why not."""
    buyers, first, last = _buyers(session)
    if buyers < MIN_CLIENTS or first is None or last is None:
        return {"skipped": f"{buyers} person accounts with purchases, fewer than "
                           f"{MIN_CLIENTS}: no client model fitted"}
    actor = operator("demo")
    end = data_end(last, today)
    out: dict[str, Any] = {"clients": buyers, "calibration_end": end.isoformat()}
    try:
        with session.begin_nested():
            done = fitting.run_fit(session, actor, today, calibration_end=end)
        out.update(scores_fit=done.fit.id, scores=done.scores)
    except ValidationFailed as exc:
        return {**out, "skipped": f"scores fit: {exc.detail}"}
    calibration_end = end - timedelta(days=HOLDOUT_DAYS)
    if (calibration_end - first).days < MIN_CALIBRATION_DAYS:
        return {**out, "validation_skipped": f"less than {MIN_CALIBRATION_DAYS} days of "
                f"purchases before {calibration_end}"}
    try:
        with session.begin_nested():
            checked = fitting.run_validation(session, actor, today,
                                             calibration_end=calibration_end, holdout_end=end)
        out["validation_fit"] = checked.fit.id
    except ValidationFailed as exc:
        out["validation_skipped"] = exc.detail
    return out


def seed_demo(session: Session, *, seed: int, today: date) -> dict[str, Any]:
    """The individual clients' part of the demo (see the module); what it did."""
    return {**seed_consent(session, seed=seed, today=today), **seed_fits(session, today=today)}
