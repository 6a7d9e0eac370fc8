"""The monthly performance report: HTML page, PDF, per manager, the CLI, and the bridge maths.

Portfolio: see ``test_kpi_pages`` (whole portfolio NRR 41.7 %; owner's accounts 62.5 %).
"""

from __future__ import annotations

import io
from decimal import Decimal

import typer
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from accord.app import commands as cli_main
from accord.kpis import charts, report_cli
from test_kpi_pages import arrange_portfolio, sign_in

runner = CliRunner()


def pdf_text(data: bytes) -> str:
    import pypdf
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def test_the_report_page_shows_tiles_bridge_trend_movers_and_tables(sessions, cast, client):
    arrange_portfolio(sessions, cast)
    sign_in(client, "admin@accord.test")
    r = client.get("/dashboard/report?as_of=2025-12")
    assert r.status_code == 200
    html = r.text
    assert "Monthly performance report — 2025-12" in html and "Whole portfolio" in html
    assert "41.7 %" in html and "33.3 %" in html
    assert 'aria-label="Revenue bridge from starting to ending revenue"' in html
    assert 'data-series="NRR"' in html and 'class="cutoff cutoff-A"' in html
    for movement, name in (("churned", "Globex Corporation"), ("contracted", "Initech"),
                           ("expanded", "Acme Industries"), ("new", "Umbrella")):
        table = html.split(f'id="movers-{movement}"', 1)[1].split("</table>", 1)[0]
        assert name in table, movement
    for key in ("manager", "segment", "tier"):
        assert f'id="by-{key}"' in html
    assert 'href="/dashboard/report.pdf?as_of=2025-12"' in html


def test_the_pdf_report_is_a_pdf_with_the_portfolio_figures(sessions, cast, client):
    arrange_portfolio(sessions, cast)
    sign_in(client, "admin@accord.test")
    r = client.get("/dashboard/report.pdf?as_of=2025-12")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    text = pdf_text(r.content)
    assert "Monthly performance report" in text and "Whole portfolio" in text
    assert "41.7 %" in text and "7,200.00" in text and "3,840.00" in text
    assert "Globex Corporation" in text


def test_a_report_for_one_manager_covers_their_accounts_only(sessions, cast, client):
    arrange_portfolio(sessions, cast)
    sign_in(client, "head@accord.test")  # heads the owner's team
    html = client.get("/dashboard/report?as_of=2025-12&manager=owner@accord.test").text
    assert "Olivia Owner (owner@accord.test)" in html
    assert "62.5 %" in html and "4,800.00" in html
    assert "Globex" not in html and "Hooli" not in html
    pdf = client.get("/dashboard/report.pdf?as_of=2025-12&manager=owner@accord.test")
    assert pdf.status_code == 200
    assert "owner-accord.test" in pdf.headers["content-disposition"]
    text = pdf_text(pdf.content)
    assert "62.5 %" in text and "Globex" not in text


def test_a_manager_cannot_read_another_managers_report(sessions, cast, client):
    arrange_portfolio(sessions, cast)
    sign_in(client, "outsider@accord.test")
    for path in ("/dashboard/report?manager=owner@accord.test",
                 "/dashboard/report.pdf?manager=owner@accord.test"):
        r = client.get(path)
        assert r.status_code == 404 and "62.5" not in r.text and "Acme" not in r.text
    own = client.get("/dashboard/report?as_of=2025-12").text
    assert "Acme" not in own and "Globex Corporation" in own


def _cli() -> typer.Typer:
    app = typer.Typer()
    app.callback()(cli_main._global)
    report_cli.register(app)
    return app


def _run(database_url: str, *args: str):
    return runner.invoke(_cli(), ["--database-url", database_url, *args])


def test_the_cli_writes_the_report_as_pdf_and_html(sessions, cast, database_url, tmp_path):
    arrange_portfolio(sessions, cast)
    pdf = tmp_path / "report.pdf"
    result = _run(database_url, "kpi-report", "--as-of", "2025-12", "--output", str(pdf))
    assert result.exit_code == 0, result.output
    assert "PDF report for Whole portfolio, as of 2025-12" in result.output
    assert pdf.read_bytes().startswith(b"%PDF") and "41.7 %" in pdf_text(pdf.read_bytes())
    html = tmp_path / "owner.out"
    result = _run(database_url, "kpi-report", "--as-of", "2025-12", "--manager",
                  "owner@accord.test", "--format", "html", "--output", str(html))
    assert result.exit_code == 0, result.output
    page = html.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and "62.5 %" in page and "Globex" not in page
    assert "<nav" not in page and "/static/" not in page  # standalone, printable


def test_the_cli_refuses_a_manager_the_acting_user_may_not_see(sessions, cast, database_url,
                                                              tmp_path):
    arrange_portfolio(sessions, cast)
    out = tmp_path / "r.pdf"
    result = _run(database_url, "--as", "outsider@accord.test", "kpi-report", "--manager",
                  "owner@accord.test", "--output", str(out))
    assert result.exit_code != 0 and not out.exists()
    result = _run(database_url, "kpi-report", "--as-of", "2031-01", "--output", str(out))
    assert result.exit_code != 0 and not out.exists()


amounts = st.decimals(min_value=0, max_value=10**9, places=2)


@given(start=amounts, expansion=amounts, new=amounts, reactivated=amounts,
       lost=st.fractions(min_value=0, max_value=1), churn_part=st.fractions(0, 1))
def test_the_waterfall_steps_reconcile_from_starting_to_ending_revenue(
    start, expansion, new, reactivated, lost, churn_part
):
    loss = (start * Decimal(lost.numerator) / Decimal(lost.denominator)).quantize(Decimal("0.01"))
    churned = (loss * Decimal(churn_part.numerator) / Decimal(churn_part.denominator)).quantize(
        Decimal("0.01"))
    contraction = loss - churned
    ending = start + expansion - contraction - churned + new + reactivated
    p = {"starting_revenue": start, "expansion_revenue": expansion,
         "contraction_revenue": contraction, "churned_revenue": churned, "new_revenue": new,
         "reactivated_revenue": reactivated, "ending_revenue": ending}
    spans = charts.bridge_spans(p)
    running = Decimal(0)
    for s in spans[:-1]:
        if s["sign"] == 0:
            running = s["high"]
        else:
            assert s["high"] - s["low"] == s["amount"]
            assert running in (s["low"], s["high"])
            running += s["sign"] * s["amount"]
        assert s["low"] >= 0
    assert running == spans[-1]["high"] == ending
    svg = str(charts.bridge(p))
    assert svg.count("<rect") == 7 and "NaN" not in svg
