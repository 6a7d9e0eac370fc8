"""The account plan's pages: who sees them, the forms (errors inline, nothing written), the
share links and the client's public page (only the shared sections; one 404 for every
token that does not open a plan)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from page_helpers import found, sign_in

GOAL = "Halve the unplanned downtime"
PAIN = "Spare parts take six weeks"
STRENGTH = "Our service team is on site in 24 hours"
RISK = "The CFO prefers the cheaper rival"
BUSINESS = "Makes pumps for water utilities"


def error_of(html: str, field_id: str) -> str:
    match = re.search(rf'<p class="field-error" id="{field_id}-error">([^<]*)</p>', html)
    return match.group(1) if match else ""


def _count(db, model) -> int:
    db.rollback()  # a fresh snapshot
    return int(db.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture
def world(sessions, cast):
    """Acme with two contacts (Carla the CEO, Frank in finance), a contact of Globex, and a
    plan that started 30 days ago with content in every list section."""
    from accord.accounts import contacts as contact_service
    from accord.accounts.models import BuyingRole
    from accord.accounts.schemas import ContactIn
    from accord.core.models import User
    from accord.plans import service
    from accord.plans.schemas import ActionIn, ObjectiveIn, PlanPatch, PlanStart

    day = date.today()
    with sessions.begin() as s:
        owner = s.get(User, cast.owner.id)
        outsider = s.get(User, cast.outsider.id)
        carla = contact_service.add_contact(
            s, owner, cast.acme_id,
            ContactIn(name="Carla Acme", title="CEO", buying_role=BuyingRole.DECISION_MAKER))
        frank = contact_service.add_contact(
            s, owner, cast.acme_id, ContactIn(name="Frank Finance", title="CFO"))
        gina = contact_service.add_contact(s, outsider, cast.globex_id, ContactIn(name="Gina"))
        plan = service.start_plan(
            s, owner, cast.acme_id,
            PlanStart(horizon_months=12, starts_on=day - timedelta(days=30)), today=day)
        service.update_plan(
            s, owner, plan.id,
            PlanPatch(business=BUSINESS, goals=[GOAL], pain_points=[PAIN],
                      strengths=[STRENGTH], risks=[RISK]),
            today=day)
        objective = service.add_objective(
            s, owner, plan.id,
            ObjectiveIn(title="Second plant on contract", metric="manual",
                        baseline=Decimal(0), target=Decimal(4), due_on=day + timedelta(days=90)),
            today=day)
        late = service.add_action(
            s, owner, objective.id,
            ActionIn(title="Visit the plant", due_on=day - timedelta(days=2)), today=day)
    return {"plan": plan.id, "carla": carla.id, "frank": frank.id, "gina": gina.id,
            "objective": objective.id, "late_action": late.id, "today": day}


def test_a_manager_sees_the_plan_with_its_sections_and_flags(client, cast, world):
    sign_in(client, "owner@accord.test")
    html = client.get(f"/accounts/{cast.acme_id}/plan").text
    for text in (GOAL, PAIN, STRENGTH, RISK, BUSINESS, "Second plant on contract"):
        assert text in html
    assert 'id="swot-strengths"' in html and 'id="swot-threats"' in html
    assert re.search(r'id="action-\d+">.*?overdue', html, re.S)  # the late action is flagged
    assert 'id="overdue-count">1<' in html
    assert "Mark reviewed today" in html and 'name="csrf_token"' in html
    assert 'id="completeness">' in html


def test_an_account_without_a_plan_offers_to_start_one(client, cast):

    token = sign_in(client, "owner@accord.test")
    html = client.get(f"/accounts/{cast.acme_id}/plan").text
    assert "No plan for Acme Industries yet" in html and "Start a plan" in html
    assert all(f'<option value="{h}"' in html for h in (6, 12, 18))
    bad = client.post(f"/accounts/{cast.acme_id}/plan",
                      data={"csrf_token": token, "horizon_months": "7"})
    assert bad.status_code == 422
    assert error_of(bad.text, "start-horizon_months")
    started = client.post(f"/accounts/{cast.acme_id}/plan",
                          data={"csrf_token": token, "horizon_months": "6"},
                          follow_redirects=False)
    assert started.status_code == 303
    html = client.get(started.headers["location"]).text
    assert "6 months" in html and "Plan started" in html


def test_no_plan_is_written_by_a_refused_start(client, cast, db):
    from accord.plans.models import AccountPlan

    token = sign_in(client, "owner@accord.test")
    client.post(f"/accounts/{cast.acme_id}/plan", data={"csrf_token": token,
                                                          "horizon_months": "24"})
    assert _count(db, AccountPlan) == 0


@pytest.mark.parametrize("who", ["admin", "head", "owner", "teammate", "viewer", "billing"])
def test_everyone_who_sees_the_account_reads_the_plan_and_its_history(client, cast, world, who):
    sign_in(client, getattr(cast, who).email)
    html = client.get(f"/accounts/{cast.acme_id}/plan").text
    assert GOAL in html
    writer = who in ("admin", "head", "owner", "teammate")
    assert ("Mark reviewed today" in html) is writer
    history = client.get(f"/accounts/{cast.acme_id}/plans")
    assert history.status_code == 200 and "current" in history.text
    shown = client.get(f"/accounts/{cast.acme_id}/plans/{world['plan']}")
    assert shown.status_code == 200 and GOAL in shown.text and "read-only" in shown.text


def test_an_outsider_gets_404_everywhere(client, cast, world):
    token = sign_in(client, "outsider@accord.test")
    acme = cast.acme_id
    for url in (f"/accounts/{acme}/plan", f"/accounts/{acme}/plans",
                f"/accounts/{acme}/plans/{world['plan']}", f"/accounts/{acme}/plan/links",
                f"/accounts/{acme}/plan/people", f"/accounts/{acme}/plan/edit/goals"):
        assert client.get(url).status_code == 404, url
    posted = client.post(f"/accounts/{acme}/plan/review", data={"csrf_token": token})
    assert posted.status_code == 404
    # Globex's id with Acme's plan: no plan of that account
    assert client.get(f"/accounts/{cast.globex_id}/plans/{world['plan']}").status_code == 404


def test_a_reader_may_not_write(client, cast, world):
    token = sign_in(client, "viewer@accord.test")
    for url in (f"/accounts/{cast.acme_id}/plan/review",
                f"/accounts/{cast.acme_id}/plan/edit/goals",
                f"/accounts/{cast.acme_id}/plan/links"):
        assert client.post(url, data={"csrf_token": token, "goals": "x"}).status_code == 403


# ---------------------------------------------------------------- editing the parts


def test_a_part_is_edited_one_entry_a_line(client, cast, world):
    token = sign_in(client, "owner@accord.test")
    url = f"/accounts/{cast.acme_id}/plan/edit/goals"
    form = client.get(url).text
    assert 'name="version"' in form and GOAL in form
    version = found(r'name="version" value="(\d+)"', form)
    original = found(r'name="original" value="([^"]*)"', form).replace("&#34;", '"')
    saved = client.post(url, data={"csrf_token": token, "version": version,
                                   "original": original,
                                   "goals": f"{GOAL}\n\n  Open a second plant  \n"},
                        follow_redirects=False)
    assert saved.status_code == 303
    html = client.get(f"/accounts/{cast.acme_id}/plan").text
    assert "<li>Open a second plant</li>" in html


def test_an_edit_error_is_shown_inline_and_nothing_is_written(client, cast, world, db):
    from accord.plans.models import PlanEntry

    token = sign_in(client, "owner@accord.test")
    before = _count(db, PlanEntry)
    too_long = "x" * 1001
    answer = client.post(f"/accounts/{cast.acme_id}/plan/edit/risks",
                         data={"csrf_token": token, "risks": f"fine\n{too_long}"})
    assert answer.status_code == 422
    assert error_of(answer.text, "p-risks")
    assert too_long in answer.text  # the input is kept
    assert _count(db, PlanEntry) == before
    assert client.get(f"/accounts/{cast.acme_id}/plan/edit/nonsense").status_code == 404


def test_two_editors_of_one_part_the_second_sees_a_conflict(client, cast, world):
    token = sign_in(client, "owner@accord.test")
    url = f"/accounts/{cast.acme_id}/plan/edit/business"
    form = client.get(url).text
    version = found(r'name="version" value="(\d+)"', form)
    original = found(r'name="original" value="([^"]*)"', form).replace("&#34;", '"')
    base = {"csrf_token": token, "version": version, "original": original,
            "strategy": "", "budgets": ""}
    first = client.post(url, data={**base, "business": "Pumps and valves"},
                        follow_redirects=False)
    assert first.status_code == 303
    second = client.post(url, data={**base, "business": "Only valves"})
    assert second.status_code == 409
    assert "Someone else changed this meanwhile" in second.text
    assert "Pumps and valves" in second.text and "Only valves" in second.text


# ---------------------------------------------------------------- key people


def test_key_people_are_added_with_reports_to_and_drawn(client, cast, world):
    token = sign_in(client, "owner@accord.test")
    url = f"/accounts/{cast.acme_id}/plan/people"
    page = client.get(url).text
    assert "Carla Acme" in page and "Gina" not in page  # only Acme's contacts to choose
    added = client.post(url, data={"csrf_token": token, "contact_id": str(world["carla"])},
                        follow_redirects=False)
    assert added.status_code == 303
    added = client.post(url, data={"csrf_token": token, "contact_id": str(world["frank"]),
                                   "buying_role": "influencer",
                                   "reports_to_contact_id": str(world["carla"])},
                        follow_redirects=False)
    assert added.status_code == 303
    html = client.get(f"/accounts/{cast.acme_id}/plan").text
    svg = html.split('id="relmap">', 1)[1].split("</svg>", 1)[0]
    assert "Carla Acme" in svg and "Frank Finance reports to Carla Acme" in svg
    assert "Decision maker" in svg and "Influencer" in svg


def test_an_unknown_contact_is_refused_inline_and_nothing_is_written(client, cast, world, db):
    from accord.plans.models import PlanKeyPerson

    token = sign_in(client, "owner@accord.test")
    answer = client.post(f"/accounts/{cast.acme_id}/plan/people",
                         data={"csrf_token": token, "contact_id": str(world["gina"])})
    assert answer.status_code == 422
    assert "not a contact of" in error_of(answer.text, "kp-contact_id")
    answer = client.post(f"/accounts/{cast.acme_id}/plan/people",
                         data={"csrf_token": token, "contact_id": "many"})
    assert answer.status_code == 422 and error_of(answer.text, "kp-contact_id")
    assert _count(db, PlanKeyPerson) == 0


# ---------------------------------------------------------------- objectives, updates, actions


def test_an_objective_without_a_metric_or_due_before_the_start_is_refused(
    client, cast, world, db
):
    from accord.plans.models import PlanObjective

    token = sign_in(client, "owner@accord.test")
    url = f"/accounts/{cast.acme_id}/plan/objectives"
    before = _count(db, PlanObjective)
    answer = client.post(url, data={"csrf_token": token, "title": "Grow", "target": "10"})
    assert answer.status_code == 422 and "metric" in error_of(answer.text, "o-metric")
    early = (world["today"] - timedelta(days=60)).isoformat()
    answer = client.post(url, data={"csrf_token": token, "title": "Grow", "metric": "manual",
                                    "target": "10", "due_on": early})
    assert answer.status_code == 422 and "before the plan starts" in error_of(answer.text,
                                                                            "o-due_on")
    assert 'value="Grow"' in answer.text
    answer = client.post(url, data={"csrf_token": token, "title": "Grow", "metric": "manual",
                                    "target": "ten"})
    assert answer.status_code == 422 and error_of(answer.text, "o-target")
    assert _count(db, PlanObjective) == before


def test_a_manual_objective_with_its_first_value_shows_its_progress(client, cast, world):
    token = sign_in(client, "owner@accord.test")
    answer = client.post(f"/accounts/{cast.acme_id}/plan/objectives",
                         data={"csrf_token": token, "title": "Workshops held",
                               "metric": "manual", "baseline": "0", "target": "8",
                               "current": "2"}, follow_redirects=False)
    assert answer.status_code == 303
    html = client.get(f"/accounts/{cast.acme_id}/plan").text
    block = html.split(">Workshops held</h3>", 1)[1].split("</article>", 1)[0]
    assert '<progress max="1" value="0.2500"' in block and "25 %" in block
    assert "value when the objective was set" in block


def test_an_update_and_an_action_with_errors_come_back_inline(client, cast, world, db):
    from accord.plans.models import ObjectiveUpdate, PlanAction

    token = sign_in(client, "owner@accord.test")
    oid = world["objective"]
    base = f"/accounts/{cast.acme_id}/plan/objectives/{oid}"
    answer = client.post(f"{base}/updates", data={"csrf_token": token, "value": "1",
                                                  "note": ""})
    assert answer.status_code == 422 and error_of(answer.text, f"u{oid}-note")
    assert f'id="add-update-{oid}"' in answer.text.split(" open", 1)[0][-200:] or \
        f'<details class="disclosure" open id="add-update-{oid}">' in answer.text
    answer = client.post(f"{base}/actions", data={"csrf_token": token, "title": ""})
    assert answer.status_code == 422 and error_of(answer.text, f"a{oid}-title")
    assert _count(db, ObjectiveUpdate) == 0 and _count(db, PlanAction) == 1
    noted = client.post(f"{base}/updates", data={"csrf_token": token, "value": "1",
                                                 "note": "First plant signed"},
                        follow_redirects=False)
    assert noted.status_code == 303
    done = client.post(f"/accounts/{cast.acme_id}/plan/actions/{world['late_action']}/status",
                       data={"csrf_token": token, "status": "done"}, follow_redirects=False)
    assert done.status_code == 303
    html = client.get(f"/accounts/{cast.acme_id}/plan").text
    assert "First plant signed" in html and 'id="overdue-count">0<' in html


def test_an_object_of_another_plan_is_not_reached_through_this_account(client, cast, world):
    token = sign_in(client, "admin@accord.test")  # sees both accounts
    url = f"/accounts/{cast.globex_id}/plan/objectives/{world['objective']}/updates"
    answer = client.post(url, data={"csrf_token": token, "value": "1", "note": "n"})
    assert answer.status_code == 404


# ---------------------------------------------------------------- sharing


def _share(client, cast, token, sections):
    page = client.get(f"/accounts/{cast.acme_id}/plan").text
    sharing = page.split('id="sharing"', 1)[1]
    version = found(r'name="version" value="(\d+)"', sharing)
    original = found(r'name="original" value="([^"]*)"', sharing)
    answer = client.post(f"/accounts/{cast.acme_id}/plan/sharing",
                         data={"csrf_token": token, "version": version,
                               "original": original.replace("&#34;", '"'),
                               "shared_sections": sections}, follow_redirects=False)
    assert answer.status_code == 303


def _new_link(client, cast, token) -> str:
    created = client.post(f"/accounts/{cast.acme_id}/plan/links", data={"csrf_token": token})
    assert created.status_code == 200
    url = found(r'id="share-url"[^>]*value="([^"]+)"', created.text)
    assert "/shared/plans/" in url
    again = client.get(f"/accounts/{cast.acme_id}/plan/links").text
    assert url not in again and "active" in again  # shown once, listed after
    return url.split("://", 1)[1].split("/", 1)[1]


def test_the_shared_page_shows_only_the_shared_sections(client, app, cast, world):
    from fastapi.testclient import TestClient

    token = sign_in(client, "owner@accord.test")
    _share(client, cast, token, ["goals", "swot"])
    path = "/" + _new_link(client, cast, token)
    stranger = TestClient(app)
    page = stranger.get(path)
    assert page.status_code == 200
    html = page.text
    assert GOAL in html and STRENGTH in html
    for hidden in (PAIN, RISK, BUSINESS, "Second plant on contract", "Visit the plant",
                   "Olivia Owner", "csrf", "/accounts", 'href="/'):
        assert hidden not in html, hidden
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert page.headers["x-robots-tag"].startswith("noindex")
    assert "set-cookie" not in page.headers  # no session for the visitor
    assert "<script" not in html


def test_unknown_expired_and_revoked_links_are_the_same_404(client, app, cast, world, sessions):
    from fastapi.testclient import TestClient

    from accord.plans.models import PlanShareLink

    token = sign_in(client, "owner@accord.test")
    expired_path = "/" + _new_link(client, cast, token)
    revoked_path = "/" + _new_link(client, cast, token)
    with sessions.begin() as s:
        newest = s.scalars(select(PlanShareLink).order_by(PlanShareLink.id)).all()
        newest[0].expires_at = newest[0].created_at - timedelta(seconds=1)
    links = client.get(f"/accounts/{cast.acme_id}/plan/links").text
    revoke = re.findall(r'action="(/accounts/\d+/plan/links/\d+/revoke)"', links)
    assert len(revoke) == 1  # the expired one cannot be revoked any more
    assert client.post(revoke[0], data={"csrf_token": token},
                       follow_redirects=False).status_code == 303
    assert "revoked" in client.get(f"/accounts/{cast.acme_id}/plan/links").text
    stranger = TestClient(app)
    answers = [stranger.get(p) for p in (expired_path, revoked_path, "/shared/plans/nope",
                                         "/shared/plans/" + "x" * 300)]
    assert [a.status_code for a in answers] == [404] * 4
    assert len({a.text for a in answers}) == 1
    assert "csrf" not in answers[0].text and "/accounts" not in answers[0].text
    # the signed-in manager gets the same page
    assert client.get(revoked_path).text == answers[0].text
