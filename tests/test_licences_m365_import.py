"""Microsoft 365 tenant files through the import use case (both databases): imported twice
the second changes nothing; a person who left frees their seats; an over-assigned tenant is
written and flagged; an unknown product name, a concealed report or a duplicated user
refuses the file with nothing written; the command line exits non-zero on a refusal."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from accord.app.commands import app as cli_app
from accord.app.commands import hoist_global_options
from accord.core.errors import Forbidden, NotFound, ValidationFailed
from accord.core.models import AuditEntry, User
from accord.exchange.importing import run_import
from accord.licences.models import (
    AccountDomain,
    LicenceUser,
    ProductName,
    SeatActivity,
    SeatAssignment,
    SkuService,
)
from accord.licences.subscriptions import service as subscriptions
from accord.licences.subscriptions.schemas import SubscriptionIn
from licence_helpers import make_sku

FIXTURES = Path(__file__).parent / "fixtures" / "m365"
D1, D2 = date(2026, 3, 1), date(2026, 3, 10)


def _as(s: Session, who: Any) -> User:
    user = s.get(User, who.id)
    assert user is not None
    return user


@pytest.fixture
def tenant(sessions: sessionmaker[Session], cast: Any) -> dict[str, int]:
    """E3 (2 seats bought) and EMS E5 (none) mapped by the admin centre's names; Acme owns
    acme.test."""
    with sessions.begin() as s:
        e3 = make_sku(s)
        ems = make_sku(s, "EMS-E5", "Enterprise Mobility + Security E5", line="Security")
        s.add_all([ProductName(name="Microsoft 365 E3", key="MICROSOFT 365 E3", sku_id=e3),
                   ProductName(name="Enterprise Mobility + Security E5",
                               key="ENTERPRISE MOBILITY + SECURITY E5", sku_id=ems),
                   SkuService(sku_id=e3, service="exchange"),
                   SkuService(sku_id=e3, service="teams"),
                   AccountDomain(domain="acme.test", account_id=cast.acme_id)])
        subscriptions.add_subscription(s, _as(s, cast.billing), SubscriptionIn(
            account_id=cast.acme_id, sku_id=e3, start_on=date(2026, 1, 1), quantity=2,
            unit_price=Decimal("432")), D1)
        return {"e3": e3, "ems": ems}


def _import(sessions: sessionmaker[Session], who: Any, kind: str, name: str,
            day: date = D1, **kw: Any) -> Any:
    with sessions.begin() as s:
        return run_import(s, _as(s, who), kind, FIXTURES / name, today=day, **kw)


def _state(sessions: sessionmaker[Session]) -> tuple[Any, ...]:
    with sessions() as s:
        return tuple(sorted(tuple(r) for r in s.execute(select(*cols)).all()) for cols in (
            (LicenceUser.principal, LicenceUser.display_name, LicenceUser.blocked,
             LicenceUser.left_on),
            (SeatAssignment.licence_user_id, SeatAssignment.sku_id, SeatAssignment.from_on,
             SeatAssignment.to_on, SeatAssignment.source),
            (SeatActivity.licence_user_id, SeatActivity.service, SeatActivity.last_active_on)))


def _audits(sessions: sessionmaker[Session]) -> int:
    with sessions() as s:
        return int(s.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def test_imported_twice_then_a_leaver_frees_seats(sessions: sessionmaker[Session], cast: Any,
                                                  tenant: dict[str, int]) -> None:
    first = _import(sessions, cast.owner, "m365-users", "active_users.csv")
    assert first.status == "imported", first.problems
    assert (first.account_id, first.rows, first.inserted, first.seats_assigned) == (
        cast.acme_id, 5, 5, 5)
    # three E3 holders for two seats bought; EMS bought none: written and flagged
    assert first.over_assigned == ["Enterprise Mobility + Security E5: 2 seats assigned, "
                                   "0 purchased", "Microsoft 365 E3: 3 seats assigned, "
                                   "2 purchased"]
    state = _state(sessions)
    again = _import(sessions, cast.owner, "m365-users", "active_users.csv")
    assert (again.inserted, again.updated, again.unchanged, again.seats_assigned,
            again.seats_freed) == (0, 0, 5, 0, 0)
    assert _state(sessions) == state

    left = _import(sessions, cast.billing, "m365-users", "active_users_ben_left.csv", D2,
                   account_id=cast.acme_id)
    assert (left.people_left, left.seats_freed, left.unchanged) == (1, 1, 4)
    with sessions() as s:
        ben = s.scalar(select(LicenceUser).where(LicenceUser.principal == "ben.brook@acme.test"))
        assert ben is not None and ben.left_on == D2
        assert s.execute(select(SeatAssignment.to_on).where(
            SeatAssignment.licence_user_id == ben.id)).scalars().all() == [date(2026, 3, 9)]
    assert left.over_assigned == ["Enterprise Mobility + Security E5: 2 seats assigned, "
                                  "0 purchased"]


def test_the_usage_report_writes_activity_once(sessions: sessionmaker[Session], cast: Any,
                                               tenant: dict[str, int]) -> None:
    _import(sessions, cast.owner, "m365-users", "active_users.csv")
    usage = _import(sessions, cast.owner, "m365-usage", "usage_detail.csv", D2)
    assert usage.status == "imported", usage.problems
    # the report is as of its refresh date; Ben was deleted on 20 February; the boardroom
    # is not in the report: it left
    assert (usage.as_of, usage.people_left) == (date(2026, 3, 8), 2)
    with sessions() as s:
        ann = s.scalar(select(LicenceUser.id).where(
            LicenceUser.principal == "ann.archer@acme.test"))
        assert dict(s.execute(select(SeatActivity.service, SeatActivity.last_active_on).where(
            SeatActivity.licence_user_id == ann)).all())["exchange"] == date(2026, 3, 7)
    state, audits = _state(sessions), _audits(sessions)
    again = _import(sessions, cast.owner, "m365-usage", "usage_detail.csv", D2)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 4)
    assert _state(sessions) == state
    assert _audits(sessions) == audits + 1  # the import's summary only


@pytest.mark.parametrize(("name", "row", "column", "words"), [
    ("active_users_unknown_product.csv", 3, "Licenses", "unknown product name 'VISIO PLAN 2'"),
    ("active_users_duplicate.csv", 7, "User principal name", "rows 3 and 7"),
    ("usage_concealed.csv", 2, "User Principal Name", "Display concealed user, group, and site"),
])
def test_a_bad_file_is_refused_whole(sessions: sessionmaker[Session], cast: Any,
                                     tenant: dict[str, int], name: str, row: int, column: str,
                                     words: str) -> None:
    kind = "m365-usage" if name.startswith("usage") else "m365-users"
    state, audits = _state(sessions), _audits(sessions)
    report = _import(sessions, cast.owner, kind, name, account_id=cast.acme_id)
    assert report.status == "rejected"
    assert [(p.row, p.column) for p in report.problems] == [(row, column)]
    assert words in report.problems[0].reason
    assert _state(sessions) == state and _audits(sessions) == audits


def test_who_may_and_what_is_refused_up_front(sessions: sessionmaker[Session], cast: Any,
                                              tenant: dict[str, int]) -> None:
    with pytest.raises(Forbidden):
        _import(sessions, cast.viewer, "m365-users", "active_users.csv", account_id=cast.acme_id)
    with pytest.raises(NotFound):
        _import(sessions, cast.outsider, "m365-users", "active_users.csv",
                account_id=cast.acme_id)
    with pytest.raises(ValidationFailed, match="skip_invalid"):
        _import(sessions, cast.owner, "m365-users", "active_users.csv", skip_invalid=True)
    with pytest.raises(ValidationFailed, match="exported, not imported"):
        _import(sessions, cast.owner, "seats", "active_users.csv")
    with sessions.begin() as s:
        s.execute(delete(AccountDomain))
    nobody = _import(sessions, cast.owner, "m365-users", "active_users.csv")
    assert nobody.status == "rejected" and "acme.test" in nobody.problems[0].reason
    assert _state(sessions)[0] == []


def test_the_command_line_exits_non_zero_on_a_refusal(sessions: sessionmaker[Session],
                                                      cast: Any, tenant: dict[str, int],
                                                      database_url: str) -> None:
    def cli(*args: str) -> Any:
        return CliRunner().invoke(cli_app, hoist_global_options(
            [*args, "--database-url", database_url]))

    refused = cli("--as", "owner@accord.test", "import", "m365-usage",
                  str(FIXTURES / "usage_concealed.csv"), "--account", str(cast.acme_id))
    assert refused.exit_code == 2 and "concealed" in refused.output, refused.output
    done = cli("--as", "owner@accord.test", "import", "m365-users",
               str(FIXTURES / "active_users.csv"), "--today", "2026-03-01")
    assert done.exit_code == 0, done.output
    assert "over-assigned" in done.output and "Microsoft 365 E3" in done.output


def test_the_api_takes_the_account_as_a_form_field(app: Any, sessions: sessionmaker[Session],
                                                   cast: Any, tenant: dict[str, int]) -> None:
    from conftest import api_client

    client = api_client(app, cast.token(sessions, "billing"))
    with open(FIXTURES / "active_users.csv", "rb") as f:
        done = client.post("/api/v1/imports/m365-users", data={"account_id": str(cast.acme_id)},
                           files={"file": ("users.csv", f, "text/csv")})
    assert done.status_code == 200, done.text
    assert (done.json()["account_id"], done.json()["inserted"]) == (cast.acme_id, 5)
    assert client.get("/api/v1/exports/m365-users").status_code == 404
    seats_csv = client.get("/api/v1/exports/seats?format=csv")
    assert seats_csv.status_code == 200 and "ann.archer@acme.test" in seats_csv.text
