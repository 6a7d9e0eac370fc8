"""Seat allocation, adoption and utilisation (KPIS.md), the hand-assignment limit and the
signals: worked examples and a hypothesis test against a count written out separately."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from accord.licences import rules

DAY = date(2026, 6, 30)


def _seat(start: int = -100, end: int | None = None, last: int | None = None,
          reported: bool = True) -> rules.Seat:
    def at(offset: int | None) -> date | None:
        return None if offset is None else DAY + timedelta(days=offset)

    return rules.Seat(at(start) or DAY, at(end), at(last), reported)


def test_the_three_shares_on_an_example() -> None:
    seats = [_seat(last=0), _seat(last=-29), _seat(last=-30), _seat(last=None),
             _seat(end=-1, last=0),  # gave the seat back yesterday: not held
             _seat(start=1)]  # from tomorrow: not held
    u = rules.usage(10, seats, DAY, active_days=30)
    assert (u.assigned, u.reported, u.active) == (4, 4, 2)  # -30 is outside the 30 days
    assert (u.allocation, u.adoption, u.utilisation) == (
        Decimal("0.4000"), Decimal("0.5000"), Decimal("0.2000"))
    unknown = rules.usage(8, [_seat(reported=False)] * 6, DAY, 30)
    assert (unknown.adoption, unknown.utilisation) == (None, Decimal("0.7500"))
    assert rules.usage(0, [], DAY, 30).allocation is None


def test_one_seat_too_many_is_refused_with_the_reason() -> None:
    assert rules.seat_refusal(5, 4, "Microsoft 365 E3") is None
    said = rules.seat_refusal(5, 5, "Microsoft 365 E3")
    assert said and "all 5 seats of Microsoft 365 E3 are assigned" in said


def test_the_signals() -> None:
    up, adoption, risk = Decimal("0.90"), Decimal("0.80"), Decimal("0.40")
    full = rules.usage(10, [_seat(last=0)] * 9 + [_seat(last=-40)], DAY, 30)
    assert rules.signal(full, up, adoption, risk) == "upsell"  # 100 % assigned, 90 % active
    idle = rules.usage(10, [_seat(last=0)] * 4 + [_seat(last=None)] * 6, DAY, 30)
    assert rules.signal(idle, up, adoption, risk) == "risk"  # 40 % active
    assert rules.signal(rules.usage(10, [_seat(reported=False)] * 10, DAY, 30), up, adoption,
                        risk) is None  # nothing known of use


seats_drawn = st.lists(st.tuples(st.integers(-60, 10), st.none() | st.integers(-60, 30),
                                 st.none() | st.integers(-90, 5), st.booleans()),
                       max_size=30)


@given(purchased=st.integers(0, 40), drawn=seats_drawn, active_days=st.integers(1, 60))
def test_the_shares_equal_a_count_written_out(purchased: int, drawn: list, active_days: int
                                              ) -> None:
    seats = [_seat(start, None if end is None else max(end, start), last, reported)
             for start, end, last, reported in drawn]
    held = [s for s in seats
            if s.from_on <= DAY and (s.to_on is None or DAY <= s.to_on)]
    known = [s for s in held if s.reported]
    recent = [s for s in known if s.last_active_on is not None
              and 0 <= (DAY - s.last_active_on).days < active_days]
    u = rules.usage(purchased, seats, DAY, active_days)
    assert (u.assigned, u.reported, u.active) == (len(held), len(known), len(recent))
    if purchased:
        assert u.allocation == (Decimal(len(held)) / purchased).quantize(Decimal("0.0001"))
        basis = len(recent) if known else len(held)
        assert u.utilisation == (Decimal(basis) / purchased).quantize(Decimal("0.0001"))
    else:
        assert u.allocation is None and u.utilisation is None
    assert (u.adoption is None) == (not known)
