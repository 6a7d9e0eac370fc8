"""The CDNOW check through the CLI, from raw transactions, on both databases (issue 16).

The 1/10 sample of 2,357 CDNOW customers (tests/data/cdnow_sample.txt) becomes an accounts
file (one person account per customer) and a revenue file (one line per transaction), both
loaded with the real import commands; ``accord clients fit --calibration-end 1997-09-30
--unit week --format json`` then reproduces the BG/NBD parameters of Fader, Hardie and Lee
(2005): r = 0.243, alpha = 4.414, a = 0.793, b = 2.426 at the paper's three decimals, and
the log-likelihood -9582.4."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from accord.app.commands import app

SAMPLE = Path(__file__).parent / "data" / "cdnow_sample.txt"
PAPER = {"r": (0.243, 0.0015), "alpha": (4.414, 0.015), "a": (0.793, 0.0015),
         "b": (2.426, 0.0015)}
runner = CliRunner()


def _files(folder: Path) -> tuple[Path, Path]:
    """The accounts and revenue CSVs of the sample (a line id per transaction: several on
    one day stay lines, and count as one purchase)."""
    accounts = ["external_id,name,kind"]
    revenue = ["account_external_id,date,amount,line_id"]
    seen: set[str] = set()
    for n, line in enumerate(SAMPLE.read_text().splitlines(), start=1):
        _master, customer, day, _cds, dollars = line.split()
        if customer not in seen:
            seen.add(customer)
            accounts.append(f"CD{customer},CDNOW customer {customer},person")
        amount = Decimal(dollars).quantize(Decimal("0.01"))
        revenue.append(f"CD{customer},{day[:4]}-{day[4:6]}-{day[6:]},{amount},T{n}")
    (folder / "accounts.csv").write_text("\n".join(accounts) + "\n")
    (folder / "revenue.csv").write_text("\n".join(revenue) + "\n")
    return folder / "accounts.csv", folder / "revenue.csv"


def _accord(database_url: str, *args: str) -> str:
    result = runner.invoke(app, ["--database-url", database_url, *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_the_paper_s_parameters_from_raw_transactions(database_url: str,
                                                      tmp_path: Path) -> None:
    accounts, revenue = _files(tmp_path)
    assert "2357" in _accord(database_url, "import", "accounts", str(accounts)).replace(",", "")
    _accord(database_url, "import", "revenue", str(revenue))
    out = _accord(database_url, "clients", "fit", "--calibration-end", "1997-09-30",
                  "--unit", "week", "--format", "json")
    printed = json.loads(out.strip().splitlines()[-1])
    assert set(printed) == {"r", "alpha", "a", "b", "log_likelihood", "clients", "converged"}
    for name, (value, tolerance) in PAPER.items():
        assert printed[name] == pytest.approx(value, abs=tolerance), name
    assert printed["log_likelihood"] == pytest.approx(-9582.4, abs=0.5)
    assert printed["clients"] == 2357
    assert printed["converged"] is True
    # the fit is stored with its window, and listed
    listed = json.loads(_accord(database_url, "clients", "fits", "--format", "json"))
    fit = listed["items"][0]
    assert (fit["first_purchase_on"], fit["calibration_end"], fit["unit"]) == (
        "1997-01-01", "1997-09-30", "week")
    assert fit["bgnbd"]["r"] == pytest.approx(printed["r"])
