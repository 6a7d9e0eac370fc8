"""Win-back campaigns (issue 16): a list of individual clients frozen on a day (who, their
P(alive) and value then), a random holdout left uncontacted, follow-ups for the treatment
group or an export for an e-mail tool, and the result later — treatment against holdout.

Who may: managers, heads and admins (``CAMPAIGNERS``), over the accounts they see. Every
member must be an account the caller sees: a list is read within their reach, and accounts
named one by one that they do not see (or that do not exist) are refused with their ids
named, nothing written. A campaign is shown to a campaigner who sees every one of its
members (anyone else: 404, as for a missing one). Creating is audited
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
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, case, exists, func, insert, select, true
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import Session

from accord.accounts.models import Account, AccountContact, Contact
from accord.accounts.search import search_condition
from accord.accounts.visibility import sees_everything, visible_accounts, visible_filter
from accord.calendar.followups import service as follow_ups
from accord.clients import settings as clients_settings
from accord.clients.campaigns import rules
from accord.clients.campaigns.schemas import (
    LIST_FILTERS,
    MAX_MEMBERS,
    CampaignDetail,
    CampaignIn,
    CampaignOut,
    CampaignsPage,
    ExportOut,
    MemberOut,
    MembersPage,
    ResultOut,
    result_out,
)
from accord.clients.models import (
    CampaignMember,
    ClientProfile,
    ClientScore,
    ClientSuppression,
    WinBackCampaign,
)
from accord.core import audit
from accord.core.errors import FieldProblem, NotFound, ValidationFailed
from accord.core.models import Role, User
from accord.core.money import from_cents, to_cents
from accord.core.roles import require_role
from accord.core.schemas import MAX_ID
from accord.revenue.models import RevenueLine

CAMPAIGNERS = (Role.ADMIN, Role.HEAD, Role.MANAGER)
ENTITY = "win_back_campaign"
MAX_PAGE_SIZE = 500
MAX_PAGES = 100_000
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
            due_on=due, owner_id=owner, source_kind=None,  # type: ignore[arg-type]
            source_id=None)  # type: ignore[arg-type]
        made[c.account_id] = int(follow_up.id)
    return made


# ---------------------------------------------------------------- reading


def _reach(user: User) -> ColumnElement[bool]:
    """Campaigns whose every member the user sees."""
    if sees_everything(user):
        return true()
    hidden = (select(CampaignMember.account_id)
              .join(Account, Account.id == CampaignMember.account_id)
              .where(CampaignMember.campaign_id == WinBackCampaign.id,
                     ~visible_accounts(user)))
    return ~exists(hidden)


def _campaign(session: Session, user: User, campaign_id: int) -> tuple[WinBackCampaign,
                                                                       str | None]:
    require_role(user, *CAMPAIGNERS)
    found = None
    if 1 <= campaign_id <= MAX_ID:
        found = session.execute(
            select(WinBackCampaign, User.email)
            .outerjoin(User, User.id == WinBackCampaign.created_by_id)
            .where(WinBackCampaign.id == campaign_id, _reach(user))).first()
    if found is None:
        raise NotFound(f"no campaign {campaign_id}")
    return found[0], found[1]


def _counts(session: Session, ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """Per campaign: members held out, and follow-ups created."""
    out: dict[int, dict[str, int]] = {i: {"held_out": 0, "follow_ups": 0} for i in ids}
    if not ids:
        return out
    m = CampaignMember
    for cid, held, made in session.execute(
            select(m.campaign_id, func.sum(case((m.group == "holdout", 1), else_=0)),
                   func.count(m.follow_up_id)).where(m.campaign_id.in_(ids))
            .group_by(m.campaign_id)):
        out[int(cid)] = {"held_out": int(held or 0), "follow_ups": int(made or 0)}
    return out


def _out(row: WinBackCampaign, creator: str | None, counts: dict[str, int]) -> dict[str, Any]:
    return {
        "id": row.id, "name": row.name, "frozen_on": row.frozen_on, "source": row.source,
        "filters": json.loads(row.filters) if row.filters else {}, "fit_id": row.fit_id,
        "holdout": (Decimal(row.holdout_e4) / 10_000).quantize(rules.SHARE),
        "seed": row.seed, "follow_ups_due_on": row.follow_ups_due_on,
        "members": row.members, "treatment": row.members - counts["held_out"],
        "held_out": counts["held_out"], "follow_ups": counts["follow_ups"],
        "no_consent": row.no_consent, "suppressed": row.suppressed,
        "result_months": row.result_months, "created_by": creator,
        "created_at": row.created_at, "notes": row.notes}


def _paged(page: int, page_size: int) -> None:
    problems = []
    if not 1 <= page <= MAX_PAGES:
        problems.append(FieldProblem("page", f"1 to {MAX_PAGES}"))
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        problems.append(FieldProblem("page_size", f"1 to {MAX_PAGE_SIZE}"))
    if problems:
        raise ValidationFailed(problems)


def list_campaigns(session: Session, user: User, *, page: int = 1, page_size: int = 50
                   ) -> CampaignsPage:
    """The campaigns the user may see, newest first."""
    require_role(user, *CAMPAIGNERS)
    _paged(page, page_size)
    reach = _reach(user)
    total = int(session.scalar(select(func.count()).select_from(WinBackCampaign)
                               .where(reach)) or 0)
    rows = session.execute(
        select(WinBackCampaign, User.email)
        .outerjoin(User, User.id == WinBackCampaign.created_by_id).where(reach)
        .order_by(WinBackCampaign.id.desc())
        .offset((page - 1) * page_size).limit(page_size)).all()
    counts = _counts(session, [r[0].id for r in rows])
    return CampaignsPage(items=[CampaignOut(**_out(r[0], r[1], counts[r[0].id])) for r in rows],
                         total=total, page=page, pages=max(1, -(-total // page_size)),
                         page_size=page_size)


def show(session: Session, user: User, campaign_id: int, *, page: int = 1,
         page_size: int = 50) -> CampaignDetail:
    """One campaign with a page of its members (treatment first, by value)."""
    _paged(page, page_size)
    row, creator = _campaign(session, user, campaign_id)
    counts = _counts(session, [row.id])[row.id]
    m = CampaignMember
    members = session.execute(
        select(m.account_id, Account.name, m.group, m.p_alive, m.value_cents, m.excluded,
               m.follow_up_id).join(Account, Account.id == m.account_id)
        .where(m.campaign_id == row.id)
        .order_by(case((m.group == "treatment", 0), else_=1), m.value_cents.desc(),
                  m.account_id)
        .offset((page - 1) * page_size).limit(page_size)).all()
    member_page = MembersPage(
        items=[MemberOut(account_id=r[0], name=r[1], group=r[2], p_alive=r[3],
                         value=from_cents(r[4]), excluded=r[5], follow_up_id=r[6])
               for r in members],
        total=row.members, page=page, pages=max(1, -(-row.members // page_size)),
        page_size=page_size)
    return CampaignDetail(**_out(row, creator, counts), member_page=member_page)


def result(session: Session, user: User, campaign_id: int, months: int | None,
           today: date) -> ResultOut:
    """Who bought again after the freeze and their revenue, per group, with treatment −
    holdout and its 95 % bootstrap interval. The per-member sums come from the database."""
    row, _ = _campaign(session, user, campaign_id)
    try:
        span = rules.window(row.frozen_on, months or row.result_months, today)
    except rules.RuleError as exc:
        raise ValidationFailed([FieldProblem(exc.field, exc.message)]) from None
    m, line = CampaignMember, RevenueLine
    sizes = dict(session.execute(select(m.group, func.count()).where(m.campaign_id == row.id)
                                 .group_by(m.group)).all())
    outcomes: dict[str, list[tuple[bool, int]]] = {"treatment": [], "holdout": []}
    if span.last >= span.first:
        for group, bought, cents in session.execute(
                select(m.group, func.max(case((line.amount_cents >= 0, 1), else_=0)),
                       sql_cast(func.sum(line.amount_cents), BigInteger))
                .join(line, line.account_id == m.account_id)
                .where(m.campaign_id == row.id, line.date >= span.first,
                       line.date <= span.last)
                .group_by(m.account_id, m.group)):
            outcomes[group].append((bool(bought), int(cents)))
    measured = rules.measure(
        rules.Group(int(sizes.get("treatment", 0)), tuple(outcomes["treatment"])),
        rules.Group(int(sizes.get("holdout", 0)), tuple(outcomes["holdout"])), seed=row.seed)

    return result_out(row.id, row.frozen_on, months or row.result_months, row.seed, span,
                      measured)


def view(session: Session, user: User, campaign_id: int, *, page: int, months: int | None,
         today: date) -> tuple[CampaignDetail, ResultOut]:
    """The campaign page: the campaign with a page of members, and its result."""
    detail = show(session, user, campaign_id, page=page)
    return detail, result(session, user, campaign_id, months, today)


def form_choices(session: Session, user: User) -> list[str]:
    """For the new-campaign form (campaigners only): the RFM segments the scores name."""
    require_role(user, *CAMPAIGNERS)
    return [s for s in session.scalars(select(ClientScore.rfm_segment).distinct()
                                       .where(ClientScore.rfm_segment.is_not(None))
                                       .order_by(ClientScore.rfm_segment)) if s]


# ---------------------------------------------------------------- the e-mail export


def export(session: Session, user: User, campaign_id: int) -> tuple[str, ExportOut]:
    """The treatment group for an e-mail tool (CSV: name, email, p_alive, value), without
    the members excluded then or now (no consent, suppressed, personal data erased) and
    those without an e-mail address; what was left out, counted."""
    row, _ = _campaign(session, user, campaign_id)
    m, ac, c = CampaignMember, AccountContact, Contact
    email = (select(c.email).join(ac, ac.contact_id == c.id)
             .where(ac.account_id == m.account_id, c.email.is_not(None), c.email != "")
             .order_by(ac.contact_id).limit(1).correlate(m).scalar_subquery())
    on_list = exists(select(ac.account_id).join(c, c.id == ac.contact_id).join(
        ClientSuppression, ClientSuppression.email_key == func.lower(func.trim(c.email)))
        .where(ac.account_id == m.account_id))
    rows = session.execute(
        select(Account.name, m.group, m.p_alive, m.value_cents, m.excluded, email,
               on_list, ClientProfile.marketing_consent, ClientProfile.erased_at)
        .join(Account, Account.id == m.account_id)
        .outerjoin(ClientProfile, ClientProfile.account_id == m.account_id)
        .where(m.campaign_id == row.id).order_by(Account.name_key, m.account_id)).all()
    text, counts = rules.export_csv([rules.ExportRow(
        name=r[0], group=r[1], p_alive=float(r[2]), value_cents=int(r[3]), excluded=r[4],
        email=r[5], suppressed_now=bool(r[6]), consent_now=bool(r[7]),
        erased=r[8] is not None) for r in rows])
    return text, ExportOut(**counts)
