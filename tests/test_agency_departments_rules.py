"""Departments' pure rules: the default templates and checklists, the template a new
department gets from its name, and what a valid department and deliverable type are."""

from __future__ import annotations

import string
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from accord.agency.departments import rules
from accord.agency.departments.schemas import department_form, row_errors, rows, weekdays_text
from accord.core.errors import FieldProblem


def _problems(check, *args):
    problems: list[FieldProblem] = []
    value = check(problems, *args)
    return value, {p.field: p.message for p in problems}


def test_the_defaults_follow_the_issue() -> None:
    keys = {kind: [s["key"] for s in sections]
            for kind, sections in rules.DEFAULT_TEMPLATES.items()}
    assert keys["creative"] == ["objective", "audience", "message", "mandatories", "formats"]
    assert keys["media"] == ["budget", "period", "channels", "kpis"]
    assert set(keys) == {"creative", "media", "production", "copy", "seo", "analytics", "ppc",
                         "usability"}
    assert {k.lower() for k in rules.STANDARD_DEPARTMENTS} == set(keys)
    for sections in [*rules.DEFAULT_TEMPLATES.values(), rules.GENERIC_TEMPLATE]:
        checked, errors = _problems(rules.check_sections, sections)
        assert not errors and checked == sections
    assert {k: v["name"] for k, v in rules.DEFAULT_DELIVERABLES.items()} == {
        "media_plan": "Media plan", "report": "Report", "creative": "Creative"}
    for spec in rules.DEFAULT_DELIVERABLES.values():
        assert 5 <= len(spec["items"]) <= 7
        checked, errors = _problems(rules.check_items, spec["items"])
        assert not errors and checked == spec["items"]


def test_a_new_department_gets_its_kinds_template() -> None:
    assert rules.template_for(" creative ") == rules.DEFAULT_TEMPLATES["creative"]
    assert rules.template_for("SEO") == rules.DEFAULT_TEMPLATES["seo"]
    assert rules.template_for("Social") == rules.GENERIC_TEMPLATE
    assert [s["key"] for s in rules.GENERIC_TEMPLATE] == ["objective", "deliverables",
                                                          "background"]
    copy = rules.template_for("Media")
    copy[0]["label"] = "changed"
    assert rules.DEFAULT_TEMPLATES["media"][0]["label"] == "Budget"  # a copy, not the default


def test_names_time_zones_and_turnarounds() -> None:
    assert _problems(rules.check_name, "  Creative ") == ("Creative", {})
    assert "name" in _problems(rules.check_name, "")[1]
    assert "name" in _problems(rules.check_name, "x" * 81)[1]
    assert "name" in _problems(rules.check_name, "a\x07b")[1]
    assert _problems(rules.check_time_zone, "Europe/Prague") == ("Europe/Prague", {})
    for bad in ("Mars/Olympus", "", "../etc/passwd", "x" * 70, None):
        assert "time_zone" in _problems(rules.check_time_zone, bad)[1], bad
    assert _problems(rules.check_turnaround, 365) == (365, {})
    for wrong in (0, 366, -1, True, "5", 2.5):
        assert "turnaround_days" in _problems(rules.check_turnaround, wrong)[1], wrong


def test_weekdays() -> None:
    assert _problems(rules.check_weekdays, None) == (None, {})
    assert _problems(rules.check_weekdays, [4, 0, 0, 2]) == ([0, 2, 4], {})
    for bad in ([7], [], [-1], [0, "1"], [True], "0,1"):
        assert "weekdays" in _problems(rules.check_weekdays, bad)[1], bad
    assert rules.weekdays_label(None) == "company calendar"
    assert rules.weekdays_label([0, 1, 2]) == "Mon, Tue, Wed"


@given(st.lists(st.integers(min_value=-3, max_value=9), max_size=10))
def test_weekdays_are_a_nonempty_subset_of_the_week(days: list[int]) -> None:
    value, errors = _problems(rules.check_weekdays, days)
    if days and all(0 <= d <= 6 for d in days):
        assert value == sorted(set(days)) and not errors
    else:
        assert value is None and "weekdays" in errors


KEY = st.text(alphabet=string.ascii_lowercase + string.digits + "_", min_size=1, max_size=40)
SECTION = st.fixed_dictionaries({"key": KEY,
                                 "label": st.text(string.ascii_letters, min_size=1,
                                                  max_size=80),
                                 "hint": st.text(string.ascii_letters + " ", max_size=300)})


@given(st.lists(SECTION, min_size=0, max_size=24))
def test_sections_are_one_to_twenty_with_unique_keys(sections) -> None:
    checked, errors = _problems(rules.check_sections, sections)
    keys = [s["key"] for s in sections]
    ok = 1 <= len(sections) <= 20 and len(set(keys)) == len(keys)
    assert (not errors) == ok
    if ok:
        assert [s["key"] for s in checked] == keys


def test_sections_name_the_field_at_fault() -> None:
    good = {"key": "objective", "label": "Objective", "hint": ""}
    assert "sections" in _problems(rules.check_sections, [])[1]
    assert "sections" in _problems(rules.check_sections, [good] * 21)[1]
    assert "sections.1.key" in _problems(rules.check_sections, [good, good])[1]
    assert "sections.0.key" in _problems(rules.check_sections, [{**good, "key": "Bad Key"}])[1]
    assert "sections.0.key" in _problems(rules.check_sections, [{**good, "key": "k" * 41}])[1]
    assert "sections.0.label" in _problems(rules.check_sections, [{**good, "label": ""}])[1]
    assert "sections.0.label" in _problems(rules.check_sections,
                                           [{**good, "label": "x" * 81}])[1]
    assert "sections.0.hint" in _problems(rules.check_sections, [{**good, "hint": "h" * 301}])[1]
    assert "sections.0" in _problems(rules.check_sections, ["objective"])[1]
    assert "sections" in _problems(rules.check_sections, "objective")[1]


def test_checklists_and_holidays() -> None:
    item = {"key": "budget", "label": "Budget matches"}
    assert not _problems(rules.check_items, [item])[1]
    assert "items" in _problems(rules.check_items, [])[1]
    assert "items" in _problems(rules.check_items, [item] * 31)[1]
    assert "items.1.key" in _problems(rules.check_items, [item, item])[1]
    assert "items.0.label" in _problems(rules.check_items, [{**item, "label": "x" * 201}])[1]
    assert "key" in _problems(rules.check_key, "Media plan")[1]
    assert _problems(rules.check_holiday, date(2027, 1, 1), "New Year") == (
        (date(2027, 1, 1), "New Year"), {})
    assert "day" in _problems(rules.check_holiday, date(1800, 1, 1), "")[1]
    assert "name" in _problems(rules.check_holiday, date(2027, 1, 1), "n" * 121)[1]


def test_forms_become_the_services_input() -> None:
    values: dict[str, object] = {
              "name": "Creative", "lead_id": "", "time_zone": "UTC", "turnaround_days": "7",
              "is_active": "on", "weekdays_mode": "own", "weekdays": ["0", "2"],
              "sections-0-key": "objective", "sections-0-label": "Objective",
              "sections-1-key": "", "sections-1-label": "Key messages",
              "sections-2-key": "drop", "sections-2-label": "Drop", "sections-2-remove": "on",
              "sections-3-key": "", "sections-3-label": "", "sections-3-hint": ""}
    data = department_form(values, with_sections=True)
    assert data["weekdays"] == [0, 2] and data["turnaround_days"] == 7
    assert data["lead_id"] is None and data["is_active"] is True
    sections = data["sections"]
    assert isinstance(sections, list)
    assert [s["key"] for s in sections] == ["objective", "key_messages"]
    assert department_form({**values, "weekdays_mode": "company"},
                           with_sections=False)["weekdays"] is None
    assert department_form({**values, "turnaround_days": "many"},
                           with_sections=False)["turnaround_days"] == "many"
    # a problem on the second kept row is shown beside the form's row 1
    assert row_errors({"sections.1.label": "bad", "name": "x"}, values, "sections",
                      ("key", "label", "hint")) == {"sections-1-label": "bad", "name": "x"}
    assert rows({"items-0-key": "", "items-0-label": "On brand"}, "items",
                ("key", "label")) == [{"key": "on_brand", "label": "On brand"}]
    assert weekdays_text("0, 1,x") == [0, 1, "x"] and weekdays_text(" ") is None
