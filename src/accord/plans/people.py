"""The key people of a plan (``plans.service`` re-exports these): contacts linked to the
account, with a buying role and a "reports to" link to another key person, without loops."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from accord.accounts.models import AccountContact
from accord.core import audit
from accord.core.errors import FieldProblem, NotFound, ValidationFailed
from accord.core.models import User
from accord.plans import rules
from accord.plans.access import touch, writable_plan
from accord.plans.models import AccountPlan, PlanKeyPerson
from accord.plans.reading import plan_for
from accord.plans.schemas import KeyPersonIn, KeyPersonPatch, PlanOut


def _reports_to_map(session: Session, plan_id: int) -> dict[int, int | None]:
    rows = session.execute(
        select(PlanKeyPerson.contact_id, PlanKeyPerson.reports_to_contact_id).where(
            PlanKeyPerson.plan_id == plan_id
        )
    )
    return {contact_id: boss for contact_id, boss in rows}


def _check_reports_to(
    session: Session, plan: AccountPlan, contact_id: int, boss: int | None
) -> None:
    if boss is None:
        return
    links = _reports_to_map(session, plan.id)
    field = "reports_to_contact_id"
    if boss == contact_id:
        raise ValidationFailed([FieldProblem(field, "a person cannot report to themself")])
    if boss not in links:
        raise ValidationFailed(
            [FieldProblem(field, f"contact {boss} is not a key person of this plan")]
        )
    if rules.makes_cycle(links, contact_id, boss):
        raise ValidationFailed(
            [FieldProblem(field, "that would make a loop: they already report to this person")]
        )


def _person_state(person: PlanKeyPerson, account_id: int) -> dict[str, Any]:
    return {
        "account_id": account_id,
        "plan_id": person.plan_id,
        "contact_id": person.contact_id,
        "buying_role": person.buying_role,
        "reports_to_contact_id": person.reports_to_contact_id,
        "note": person.note,
    }


def add_key_person(
    session: Session, user: User, plan_id: int, data: KeyPersonIn, *, today: date
) -> PlanOut:
    """A contact of the account as a key person of the plan."""
    plan, account = writable_plan(session, user, plan_id)
    if data.contact_id is None:
        raise ValidationFailed([FieldProblem("contact_id", "choose a contact of the account")])
    link = session.get(AccountContact, (plan.account_id, data.contact_id))
    if link is None:
        raise ValidationFailed(
            [FieldProblem("contact_id", f"contact {data.contact_id} is not a contact of "
                                        f"{account.name}")]
        )
    taken = session.scalar(
        select(PlanKeyPerson.id).where(
            PlanKeyPerson.plan_id == plan.id, PlanKeyPerson.contact_id == data.contact_id
        )
    )
    if taken is not None:
        raise ValidationFailed([FieldProblem("contact_id", "already a key person of this plan")])
    _check_reports_to(session, plan, data.contact_id, data.reports_to_contact_id)
    person = PlanKeyPerson(
        plan_id=plan.id,
        contact_id=data.contact_id,
        buying_role=(data.buying_role.value if data.buying_role else link.buying_role),
        reports_to_contact_id=data.reports_to_contact_id,
        note=data.note,
    )
    session.add(person)
    touch(plan)
    session.flush()
    audit.record(
        session, user, "create", "plan_key_person", person.id,
        after=_person_state(person, plan.account_id),
    )
    return plan_for(session, user, plan, account, today)


def update_key_person(
    session: Session, user: User, person_id: int, data: KeyPersonPatch, *, today: date
) -> PlanOut:
    person = session.get(PlanKeyPerson, person_id)
    if person is None:
        raise NotFound(f"no key person {person_id}")
    try:
        plan, account = writable_plan(session, user, person.plan_id)
    except NotFound:
        raise NotFound(f"no key person {person_id}") from None
    given = data.given()
    before = _person_state(person, plan.account_id)
    if "reports_to_contact_id" in given:
        _check_reports_to(session, plan, person.contact_id, data.reports_to_contact_id)
        person.reports_to_contact_id = data.reports_to_contact_id
    if "buying_role" in given:
        person.buying_role = data.buying_role.value if data.buying_role else None
    if "note" in given:
        person.note = data.note
    touch(plan)
    session.flush()
    changed_before, changed_after = audit.changed_fields(
        before, _person_state(person, plan.account_id)
    )
    if changed_after:
        audit.record(
            session, user, "update", "plan_key_person", person.id, account_id=plan.account_id,
            before=changed_before, after=changed_after,
        )
    return plan_for(session, user, plan, account, today)


def remove_key_person(
    session: Session, user: User, plan_id: int, person_id: int, *, today: date
) -> PlanOut:
    """Take a key person off the plan; those who reported to them report to nobody."""
    plan, account = writable_plan(session, user, plan_id)
    person = session.get(PlanKeyPerson, person_id)
    if person is None or person.plan_id != plan.id:
        raise NotFound(f"no key person {person_id} in plan {plan_id}")
    before = _person_state(person, plan.account_id)
    session.execute(
        update(PlanKeyPerson)
        .where(
            PlanKeyPerson.plan_id == plan.id,
            PlanKeyPerson.reports_to_contact_id == person.contact_id,
        )
        .values(reports_to_contact_id=None)
    )
    session.delete(person)
    touch(plan)
    session.flush()
    audit.record(session, user, "delete", "plan_key_person", person_id, before=before)
    return plan_for(session, user, plan, account, today)
