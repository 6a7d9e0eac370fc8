"""REST API of seats (issue 15): an account's licence users with their assignments, adding
one, assigning a seat and ending one, the usage figures, and the account's e-mail domains.

The doors only parse and answer: who may (``service.require_seat_writer``: whoever may
change the account, billing and admins; readers of the account read), the refusals (beyond
the quantity purchased: 409, nothing written) and the audit are the service's, as for the
seat grid's form and ``accord seats``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from accord.api.common import Caller, CallerToday, Db, IdPath, problems
from accord.core.schemas import PageNumber, SearchText
from accord.licences.seats import reading, service, tenants
from accord.licences.seats.schemas import (
    MAX_PAGE_SIZE,
    AccountUsageOut,
    AssignIn,
    Day,
    DomainIn,
    EndIn,
    LicenceUserIn,
    LicenceUserOut,
    LicenceUserPage,
    SeatOut,
)

router = APIRouter(tags=["licences"])
PageSize = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)]
WRITERS = ("Whoever may change the account (managers, heads, sales on its team, admins) and "
           "billing; anyone else 403, an account out of reach 404.")


@router.get("/accounts/{account_id}/licence-users", response_model=LicenceUserPage,
            responses=problems(404),
            summary="The account's licence users (the people holding seats) by name",
            description="`q`: part of a name or sign-in name. Each with every assignment, "
            "held or ended. Kept apart from the contacts; `contact_id` links one.")
def list_licence_users(account_id: IdPath, db: Db, user: Caller, q: SearchText | None = None,
                       page: PageNumber = 1, page_size: PageSize = 50) -> LicenceUserPage:
    items, total = reading.licence_users(db, user, account_id, q=q, page=page,
                                         page_size=page_size)
    return LicenceUserPage(items=items, total=total, page=page, page_size=page_size)


@router.post("/accounts/{account_id}/licence-users", status_code=201,
             response_model=LicenceUserOut, responses=problems(403, 404, 409),
             summary="Add a licence user",
             description="The sign-in name is unique per account (another: 409); "
             "`contact_id` must be a contact of the same account (else 422). " + WRITERS)
def add_licence_user(account_id: IdPath, body: LicenceUserIn, db: Db,
                     user: Caller) -> LicenceUserOut:
    row = service.add_licence_user(db, user, account_id, body.principal, body.display_name,
                                   body.department, body.contact_id)
    return LicenceUserOut(id=row.id, principal=row.principal, display_name=row.display_name,
                          department=row.department, contact_id=row.contact_id,
                          blocked=row.blocked, left_on=row.left_on, seats=[])


@router.post("/accounts/{account_id}/seats", status_code=201, response_model=SeatOut,
             responses=problems(403, 404, 409),
             summary="Assign a seat of a service to a licence user from a day",
             description="`from_on` left out: today. Beyond the quantity purchased that day "
             "(the account's subscriptions to the service that provide seats): 409 \"all N "
             "seats of … are assigned\", nothing written; a seat held already: 409; an unknown "
             "service or person: 422. " + WRITERS)
def assign_seat(account_id: IdPath, body: AssignIn, db: Db, user: Caller,
                day: CallerToday) -> SeatOut:
    on = body.from_on or day
    row = service.assign(db, user, account_id, body.licence_user_id, body.sku_id, on)
    return SeatOut(id=row.id, sku_id=row.sku_id, service=service.service_name(db, row.sku_id),
                   from_on=row.from_on, to_on=row.to_on, source=row.source)


@router.post("/accounts/{account_id}/seats/{assignment_id}/end", response_model=None,
             responses={**problems(403, 404, 409), 200: {"model": SeatOut},
                        204: {"description": "The assignment began on or after `on`: deleted"}},
             summary="End a seat assignment: not held from a day on",
             description="`on` left out: today. The assignment ends the day before; one that "
             "begins on or after `on` is deleted (204). One ended already: 409. " + WRITERS)
def end_seat(account_id: IdPath, assignment_id: IdPath, db: Db, user: Caller,
             day: CallerToday, body: EndIn | None = None) -> SeatOut | Response:
    row = service.end_assignment(db, user, account_id, assignment_id,
                                 (body.on if body else None) or day)
    if row is None:
        return Response(status_code=204)
    return SeatOut(id=row.id, sku_id=row.sku_id, service=service.service_name(db, row.sku_id),
                   from_on=row.from_on, to_on=row.to_on, source=row.source)


@router.get("/accounts/{account_id}/seat-usage", response_model=AccountUsageOut,
            responses=problems(404),
            summary="Allocation, adoption and utilisation per service, subscription, account",
            description="Allocation = assigned ÷ purchased; adoption = active ÷ assigned where "
            "a usage report covers the person; utilisation = active ÷ purchased, or assigned "
            "÷ purchased where no activity is known (KPIS.md). A seat is active when a "
            "workload of its product was used within `active_days` (setting). `on`: the day "
            "(default today).")
def seat_usage(account_id: IdPath, db: Db, user: Caller, day: CallerToday,
               on: Annotated[Day | None, Query()] = None) -> AccountUsageOut:
    return reading.usage(db, user, account_id, on or day)


@router.get("/accounts/{account_id}/domains", response_model=list[str],
            responses=problems(404),
            summary="The account's e-mail domains (how a tenant's export finds its account)")
def list_domains(account_id: IdPath, db: Db, user: Caller) -> list[str]:
    return tenants.domains_of(db, user, account_id)


@router.post("/accounts/{account_id}/domains", status_code=201, response_model=list[str],
             responses=problems(403, 404, 409),
             summary="Add an e-mail domain to the account",
             description="Lower case, no `@`; a domain names one account (another's: 409); "
             "a malformed one: 422 on `domain`. Answers the account's domains. " + WRITERS)
def add_domain(account_id: IdPath, body: DomainIn, db: Db, user: Caller) -> list[str]:
    tenants.add_domain(db, user, account_id, body.domain)
    return tenants.domains_of(db, user, account_id)


@router.delete("/accounts/{account_id}/domains/{domain}", status_code=204,
               responses=problems(403, 404),
               summary="Remove an e-mail domain from the account", description=WRITERS)
def remove_domain(account_id: IdPath, db: Db, user: Caller,
                  domain: Annotated[str, Path(max_length=254)]) -> Response:
    tenants.remove_domain(db, user, account_id, domain)
    return Response(status_code=204)

