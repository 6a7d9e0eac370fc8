"""Win-back campaigns (issue 16): a list of individual clients frozen on a day (who, their
P(alive) and value then), a random holdout left uncontacted, follow-ups for the treatment
group or an export for an e-mail tool, and the result later — treatment against holdout.

Who may: managers, heads and admins (``CAMPAIGNERS``), over the accounts they see. Every
member must be an account the caller sees: a list is read within their reach, and accounts
named one by one that they do not see (or that do not exist) are refused with their ids
named, nothing written. A campaign is shown to a campaigner who sees every one of its
members (anyone else: 404, as for a missing one): the reads (list, show, result, export)
are ``clients.campaigns.reading``'s, creating is this module's. Creating is audited
(``win_back_campaign``) in the caller's transaction, with each follow-up's own entry.

Members without marketing consent (``client_profiles``) or with an e-mail address on the
suppression list are marked (``excluded``) and counted: the e-mail export leaves them out
(and anyone whose consent or suppression changed since), follow-ups are not created for
them; the result measures them like everyone else (the holdout is drawn from the whole list).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from accord.accounts.models import Account, AccountContact, Contact
from accord.accounts.search import search_condition
from accord.accounts.visibility import visible_accounts, visible_filter
from accord.calendar.followups import service as follow_ups
from accord.clients import settings as clients_settings
from accord.clients.campaigns import rules
from accord.clients.campaigns.reading import CAMPAIGNERS, show
from accord.clients.campaigns.schemas import LIST_FILTERS, MAX_MEMBERS, CampaignDetail, CampaignIn
from accord.clients.models import (
    CampaignMember,
    ClientProfile,
    ClientScore,
    ClientSuppression,
    WinBackCampaign,
)
from accord.core import audit
from accord.core.errors import FieldProblem, ValidationFailed
from accord.core.models import User
from accord.core.money import from_cents, to_cents
from accord.core.roles import require_role

ENTITY = "win_back_campaign"
#: ids per IN list (well under both databases' limits on bound parameters)
_CHUNK = 5000


# ---------------------------------------------------------------- the lists' settings


def list_settings(session: Session) -> rules.ListSettings:
    """The thresholds of the lists: the ``clients`` setting's."""
    p = clients_settings.policy(session)
    return rules.ListSettings(float(p.winback_p_alive_below), int(p.winback_min_past_cents),
                              float(p.at_risk_drop), float(p.best_p_alive_above))


# ---------------------------------------------------------------- choosing the members


@dataclass(frozen=True)
class Candidate:
    account_id: int
    manager_id: int | None
    p_alive: float
    value_cents: int
    fit_id: int | None


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield list(ids[start:start + _CHUNK])


def _named(ids: Sequence[int]) -> str:
    shown = ", ".join(str(i) for i in ids[:20])
    return shown + (f" and {len(ids) - 20} more" if len(ids) > 20 else "")


def _from_list(session: Session, user: User, data: CampaignIn, limits: rules.ListSettings
               ) -> list[Candidate]:
    """The list ``data.source`` names, within the caller's reach, filtered, in its order
    (the Clients page's: win-back by past value, at risk by the fall, the others by value;
    then by account id)."""
    s = ClientScore
    query = (select(s.account_id, Account.manager_id, s.p_alive, s.value_cents, s.fit_id)
             .join(Account, Account.id == s.account_id)
             .where(Account.kind == "person", visible_filter(session, user)))
    drop = s.p_alive_previous - s.p_alive
    conditions = {
        "winback": [s.p_alive < limits.winback_p_alive_below,
                    s.total_cents >= limits.winback_min_past_cents],
        "at_risk": [s.p_alive_previous.is_not(None),
                    drop >= limits.at_risk_drop - rules.EPSILON],
        "best": [s.p_alive > limits.best_p_alive_above], "segment": []}[data.source]
    order = {"winback": s.total_cents, "at_risk": drop}.get(data.source, s.value_cents)
    if data.segment is not None:
        conditions.append(s.rfm_segment == data.segment)
    if data.manager_id is not None:
        conditions.append(Account.manager_id == data.manager_id)
    if data.min_value is not None:
        conditions.append(s.total_cents >= to_cents(data.min_value))
    if data.p_alive_min is not None:
        conditions.append(s.p_alive >= float(data.p_alive_min))
    if data.p_alive_max is not None:
        conditions.append(s.p_alive <= float(data.p_alive_max))
    if data.q:
        conditions.append(search_condition(data.q))
    rows = session.execute(query.where(*conditions).order_by(order.desc(), s.account_id)
                           .limit(data.limit or MAX_MEMBERS + 1)).all()
    return [Candidate(int(r[0]), r[1], float(r[2]), int(r[3]), r[4]) for r in rows]


def _from_ids(session: Session, user: User, data: CampaignIn) -> list[Candidate]:
    """The accounts named, each an individual client with scores that the caller sees;
    every one that is not refused with its id (``account_ids``)."""
    ids = list(dict.fromkeys(data.account_ids or []))[:data.limit or None]
    found: dict[int, Any] = {}
    for chunk in _chunks(ids):
        for row in session.execute(
                select(Account.id, Account.kind, Account.manager_id, ClientScore.p_alive,
                       ClientScore.value_cents, ClientScore.fit_id)
                .outerjoin(ClientScore, ClientScore.account_id == Account.id)
                .where(Account.id.in_(chunk), visible_accounts(user))):
            found[int(row[0])] = row
    unseen = [i for i in ids if i not in found]
    if unseen:
        raise ValidationFailed([FieldProblem(
            "account_ids", f"no account you can see: {_named(unseen)}")])
    problems = []
    companies = [i for i in ids if found[i].kind != "person"]
    if companies:
        problems.append(FieldProblem("account_ids",
                                     f"not individual clients: {_named(companies)}"))
    unscored = [i for i in ids if found[i].kind == "person" and found[i].p_alive is None]
    if unscored:
        problems.append(FieldProblem("account_ids", "no client scores yet (no purchase, or "
                                     f"no fit since): {_named(unscored)}"))
    if problems:
        raise ValidationFailed(problems)
    return [Candidate(i, found[i].manager_id, float(found[i].p_alive),
                      int(found[i].value_cents), found[i].fit_id) for i in ids]


def _exclusions(session: Session, ids: Sequence[int]) -> dict[int, str]:
    """Members an export leaves out: ``suppressed`` (an e-mail address of the person on the
    suppression list) before ``no_consent`` (no marketing consent recorded)."""
    consenting: set[int] = set()
    suppressed: set[int] = set()
    for chunk in _chunks(ids):
        consenting.update(session.scalars(select(ClientProfile.account_id).where(
            ClientProfile.account_id.in_(chunk), ClientProfile.marketing_consent.is_(True))))
        suppressed.update(session.scalars(
            select(AccountContact.account_id).distinct()
            .join(Contact, Contact.id == AccountContact.contact_id)
            .join(ClientSuppression,
                  ClientSuppression.email_key == func.lower(func.trim(Contact.email)))
            .where(AccountContact.account_id.in_(chunk))))
    return {i: "suppressed" if i in suppressed else "no_consent" for i in ids
            if i in suppressed or i not in consenting}


# ---------------------------------------------------------------- creating


def create_campaign(session: Session, user: User, data: CampaignIn, today: date, *,
                    seed: int | None = None) -> CampaignDetail:
    """Freeze the list today, draw the holdout, mark the exclusions, create the follow-ups
    of the treatment group (when a due day is given). Audited; nothing is written when
    anything is refused."""
    require_role(user, *CAMPAIGNERS)
    try:
        share = rules.check_input(
            data.source, segment=data.segment, ids=bool(data.account_ids),
            filters=[f for f in LIST_FILTERS if getattr(data, f) not in (None, "")],
            holdout=data.holdout, due=data.follow_ups_due_on, today=today)
    except rules.InputErrors as exc:
        raise ValidationFailed([FieldProblem(f, m) for f, m in exc.problems]) from None
    chosen = (_from_ids(session, user, data) if data.source == "accounts"
              else _from_list(session, user, data, list_settings(session)))
    if not chosen:
        raise ValidationFailed([FieldProblem("source", "the list is empty: none of the "
                                             "clients you see is on it")])
    if len(chosen) > MAX_MEMBERS:
        raise ValidationFailed([FieldProblem("limit", f"the list holds more than "
                                             f"{MAX_MEMBERS:,} clients: give a limit")])
    seed = secrets.randbits(62) if seed is None else seed
    held = rules.assign_holdout([c.account_id for c in chosen], share, seed)
    excluded = _exclusions(session, [c.account_id for c in chosen])
    fits = [c.fit_id for c in chosen if c.fit_id is not None]
    filters = {k: getattr(data, k) if k in ("limit", "manager_id", "q", "segment")
               else str(getattr(data, k)) for k in ("segment", *LIST_FILTERS, "limit")
               if getattr(data, k) not in (None, "")}  # the accounts named: the members
    row = WinBackCampaign(
        name=data.name, frozen_on=today, fit_id=max(fits) if fits else None,
        source=data.source, filters=json.dumps(filters) if filters else None,
        holdout_e4=share, seed=seed, follow_ups_due_on=data.follow_ups_due_on,
        members=len(chosen), no_consent=sum(1 for v in excluded.values() if v == "no_consent"),
        suppressed=sum(1 for v in excluded.values() if v == "suppressed"),
        result_months=data.result_months, created_by_id=user.id, notes=data.notes or None)
    session.add(row)
    session.flush()
    made = _follow_ups(session, user, row, chosen, held, excluded)
    session.execute(insert(CampaignMember), [
        {"campaign_id": row.id, "account_id": c.account_id,
         "group": "holdout" if c.account_id in held else "treatment", "p_alive": c.p_alive,
         "value_cents": c.value_cents, "excluded": excluded.get(c.account_id),
         "follow_up_id": made.get(c.account_id)} for c in chosen])
    audit.record(session, user, "create", ENTITY, row.id, after={
        "name": row.name, "frozen_on": row.frozen_on, "source": row.source,
        "filters": filters, "fit_id": row.fit_id, "holdout": str(data.holdout),
        "seed": seed, "members": row.members, "held_out": len(held),
        "no_consent": row.no_consent, "suppressed": row.suppressed,
        "follow_ups_due_on": row.follow_ups_due_on, "follow_ups": len(made)})
    return show(session, user, row.id)


def _follow_ups(session: Session, user: User, row: WinBackCampaign,
                chosen: Sequence[Candidate], held: frozenset[int],
                excluded: dict[int, str]) -> dict[int, int]:
    """A follow-up per treatment member who may be contacted, for the account's manager
    (or, without an active one, for the creator; none for the command line's operator)."""
    due = row.follow_ups_due_on
    if due is None:
        return {}
    reached = [c for c in chosen if c.account_id not in held and c.account_id not in excluded]
    managers = {c.manager_id for c in reached if c.manager_id is not None}
    active = set(session.scalars(select(User.id).where(
        User.id.in_(managers), User.is_active.is_(True)))) if managers else set()
    made: dict[int, int] = {}
    for c in reached:
        owner = c.manager_id if c.manager_id in active else user.id
        if owner is None:
            continue
        follow_up = follow_ups.open_system_follow_up(
            session, user, account_id=c.account_id, title=f"Win-back: {row.name}",
            notes=(f"Win-back campaign {row.id} (frozen {row.frozen_on.isoformat()}): "
                   f"P(alive) {c.p_alive:.2f}, value {from_cents(c.value_cents)}."),
            due_on=due, owner_id=owner, source_kind=None, source_id=None)
        made[c.account_id] = int(follow_up.id)
    return made
