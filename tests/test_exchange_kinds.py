"""The table of kinds (``exchange.kinds.KINDS``) is the one place a kind is added: every kind
has its entry, a column map per source and an export whose header is its Accord columns;
and the dependency points one way (exchange imports accounts and revenue, never back)."""

from __future__ import annotations

from collections.abc import Iterator

import grimp

from accord.exchange.columns import MAPS, Resolved, canonical_header, read_rows, resolve
from accord.exchange.kinds import KINDS
from accord.exchange.schemas import ImportKind, ImportSource


def test_every_kind_has_its_entry_and_a_column_map_per_source() -> None:
    assert set(KINDS) == set(ImportKind)
    for kind in ImportKind:
        for source in ImportSource:
            assert (kind.value, source.value) in MAPS
        assert canonical_header(kind.value)


def test_resolve_takes_the_first_accepted_header_and_names_what_is_missing() -> None:
    cols = resolve("contacts", "salesforce", ["First Name", "AccountId", "id", "Contact Id"])
    assert cols.index == {"external_id": 2, "account_external_id": 1, "first_name": 0}
    assert cols.header["first_name"] == "First Name"
    assert cols.missing == []  # a first name stands for the name
    assert resolve("revenue", "accord", ["date"]).missing == ["account_external_id", "amount"]


def test_read_rows_skips_blank_rows_and_reports_a_refused_conversion() -> None:
    cols = resolve("accounts", "salesforce", ["Id", "Name", "AnnualRevenue"])
    lines = iter(range(2, 10))
    at = [1]

    def line() -> int:
        return at[0]

    def rows() -> Iterator[list[str]]:
        for rec in (["1", "A", "5000000"], [" ", "", ""], ["2", "B", "lots"]):
            at[0] = next(lines)
            yield rec

    read, problems = read_rows(rows(), line, cols)
    assert [r[0] for r in read] == [2, 4]
    assert read[0][1]["size_band"] == "small"
    assert read[1][1]["size_band"] is None
    assert problems == [(4, "size_band", "not an amount: 'lots'")]
    assert isinstance(cols, Resolved)


def test_accounts_and_revenue_import_nothing_from_exchange() -> None:
    graph = grimp.build_graph("accord")
    for package in ("accord.accounts", "accord.revenue"):
        assert not graph.find_shortest_chains(package, "accord.exchange")
    for importer in ("importing", "importing_contacts", "user_map"):
        assert not graph.find_shortest_chains(f"accord.accounts.{importer}", "accord.revenue")


def test_accounts_import_rows_already_read_without_a_file(db, cast):
    """The accounts use case takes rows, not a file: a parent further down the rows works,
    and a bad cell is reported under the header as the file wrote it."""
    from accord.accounts.importing import FileRows, import_accounts

    header = {"external_id": "Id", "name": "Name", "parent_external_id": "ParentId",
              "status": "Type"}
    rows = [(2, {"external_id": "C-1", "name": "Child", "parent_external_id": "P-1",
                 "status": None}),
            (3, {"external_id": "P-1", "name": "Parent", "parent_external_id": None,
                 "status": "bogus"}),
            (4, {"external_id": "P-2", "name": "Other", "parent_external_id": None,
                 "status": None})]
    outcome = import_accounts(db, cast.admin, FileRows(rows, header, "salesforce"))
    assert (outcome.rows, outcome.invalid_rows, outcome.inserted) == (3, 2, 1)
    assert outcome.problems[0][:2] == (3, "Type")
    assert outcome.problems[1] == (2, "ParentId", "parent row 3 is invalid")
    db.rollback()
