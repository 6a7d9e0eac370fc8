"""Win-back campaigns (issue 16): the pure rules (holdout, window, bootstrap interval, the
export's cells) with property tests, and the service on both databases — a campaign with a
holdout, its exclusions counted and marked, follow-ups for the treatment group only, a list
naming an account out of reach refused with nothing written, and the result after purchases
made later, checked against a recomputation written out here."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from accord.clients.campaigns import reading, rules, service
from accord.clients.campaigns.schemas import CampaignIn
from accord.core.errors import Forbidden, NotFound, ValidationFailed

FROZEN = date(2026, 3, 10)
HYPOTHESIS = settings(max_examples=40, deadline=None, derandomize=True)


# ---------------------------------------------------------------- the rules


@HYPOTHESIS
@given(ids=st.lists(st.integers(1, 10_000), max_size=300, unique=True),
       share=st.integers(0, rules.MAX_HOLDOUT_E4), seed=st.integers(0, 2**62))
def test_the_holdout_is_the_same_for_a_seed_and_holds_round_share_times_n(
        ids: list[int], share: int, seed: int) -> None:
    held = rules.assign_holdout(ids, share, seed)
    assert held == rules.assign_holdout(list(reversed(ids)), share, seed)
    exact = Fraction(share, 10_000) * len(ids)
    assert len(held) == int(exact + Fraction(1, 2))  # round half up
    assert held <= set(ids)


def test_the_holdout_share_is_checked() -> None:
    assert rules.holdout_e4("0.2") == 2000 and rules.holdout_e4(None) == 0
    for bad in ("0.95", "-0.1", "abc", "0.12345", "NaN"):
        with pytest.raises(rules.RuleError):
            rules.holdout_e4(bad)
    assert rules.holdout_size(5, 5000) == 3  # 2.5 rounds up
    assert rules.holdout_size(25, 2000) == 5


def test_the_window_starts_after_the_freeze_and_stops_today() -> None:
    w = rules.window(date(2026, 1, 31), 1, date(2026, 6, 1))
    assert (w.first, w.last, w.end, w.complete) == (
        date(2026, 2, 1), date(2026, 2, 28), date(2026, 2, 28), True)
    early = rules.window(date(2026, 1, 31), 3, date(2026, 2, 10))
    assert (early.last, early.end, early.complete) == (date(2026, 2, 10), date(2026, 4, 30),
                                                       False)
    with pytest.raises(rules.RuleError):
        rules.window(FROZEN, 37, FROZEN)


outcome = st.tuples(st.booleans(), st.integers(-50_000, 500_000))


@st.composite
def groups(draw: Any) -> rules.Group:
    outcomes = draw(st.lists(outcome, max_size=40))
    members = len(outcomes) + draw(st.integers(0 if outcomes else 1, 60))
    return rules.Group(members, tuple(outcomes))


@HYPOTHESIS
@given(treatment=groups(), holdout=groups(), seed=st.integers(0, 2**32))
def test_the_interval_holds_the_estimate_and_is_seeded(
        treatment: rules.Group, holdout: rules.Group, seed: int) -> None:
    result = rules.measure(treatment, holdout, seed=seed, resamples=400)
    again = rules.measure(treatment, holdout, seed=seed, resamples=400)
    assert result == again
    assert result.share is not None and result.revenue_per_member is not None
    for d in (result.share, result.revenue_per_member):
        assert d.low <= d.estimate <= d.high
    assert Decimal(-1) <= result.share.low and result.share.high <= Decimal(1)
    buyers = sum(1 for b, _ in treatment.outcomes if b)
    assert result.treatment.buyers == buyers
    assert abs(result.treatment.share - Decimal(buyers) / Decimal(treatment.members)
               ) <= Decimal("0.00005")


def test_groups_alike_give_a_difference_of_zero_inside_a_tight_interval() -> None:
    same = rules.Group(100, tuple((True, 1000) for _ in range(30)))
    result = rules.measure(same, same, seed=1)
    assert result.share is not None and result.revenue_per_member is not None
    assert result.share.estimate == 0 and result.revenue_per_member.estimate == 0
    assert result.share.low < 0 < result.share.high
    assert result.revenue_per_member.low < 0 < result.revenue_per_member.high
    alone = rules.measure(same, rules.Group(0), seed=1)
    assert alone.holdout is None and alone.share is None
    assert alone.treatment.share == Decimal("0.3000")
    assert alone.treatment.revenue_per_member == Decimal("3.00")


def test_a_clear_effect_has_an_interval_away_from_zero() -> None:
    treatment = rules.Group(400, tuple((True, 5000) for _ in range(120)))
    holdout = rules.Group(100, tuple((True, 5000) for _ in range(10)))
    result = rules.measure(treatment, holdout, seed=7)
    assert result.share is not None and result.revenue_per_member is not None
    assert result.share.estimate == Decimal("0.2000")
    assert Decimal(0) < result.share.low < Decimal("0.2") < result.share.high
    assert result.revenue_per_member.estimate == Decimal("10.00")
    assert result.revenue_per_member.low > 0


def test_the_export_never_writes_a_formula_and_counts_who_is_left_out() -> None:
    row = rules.ExportRow(name="=HYPERLINK(1)", group="treatment", p_alive=0.25,
                          value_cents=12_345, excluded=None, email="@x.test",
                          suppressed_now=False, consent_now=True, erased=False)
    rows = [row,
            rules.ExportRow("Held", "holdout", 0.1, 1, None, "h@x.test", False, True, False),
            rules.ExportRow("Gone", "treatment", 0.1, 1, None, "g@x.test", True, True, False),
            rules.ExportRow("Shy", "treatment", 0.1, 1, None, "s@x.test", False, False, False),
            rules.ExportRow("Mute", "treatment", 0.1, 1, None, None, False, True, False)]
    text, counts = rules.export_csv(rows)
    assert text.splitlines() == ["name,email,p_alive,value", "'=HYPERLINK(1),'@x.test,0.2500,"
                                 "123.45"]
    assert counts == {"written": 1, "held_out": 1, "suppressed": 1, "no_consent": 1,
                      "no_email": 1}


def test_a_new_campaign_s_input_is_checked_all_at_once() -> None:
    with pytest.raises(rules.InputErrors) as caught:
        rules.check_input("segment", segment=None, ids=True, filters=[], holdout="2",
                          due=FROZEN - timedelta(days=1), today=FROZEN)
    assert {f for f, _ in caught.value.problems} == {"holdout", "segment", "account_ids",
                                                     "follow_ups_due_on"}
    with pytest.raises(rules.InputErrors) as named:
        rules.check_input("accounts", segment="lost", ids=False, filters=["q"], holdout=None,
                          due=None, today=FROZEN)
    assert [f for f, _ in named.value.problems] == ["account_ids", "q", "segment"]
    assert rules.check_input("winback", segment="lost", ids=False, filters=["q"],
                             holdout="0.25", due=FROZEN, today=FROZEN) == 2500


# ---------------------------------------------------------------- a B2C world


def arrange(sessions: Any, cast: Any, *, clients: int = 30) -> dict[str, Any]:
    """``clients`` individual clients of the owner (North) with scores — P(alive) falling
    with the index, so the first half is on the win-back list — and two of the outsider's
    (South); consent for most, none for every fifth, one on the suppression list; e-mails
    through their contacts. Returns the ids."""
    from accord.accounts.models import Account, AccountContact, Contact
    from accord.clients.models import ClientFit, ClientProfile, ClientScore, ClientSuppression
    from accord.core.database import utcnow

    now = utcnow()
    with sessions.begin() as s:
        fit = ClientFit(kind="scores", unit="week", calibration_end=FROZEN, clients=clients,
                        triples=clients, model="mbgnbd", horizon=52, discount_rate_e4=1000)
        s.add(fit)
        s.flush()
        ids: dict[str, Any] = {"north": [], "south": [], "fit": fit.id}

        def person(n: int, name: str, manager: int, p_alive: float, spent: int) -> int:
            a = Account(name=name, name_key=name.lower(), kind="person", status="active",
                        manager_id=manager, created_at=now, updated_at=now)
            s.add(a)
            s.flush()
            c = Contact(name=name, email=f"  Client{n}@Example.test ", created_at=now,
                        updated_at=now)
            s.add(c)
            s.flush()
            s.add(AccountContact(account_id=a.id, contact_id=c.id))
            s.add(ClientScore(
                account_id=a.id, fit_id=fit.id, first_purchase_on=date(2024, 1, 1),
                last_purchase_on=date(2025, 1, 1), purchases=3, x=2, t_x=52.0, t=114.0,
                total_cents=spent, repeat_mean_cents=spent // 3, recency_days=430,
                rfm_segment="at risk" if n % 2 else "hibernating", p_alive_bg=p_alive,
                p_alive_mbg=p_alive, p_alive=p_alive, p_alive_previous=min(1.0, p_alive + 0.2),
                expected_purchases=1.5, expected_spend_cents=2500, value_cents=spent // 2 + n))
            s.add(ClientProfile(account_id=a.id, marketing_consent=n % 5 != 0))
            return int(a.id)

        for n in range(clients):
            ids["north"].append(person(n, f"Client {n:02d}", cast.owner.id,
                                       round(0.05 + 0.9 * n / clients, 4), 100_000 - n * 1000))
        for n in range(2):
            ids["south"].append(person(100 + n, f"Southerner {n}", cast.outsider.id, 0.1,
                                       50_000))
        s.add(ClientSuppression(email_key="client1@example.test", reason="asked"))
    return ids


def _counts(sessions: Any) -> tuple[int, ...]:
    from accord.calendar.models import FollowUp
    from accord.clients.models import CampaignMember, WinBackCampaign
    from accord.core.models import AuditEntry

    with sessions() as s:
        return tuple(int(s.scalar(select(func.count()).select_from(m)) or 0)
                     for m in (WinBackCampaign, CampaignMember, FollowUp, AuditEntry))


def _create(sessions: Any, who: Any, today: date = FROZEN, seed: int = 11, **data: Any) -> Any:
    with sessions.begin() as s:
        return service.create_campaign(s, s.merge(who), CampaignIn(**data), today, seed=seed)


def test_a_campaign_with_a_holdout_freezes_the_list_and_counts_its_exclusions(
        sessions: Any, cast: Any) -> None:
    from accord.calendar.models import FollowUp
    from accord.clients.models import CampaignMember
    from accord.core.models import AuditEntry

    ids = arrange(sessions, cast)
    made = _create(sessions, cast.owner, name="Spring win-back", source="winback",
                   holdout=Decimal("0.4"), follow_ups_due_on=FROZEN + timedelta(days=7))
    # P(alive) below 0.5: the first 15 of the owner's clients (the South's are out of reach)
    winback = ids["north"][:15]
    assert made.members == 15 and made.held_out == 6 and made.treatment == 9
    assert made.frozen_on == FROZEN and made.holdout == Decimal("0.4000")
    with sessions() as s:
        members = {m.account_id: m for m in s.scalars(select(CampaignMember))}
        assert set(members) == set(winback)
        first = members[winback[0]]
        assert (first.p_alive, first.value_cents) == (0.05, 50_000)
        # exclusions: client 1 suppressed (its address, trimmed and lower-cased); clients 0,
        # 5 and 10 without consent
        excluded = {i: m.excluded for i, m in members.items() if m.excluded}
        assert excluded == {winback[1]: "suppressed", winback[0]: "no_consent",
                            winback[5]: "no_consent", winback[10]: "no_consent"}
        assert (made.no_consent, made.suppressed) == (3, 1)
        # follow-ups: the treatment members who may be contacted, for their manager
        reached = {i for i, m in members.items() if m.group == "treatment" and not m.excluded}
        follow_ups = {f.account_id: f for f in s.scalars(select(FollowUp))}
        assert set(follow_ups) == reached and made.follow_ups == len(reached)
        assert {m.follow_up_id for i, m in members.items() if i in reached} == {
            f.id for f in follow_ups.values()}
        assert all(m.follow_up_id is None for i, m in members.items() if i not in reached)
        assert {(f.owner_id, f.due_on, f.status) for f in follow_ups.values()} == {
            (cast.owner.id, FROZEN + timedelta(days=7), "open")}
        entry = s.scalars(select(AuditEntry).where(AuditEntry.entity == service.ENTITY)).one()
        assert entry.after["members"] == 15 and entry.after["held_out"] == 6
    # the same seed draws the same holdout
    again = _create(sessions, cast.owner, name="Again", source="winback",
                    holdout=Decimal("0.4"))
    with sessions() as s:
        held = [set(s.scalars(select(CampaignMember.account_id).where(
            CampaignMember.campaign_id == c, CampaignMember.group == "holdout")))
            for c in (made.id, again.id)]
    assert held[0] == held[1] == set(rules.assign_holdout(winback, 4000, 11))


def test_a_campaign_naming_an_account_out_of_reach_is_refused_and_writes_nothing(
        sessions: Any, cast: Any) -> None:
    ids = arrange(sessions, cast, clients=4)
    before = _counts(sessions)
    south = ids["south"][0]
    with pytest.raises(ValidationFailed) as caught:
        _create(sessions, cast.owner, name="Reach", source="accounts",
                account_ids=[ids["north"][0], south, 987_654],
                follow_ups_due_on=FROZEN)
    assert caught.value.problems[0].field == "account_ids"
    assert f"{south}, 987654" in caught.value.problems[0].message
    with pytest.raises(ValidationFailed) as company:
        _create(sessions, cast.owner, name="Firm", source="accounts", account_ids=[cast.acme_id])
    assert "not individual clients" in company.value.problems[0].message
    with pytest.raises(ValidationFailed):  # an empty list
        _create(sessions, cast.owner, name="Empty", source="segment", segment="nobody")
    with pytest.raises(Forbidden):
        _create(sessions, cast.viewer, name="Viewer", source="winback")
    assert _counts(sessions) == before
    # the head of North may name the owner's clients; the admin anyone's
    made = _create(sessions, cast.head, name="Named", source="accounts",
                   account_ids=ids["north"][:2])
    assert made.members == 2 and made.source == "accounts"


def test_a_campaign_is_shown_only_to_campaigners_who_see_every_member(
        sessions: Any, cast: Any) -> None:
    ids = arrange(sessions, cast, clients=4)
    made = _create(sessions, cast.admin, name="Mixed", source="accounts",
                   account_ids=[ids["north"][0], ids["south"][0]])
    mine = _create(sessions, cast.owner, name="Mine", source="best")
    with sessions() as s:
        for who in (cast.owner, cast.outsider, cast.head):
            with pytest.raises(NotFound):
                reading.show(s, s.merge(who), made.id)
        assert [c.id for c in reading.list_campaigns(s, s.merge(cast.owner)).items] == [mine.id]
        assert [c.id for c in reading.list_campaigns(s, s.merge(cast.head)).items] == [mine.id]
        assert not reading.list_campaigns(s, s.merge(cast.outsider)).items
        assert {c.id for c in reading.list_campaigns(s, s.merge(cast.admin)).items} == {
            made.id, mine.id}
        with pytest.raises(Forbidden):
            reading.show(s, s.merge(cast.viewer), mine.id)
        shown = reading.show(s, s.merge(cast.head), mine.id, page=1, page_size=1)
        assert shown.member_page.total == mine.members and len(shown.member_page.items) == 1


def test_the_result_counts_purchases_after_the_freeze_against_a_recomputation(
        sessions: Any, cast: Any) -> None:
    from accord.clients.models import CampaignMember
    from accord.core.periods import month_index
    from accord.revenue.models import RevenueLine

    ids = arrange(sessions, cast)
    made = _create(sessions, cast.owner, name="Measured", source="winback",
                   holdout=Decimal("0.5"), result_months=2)
    members = ids["north"][:15]
    # purchases: some on the freeze day (not counted), after it, a credit note (no purchase,
    # but revenue), a zero-priced line (a purchase), and one past the window
    lines = [(members[0], FROZEN, 9_000), (members[1], FROZEN + timedelta(days=1), 4_000),
             (members[1], FROZEN + timedelta(days=1), 1_000),
             (members[2], FROZEN + timedelta(days=20), 2_500),
             (members[3], FROZEN + timedelta(days=30), -700),
             (members[4], FROZEN + timedelta(days=40), 0),
             (members[5], date(2026, 5, 10), 3_300), (members[6], date(2026, 5, 11), 8_000),
             (members[7], FROZEN + timedelta(days=3), 12_000),
             (members[8], FROZEN + timedelta(days=3), 6_000),
             (members[9], FROZEN + timedelta(days=59), 1_500)]
    with sessions.begin() as s:
        for n, (account, day, cents) in enumerate(lines):
            s.add(RevenueLine(account_id=account, line_key=f"#t{n}", date=day,
                              month=month_index(day), amount_cents=cents))
        groups = dict(s.execute(select(CampaignMember.account_id, CampaignMember.group)
                                .where(CampaignMember.campaign_id == made.id)).all())
    today = date(2026, 8, 1)
    with sessions() as s:
        out = reading.result(s, s.merge(cast.owner), made.id, None, today)
        shorter = reading.result(s, s.merge(cast.owner), made.id, 1, date(2026, 3, 20))

    def recomputed(last: date) -> dict[str, tuple[int, int, int]]:
        """Per group: members, buyers, revenue (cents), from the lines written above."""
        figures: dict[str, tuple[int, int, int]] = {}
        for group in ("treatment", "holdout"):
            mine = [a for a, g in groups.items() if g == group]
            window = [(a, c) for a, d, c in lines if a in mine and FROZEN < d <= last]
            buyers = len({a for a, c in window if c >= 0})
            figures[group] = (len(mine), buyers, sum(c for _, c in window))
        return figures

    expected = recomputed(date(2026, 5, 10))  # two months after 10 March
    assert out.months == 2 and out.complete and out.last_day == date(2026, 5, 10)
    for group, got in (("treatment", out.treatment), ("holdout", out.holdout)):
        assert got is not None
        n, buyers, cents = expected[group]
        assert (got.members, got.buyers, got.revenue) == (n, buyers, Decimal(cents) / 100)
    (tn, tb, tc), (hn, hb, hc) = expected["treatment"], expected["holdout"]
    assert out.share_difference is not None and out.revenue_difference is not None
    share = Fraction(tb, tn) - Fraction(hb, hn)
    assert abs(out.share_difference.estimate - Decimal(share.numerator) / share.denominator
               ) <= Decimal("0.00005")
    money = (Fraction(tc, tn) - Fraction(hc, hn)) / 100
    assert abs(out.revenue_difference.estimate - Decimal(money.numerator) / money.denominator
               ) <= Decimal("0.005")
    for d in (out.share_difference, out.revenue_difference):
        assert d.low <= d.estimate <= d.high
    # a window not over yet counts up to today
    assert not shorter.complete and shorter.last_day == date(2026, 3, 20)
    early = recomputed(date(2026, 3, 20))
    assert shorter.treatment.buyers == early["treatment"][1]
    # the accounts behind treatment's buyers (the scorecards' win-back figure), recomputed
    treatment = {a for a, g in groups.items() if g == "treatment"}
    with sessions() as s:
        behind = reading.treatment_buyers(s, s.merge(cast.owner), made.id, today)
    assert behind == sorted({a for a, d, c in lines if a in treatment and c >= 0
                             and FROZEN < d <= date(2026, 5, 10)})
    assert len(behind) == out.treatment.buyers
    with sessions() as s, pytest.raises(ValidationFailed):
        reading.result(s, s.merge(cast.owner), made.id, 40, today)
