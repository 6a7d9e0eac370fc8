"""A proposal as a standalone HTML document and as a PDF (WeasyPrint), with the company's
name and logo (``core.company``), page numbers and an offer table whose head repeats on every
page and whose rows are never split. Nothing is fetched from the network: the logo is inline."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from accord.core.company import CompanyPolicy, company_policy
from accord.core.models import User
from accord.proposals.schemas import ProposalOut
from accord.proposals.view import get_proposal


def document(
    session: Session, user: User, proposal_id: int, *, today: date, number: int | None = None
) -> tuple[ProposalOut, CompanyPolicy]:
    """The proposal (with its benchmarks) and the company it is from."""
    return (get_proposal(session, user, proposal_id, today=today, number=number),
            company_policy(session))


def render_html(proposal: ProposalOut, company: CompanyPolicy) -> str:
    # imported here: the accord command loads this module and must start without jinja2
    from accord.web.templating import templates

    template = templates.env.get_template("proposals/print.html")
    return template.render({"p": proposal, "company": company, "request": None,
                            "csrf_token": ""})


def render_pdf(proposal: ProposalOut, company: CompanyPolicy) -> bytes:
    from weasyprint import HTML  # here: slow to load, and only the PDF needs it

    pdf: bytes = HTML(string=render_html(proposal, company)).write_pdf()
    return pdf


def filename(proposal: ProposalOut, ext: str) -> str:
    return f"proposal-{proposal.id}-v{proposal.shown_version}.{ext}"


def context(proposal: ProposalOut, company: CompanyPolicy) -> dict[str, Any]:
    return {"p": proposal, "company": company}
