"""The proposals' front doors on both databases: the API (create, problems named by field,
the 404 wall, If-Match, send and accept), the pages (new from opportunities, inline errors,
send / accept), the PDF (its text read with pypdf: the offer, the total, the company and a
benchmark's absence) and ``accord proposals``."""

from __future__ import annotations

import io
from decimal import Decimal

import pypdf
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from accord.app.commands import app as cli_app
from accord.app.commands import hoist_global_options
from accord.core.database import utcnow
from accord.growth.models import ProductLine
from accord.growth.opportunities.models import Opportunity
from accord.proposals.models import Proposal
from conftest import api_client
from page_helpers import sign_in

runner = CliRunner()
OFFER = {"description": "Pumps PX-200", "quantity": "3", "unit_price": "1250.00",
         "discount": "50.00", "tax_rate": "20"}


def _arrange(sessions, cast) -> tuple[int, int]:
    with sessions.begin() as s:
        line = ProductLine(name="Pumps", description="", position=0, created_at=utcnow())
        s.add(line)
        s.flush()
        opp = Opportunity(account_id=cast.acme_id, title="Second plant pumps",
                          kind="cross_sell", stage="proposed", value=Decimal("4000"),
                          probability=50, next_step="", created_at=utcnow(),
                          updated_at=utcnow())
        s.add(opp)
        s.flush()
        return opp.id, line.id


def _proposals(db) -> int:
    db.rollback()
    return int(db.scalar(select(func.count()).select_from(Proposal)) or 0)


def test_the_api_creates_edits_sends_and_accepts(app, sessions, cast, db) -> None:
    opp, line = _arrange(sessions, cast)
    owner = api_client(app, cast.token(sessions, "owner"))
    base = f"/api/v1/accounts/{cast.acme_id}/proposals"
    refused = owner.post(base, json={"title": "x", "opportunity_ids": [opp],
                                     "offers": [{**OFFER, "discount": "1300"}]})
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["offers.0.discount"]
    assert _proposals(db) == 0
    outsider = api_client(app, cast.token(sessions, "outsider"))
    wall = outsider.post(base, json={"title": "x", "opportunity_ids": [opp]})
    assert wall.status_code == 404 and _proposals(db) == 0
    made = owner.post(base, json={"title": "Second plant", "opportunity_ids": [opp],
                                  "offers": []})
    assert made.status_code == 201, made.text
    pid = made.json()["id"]
    empty = owner.post(f"/api/v1/proposals/{pid}/send")
    assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "offers"
    etag = owner.get(f"/api/v1/proposals/{pid}").headers["etag"]
    stale = owner.patch(f"/api/v1/proposals/{pid}", json={"offers": [OFFER]},
                        headers={"If-Match": '"99"'})
    assert stale.status_code == 409
    edited = owner.patch(f"/api/v1/proposals/{pid}",
                         json={"offers": [{**OFFER, "product_line_id": line}]},
                         headers={"If-Match": etag})
    assert edited.status_code == 200, edited.text
    assert edited.json()["totals"]["total"] == "4320.00"
    assert outsider.get(f"/api/v1/proposals/{pid}").status_code == 404
    assert owner.post(f"/api/v1/proposals/{pid}/send").json()["status"] == "sent"
    accepted = owner.post(f"/api/v1/proposals/{pid}/accept")
    assert accepted.status_code == 200 and accepted.json()["opportunities"][0]["stage"] == "won"
    listed = owner.get("/api/v1/proposals").json()
    assert listed["total"] == 1 and listed["items"][0]["status"] == "accepted"


def test_the_pages_build_edit_send_and_download(app, sessions, cast, db) -> None:
    opp, line = _arrange(sessions, cast)
    client = TestClient(app)
    token = sign_in(client, "owner@accord.test")
    page = client.get(f"/accounts/{cast.acme_id}/proposals")
    assert page.status_code == 200 and "Second plant pumps" in page.text
    missing = client.post(f"/accounts/{cast.acme_id}/proposals",
                          data={"csrf_token": token, "title": "Plant 2"})
    assert missing.status_code == 422 and _proposals(db) == 0
    made = client.post(f"/accounts/{cast.acme_id}/proposals", follow_redirects=False,
                       data={"csrf_token": token, "title": "Plant 2", "opportunity_ids": str(opp)})
    assert made.status_code == 303, made.text
    url = made.headers["location"]
    shown = client.get(url)
    assert "Second plant pumps" in shown.text and 'id="edit-proposal"' in shown.text
    form = {"csrf_token": token, "title": "Plant 2", "offer-0-description": "Pumps PX-200",
            "offer-0-product_line_id": str(line), "offer-0-quantity": "3",
            "offer-0-unit_price": "1250", "offer-0-discount": "1300", "offer-0-tax_rate": "20"}
    bad = client.post(url, data=form)
    assert bad.status_code == 422 and 'id="offer-0-discount-error"' in bad.text
    assert 'value="1300"' in bad.text
    good = client.post(url, data={**form, "offer-0-discount": "50"}, follow_redirects=False)
    assert good.status_code == 303
    sent = client.post(f"{url}/send", data={"csrf_token": token}, follow_redirects=False)
    assert sent.status_code == 303
    pdf = client.get(f"{url}.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Pumps PX-200" in text and "4,320.00" in text and "Accord demo company" in text
    assert "page 1 of 1" in text
    assert "Too few similar accounts" in text  # the benchmark section, with no cohort here
    accepted = client.post(f"{url}/accept", data={"csrf_token": token}, follow_redirects=False)
    assert accepted.status_code == 303
    assert 'id="proposal-status">accepted' in client.get(url).text
    outsider = TestClient(app)
    sign_in(outsider, "outsider@accord.test")
    assert outsider.get(url).status_code == 404
    assert outsider.get(f"{url}.pdf").status_code == 404


def test_a_long_offer_breaks_across_pages_with_numbers(app, sessions, cast, db) -> None:
    opp, _ = _arrange(sessions, cast)
    owner = api_client(app, cast.token(sessions, "owner"))
    made = owner.post(f"/api/v1/accounts/{cast.acme_id}/proposals", json={
        "title": "Many lines", "opportunity_ids": [opp],
        "offers": [{**OFFER, "description": f"Line number {i}"} for i in range(90)]})
    assert made.status_code == 201, made.text
    client = TestClient(app)
    sign_in(client, "owner@accord.test")
    pdf = client.get(f"/proposals/{made.json()['id']}.pdf")
    pages = pypdf.PdfReader(io.BytesIO(pdf.content)).pages
    assert len(pages) >= 2
    for n, page in enumerate(pages, 1):
        text = page.extract_text()
        assert f"page {n} of {len(pages)}" in text
        assert "Unit price" in text or n == len(pages) and "Total" in text  # head repeated
    everything = "\n".join(p.extract_text() for p in pages)
    assert all(f"Line number {i}\n" in everything or f"Line number {i} " in everything
               for i in range(90))


def _cli(database_url: str, *args: str):
    return runner.invoke(cli_app, hoist_global_options(
        [*args, "--database-url", database_url, "--as", "owner@accord.test"]))


def test_the_cli_lists_and_renders(app, sessions, cast, database_url, tmp_path) -> None:
    opp, _ = _arrange(sessions, cast)
    owner = api_client(app, cast.token(sessions, "owner"))
    pid = owner.post(f"/api/v1/accounts/{cast.acme_id}/proposals", json={
        "title": "Plant 2", "opportunity_ids": [opp], "offers": [OFFER]}).json()["id"]
    listed = _cli(database_url, "proposals", "list", "--format", "json")
    assert listed.exit_code == 0, listed.output
    assert '"Plant 2"' in listed.output
    out = tmp_path / "p.pdf"
    done = _cli(database_url, "proposals", "render", str(pid), "--format", "pdf", "-o", str(out))
    assert done.exit_code == 0, done.output
    assert "4,320.00" in pypdf.PdfReader(str(out)).pages[0].extract_text()
    html = tmp_path / "p.html"
    assert _cli(database_url, "proposals", "render", str(pid), "--format", "html", "-o",
                str(html)).exit_code == 0
    assert "Pumps PX-200" in html.read_text()
    missing = _cli(database_url, "proposals", "render", "999999", "-o", str(html))
    assert missing.exit_code != 0
