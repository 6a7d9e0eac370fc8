"""Briefs on both databases: a proposed due date still pending at delivery lapses (logged,
the on-time figures on the agreed date); two concurrent moves from the same state — the
second is refused; the doors answer 404 for an account filter or a department board out of
the caller's reach; the Work tab says how many it shows of how many; the board's columns
link to the full list."""

from __future__ import annotations

import threading
import time
from datetime import date
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from accord.agency.briefs import service
from accord.agency.models import Brief, BriefTransition
from accord.core.errors import Conflict
from accord.core.models import User
from conftest import api_client
from page_helpers import sign_in
from test_agency_briefs_doors import _cli, _specialist_token
from test_agency_briefs_service import NOW, TODAY, _delivered, _in, _sent, _user, make_world


@pytest.fixture
def world(db, cast):
    return make_world(db, cast)


def test_a_pending_proposal_lapses_at_delivery(db, cast, world) -> None:
    sent = _sent(db, cast, world)
    spec, owner = _user(db, world.specialist), _user(db, cast.owner)
    proposed = date(2027, 3, 29)
    service.accept(db, spec, sent.id, NOW, proposed_due_on=proposed, reason="busy")
    service.start(db, spec, sent.id, NOW)
    out = service.deliver(db, spec, sent.id, NOW, actual_hours=Decimal("3"))
    db.commit()
    assert out.proposed_due_on is None and out.proposed_reason is None
    assert out.due_on == sent.due_on  # the agreed date: the proposal never applied
    assert out.due_with_blocks_on == sent.due_on and out.first_delivered_on == TODAY
    steps = db.scalars(select(BriefTransition).where(BriefTransition.brief_id == sent.id)
                       .order_by(BriefTransition.id)).all()
    assert [t.action for t in steps][-2:] == ["deliver", "proposal_lapsed"]
    assert (steps[-1].due_on, steps[-1].reason, steps[-1].to_status) \
        == (proposed, "busy", "delivered")
    with pytest.raises(Conflict):  # nothing left to agree
        service.agree_date(db, owner, sent.id, TODAY)
    db.rollback()
    detail = service.get_brief(db, owner, sent.id, TODAY)
    assert "agree_date" not in detail.account_actions
    assert detail.transitions[-1].action == "proposal_lapsed"


def test_a_delivery_without_a_proposal_logs_no_lapse(db, cast, world) -> None:
    out = _delivered(db, cast, world)
    db.commit()
    actions = db.scalars(select(BriefTransition.action)
                         .where(BriefTransition.brief_id == out.id)).all()
    assert "proposal_lapsed" not in actions


def test_a_second_concurrent_move_from_the_same_state_is_refused(sessions, db, cast,
                                                                  world) -> None:
    brief_id = _delivered(db, cast, world).id
    db.commit()
    first = sessions()
    owner = first.get(User, cast.owner.id)
    service.request_changes(first, owner, brief_id, TODAY, "the logo")  # holds the row
    caught: list[BaseException] = []

    def second() -> None:
        with sessions() as other:
            try:
                service.request_changes(other, other.get(User, cast.owner.id), brief_id, TODAY,
                                        "the logo")
                other.commit()
            except BaseException as exc:  # noqa: BLE001 - reported below
                caught.append(exc)
                other.rollback()

    thread = threading.Thread(target=second)
    thread.start()
    time.sleep(0.5)  # the second move reads the brief, then waits for the first's lock
    first.commit()
    first.close()
    thread.join(30)
    assert not thread.is_alive()
    assert len(caught) == 1 and isinstance(caught[0], Conflict), caught
    db.rollback()
    assert db.scalar(select(Brief.rounds).where(Brief.id == brief_id)) == 1
    assert db.scalar(select(func.count()).select_from(BriefTransition).where(
        BriefTransition.brief_id == brief_id,
        BriefTransition.action == "request_changes")) == 1


def test_the_doors_hide_accounts_and_departments_out_of_reach(app, sessions, cast, db,
                                                              database_url) -> None:
    world = make_world(db, cast)
    _sent(db, cast, world)
    db.commit()
    spec = api_client(app, _specialist_token(sessions, world))
    for url in (f"/api/v1/briefs?account_id={cast.acme_id}",
                f"/api/v1/briefs/board?account_id={cast.acme_id}"):
        got = spec.get(url)
        assert got.status_code == 404 and got.json()["detail"] == f"no account {cast.acme_id}"
    got = spec.get(f"/api/v1/briefs/board?department_id={world.media}")
    assert got.status_code == 404 and got.json()["detail"] == f"no department {world.media}"
    assert spec.get(f"/api/v1/briefs/board?department_id={world.creative}").status_code == 200
    page = TestClient(app)
    sign_in(page, "specialist@accord.test")
    assert page.get(f"/briefs?account_id={cast.acme_id}").status_code == 404
    board = page.get(f"/briefs/board?department_id={world.media}")
    assert board.status_code == 404 and "Media" not in board.text
    listed = _cli(database_url, "briefs", "list", "--account", str(cast.acme_id),
                  "--as", "specialist@accord.test")
    assert listed.exit_code != 0 and f"no account {cast.acme_id}" in listed.output


def test_the_work_tab_and_the_board_say_what_they_leave_out(app, cast, db, world,
                                                            monkeypatch) -> None:
    from accord.agency.briefs import reading

    owner = _user(db, cast.owner)
    for _ in range(3):
        made = service.create_brief(db, owner, _in(cast.acme_id, world.creative), TODAY)
        service.send(db, owner, made.id, TODAY)
    db.commit()
    monkeypatch.setattr(reading, "WORK_LIMIT", 2)
    monkeypatch.setattr(reading, "BOARD_LIMIT", 2)
    page = TestClient(app)
    sign_in(page, "owner@accord.test")
    work = page.get(f"/accounts/{cast.acme_id}/work")
    assert work.status_code == 200 and 'id="work-more"' in work.text
    assert "Showing 2 of 3" in work.text and f'href="/briefs?account_id={cast.acme_id}"' \
        in work.text
    board = page.get(f"/briefs/board?department_id={world.creative}&priority=normal")
    assert board.status_code == 200 and 'id="more-sent"' in board.text
    assert (f'href="/briefs?department_id={world.creative}&amp;status=sent&amp;priority=normal"'
            in board.text)
    listing = page.get(f"/briefs?department_id={world.creative}&status=sent&priority=normal")
    assert listing.status_code == 200 and listing.text.count('<tr id="brief-') == 3
