"""The SQL of the workload (issue 17): what ``workload`` sums, for other sums too.

- ``points_sql``: the twin of ``rules.account_points`` in whole hundredths (integers only,
  so both databases round alike; ``tests/test_team_workload.py`` holds them equal).
- ``accounts_select``: one row per account in a scope with its tier (the selection's
  ``quadrant_sql``/``tier_sql``), interval (the cadence's ``resolve_sql``), points and
  coverage flags (``covered_sql``), joined by primary keys — for the accounts behind a
  figure, the what-if, the suggestions and the rebalance.
- ``tallies`` and ``special``: a manager's sums in two statements. Every account in scope is
  counted by owner, segment and kind, with its open items, in one pass over the manager's
  index; only the accounts scored in the selection matrix or with their own cadence — few —
  are read one by one for their tier, interval, points and coverage: any other account
  weighs the points of its kind (not key, or an individual client's) and counts in no
  coverage.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import (
    BigInteger,
    Integer,
    Select,
    String,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from accord.accounts.models import Account
from accord.agency.models import Brief
from accord.agency.rules import OPEN_STATES as BRIEF_OPEN_STATES
from accord.calendar.cadence import queries as cadence_sql
from accord.calendar.cadence.rules import NOT_KEY, CadencePolicy
from accord.calendar.cadence.settings import policy as cadence_policy
from accord.calendar.followups.queries import overdue_sql
from accord.calendar.models import CadenceOverride, FollowUp
from accord.handoffs.models import Handoff
from accord.handoffs.rules import OPEN as HANDOFF_OPEN
from accord.relationships.models import StageAssessment
from accord.selection.models import Deselection, Scoring, SelectionCurrent
from accord.selection.queries import key_tier_sql, quadrant_sql, tier_sql
from accord.selection.settings import selection_policy
from accord.team.rules import SCALE, TIER_FIELDS, TeamPolicy, hundredths
from accord.team.settings import policy as team_policy

#: briefs in flight: sent to the department and not yet approved or cancelled
IN_FLIGHT = tuple(s for s in BRIEF_OPEN_STATES if s != "draft")
OPEN_HANDOFFS = tuple(sorted(s.value for s in HANDOFF_OPEN))


def _big(value: int) -> Any:
    return literal(value, BigInteger)


def points_sql(policy: TeamPolicy, tier: Any, person: Any, default_days: Any,
               override_days: Any) -> Any:
    """``rules.account_points`` in whole hundredths of a point (integers only, so both
    databases round alike): the tier's points (a person's), × default ÷ override interval
    capped at ``override_cap``, rounded half up."""
    base = case(
        (person, _big(hundredths(policy.person))),
        *[(tier == name, _big(hundredths(getattr(policy, field))))
          for name, field in TIER_FIELDS.items() if name != NOT_KEY],
        else_=_big(hundredths(policy.not_key)),
    )
    cap = _big(hundredths(policy.override_cap))
    full = _big(SCALE) * default_days
    capped = cap * override_days
    factor = case((full <= capped, full), else_=capped)
    scaled = (_big(2) * base * factor + _big(SCALE) * override_days) // (
        _big(2 * SCALE) * override_days)
    return case(
        (and_(default_days.is_not(None), override_days.is_not(None), override_days > 0),
         scaled),
        else_=base,
    )


def _latest_stage(cadence: CadencePolicy) -> Any:
    """The account's latest recorded stage (the highest assessment id, as
    ``calendar.cadence.service.latest_stage``), per account through its index; none needed
    while the cadence has no tier × stage intervals. (A join to the latest stages of every
    account, as ``cadence.queries.resolved_select`` makes, is planned by SQLite as a scan of
    them per account: seconds on a large portfolio.)"""
    if not cadence.stages:
        return cast(null(), String)
    return (select(StageAssessment.recorded_stage)
            .where(StageAssessment.account_id == Account.id)
            .order_by(StageAssessment.id.desc()).limit(1).scalar_subquery())


def _accounts_cte(session: Session, scope: Any, owner: Any, cadence: CadencePolicy) -> Any:
    """The accounts in ``scope`` with what their points and coverage need: account_id, name,
    owner_id, kind, segment, tier (the selection's ``quadrant_sql``/``tier_sql`` of the latest
    scoring), stage, overridden (1/0), own_touch and last_touch_on; joined by primary keys.
    Materialised: the tier is computed once per account, not at every use (SQLite would
    otherwise inline its CASE into each expression that reads it)."""
    selection = selection_policy(session)
    latest = aliased(Scoring, name="latest_scoring")
    quadrant = quadrant_sql(latest.attractiveness_milli, latest.us_weighted,
                            latest.competitor_weighted, selection)
    scored_tier = tier_sql(quadrant, Deselection.account_id.is_not(None))
    return (select(Account.id.label("account_id"), Account.name.label("name"),
                   owner.label("owner_id"), Account.kind.label("kind"),
                   Account.segment.label("segment"),
                   case((latest.id.is_(None), literal(NOT_KEY)), else_=scored_tier).label("tier"),
                   _latest_stage(cadence).label("stage"),
                   case((CadenceOverride.account_id.is_not(None), 1), else_=0)
                   .label("overridden"),
                   CadenceOverride.touch_days.label("own_touch"),
                   Account.last_qualifying_touch_on.label("last_touch_on"))
            .select_from(Account)
            .outerjoin(SelectionCurrent, SelectionCurrent.account_id == Account.id)
            .outerjoin(latest, latest.id == SelectionCurrent.scoring_id)
            .outerjoin(Deselection, Deselection.account_id == Account.id)
            .outerjoin(CadenceOverride, CadenceOverride.account_id == Account.id)
            .where(and_(scope))
            .cte("team_accounts").prefix_with("MATERIALIZED"))


def _figures(c: Any, policy: TeamPolicy, cadence: CadencePolicy) -> dict[str, Any]:
    """Over the columns ``c`` of ``_accounts_cte`` (or a grouping of them): the touch interval
    (the cadence's ``resolve_sql``: its own when overridden), key (1/0), points (hundredths)
    and counted (1/0: a key account with a touch interval, as coverage counts it:
    ``calendar.cadence.service.coverage`` leaves out "not key" and individual clients)."""
    person = c.kind == "person"
    no_days = cast(null(), Integer)
    touch, _, _ = cadence_sql.resolve_sql(cadence, c.tier, c.stage, person, c.overridden == 1,
                                          c.own_touch, no_days)
    default_days, _, _ = cadence_sql.resolve_sql(cadence, c.tier, c.stage, person, false(),
                                                 no_days, no_days)
    override_days = case((c.overridden == 1, c.own_touch), else_=no_days)
    counted = and_(c.tier != NOT_KEY, c.kind != "person", touch.is_not(None))
    return {"touch": touch, "key": case((key_tier_sql(c.tier), 1), else_=0),
            "points": points_sql(policy, c.tier, person, default_days, override_days),
            "counted": case((counted, 1), else_=0), "counted_if": counted}


def _covered(session: Session, today: date, c: Any, touch: Any) -> Any:
    return cadence_sql.covered_sql(cadence_sql.days_since_sql(session, today, c.last_touch_on),
                                   touch)


def accounts_select(session: Session, today: date, scope: Any, *,
                    owner: Any = Account.manager_id, policy: TeamPolicy | None = None,
                    cadence: CadencePolicy | None = None) -> Select[Any]:
    """One row per account in ``scope`` (a WHERE clause over ``Account``): account_id, name,
    owner_id (``owner``: the manager, or another expression of ``Account`` for a what-if),
    kind, segment, tier, key (1/0), touch_days, overridden (1/0), points (hundredths),
    counted (1/0: a key account with a touch interval, as coverage counts it), covered (1/0/
    NULL) and last_touch_on. For other capabilities' own sums (rebalance, scorecards)."""
    policy = policy or team_policy(session)
    cadence = cadence or cadence_policy(session)
    c = _accounts_cte(session, scope, owner, cadence).c
    f = _figures(c, policy, cadence)
    return select(
        c.account_id, c.name, c.owner_id, c.kind, c.segment, c.tier, f["key"].label("key"),
        f["touch"].label("touch_days"), c.overridden, f["points"].label("points"),
        f["counted"].label("counted"),
        case((f["counted_if"], _covered(session, today, c, f["touch"])), else_=null())
        .label("covered"),
        c.last_touch_on,
    )


def owner_of(moved: dict[int, int] | None) -> Any:
    if not moved:
        return Account.manager_id
    return case(moved, value=Account.id, else_=Account.manager_id)


def scope_of(ids: Sequence[int], moved: dict[int, int] | None) -> Any:
    """The accounts of the managers counted (and, for a what-if, those moved). Visibility:
    the managers are those whose accounts the caller sees (``_people``: themself, the members
    of the teams they head by ``visibility.headed_team_members``, or everyone for an admin),
    and a moved account was checked with ``visibility.visible_accounts``."""
    held: Any = Account.manager_id.in_(list(ids))
    if moved:
        held = or_(held, Account.id.in_(list(moved)))
    return held


Tallies = dict[tuple[int, str | None, str], int]


def tallies(session: Session, today: date, scope: Any, owner: Any) -> Tallies:
    """In one statement over the accounts in scope (read once, from the manager's index):
    (owner, segment, kind) -> accounts, and (owner, None, item) -> the open hand-offs,
    briefs in flight and overdue follow-ups (``overdue_sql``) of their accounts."""
    a = (select(Account.id.label("account_id"), owner.label("owner_id"),
                Account.segment.label("segment"), Account.kind.label("kind"))
         .where(scope).cte("scoped").prefix_with("MATERIALIZED"))

    def items(kind: str, model: Any, condition: Any) -> Select[Any]:
        return (select(a.c.owner_id, cast(null(), String), literal(kind, String),
                       func.count())
                .select_from(a.join(model, model.account_id == a.c.account_id))
                .where(condition).group_by(a.c.owner_id))

    query = union_all(
        select(a.c.owner_id, a.c.segment, a.c.kind, func.count())
        .group_by(a.c.owner_id, a.c.segment, a.c.kind),
        items("handoffs", Handoff, Handoff.state.in_(OPEN_HANDOFFS)),
        items("briefs", Brief, Brief.status.in_(IN_FLIGHT)),
        items("overdue", FollowUp, overdue_sql(today)))
    return {(int(o), seg, str(kind)): int(n) for o, seg, kind, n in session.execute(query)
            if o is not None}


def special(session: Session, today: date, policy: TeamPolicy, scope: Any,
             owner: Any) -> dict[tuple[int, str | None, str], tuple[int, ...]]:
    """(owner, segment, kind) -> (accounts, points, key, counted, covered) of the accounts
    scored in the selection matrix or with their own cadence, read one by one
    (``accounts_select``): every other account weighs the points of its kind (not key, or
    an individual client's) and counts in no coverage."""
    special = Account.id.in_(select(SelectionCurrent.account_id)
                             .union(select(CadenceOverride.account_id)))
    a = accounts_select(session, today, and_(scope, special), owner=owner, policy=policy) \
        .subquery("special")
    rows = session.execute(
        select(a.c.owner_id, a.c.segment, a.c.kind, func.count(), func.sum(a.c.points),
               func.sum(a.c.key), func.sum(a.c.counted), func.coalesce(func.sum(a.c.covered), 0))
        .group_by(a.c.owner_id, a.c.segment, a.c.kind))
    return {(int(r[0]), r[1], str(r[2])): tuple(int(v or 0) for v in r[3:])
            for r in rows if r[0] is not None}
