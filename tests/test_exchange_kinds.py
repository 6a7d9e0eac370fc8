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
