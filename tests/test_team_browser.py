"""Issue 17's "done when", the head's part, in a real browser: North's head opens the Team
page and sees the owner over capacity (the warning badge), opens the owner's key accounts,
asks who should take Acme (the owner's key account), moves it to the best suggestion (a
hand-over opens from the owner to the teammate) and sees both loads change on the Team
page. The world is ``tests/test_team_moves.py``'s."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from accord.accounts.models import Account
from accord.handoffs.models import Handoff
from conftest import PASSWORD, login
from test_team_moves import World, world  # noqa: F401 - the world fixture

pytestmark = pytest.mark.browser


def _load(page, manager_id: int) -> str:
    return page.locator(f"#load-{manager_id} td").nth(2).inner_text()


def test_a_head_moves_a_key_account_off_an_overloaded_manager(
    page, live_server, cast, db, world: World  # noqa: F811
) -> None:
    login(page, cast.head.email, PASSWORD)
    page.goto("/team")
    owner_row = page.locator(f"#load-{cast.owner.id}")
    expect(owner_row.locator("[data-warning=over_capacity]")).to_be_visible()
    owner_before, teammate_before = _load(page, cast.owner.id), _load(page, cast.teammate.id)

    # the owner's key accounts, one click away; then who should take Acme
    page.click(f"#fig-key_accounts-{cast.owner.id}")
    expect(page.locator(f"#account-{world.acme}")).to_contain_text("Acme Industries")
    page.click(f"#suggest-{world.acme}")
    page.wait_for_url(re.compile(rf"/team/suggest\?account_id={world.acme}$"))
    first = page.locator("#suggestions tbody tr").first
    expect(first).to_have_id(f"suggestion-{cast.teammate.id}")
    expect(first).to_contain_text("Acme Group")  # the reason: they manage its parent

    page.click(f"#move-to-{cast.teammate.id}")
    page.wait_for_url(re.compile(r"/team$"))
    expect(page.get_by_text(re.compile(r"Acme Industries moved to Tom Teammate; hand-off #\d+")))\
        .to_be_visible()
    expect(page.locator(f"#load-{cast.owner.id} [data-warning=over_capacity]")).to_have_count(0)
    assert _load(page, cast.owner.id) != owner_before
    assert _load(page, cast.teammate.id) != teammate_before

    db.rollback()
    assert db.get(Account, world.acme).manager_id == cast.teammate.id
    handoff = db.scalar(select(Handoff).where(Handoff.account_id == world.acme))
    assert handoff is not None and handoff.kind == "manager"
    assert (handoff.author_id, handoff.receiver_id) == (cast.owner.id, cast.teammate.id)
