"""Renewals: the accounts whose client contract comes up for renewal, the renewals setting,
and the daily run of the reminders.

- ``renewals`` / ``renewal_page``: the accounts the user sees with a contract end date, by
  notice deadline (the notice window by default); each with its reminder and the renewal
  opportunity the reminder opened.
- ``run_reminders(session, today)``: for each account in its notice window (``rules``) whose
  reminder for this contract end is not recorded yet: record it (``renewal_reminders``,
  audited as the system) and open a renewal opportunity through
  ``growth.opportunities.service`` as the account's manager (kind ``renewal``, title
  "Renewal <contract end>", expected close = the notice deadline, value = the last 12
  complete months' revenue). Once per (account, contract end): a second run adds nothing;
  a new contract end date brings a new reminder. An account without an active manager is
  left until it has one. The manager also gets a follow-up "Renewal notice deadline <date>"
  due on the notice deadline (``calendar.followups``; its source is the opportunity).
"""

from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal
from math import ceil
from typing import Any

from sqlalchemy import (
    Boolean,
    Integer,
    String,
    and_,
    cast,
    func,
    literal,
    null,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql import Select

from accord.accounts.models import Account
from accord.accounts.service import assignable_managers
from accord.accounts.visibility import visible_accounts
from accord.calendar.followups import service as followups
from accord.calendar.followups.schemas import FollowUpIn
from accord.calendar.models import RenewalReminder
from accord.calendar.renewals import queries, rules
from accord.calendar.renewals.models import SubscriptionReminder
from accord.calendar.renewals.schemas import RenewalOut, RenewalPage
from accord.core import audit, policy_store, versions
from accord.core.errors import AccordError, FieldProblem, ValidationFailed
from accord.core.models import Role, User
from accord.core.money import from_cents
from accord.core.roles import require_role
from accord.growth.models import Sku
from accord.growth.opportunities import service as opportunities
from accord.growth.opportunities.models import Opportunity
from accord.growth.opportunities.rules import MAX_VALUE
from accord.growth.opportunities.schemas import OpportunityIn
from accord.licences import rules as licence_rules
from accord.licences.models import Subscription, SubscriptionTerm

log = logging.getLogger(__name__)

POLICY_NAME = "renewals"
ENTITY = "renewal_reminder"
MAX_PAGE_SIZE = 200
#: the most rows ``renewals`` answers (My day shows the first of them)
MAX_LISTED = 200


# ---------------------------------------------------------------- the setting


def policy(session: Session) -> rules.RenewalsPolicy:
    """The stored setting, or its defaults (30 lead days)."""
    return policy_store.load(session, POLICY_NAME, rules.RenewalsPolicy)


def save_policy(session: Session, user: User, value: dict[str, Any],
                expected: versions.Expected | None = None) -> rules.RenewalsPolicy:
    """Change the fields given (admins); audited."""
    require_role(user, Role.ADMIN)
    merged = {**policy(session).to_dict(),
              **{k: v for k, v in value.items() if v is not None}}
    return policy_store.save(session, user, POLICY_NAME, merged,
                             rules.RenewalsPolicy.from_dict, expected)


# ---------------------------------------------------------------- reading


def _scope_condition(session: Session, today: date, scope: str, lead_days: int) -> Any:
    if scope == "window":
        return queries.window_condition(session, today, lead_days)
    if scope == "upcoming":
        return Account.contract_end_on >= today
    return Account.contract_end_on.is_not(None)


def _subscription_scope(session: Session, today: date, scope: str, lead_days: int) -> Any:
    if scope == "window":
        return queries.subscription_window_condition(session, today, lead_days)
    if scope == "upcoming":
        return and_(Subscription.status.in_(rules.RUNNING), Subscription.end_on >= today)
    return true()


def _listing(session: Session, user: User, today: date, scope: str, lead_days: int,
             manager_id: int | None, subscriptions: bool = True) -> Any:
    """The contracts and (``subscriptions``) the subscriptions in ``scope``, as one
    subquery with a common shape and ``deadline_days`` to order by."""
    manager = aliased(User)
    contracts = (
        select(literal("contract").label("kind"), Account.id.label("account_id"),
               Account.name.label("account_name"), Account.manager_id.label("manager_id"),
               manager.name.label("manager_name"), Account.contract_end_on.label("end_on"),
               Account.notice_days.label("notice_days"),
               RenewalReminder.opportunity_id.label("opportunity_id"),
               Opportunity.stage.label("stage"),
               cast(null(), Integer).label("subscription_id"),
               cast(null(), String).label("service"), cast(null(), Boolean).label("auto_renew"),
               queries.deadline_order(session, today).label("deadline_days"))
        .outerjoin(manager, manager.id == Account.manager_id)
        .outerjoin(RenewalReminder, (RenewalReminder.account_id == Account.id)
                   & (RenewalReminder.contract_end_on == Account.contract_end_on))
        .outerjoin(Opportunity, Opportunity.id == RenewalReminder.opportunity_id)
        .where(visible_accounts(user), _scope_condition(session, today, scope, lead_days))
    )
    if manager_id is not None:
        contracts = contracts.where(Account.manager_id == manager_id)
    if not subscriptions:
        return contracts.subquery("renewals")
    sub_manager = aliased(User)
    subs = (
        select(literal("subscription"), Account.id, Account.name, Account.manager_id,
               sub_manager.name, Subscription.end_on, Subscription.notice_days,
               SubscriptionReminder.opportunity_id, Opportunity.stage, Subscription.id,
               Sku.name, Subscription.auto_renew,
               queries.subscription_deadline_order(session, today))
        .join(Account, Account.id == Subscription.account_id)
        .join(Sku, Sku.id == Subscription.sku_id)
        .outerjoin(sub_manager, sub_manager.id == Account.manager_id)
        .outerjoin(SubscriptionReminder, (SubscriptionReminder.subscription_id
                                          == Subscription.id)
                   & (SubscriptionReminder.end_on == Subscription.end_on))
        .outerjoin(Opportunity, Opportunity.id == SubscriptionReminder.opportunity_id)
        .where(visible_accounts(user, Subscription.account_id),
               _subscription_scope(session, today, scope, lead_days))
    )
    if manager_id is not None:
        subs = subs.where(Account.manager_id == manager_id)
    return union_all(contracts, subs).subquery("renewals")


def _ordered(listing: Any) -> Select[Any]:
    c = listing.c
    return select(c.kind, c.account_id, c.account_name, c.manager_id, c.manager_name,
                  c.end_on, c.notice_days, c.opportunity_id, c.stage, c.subscription_id,
                  c.service, c.auto_renew).order_by(
        c.deadline_days, c.account_id, func.coalesce(c.subscription_id, 0))


def _out(row: Any, today: date, lead_days: int) -> RenewalOut:
    (kind, acc_id, name, manager_id, manager_name, end, notice, opp_id, stage, sub_id,
     service, auto_renew) = row
    end = as_date(end)
    return RenewalOut(
        kind=kind, account_id=acc_id, account_name=name, manager_id=manager_id,
        manager_name=manager_name, contract_end_on=end, notice_days=notice,
        notice_deadline=rules.notice_deadline(end, notice),
        reminder_on=rules.reminder_on(end, notice, lead_days),
        state=rules.state(end, notice, lead_days, today),
        opportunity_id=opp_id, opportunity_stage=stage, subscription_id=sub_id,
        service=service, auto_renew=None if auto_renew is None else bool(auto_renew))


def as_date(value: Any) -> date:
    """A date read through a union (SQLite may hand back its text)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _check(scope: str, page: int, page_size: int) -> None:
    problems = []
    if scope not in rules.SCOPES:
        problems.append(FieldProblem("scope", "one of " + ", ".join(rules.SCOPES)))
    if page < 1:
        problems.append(FieldProblem("page", "1 or more"))
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        problems.append(FieldProblem("page_size", f"from 1 to {MAX_PAGE_SIZE}"))
    if problems:
        raise ValidationFailed(problems)


def renewal_page(session: Session, user: User, today: date, *, scope: str = "window",
                 manager_id: int | None = None, page: int = 1, page_size: int = 50
                 ) -> RenewalPage:
    """One page of the renewals the user sees, by notice deadline (then account)."""
    _check(scope, page, page_size)
    lead = policy(session).lead_days
    listing = _listing(session, user, today, scope, lead, manager_id)
    total = session.scalar(select(func.count()).select_from(listing)) or 0
    rows = session.execute(
        _ordered(listing).offset((page - 1) * page_size).limit(page_size)).all()
    return RenewalPage(items=[_out(r, today, lead) for r in rows], total=total, page=page,
                       page_size=page_size, pages=max(1, ceil(total / page_size)),
                       scope=scope, lead_days=lead)


def renewals(session: Session, user: User, today: date, *, manager_id: int | None = None,
             subscriptions: bool = False) -> list[RenewalOut]:
    """The accounts the user sees in their notice window (reminder date ≤ today ≤ contract
    end), by notice deadline, and (``subscriptions``) their subscriptions in theirs; at
    most ``MAX_LISTED``."""
    lead = policy(session).lead_days
    rows = session.execute(_ordered(
        _listing(session, user, today, "window", lead, manager_id, subscriptions))
        .limit(MAX_LISTED)).all()
    return [_out(r, today, lead) for r in rows]


def manager_choices(session: Session, user: User) -> list[User]:
    """The managers the list may be filtered on (those whose accounts the user reaches)."""
    return assignable_managers(session, user)


# ---------------------------------------------------------------- the daily run


def _values(session: Session, account_ids: list[int], today: date) -> dict[int, Decimal]:
    if not account_ids:
        return {}
    out = {}
    for acc_id, cents in session.execute(queries.trailing_revenue(account_ids, today)):
        out[acc_id] = min(max(from_cents(int(cents or 0)), Decimal(0)), MAX_VALUE)
    return out


def _open_opportunity(session: Session, manager: User, account_id: int, end: date,
                      deadline: date, value: Decimal, today: date, *,
                      title: str | None = None, what: str = "The contract") -> int | None:
    """The renewal opportunity and the manager's follow-up on the notice deadline (its
    source: the opportunity), both or neither; None when the manager may not open them."""
    data = OpportunityIn(title=title or rules.opportunity_title(end), kind="renewal",
                         value=value, expected_close_on=deadline, owner_id=manager.id)
    try:
        with session.begin_nested():
            opp_id = opportunities.create_opportunity(session, manager, account_id, data,
                                                      today=today).id
            followups.add_follow_up(session, manager, FollowUpIn(
                account_id=account_id, title=rules.follow_up_title(deadline), due_on=deadline,
                owner_id=manager.id, source_kind="opportunity", source_id=opp_id,
                notes=f"{what} ends on {end.isoformat()}."), today)
            return opp_id
    except AccordError as exc:  # e.g. a manager who may no longer change the account
        log.warning("renewal opportunity of account %s not opened: %s", account_id, exc)
        return None


def _managers(session: Session, ids: set[int]) -> dict[int, User]:
    return {u.id: u for u in session.scalars(
        select(User).where(User.id.in_(ids), User.is_active.is_(True)))} if ids else {}


def run_reminders(session: Session, today: date) -> int:
    """Record each reminder that fell due (contracts, then subscriptions) and open its
    renewal opportunity; the number of reminders recorded (0 on a second run the same
    day)."""
    lead = policy(session).lead_days
    return (_contract_reminders(session, today, lead)
            + subscription_reminders(session, today, lead))


def _contract_reminders(session: Session, today: date, lead: int) -> int:
    due = session.execute(queries.due_reminders(session, today, lead)).all()
    if not due:
        return 0
    managers = _managers(session, {m for *_, m in due if m is not None})
    values = _values(session, [r[0] for r in due], today)
    done = 0
    for account_id, end, notice, manager_id in due:
        manager = managers.get(manager_id) if manager_id is not None else None
        if manager is None:
            continue  # no active manager to own the renewal: left until there is one
        deadline = rules.notice_deadline(end, notice)
        opportunity_id = _open_opportunity(
            session, manager, account_id, end, deadline, values.get(account_id, Decimal(0)),
            today)
        if opportunity_id is None:
            continue  # not recorded: the next run tries again (logged by _open_opportunity)
        reminder = RenewalReminder(account_id=account_id, contract_end_on=end,
                                   due_on=rules.reminder_on(end, notice, lead),
                                   opportunity_id=opportunity_id)
        session.add(reminder)
        session.flush()
        audit.record(session, None, "create", ENTITY, f"{account_id}:{end.isoformat()}",
                     after={"account_id": account_id, "contract_end_on": end,
                            "due_on": reminder.due_on, "notice_deadline": deadline,
                            "opportunity_id": reminder.opportunity_id},
                     note="renewal reminder")
        done += 1
    return done


def _yearly_values(session: Session, ids: list[int], today: date) -> dict[int, Decimal]:
    """A year of each subscription's amount in force today (or at its first term)."""
    terms: dict[int, list[licence_rules.Term]] = {}
    for t in session.scalars(select(SubscriptionTerm).where(
            SubscriptionTerm.subscription_id.in_(ids))):
        terms.setdefault(t.subscription_id, []).append(
            licence_rules.Term(t.effective_on, t.quantity, t.unit_price))
    periods = dict(session.execute(select(Subscription.id, Sku.billing_period).join(
        Sku, Sku.id == Subscription.sku_id).where(Subscription.id.in_(ids))).all())
    out = {}
    for sub_id, ts in terms.items():
        term = licence_rules.term_in_force(ts, today) or min(ts, key=lambda t: t.effective_on)
        cents = licence_rules.monthly_cents(term.quantity, term.unit_price,
                                            periods.get(sub_id, "year")) * 12
        out[sub_id] = min(from_cents(cents), MAX_VALUE)
    return out


def subscription_reminders(session: Session, today: date, lead: int) -> int:
    """Each running subscription in its notice window without a reminder for this end of
    term: record it (``subscription_reminders``, audited as the system) and open a renewal
    opportunity as the account's manager ("Renewal <service> <end>", value: a year of its
    amount in force) with the follow-up on its notice deadline."""
    due = session.execute(queries.due_subscription_reminders(session, today, lead)).all()
    if not due:
        return 0
    managers = _managers(session, {r[5] for r in due if r[5] is not None})
    values = _yearly_values(session, [r[0] for r in due], today)
    done = 0
    for sub_id, account_id, service, end, notice, manager_id in due:
        manager = managers.get(manager_id) if manager_id is not None else None
        if manager is None:
            continue
        deadline = rules.notice_deadline(end, notice)
        opportunity_id = _open_opportunity(
            session, manager, account_id, end, deadline, values.get(sub_id, Decimal(0)), today,
            title=rules.subscription_opportunity_title(service, end),
            what=f"The subscription to {service}")
        if opportunity_id is None:
            continue
        reminder = SubscriptionReminder(subscription_id=sub_id, end_on=end,
                                        account_id=account_id,
                                        due_on=rules.reminder_on(end, notice, lead),
                                        opportunity_id=opportunity_id)
        session.add(reminder)
        session.flush()
        audit.record(session, None, "create", "subscription_reminder",
                     f"{sub_id}:{end.isoformat()}",
                     after={"account_id": account_id, "subscription_id": sub_id,
                            "end_on": end, "due_on": reminder.due_on,
                            "notice_deadline": deadline, "opportunity_id": opportunity_id},
                     note="subscription renewal reminder")
        done += 1
    return done


def remind_now(session: Session, user: User, today: date) -> int:
    """``run_reminders`` at once, by an admin (``accord renewals remind``)."""
    require_role(user, Role.ADMIN)
    return run_reminders(session, today)


def reminders_job(session: Session, today: date) -> dict[str, int]:
    """The daily job's run (``calendar.jobs``): what ``run_reminders`` recorded."""
    return {"reminders": run_reminders(session, today)}
