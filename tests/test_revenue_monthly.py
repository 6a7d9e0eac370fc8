"""One account's monthly revenue, one function (``revenue.service.monthly_revenue``) behind
the API, the account page and ``accord accounts show``: the months with revenue, or every
month of a window with the running total carried through the months without."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from typer.testing import CliRunner

from accord.app.commands import app as cli
from accord.core.periods import parse_month
from accord.glance.profile import account_profile
from accord.revenue.service import monthly_revenue
from conftest import api_client
from import_helpers import upload

LINES = """
account_external_id,date,amount,product_line,line_id
ACME,2024-01-15,1200.00,Widgets,
ACME,2024-02-15,-200.00,Widgets,CN-7
ACME,2024-05-02,100.00,Widgets,
ACME,2024-05-20,200.00,Services,
ACME,2024-07-31,50.00,Widgets,
GLOBEX,2024-03-31,99.95,Services,
"""


@pytest.fixture
def loaded(app, sessions, cast):
    client = api_client(app, cast.token(sessions, "admin"))
    files = {"file": ("revenue.csv", upload(LINES), "text/csv")}
    response = client.post("/api/v1/imports/revenue", files=files)
    assert response.status_code == 200, response.text
    return client


def figures(rows) -> list[tuple[str, str, str, int]]:
    return [(r.month, str(r.amount), str(r.cumulative), r.line_count) for r in rows]


def test_without_a_window_the_months_with_revenue(loaded, cast, db) -> None:
    assert figures(monthly_revenue(db, cast.admin, cast.acme_id)) == [
        ("2024-01", "1200.00", "1200.00", 1),
        ("2024-02", "-200.00", "1000.00", 1),
        ("2024-05", "300.00", "1300.00", 2),
        ("2024-07", "50.00", "1350.00", 1),
    ]
    api = loaded.get(f"/api/v1/accounts/{cast.acme_id}/revenue/monthly").json()
    assert [(r["month"], r["amount"], r["cumulative"], r["line_count"]) for r in api] == (
        figures(monthly_revenue(db, cast.admin, cast.acme_id))
    )


def test_a_window_lists_every_month_and_carries_the_running_total(loaded, cast, db) -> None:
    window = monthly_revenue(
        db, cast.admin, cast.acme_id, first=parse_month("2023-12"), last=parse_month("2024-08")
    )
    assert figures(window) == [
        ("2023-12", "0.00", "0.00", 0),
        ("2024-01", "1200.00", "1200.00", 1),
        ("2024-02", "-200.00", "1000.00", 1),
        ("2024-03", "0.00", "1000.00", 0),
        ("2024-04", "0.00", "1000.00", 0),
        ("2024-05", "300.00", "1300.00", 2),
        ("2024-06", "0.00", "1300.00", 0),
        ("2024-07", "50.00", "1350.00", 1),
        ("2024-08", "0.00", "1350.00", 0),
    ]
    # a window opening after the first revenue starts from the running total before it
    later = monthly_revenue(
        db, cast.admin, cast.acme_id, first=parse_month("2024-03"), last=parse_month("2024-05")
    )
    assert figures(later) == [
        ("2024-03", "0.00", "1000.00", 0),
        ("2024-04", "0.00", "1000.00", 0),
        ("2024-05", "300.00", "1300.00", 2),
    ]
    with pytest.raises(ValueError, match="both"):
        monthly_revenue(db, cast.admin, cast.acme_id, first=parse_month("2024-03"))


def test_the_page_and_the_command_read_the_same_profile(loaded, cast, db, database_url) -> None:
    last = parse_month("2024-08")
    profile = account_profile(db, cast.admin, cast.acme_id, last_month=last, months=12)
    assert (profile.revenue_from, profile.revenue_to) == ("2023-09", "2024-08")
    assert profile.revenue_total == Decimal("1350.00")
    result = CliRunner().invoke(cli, ["--database-url", database_url, "accounts", "show", "ACME",
                                      "--format", "json", "--month", "2024-08"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert shown["revenue"] == [
        {"month": r.month, "amount": str(r.amount)} for r in profile.revenue
    ]
    assert shown["revenue_total"] == str(profile.revenue_total)
    assert shown["interaction_count"] == profile.interactions_total
