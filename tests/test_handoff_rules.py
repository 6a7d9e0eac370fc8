"""The pure rules of hand-offs: transitions, completeness, quality, missing items, overdue,
answers and checklist templates (hypothesis for the maths)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accord.core.errors import ValidationFailed
from accord.handoffs import rules
from accord.handoffs.rules import AnswerKind, HandoffState, Item

KINDS = [None, *[k.value for k in AnswerKind]]
items_st = st.lists(
    st.builds(Item, key=st.from_regex(r"[a-z]{1,8}", fullmatch=True), required=st.booleans(),
              answer_kind=st.sampled_from(KINDS)),
    max_size=30,
)


@given(items_st)
def test_completeness_is_answered_required_over_required(items: list[Item]) -> None:
    value = rules.completeness(items)
    required = [i for i in items if i.required]
    assert Decimal(0) <= value <= Decimal(1)
    if not required:
        assert value == 1
    else:
        exact = Decimal(sum(1 for i in required if i.answer_kind)) / len(required)
        assert abs(value - exact) <= Decimal("0.00005")
    assert (value == 1) == (rules.missing_required(items) == [])


@given(items_st)
def test_quality_is_evidence_over_answered(items: list[Item]) -> None:
    value = rules.quality(items)
    answered = [i for i in items if i.answer_kind]
    if not answered:
        assert value is None
        return
    assert value is not None and Decimal(0) <= value <= Decimal(1)
    evidence = sum(1 for i in answered if i.answer_kind != "not_applicable")
    assert abs(value - Decimal(evidence) / len(answered)) <= Decimal("0.00005")


@given(st.dates(), st.integers(-30, 30), st.sampled_from(list(HandoffState)))
def test_overdue_only_when_submitted_and_past_the_deadline(due: date, shift: int,
                                                           state: HandoffState) -> None:
    try:
        today = due + timedelta(days=shift)
    except OverflowError:
        return
    assert rules.is_overdue(state, due, today) == (state is HandoffState.SUBMITTED and shift > 0)
    assert not rules.is_overdue(state, None, today)


def test_the_transition_table() -> None:
    assert rules.next_state("draft", "submit") is HandoffState.SUBMITTED
    assert rules.next_state("returned", "submit") is HandoffState.SUBMITTED
    assert rules.next_state("submitted", "accept") is HandoffState.ACCEPTED
    assert rules.next_state("submitted", "return") is HandoffState.RETURNED
    for state in ("draft", "returned", "accepted"):
        assert rules.next_state(state, "accept") is None
    assert rules.next_state("accepted", "submit") is None
    assert rules.next_state("submitted", "submit") is None


def test_missing_items_in_order() -> None:
    items = [Item("a", True, "text"), Item("b", True), Item("c", False), Item("d", True)]
    assert rules.missing_required(items) == ["b", "d"]


@pytest.mark.parametrize(("text", "ok"), [
    ("https://example.com/x", True), ("http://intranet/doc?id=1", True),
    ("HTTPS://EXAMPLE.COM", True), ("javascript:alert(1)", False), ("ftp://x/y", False),
    ("https://", False), ("https://a b", False), ("file:///etc/passwd", False), ("", False),
])
def test_links_are_http_or_https(text: str, ok: bool) -> None:
    assert rules.is_link(text) is ok


def test_answer_problems_by_kind() -> None:
    def fields(kind, **kw):
        values = {"text": None, "contact_id": None, "interaction_id": None, "reason": None, **kw}
        return sorted(p.field for p in rules.answer_problems(kind, **values))

    assert fields(AnswerKind.TEXT, text="x") == []
    assert fields(AnswerKind.TEXT) == ["text"]
    assert fields(AnswerKind.CONTACT, contact_id=3, text="the CFO") == []
    assert fields(AnswerKind.CONTACT, interaction_id=3) == ["contact_id", "interaction_id"]
    assert fields(AnswerKind.NOT_APPLICABLE, reason="r") == []
    assert fields(AnswerKind.NOT_APPLICABLE, reason="r", contact_id=1) == ["contact_id"]
    assert fields(AnswerKind.LINK, text="mailto:a@b") == ["text"]
    assert fields(AnswerKind.FILE, text="a/b.pdf") == ["text"]
    assert fields(None) == []
    assert fields(None, text="x") == ["text"]


def test_checklist_templates_and_their_problems() -> None:
    sales = rules.SalesChecklistPolicy()
    assert [i.key for i in sales.items][:2] == ["decision_makers", "sold_and_promised"]
    assert len(sales.items) == 7 and all(i.required for i in sales.items)
    manager = rules.ManagerChecklistPolicy()
    assert [i.key for i in manager.items] == [
        "open_issues", "commitments", "key_people", "next_dates"]
    assert rules.checklist_setting("sales") == "handoff_checklist_sales"
    with pytest.raises(ValidationFailed) as dup:
        rules.SalesChecklistPolicy.from_dict({"items": [
            {"key": "a", "label": "A"}, {"key": "a", "label": "B"}]})
    assert [p.field for p in dup.value.problems] == ["items.1.key"]
    with pytest.raises(ValidationFailed):
        rules.SalesChecklistPolicy.from_dict({"items": [{"key": "Bad", "label": "A"}]})
    with pytest.raises(ValidationFailed):
        rules.ManagerChecklistPolicy.from_dict({"items": [
            {"key": "a", "label": "A", "required": False}]})
    assert rules.HandoffsPolicy().deadline_working_days == 10
    with pytest.raises(ValidationFailed):
        rules.HandoffsPolicy.from_dict({"deadline_working_days": 251})
