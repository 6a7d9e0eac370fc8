"""Departments' service on both databases: admins create and edit them (audited, versioned),
set members and holidays, save checklists and seed the standard set; everyone else may only
read; bad input is a 422 naming the field that writes nothing; the accessors the brief form
uses."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from accord.agency.access import department_ids
from accord.agency.departments import rules, service
from accord.agency.models import DeliverableType, Department, DepartmentHoliday, DepartmentMember
from accord.core.database import utcnow
from accord.core.errors import Forbidden, NotFound, ValidationFailed
from accord.core.models import AuditEntry, User
from accord.core.versions import Expected, Stale


def _user(db, who) -> User:
    return db.get(User, who.id)


def _specialist(db, email="spec@accord.test") -> User:
    user = User(email=email, role="specialist", name="Sid Specialist", capacity=100,
                is_active=True, created_at=utcnow())
    db.add(user)
    db.flush()
    return user


def _counts(db) -> tuple[int, ...]:
    db.flush()
    return tuple(int(db.scalar(select(func.count()).select_from(m)) or 0)
                 for m in (Department, DepartmentMember, DepartmentHoliday, AuditEntry))


def _field(exc: pytest.ExceptionInfo[ValidationFailed]) -> set[str]:
    return {p.field for p in exc.value.problems}


def test_an_admin_creates_a_department_with_its_kinds_template(db, cast) -> None:
    admin = _user(db, cast.admin)
    out = service.create_department(db, admin, {"name": "Creative", "lead_id": cast.head.id,
                                                "time_zone": "Europe/Prague",
                                                "weekdays": [0, 1, 2, 3], "turnaround_days": 4})
    assert [s.key for s in out.sections] == [
        "objective", "audience", "message", "mandatories", "formats"]
    assert out.lead is not None
    assert (out.lead.email, out.time_zone, out.weekdays, out.turnaround_days, out.version) == (
        "head@accord.test", "Europe/Prague", [0, 1, 2, 3], 4, 1)
    other = service.create_department(db, admin, {"name": "Social"})
    assert [s.key for s in other.sections] == ["objective", "deliverables", "background"]
    assert other.weekdays is None and other.time_zone == "UTC" and other.turnaround_days == 5
    entry = db.scalar(select(AuditEntry).where(AuditEntry.entity == "department",
                                               AuditEntry.entity_id == str(out.id)))
    assert entry.action == "create" and entry.after["name"] == "Creative"
    assert entry.account_id is None
    assert service.template_of(db, out.id)[0]["key"] == "objective"
    assert service.department_choices(db) == [(out.id, "Creative"), (other.id, "Social")]
    with pytest.raises(NotFound, match="no department 99999"):
        service.template_of(db, 99999)


@pytest.mark.parametrize("data, field", [
    ({"name": "Media", "time_zone": "Mars/Olympus"}, "time_zone"),
    ({"name": "Media", "turnaround_days": 0}, "turnaround_days"),
    ({"name": "Media", "turnaround_days": 366}, "turnaround_days"),
    ({"name": "creative"}, "name"),  # exists as "Creative": unique whatever the case
    ({"name": ""}, "name"),
    ({"name": "Media", "sections": []}, "sections"),
    ({"name": "Media", "weekdays": [0, 7]}, "weekdays"),
    ({"name": "Media", "weekdays": []}, "weekdays"),
    ({"name": "Media", "lead_id": 987654}, "lead_id"),
    ({"name": "Media", "lead_email": "nobody@accord.test"}, "lead"),
    ({"name": "Media", "sections": [{"key": "a b", "label": "A"}]}, "sections.0.key"),
])
def test_bad_input_names_the_field_and_writes_nothing(db, cast, data, field) -> None:
    admin = _user(db, cast.admin)
    service.create_department(db, admin, {"name": "Creative"})
    before = _counts(db)
    with pytest.raises(ValidationFailed) as exc:
        service.create_department(db, admin, data)
    assert field in _field(exc) and exc.value.status == 422
    assert _counts(db) == before


def test_an_edit_with_bad_input_writes_nothing(db, cast) -> None:
    admin = _user(db, cast.admin)
    made = service.create_department(db, admin, {"name": "Creative"})
    service.create_department(db, admin, {"name": "Media"})
    before = _counts(db)
    for data, field in (({"time_zone": "Nowhere/Land"}, "time_zone"),
                        ({"turnaround_days": 0}, "turnaround_days"),
                        ({"name": "MEDIA"}, "name"),
                        ({"sections": []}, "sections"),
                        ({"sections": None}, "sections"),
                        ({"weekdays": [7]}, "weekdays"),
                        ({"is_active": "yes"}, "is_active")):
        with pytest.raises(ValidationFailed) as exc:
            service.update_department(db, admin, made.id, data)
        assert field in _field(exc), data
    assert _counts(db) == before
    assert service.get_department(db, admin, made.id).version == 1


def test_edits_are_audited_and_versioned(db, cast) -> None:
    admin = _user(db, cast.admin)
    made = service.create_department(db, admin, {"name": "Creative"})
    out = service.update_department(db, admin, made.id, {
        "turnaround_days": 8, "weekdays": None, "name": "Creative ",
        "sections": [{"key": "objective", "label": "Goal", "hint": ""}]},
        expected=Expected(1))
    assert (out.version, out.turnaround_days, [s.label for s in out.sections]) == (
        2, 8, ["Goal"])
    entry = db.scalars(select(AuditEntry).where(AuditEntry.entity == "department")
                       .order_by(AuditEntry.id.desc())).first()
    assert entry.action == "update" and entry.before == {
        "turnaround_days": 5, "sections": rules.DEFAULT_TEMPLATES["creative"]}
    assert set(entry.after) == {"turnaround_days", "sections"}
    with pytest.raises(Stale):
        service.update_department(db, admin, made.id, {"turnaround_days": 9},
                                  expected=Expected(1))
    audits = _counts(db)[3]
    assert service.update_department(db, admin, made.id, {"turnaround_days": 8}).version == 2
    assert _counts(db)[3] == audits  # nothing changed, nothing recorded
    off = service.update_department(db, admin, made.id, {"is_active": False})
    assert off.is_active is False and service.department_choices(db) == []


def test_only_admins_write(db, cast) -> None:
    admin = _user(db, cast.admin)
    made = service.create_department(db, admin, {"name": "Creative"})
    specialist = _specialist(db)
    before = _counts(db)
    for who in (_user(db, cast.head), _user(db, cast.owner), _user(db, cast.viewer),
                _user(db, cast.billing), specialist):
        for attempt in (
            lambda u: service.create_department(db, u, {"name": "Media"}),
            lambda u: service.update_department(db, u, made.id, {"turnaround_days": 3}),
            lambda u: service.set_members(db, u, made.id, [u.id]),
            lambda u: service.add_holiday(db, u, made.id, date(2027, 1, 1), "x"),
            lambda u: service.remove_holiday(db, u, made.id, date(2027, 1, 1)),
            lambda u: service.save_deliverable_type(db, u, "report", {
                "name": "Report", "items": [{"key": "a", "label": "A"}]}),
            lambda u: service.seed_defaults(db, u),
        ):
            with pytest.raises(Forbidden):
                attempt(who)
        # everyone reads
        assert service.get_department(db, who, made.id).name == "Creative"
        assert service.list_departments(db, who).total == 1
    assert _counts(db) == before


def test_members_and_what_membership_grants(db, cast) -> None:
    admin = _user(db, cast.admin)
    creative = service.create_department(db, admin, {"name": "Creative"})
    media = service.create_department(db, admin, {"name": "Media", "lead_id": cast.owner.id})
    specialist = _specialist(db)
    out = service.set_members(db, admin, creative.id, [specialist.id, cast.viewer.id])
    assert [m.email for m in out.members] == ["spec@accord.test", "viewer@accord.test"]
    assert out.member_count == 2 and out.version == 2
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "members")).one()
    assert entry.after["joined"] == sorted([specialist.id, cast.viewer.id])
    assert service.my_departments(db, specialist) == [(creative.id, "Creative")]
    assert service.my_departments(db, _user(db, cast.owner)) == [(media.id, "Media")]  # lead
    listed = service.list_departments(db, specialist)
    assert [(d.name, d.is_mine) for d in listed.items] == [("Creative", True),
                                                           ("Media", False)]
    owner_list = service.list_departments(db, _user(db, cast.owner))
    assert [d.name for d in owner_list.items] == ["Media", "Creative"]  # their own first
    # the same members again: nothing written
    audits = _counts(db)[3]
    service.set_members(db, admin, creative.id, [cast.viewer.id, specialist.id])
    assert _counts(db)[3] == audits
    # an inactive or unknown user is refused and nothing changes
    outsider = _user(db, cast.outsider)
    outsider.is_active = False
    db.flush()
    before = _counts(db)
    for ids in ([outsider.id], [987654]):
        with pytest.raises(ValidationFailed) as exc:
            service.set_members(db, admin, creative.id, ids)
        assert "user_ids" in _field(exc)
    with pytest.raises(ValidationFailed) as exc:
        service.set_members_by_email(db, admin, creative.id, ["ghost@accord.test"])
    assert "members" in _field(exc)
    assert _counts(db) == before
    left = service.set_members_by_email(db, admin, creative.id, ["VIEWER@accord.test"])
    assert [m.email for m in left.members] == ["viewer@accord.test"]
    db.expire_all()
    assert department_ids(db, specialist) == []
    with pytest.raises(Forbidden):
        service.list_departments(db, outsider)


def test_holidays(db, cast) -> None:
    admin = _user(db, cast.admin)
    made = service.create_department(db, admin, {"name": "Creative"})
    out = service.add_holiday(db, admin, made.id, date(2027, 5, 3), "Studio day")
    assert [(h.day, h.name) for h in out.holidays] == [(date(2027, 5, 3), "Studio day")]
    renamed = service.add_holiday(db, admin, made.id, date(2027, 5, 3), "Offsite")
    assert [h.name for h in renamed.holidays] == ["Offsite"]
    before = _counts(db)
    for day, name, field in ((date(1899, 12, 31), "", "day"),
                             (date(2027, 5, 4), "n" * 121, "name")):
        with pytest.raises(ValidationFailed) as exc:
            service.add_holiday(db, admin, made.id, day, name)
        assert field in _field(exc)
    assert _counts(db) == before
    gone = service.remove_holiday(db, admin, made.id, date(2027, 5, 3))
    assert gone.holidays == []
    audits = _counts(db)[3]
    assert service.remove_holiday(db, admin, made.id, date(2027, 5, 3)).holidays == []
    assert _counts(db)[3] == audits  # removing a day it does not have writes nothing
    actions = db.scalars(select(AuditEntry.action).where(AuditEntry.entity == "department")
                         .order_by(AuditEntry.id)).all()
    assert actions == ["create", "add_holiday", "add_holiday", "remove_holiday"]
    with pytest.raises(NotFound):
        service.add_holiday(db, admin, 987654, date(2027, 1, 1), "")


def test_at_most_400_holidays(db, cast) -> None:
    admin = _user(db, cast.admin)
    made = service.create_department(db, admin, {"name": "Creative"})
    db.add_all([DepartmentHoliday(department_id=made.id, day=date(2030, 1, 1).fromordinal(
        date(2030, 1, 1).toordinal() + n), name="") for n in range(rules.MAX_HOLIDAYS)])
    db.flush()
    with pytest.raises(ValidationFailed) as exc:
        service.add_holiday(db, admin, made.id, date(2029, 1, 1), "one more")
    assert "day" in _field(exc)


def test_deliverable_types_and_the_standard_set(db, cast) -> None:
    admin = _user(db, cast.admin)
    counts = service.seed_defaults(db, admin)
    assert counts == {"departments": 8, "deliverable_types": 3}
    assert service.seed_defaults(db, admin) == {"departments": 0, "deliverable_types": 0}
    assert [n for _, n in service.department_choices(db)] == sorted(
        rules.STANDARD_DEPARTMENTS, key=str.lower)
    media = next(i for i, n in service.department_choices(db) if n == "Media")
    assert [s["key"] for s in service.template_of(db, media)] == [
        "budget", "period", "channels", "kpis"]
    assert service.checklist_of(db, "media_plan")[0]["key"] == "budget_matches"
    with pytest.raises(NotFound, match="no deliverable type nope"):
        service.checklist_of(db, "nope")
    listed = service.list_deliverable_types(db, _specialist(db))
    assert [t.key for t in listed.items] == ["creative", "media_plan", "report"]
    saved = service.save_deliverable_type(db, admin, "report", {
        "name": "Monthly report", "items": [{"key": "period_right", "label": "Period"}]})
    assert (saved.name, saved.version, len(saved.items)) == ("Monthly report", 2, 1)
    with pytest.raises(Stale):
        service.save_deliverable_type(db, admin, "report", {
            "name": "Report", "items": [{"key": "a", "label": "A"}]}, expected=Expected(1))
    new = service.save_deliverable_type(db, admin, "social_post", {
        "name": "Social post", "items": [{"key": "tone", "label": "Tone of voice"}]})
    assert new.version == 1
    before = (_counts(db), db.scalar(select(func.count()).select_from(DeliverableType)))
    for key, data, field in (
            ("Bad Key", {"name": "X", "items": [{"key": "a", "label": "A"}]}, "key"),
            ("x", {"name": "", "items": [{"key": "a", "label": "A"}]}, "name"),
            ("x", {"name": "X", "items": []}, "items"),
            ("x", {"name": "X", "items": [{"key": "a", "label": "A"}] * 2}, "items.1.key")):
        with pytest.raises(ValidationFailed) as exc:
            service.save_deliverable_type(db, admin, key, data)
        assert field in _field(exc)
    assert (_counts(db), db.scalar(select(func.count()).select_from(DeliverableType))) == before
    audited = db.scalars(select(AuditEntry.action).where(
        AuditEntry.entity == "deliverable_type")).all()
    assert audited.count("create") == 4 and audited.count("update") == 1


def test_the_system_seeds_and_a_ref_finds_a_department(db, cast) -> None:
    assert service.seed_defaults(db, None)["departments"] == 8
    admin = _user(db, cast.admin)
    media = service.find_department_ref(db, admin, "media")
    assert service.find_department_ref(db, admin, str(media)) == media
    with pytest.raises(NotFound, match="no department 'Marketing'"):
        service.find_department_ref(db, admin, "Marketing")
