"""Win-back campaigns, the pure rules (issue 16): who is held out, the window a result counts,
and the result's maths — per group the share of members who bought again and their revenue,
treatment − holdout, and a 95 % percentile-bootstrap interval of both differences.

Standard library, Decimal and numpy only (no storage): the service reads the members'
purchases with SQL aggregates and hands the per-member figures here.

- **Holdout.** ``round(share × n)`` of the list (half up), drawn by ``random.Random(seed)``
  from the members sorted by account id: the same seed and list always hold out the same
  members, whatever order the list came in.
- **Window.** A purchase counts on a day *after* the freeze, up to the same day ``months``
  months later (the month's last day when it is shorter), and never after ``today``.
- **Result.** A member bought again when they have a revenue line of amount ≥ 0 in the
  window; their revenue is the net of every line in it (credit notes subtract). Per group:
  the share of members who bought (four decimals) and the revenue per member (members who
  did not buy count with 0, to the cent). The differences are treatment − holdout.
- **Interval.** Percentile bootstrap: ``resamples`` times each group is resampled with
  replacement (stratified: each group keeps its size), seeded (``numpy`` ``default_rng``),
  and the 2.5th and 97.5th percentiles of the differences are the interval, rounded
  outwards (a share to 0.0001, money to the cent). Members without a line in the window are
  all alike (not bought, 0): a resample draws how many of the others it holds
  (binomially) and then which, which is the same distribution at a fraction of the work.
"""

from __future__ import annotations

import calendar
import csv
import io
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal
from fractions import Fraction

import numpy as np

from accord.core.cells import neutralise

#: the largest share of a list that may be held out (ten-thousandths: 0.9)
MAX_HOLDOUT_E4 = 9000
#: resamples of the bootstrap and the interval's confidence
RESAMPLES = 2000
CONFIDENCE = Decimal("0.95")
#: months a result may count (the column's bounds)
MIN_MONTHS, MAX_MONTHS = 1, 36
SHARE = Decimal("0.0001")
CENT = Decimal("0.01")
#: random draws held in memory at once by the bootstrap
_CHUNK = 4_000_000
#: follow-ups are due within a year of the freeze
MAX_DUE_DAYS = 366
EXPORT_COLUMNS = ("name", "email", "p_alive", "value")


class RuleError(ValueError):
    """A value the rules refuse, with the field it came from."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class ListSettings:
    """The thresholds of the Clients page's lists (the ``clients`` policy's)."""

    winback_p_alive_below: float = 0.5
    winback_min_past_cents: int = 0
    at_risk_drop: float = 0.15
    best_p_alive_above: float = 0.7


#: floating-point slack of the at-risk fall (0.75 − 0.60 is 0.1499999… in binary), as the
#: Clients page's lists (``clients.reading``)
EPSILON = 1e-9


class InputErrors(ValueError):
    """Every problem of a new campaign's input: (field, message) each."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{f}: {m}" for f, m in problems))
        self.problems = problems


def check_input(source: str, *, segment: str | None, ids: bool, filters: Sequence[str],
                holdout: Decimal | str | None, due: date | None, today: date) -> int:
    """A new campaign's input checked together: the holdout (returned in ten-thousandths);
    a segment for the source ``segment`` (it narrows the other lists); ids exactly for
    ``accounts``, which takes no list ``filters`` (the names of those given); follow-ups due
    from today to ``MAX_DUE_DAYS`` ahead. ``InputErrors`` with every problem."""
    problems: list[tuple[str, str]] = []
    share = 0
    try:
        share = holdout_e4(holdout)
    except RuleError as exc:
        problems.append((exc.field, exc.message))
    if source == "segment" and not segment:
        problems.append(("segment", "name the RFM segment"))
    if source == "accounts":
        if not ids:
            problems.append(("account_ids", "name at least one account"))
        problems.extend((f, "only with a list, not with accounts named")
                        for f in ([*filters, "segment"] if segment else filters))
    elif ids:
        problems.append(("account_ids", "only with the source accounts"))
    if due is not None and not today <= due <= today + timedelta(days=MAX_DUE_DAYS):
        problems.append(("follow_ups_due_on", f"from today to {MAX_DUE_DAYS} days ahead"))
    if problems:
        raise InputErrors(problems)
    return share


# ---------------------------------------------------------------- the holdout


def holdout_e4(share: Decimal | str | float | int | None) -> int:
    """A holdout share 0…0.9 (at most four decimals) in ten-thousandths."""
    if share is None or (isinstance(share, str) and share.strip() == ""):
        return 0
    try:
        value = Decimal(str(share).strip())
    except ArithmeticError:
        raise RuleError("holdout", "a share from 0 to 0.9 (such as 0.2)") from None
    if not value.is_finite() or not Decimal(0) <= value <= Decimal("0.9"):
        raise RuleError("holdout", "a share from 0 to 0.9 (such as 0.2)")
    if value != value.quantize(SHARE):
        raise RuleError("holdout", "at most four decimals")
    return int(value * 10_000)


def holdout_size(members: int, share_e4: int) -> int:
    """``round(share × members)``, halves up, in exact integers."""
    if members < 0 or not 0 <= share_e4 <= MAX_HOLDOUT_E4:
        raise ValueError("members ≥ 0 and a share of 0 to 0.9")
    return (share_e4 * members + 5_000) // 10_000


def assign_holdout(account_ids: Sequence[int], share_e4: int, seed: int) -> frozenset[int]:
    """The members held out: ``holdout_size`` of the distinct ids, drawn by
    ``random.Random(seed)`` from the ids in ascending order."""
    ids = sorted(set(account_ids))
    size = holdout_size(len(ids), share_e4)
    return frozenset(random.Random(seed).sample(ids, size))


# ---------------------------------------------------------------- the window


def add_months(day: date, months: int) -> date:
    """The same day ``months`` months later (the month's last day when it has fewer)."""
    index = day.year * 12 + day.month - 1 + months
    year, month0 = divmod(index, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last))


@dataclass(frozen=True)
class Window:
    """The days a result counts: ``first`` … ``last`` (``last`` < ``first``: none yet)."""

    first: date
    last: date
    end: date  # the window's end when complete
    complete: bool  # today is at or past ``end``


def window(frozen_on: date, months: int, today: date) -> Window:
    """Purchases after ``frozen_on`` up to ``months`` months later, and up to ``today``."""
    if not MIN_MONTHS <= months <= MAX_MONTHS:
        raise RuleError("months", f"{MIN_MONTHS} to {MAX_MONTHS}")
    end = add_months(frozen_on, months)
    return Window(first=frozen_on + timedelta(days=1), last=min(end, today), end=end,
                  complete=today >= end)


# ---------------------------------------------------------------- the result


@dataclass(frozen=True)
class Group:
    """One group's members and the figures of those with a line in the window: (bought,
    revenue in cents) each; the other members did not buy and brought 0."""

    members: int
    outcomes: tuple[tuple[bool, int], ...] = ()

    def __post_init__(self) -> None:
        if self.members < 0 or len(self.outcomes) > self.members:
            raise ValueError("more outcomes than members")


@dataclass(frozen=True)
class GroupFigures:
    members: int
    buyers: int
    share: Decimal  # buyers ÷ members, four decimals (0 for an empty group)
    revenue: Decimal  # the group's net revenue in the window
    revenue_per_member: Decimal  # to the cent


@dataclass(frozen=True)
class Difference:
    """treatment − holdout, and its interval."""

    estimate: Decimal
    low: Decimal
    high: Decimal


@dataclass(frozen=True)
class Result:
    treatment: GroupFigures
    holdout: GroupFigures | None  # None: no holdout (or an empty group)
    share: Difference | None
    revenue_per_member: Difference | None
    resamples: int
    confidence: Decimal


def _figures(group: Group) -> GroupFigures:
    buyers = sum(1 for bought, _ in group.outcomes if bought)
    revenue = sum(cents for _, cents in group.outcomes)
    n = group.members
    share = _rounded(Fraction(buyers, n), SHARE) if n else Decimal("0.0000")
    per = _rounded(Fraction(revenue, n) / 100, CENT) if n else Decimal("0.00")
    return GroupFigures(n, buyers, share, (Decimal(revenue) / 100).quantize(CENT), per)


def _rounded(value: Fraction, quantum: Decimal, rounding: str = ROUND_HALF_EVEN) -> Decimal:
    """A fraction to ``quantum`` (half even, or floor / ceiling for an interval's ends)."""
    scale = int(1 / quantum)
    scaled = value * scale
    if rounding == ROUND_FLOOR:
        whole = math.floor(scaled)
    elif rounding == ROUND_CEILING:
        whole = math.ceil(scaled)
    else:
        whole = round(scaled)  # Fraction rounds half to even
    return (Decimal(whole) / scale).quantize(quantum)


def _outward(low: float, high: float, quantum: Decimal) -> tuple[Decimal, Decimal]:
    return (_rounded(Fraction(low), quantum, ROUND_FLOOR),
            _rounded(Fraction(high), quantum, ROUND_CEILING))


def _resampled_sums(group: Group, resamples: int, rng: np.random.Generator
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Per resample of the group (its size, with replacement): buyers and revenue (cents)."""
    active = len(group.outcomes)
    buyers = np.zeros(resamples, dtype=np.float64)
    revenue = np.zeros(resamples, dtype=np.float64)
    if active == 0 or group.members == 0:
        return buyers, revenue
    bought = np.array([1.0 if b else 0.0 for b, _ in group.outcomes])
    cents = np.array([float(c) for _, c in group.outcomes])
    # how many of the members with a line each resample holds; then which of them
    held = rng.binomial(group.members, active / group.members, size=resamples)
    start = 0
    while start < resamples:
        stop, total = start, 0
        while stop < resamples and (stop == start or total + held[stop] <= _CHUNK):
            total += int(held[stop])
            stop += 1
        picks = rng.integers(0, active, size=total)
        owner = np.repeat(np.arange(stop - start), held[start:stop])
        buyers[start:stop] = np.bincount(owner, weights=bought[picks], minlength=stop - start)
        revenue[start:stop] = np.bincount(owner, weights=cents[picks], minlength=stop - start)
        start = stop
    return buyers, revenue


def measure(treatment: Group, holdout: Group, *, seed: int, resamples: int = RESAMPLES,
            confidence: Decimal = CONFIDENCE) -> Result:
    """The campaign's result: each group's figures, and when both groups have members the
    differences treatment − holdout with their percentile-bootstrap interval."""
    if resamples < 1:
        raise ValueError("at least one resample")
    mine, theirs = _figures(treatment), _figures(holdout)
    if treatment.members == 0 or holdout.members == 0:
        return Result(mine, theirs if holdout.members else None, None, None, resamples,
                      confidence)
    rng = np.random.default_rng(seed)
    t_buyers, t_revenue = _resampled_sums(treatment, resamples, rng)
    h_buyers, h_revenue = _resampled_sums(holdout, resamples, rng)
    share_diffs = t_buyers / treatment.members - h_buyers / holdout.members
    money_diffs = (t_revenue / treatment.members - h_revenue / holdout.members) / 100
    tail = float((1 - confidence) / 2)
    quantiles = [tail, 1 - tail]
    s_low, s_high = (float(v) for v in np.quantile(share_diffs, quantiles))
    m_low, m_high = (float(v) for v in np.quantile(money_diffs, quantiles))
    t_buy = sum(1 for b, _ in treatment.outcomes if b)
    h_buy = sum(1 for b, _ in holdout.outcomes if b)
    share_estimate = Fraction(t_buy, treatment.members) - Fraction(h_buy, holdout.members)
    money_estimate = (Fraction(sum(c for _, c in treatment.outcomes), treatment.members)
                      - Fraction(sum(c for _, c in holdout.outcomes), holdout.members)) / 100
    share = Difference(_rounded(share_estimate, SHARE), *_outward(s_low, s_high, SHARE))
    money = Difference(_rounded(money_estimate, CENT), *_outward(m_low, m_high, CENT))
    return Result(mine, theirs, share, money, resamples, confidence)


# ---------------------------------------------------------------- the e-mail export


@dataclass(frozen=True)
class ExportRow:
    """A member as the export reads them: frozen figures, and consent and suppression now."""

    name: str
    group: str
    p_alive: float
    value_cents: int
    excluded: str | None  # when frozen
    email: str | None
    suppressed_now: bool
    consent_now: bool
    erased: bool


def export_csv(rows: Sequence[ExportRow]) -> tuple[str, dict[str, int]]:
    """The treatment members who may be e-mailed, as CSV (name, email, p_alive, value; text
    never a formula), and who was left out: held out, suppressed (then or now), without
    consent (then or now, or erased), without an e-mail address."""
    left = {"no_consent": 0, "suppressed": 0, "no_email": 0, "held_out": 0}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    written = 0
    for r in rows:
        if r.group == "holdout":
            left["held_out"] += 1
        elif r.excluded == "suppressed" or r.suppressed_now:
            left["suppressed"] += 1
        elif r.excluded == "no_consent" or not r.consent_now or r.erased:
            left["no_consent"] += 1
        elif not (r.email or "").strip():
            left["no_email"] += 1
        else:
            writer.writerow([neutralise(r.name), neutralise((r.email or "").strip()),
                             f"{r.p_alive:.4f}",
                             (Decimal(r.value_cents) / 100).quantize(CENT)])
            written += 1
    return out.getvalue(), {"written": written, **left}
