"""``accord accounts list|show``: filters, formats, visibility with ``--as``, errors."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from typer.testing import CliRunner

from accord.app.commands import app as cli

runner = CliRunner()
CAST = ["admin", "head", "owner", "teammate", "outsider", "other_head", "viewer", "billing"]
SEES_ACME = {"admin", "head", "owner", "teammate", "viewer", "billing"}
SEES_GLOBEX = {"admin", "other_head", "outsider", "viewer", "billing"}


def run(database_url: str, *args: str):
    return runner.invoke(cli, ["--database-url", database_url, *args])


@pytest.fixture
def portfolio(cast, sessions):
    """Acme with a contact, an interaction and revenue; 23 more accounts of the owner's."""
    from sqlalchemy import insert

    from accord.accounts.contacts import add_contact, log_interaction
    from accord.accounts.models import AccountStatus, BuyingRole, InteractionKind
    from accord.accounts.schemas import AccountIn, ContactIn, InteractionIn
    from accord.accounts.service import create_account
    from accord.revenue.models import MonthlyRevenue

    with sessions.begin() as s:
        owner = s.merge(cast.owner)
        c = add_contact(
            s,
            owner,
            cast.acme_id,
            ContactIn(
                name="Ann Buyer", email="ann@acme.test", buying_role=BuyingRole.DECISION_MAKER
            ),
        )
        log_interaction(
            s,
            owner,
            cast.acme_id,
            InteractionIn(
                kind=InteractionKind.BUSINESS_REVIEW,
                occurred_on=date(2025, 3, 4),
                summary="QBR on pricing",
                contact_ids=[c.id],
            ),
            today=date(2025, 6, 1),
        )
        head = s.merge(cast.head)  # a company straight into active: an admin or a head (issue 11)
        for i in range(23):
            create_account(
                s,
                head,
                AccountIn(
                    name=f"Zeta {i:02d}",
                    manager_id=owner.id,
                    segment="Retail",
                    status=AccountStatus.LAPSED if i % 2 else AccountStatus.ACTIVE,
                ),
            )
        # monthly revenue as the importer keeps it: Jan..Mar 2025
        rows, total = [], 0
        for month, cents in (
            (2025 * 12 + 0, 100_000),
            (2025 * 12 + 1, 250_050),
            (2025 * 12 + 2, 0),
        ):
            total += cents
            rows.append(
                {
                    "account_id": cast.acme_id,
                    "month": month,
                    "amount_cents": cents,
                    "cumulative_cents": total,
                    "line_count": 1,
                }
            )
        s.execute(insert(MonthlyRevenue), rows)
    return cast


def test_list_pages_and_says_what_it_shows(database_url, portfolio) -> None:
    result = run(database_url, "accounts", "list", "--page-size", "10", "--page", "3")
    assert result.exit_code == 0, result.output
    assert "showing 21–25 of 25" in result.stdout


def test_list_filters_and_writes_csv(database_url, portfolio) -> None:
    result = run(
        database_url,
        "accounts",
        "list",
        "--segment",
        "Retail",
        "--status",
        "lapsed",
        "--manager",
        "owner@accord.test",
        "--sort",
        "-name",
        "--format",
        "csv",
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 11
    assert rows[0]["name"] == "Zeta 21" and {r["status"] for r in rows} == {"lapsed"}
    assert {r["manager_email"] for r in rows} == {"owner@accord.test"}


def test_list_as_json_matches_the_api_shape(database_url, portfolio) -> None:
    result = run(database_url, "accounts", "list", "--q", "acme", "--format", "json")
    assert result.exit_code == 0, result.output
    page = json.loads(result.stdout)
    assert set(page) == {"items", "total", "page", "page_size", "pages"}
    assert [a["external_id"] for a in page["items"]] == ["ACME"]


@pytest.mark.parametrize("who", CAST)
def test_list_and_show_obey_the_visibility_of_as(database_url, portfolio, who) -> None:
    email = getattr(portfolio, who).email
    listed = run(
        database_url, "--as", email, "accounts", "list", "--format", "csv", "--page-size", "200"
    )
    assert listed.exit_code == 0, listed.output
    ids = {r["external_id"] for r in csv.DictReader(io.StringIO(listed.stdout))}
    assert ("ACME" in ids) is (who in SEES_ACME)
    assert ("GLOBEX" in ids) is (who in SEES_GLOBEX)
    for ref in ("ACME", str(portfolio.acme_id)):
        shown = run(database_url, "--as", email, "accounts", "show", ref, "--format", "json")
        if who in SEES_ACME:
            assert shown.exit_code == 0, shown.output
            assert json.loads(shown.stdout)["account"]["name"] == "Acme Industries"
        else:
            assert shown.exit_code == 1
            assert "Acme" not in shown.output and "Ann" not in shown.output


def test_show_gives_profile_contacts_interactions_and_twelve_months(
    database_url, portfolio
) -> None:
    result = run(database_url, "accounts", "show", "ACME", "--format", "json", "--month", "2025-04")
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert shown["account"]["manager_email"] == "owner@accord.test"
    assert [c["name"] for c in shown["contacts"]] == ["Ann Buyer"]
    assert shown["interactions"][0]["summary"] == "QBR on pricing"
    months = [r["month"] for r in shown["revenue"]]
    assert months[0] == "2024-05" and months[-1] == "2025-04" and len(months) == 12
    amounts = {r["month"]: r["amount"] for r in shown["revenue"]}
    assert amounts["2025-01"] == "1000.00" and amounts["2025-02"] == "2500.50"
    assert shown["revenue_total"] == "3500.50"


def test_show_as_a_table(database_url, portfolio) -> None:
    result = run(database_url, "accounts", "show", str(portfolio.acme_id), "--month", "2025-03")
    assert result.exit_code == 0, result.output
    for text in ("Acme Industries", "Ann Buyer", "QBR on pricing", "2,500.50", "3,500.50"):
        assert text in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["accounts", "list", "--sort", "colour"], "sort"),
        (["accounts", "list", "--manager", "nobody@accord.test"], "no user"),
        (["accounts", "list", "--status", "zombie"], "zombie"),
        (["accounts", "list", "--page", "0"], "page"),
        (["accounts", "list", "--format", "xml"], "xml"),
        (["accounts", "show", "NOPE"], "no account"),
        (["accounts", "show", "ACME", "--month", "2025-13"], "month"),
        (["--as", "ghost@accord.test", "accounts", "list"], "no user"),
    ],
)
def test_bad_input_gives_a_message_and_a_non_zero_exit(
    database_url, portfolio, args, message
) -> None:
    result = run(database_url, *args)
    assert result.exit_code != 0
    assert message in result.stderr, result.stderr
    assert result.stdout == ""
