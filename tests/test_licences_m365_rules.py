"""The Microsoft 365 files' pure rules (no database): licence cells split against the
mapping longest name first (names holding ``+`` too), unknown names reported not guessed,
concealed files refused naming the setting, a user twice refused naming both rows."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from accord.exchange.columns import M365_USAGE, M365_USERS, resolve_columns
from accord.licences.imports import m365

FIXTURES = Path(__file__).parent / "fixtures" / "m365"
KEYS = [("MICROSOFT 365 E3", 1), ("ENTERPRISE MOBILITY + SECURITY E5", 2),
        ("ENTERPRISE MOBILITY", 9), ("SECURITY E5", 8), ("MICROSOFT TEAMS PHONE STANDARD", 3)]


def _keys() -> list[str]:
    return m365.Products(KEYS).keys


def test_longest_name_first_keeps_a_plus_inside_a_name() -> None:
    split = m365.split_products
    assert split("Microsoft 365 E3+Enterprise Mobility + Security E5", _keys()) == (
        ["MICROSOFT 365 E3", "ENTERPRISE MOBILITY + SECURITY E5"], [])
    assert split("ENTERPRISE MOBILITY + SECURITY E5+MICROSOFT 365 E3", _keys()) == (
        ["ENTERPRISE MOBILITY + SECURITY E5", "MICROSOFT 365 E3"], [])
    # the shorter names match where the longer one does not
    assert split("Enterprise Mobility+Security E5", _keys()) == (
        ["ENTERPRISE MOBILITY", "SECURITY E5"], [])
    assert split("Unlicensed", _keys()) == ([], [])
    assert split("", _keys()) == ([], [])


def test_an_unknown_name_is_reported_whole_not_guessed() -> None:
    assert m365.split_products("Microsoft 365 E3+Visio Plan 2", _keys()) == (
        ["MICROSOFT 365 E3"], ["VISIO PLAN 2"])
    # an unknown name holding '+' runs to the next place a known name starts
    assert m365.split_products("Project + Portfolio+Microsoft 365 E3", _keys()) == (
        ["MICROSOFT 365 E3"], ["PROJECT + PORTFOLIO"])
    # a name that only starts like a known one is unknown
    assert m365.split_products("Microsoft 365 E3 Extra", _keys()) == (
        [], ["MICROSOFT 365 E3 EXTRA"])


UNAMBIGUOUS = ["MICROSOFT 365 E3", "ENTERPRISE MOBILITY + SECURITY E5",
               "MICROSOFT TEAMS PHONE STANDARD", "E5 + E3"]


@given(st.lists(st.sampled_from(UNAMBIGUOUS), min_size=1, max_size=6),
       st.sampled_from(["+", "+ ", " + "]), st.booleans())
def test_any_joining_of_known_names_splits_back(names: list[str], sep: str, lower: bool) -> None:
    """Names joined with ``+`` (in any case, spaced or not) come back in order."""
    cell = sep.join(n.lower() if lower else n for n in names)
    keys = m365.Products([(k, i) for i, k in enumerate(UNAMBIGUOUS)]).keys
    assert m365.split_products(cell, keys) == (names, [])


def _read(name: str, columns: tuple) -> tuple[list[m365.Row], dict[str, str], list[str]]:
    with open(FIXTURES / name, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        cols = resolve_columns(columns, header)
        rows: list[m365.Row] = []
        for line, rec in enumerate(reader, start=2):
            rows.append((line, {k: rec[i].strip() or None for k, i in cols.index.items()}, rec))
    return rows, cols.header, header


def test_the_active_users_export_reads_people_and_their_services() -> None:
    rows, headers, _ = _read("active_users.csv", M365_USERS)
    parsed = m365.parse(rows, headers, m365.Products(KEYS))
    assert parsed.problems == []
    by = {p.principal: p for p in parsed.people}
    assert by["ann.archer@acme.test"].sku_ids == {1, 2}
    assert by["dev.dalton@acme.test"].blocked and by["dev.dalton@acme.test"].sku_ids == {2}
    assert by["boardroom@acme.test"].sku_ids == frozenset()
    assert by["chloe.caron@acme.test"].display_name == "Chloé Caron"


def test_unknown_names_and_duplicates_are_reported_with_row_and_column() -> None:
    rows, headers, _ = _read("active_users_unknown_product.csv", M365_USERS)
    problems = m365.parse(rows, headers, m365.Products(KEYS)).problems
    assert problems == [(3, "Licenses", "unknown product name 'VISIO PLAN 2': map it to a "
                         "service (licence product names) and import again")]
    rows, headers, _ = _read("active_users_duplicate.csv", M365_USERS)
    problems = m365.parse(rows, headers, m365.Products(KEYS)).problems
    assert len(problems) == 1
    line, column, reason = problems[0]
    assert (line, column) == (7, "User principal name") and "rows 3 and 7" in reason


def test_a_concealed_report_is_refused_naming_the_setting() -> None:
    rows, headers, header = _read("usage_concealed.csv", M365_USAGE)
    parsed = m365.parse(rows, headers, m365.Products(KEYS),
                        workloads=m365.workload_columns(header), header_row=header)
    assert parsed.people == [] and len(parsed.problems) == 1
    assert "Display concealed user, group, and site names in all reports" in parsed.problems[0][2]
    assert "Settings > Org settings > Services > Reports" in parsed.problems[0][2]


def test_the_usage_report_reads_activity_and_who_was_deleted() -> None:
    rows, headers, header = _read("usage_detail.csv", M365_USAGE)
    workloads = m365.workload_columns(header)
    assert set(workloads) == {"exchange", "onedrive", "sharepoint", "skypeforbusiness",
                              "yammer", "teams"}
    parsed = m365.parse(rows, headers, m365.Products(KEYS), workloads=workloads,
                        header_row=header)
    assert parsed.problems == [] and parsed.reported_on == date(2026, 3, 8)
    by = {p.principal: p for p in parsed.people}
    assert by["ben.brook@acme.test"].left_on == date(2026, 2, 20)
    assert dict(by["ann.archer@acme.test"].activity) == {
        "exchange": date(2026, 3, 7), "teams": date(2026, 3, 6)}
    assert by["dev.dalton@acme.test"].activity == ()  # licensed for no workload
    # licensed, never used: one workload without a date (the report covered them)
    unused = m365.parse([(2, {"principal": "x@acme.test", "licences": "", "refreshed_on":
                              "2026-03-08"}, ["True", "", "True", ""])],
                        headers, m365.Products(KEYS),
                        workloads={"exchange": (0, 1), "teams": (2, 3)})
    assert unused.people[0].activity == (("exchange", None),)
    assert by["ann.archer@acme.test"].sku_ids == {1, 2}
