"""Reading win-back campaigns (issue 16), reads only: the campaigns a campaigner may see,
one with a page of its members, its result (treatment against holdout), the campaign page's
view, the new-campaign form's choices and the e-mail export of the treatment group.

Who may: managers, heads and admins (``CAMPAIGNERS``); a campaign is shown to a campaigner
who sees every one of its members (anyone else: 404, as for a missing one). Creating a
campaign and its follow-ups is ``clients.campaigns.service``'s.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, case, exists, func, select, true
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import Session

from accord.accounts.models import Account, AccountContact, Contact
from accord.accounts.visibility import sees_everything, visible_accounts
from accord.clients.campaigns import rules
from accord.clients.campaigns.schemas import (
    CampaignDetail,
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
from accord.core.errors import FieldProblem, NotFound, ValidationFailed
from accord.core.models import Role, User
from accord.core.money import from_cents
from accord.core.roles import require_role
from accord.core.schemas import MAX_ID
from accord.revenue.models import RevenueLine

CAMPAIGNERS = (Role.ADMIN, Role.HEAD, Role.MANAGER)
MAX_PAGE_SIZE = 500
MAX_PAGES = 100_000


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


def treatment_buyers(session: Session, user: User, campaign_id: int, today: date
                     ) -> list[int]:
    """The treatment members who bought again in the campaign's own result window: the
    accounts behind ``result``'s ``treatment.buyers`` (the same condition), without the
    bootstrap, for figures that count them (the managers' scorecards). Out of reach as
    ``result``: NotFound or Forbidden."""
    row, _ = _campaign(session, user, campaign_id)
    try:
        span = rules.window(row.frozen_on, row.result_months, today)
    except rules.RuleError as exc:
        raise ValidationFailed([FieldProblem(exc.field, exc.message)]) from None
    if span.last < span.first:
        return []
    m, line = CampaignMember, RevenueLine
    return [int(a) for a in session.scalars(
        select(m.account_id).join(line, line.account_id == m.account_id)
        .where(m.campaign_id == row.id, m.group == "treatment", line.date >= span.first,
               line.date <= span.last)
        .group_by(m.account_id)
        .having(func.max(case((line.amount_cents >= 0, 1), else_=0)) == 1)
        .order_by(m.account_id))]


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


# ---------------------------------------------------------------- the e-mail export (a read)


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
