"""Workload and capacity as pure rules (issue 17; KAM_MODELS.md §5).

An account weighs **points** by its tier (the selection matrix's: Strategic 10, Star 8,
Status 4, Streamline 2, not key 1; an individual client, B2C, 0.05 whatever its tier). Its
own cadence (``calendar.cadence``: an override of the touch interval) scales them by
default interval ÷ overridden interval, at most ``override_cap`` times: a client who wants a
call every week where the tier says every month weighs more. A manager's **load** is the sum
of their accounts' points plus ``handoff_points`` per open hand-off and ``brief_points`` per
agency brief in flight on those accounts; it is read against their **capacity** (the user's
field, 100 by default).

Points are exact hundredths: the policy's numbers have at most two decimals and an account's
points are rounded half up to the hundredth, in integers, so the SQL twin
(``workload.points_sql``) gives the same figure on SQLite and PostgreSQL (a hypothesis test
holds them equal).

Standard library, pydantic for the typed policy, and the pure rules of other capabilities.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, ClassVar

from pydantic import Field

from accord.core.policy import Policy
from accord.selection.rules import NOT_KEY
from accord.users.rules import MAX_CAPACITY

#: the tiers of the selection matrix and the policy field of each
TIER_FIELDS = {"Strategic": "strategic", "Star": "star", "Status": "status",
               "Streamline": "streamline", NOT_KEY: "not_key"}
#: the warnings of a load, in the order they are shown, with their words
WARNINGS = {
    "over_capacity": "Over capacity",
    "too_many_key_accounts": "Too many key accounts",
    "low_coverage": "Low coverage",
    "wrong_segment": "Accounts outside their segment",
}
#: a manager's figures whose accounts can be listed (``workload.account_loads``)
FIGURES = ("accounts", "key_accounts", "coverage", "overdue", "handoffs", "briefs",
           "wrong_segment")
#: hundredths: points are whole hundredths of a point
SCALE = 100

Points = Annotated[Decimal, Field(ge=0, le=10_000, decimal_places=2, allow_inf_nan=False)]


class TeamPolicy(Policy):
    """Workload points per tier and per open item, the override cap, the warnings."""

    KIND: ClassVar[str] = "team"

    strategic: Points = Decimal("10")
    star: Points = Decimal("8")
    status: Points = Decimal("4")
    streamline: Points = Decimal("2")
    not_key: Points = Decimal("1")
    #: an individual client (B2C), whatever its tier
    person: Points = Decimal("0.05")
    #: per open hand-off (draft, submitted, returned) of the manager's accounts
    handoff_points: Points = Decimal("2")
    #: per agency brief in flight (sent, accepted, in progress, delivered)
    brief_points: Points = Decimal("0.5")
    #: an account's own cadence scales its points by at most this factor
    override_cap: Annotated[Decimal, Field(ge=1, le=100, decimal_places=2,
                                           allow_inf_nan=False)] = Decimal("3")
    #: this many key accounts (Strategic, Star) or more is a warning
    key_accounts_limit: Annotated[int, Field(strict=True, ge=1, le=100_000)] = 5
    #: coverage (share of key accounts touched within their interval) below this: a warning
    coverage_below: Annotated[Decimal, Field(ge=0, le=1, decimal_places=4,
                                             allow_inf_nan=False)] = Decimal("0.8")
    #: the capacity of a manager whose own is not set
    default_capacity: Annotated[int, Field(strict=True, ge=0, le=MAX_CAPACITY)] = 100


def hundredths(value: Decimal) -> int:
    """A policy number (at most two decimals) in whole hundredths."""
    return int(value * SCALE)


def tier_points(policy: TeamPolicy, tier: str | None, person: bool) -> Decimal:
    """The points of a tier (an unknown or missing tier is "not key"); a person's own."""
    if person:
        return policy.person
    value: Decimal = getattr(policy, TIER_FIELDS.get(tier or NOT_KEY, "not_key"))
    return value


def scaled_hundredths(base: int, default_days: int | None, override_days: int | None,
                      cap: int) -> int:
    """``base`` hundredths × default ÷ override interval, at most × ``cap``/100, rounded half
    up to a whole hundredth — in integers, as the SQL twin computes it. Without both
    intervals (no override, a reports-only override, no default interval) ``base``."""
    if default_days is None or override_days is None or override_days <= 0:
        return base
    factor = min(SCALE * default_days, cap * override_days)
    return (2 * base * factor + SCALE * override_days) // (2 * SCALE * override_days)


def account_points(tier: str | None, person: bool, default_days: int | None,
                   override_days: int | None, policy: TeamPolicy) -> Decimal:
    """The workload points of one account: its tier's (a person's: ``person``), scaled by
    default interval ÷ overridden interval when it has its own cadence (capped at
    ``override_cap``), to the hundredth."""
    base = hundredths(tier_points(policy, tier, person))
    value = scaled_hundredths(base, default_days, override_days, hundredths(policy.override_cap))
    return Decimal(value).scaleb(-2)


def serves(manager_segment: str | None, account_segment: str | None) -> bool:
    """Whether a manager serves an account's segment: a manager without a segment serves
    every one, an account without one fits every manager, else the two are the same (case and
    surrounding spaces aside). B2C is a segment like the others (the demo's "Consumer")."""
    if not manager_segment or not manager_segment.strip():
        return True
    if not account_segment or not account_segment.strip():
        return True
    return manager_segment.strip().casefold() == account_segment.strip().casefold()


def proposed_to(role: str, accounts: int) -> bool:
    """Whether suggestions and rebalances propose accounts to someone who may take them: a
    manager always; a head only while holding accounts of their own (a head who manages
    none is a team's lead, not spare capacity). A head may still be chosen for a move."""
    return role != "head" or accounts > 0


@dataclass(frozen=True)
class Load:
    """One manager's workload: what they hold and what it weighs against their capacity."""

    manager_id: int
    name: str
    email: str
    team_id: int | None
    segment: str | None
    capacity: int
    points: Decimal
    accounts: int
    key_accounts: int
    handoffs: int
    briefs: int
    coverage: Decimal | None
    overdue: int
    warnings: tuple[str, ...]
    #: accounts in a segment the manager does not serve (``serves``)
    wrong_segment: int = 0
    team_name: str | None = None
    #: key accounts with a touch interval, and those touched within it (coverage's terms)
    coverage_accounts: int = 0
    covered: int = 0

    @property
    def spare(self) -> Decimal:
        """Capacity left (negative: over capacity)."""
        return Decimal(self.capacity) - self.points

    @property
    def share(self) -> Decimal | None:
        """Points ÷ capacity (None for a capacity of 0)."""
        if self.capacity <= 0:
            return None
        return (self.points / Decimal(self.capacity)).quantize(Decimal("0.0001"))


def warnings_for(load: Load, policy: TeamPolicy, wrong_segment_accounts: int) -> tuple[str, ...]:
    """The load's warnings (codes of ``WARNINGS``): over capacity (points above capacity),
    ``key_accounts_limit`` key accounts or more, coverage below ``coverage_below`` (none
    without key accounts to cover), accounts in a segment the manager does not serve."""
    out = []
    if load.points > load.capacity:
        out.append("over_capacity")
    if load.key_accounts >= policy.key_accounts_limit:
        out.append("too_many_key_accounts")
    if load.coverage is not None and load.coverage < policy.coverage_below:
        out.append("low_coverage")
    if wrong_segment_accounts > 0:
        out.append("wrong_segment")
    return tuple(out)
