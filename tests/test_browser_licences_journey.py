"""Issue 15's journey in a real browser, on SQLite and PostgreSQL.

Acme bought two seats of Teams Phone; the billing admin raises them to three from today, with
a reason, on the subscription's page. Acme's manager ticks Teams Phone for three people on
the account's Licences tab (saved), adds a fourth person and ticks them too: refused with
the reason, nothing saved. Then the manager imports the tenant's Microsoft 365 Active users
export on the import page — and the same file again, which changes nothing. Last, the
account's KAM page shows the health model's licence utilisation measure with its value.

The catalogue, the product names and the subscriptions are set up through the real services;
everything else goes through the pages.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from conftest import login
from licence_helpers import make_sku

SLOW = 30_000
EXPORT = Path(__file__).parent / "fixtures" / "m365" / "active_users.csv"
PEOPLE = ("Ann Archer", "Ben Brook", "Chloé Caron")


def _arrange(sessions: Any, cast: Any, today: date) -> dict[str, int]:
    from accord.core.models import User
    from accord.licences.models import LicenceUser, ProductName, SkuService
    from accord.licences.subscriptions.schemas import SubscriptionIn
    from accord.licences.subscriptions.service import add_subscription

    start = today - timedelta(days=40)
    with sessions.begin() as s:
        billing = s.get(User, cast.billing.id)
        e3 = make_sku(s)
        ems = make_sku(s, "EMS-E5", "Enterprise Mobility + Security E5", line="Security")
        phone = make_sku(s, "TEAMS-PHONE", "Teams Phone Standard", "month", line="Voice")
        s.add_all([ProductName(name="Microsoft 365 E3", key="MICROSOFT 365 E3", sku_id=e3),
                   ProductName(name="Enterprise Mobility + Security E5",
                               key="ENTERPRISE MOBILITY + SECURITY E5", sku_id=ems),
                   SkuService(sku_id=e3, service="exchange"),
                   SkuService(sku_id=e3, service="teams")])
        made = {}
        for sku, seats, price in ((e3, 10, "432"), (ems, 10, "196.80"), (phone, 2, "8")):
            made[sku] = add_subscription(s, billing, SubscriptionIn(
                account_id=cast.acme_id, sku_id=sku, start_on=start, quantity=seats,
                unit_price=Decimal(price)), today).id
        for n, name in enumerate(PEOPLE):
            s.add(LicenceUser(account_id=cast.acme_id, display_name=name,
                              principal=f"person{n}@acme.test"))
        return {"phone": phone, "phone_subscription": made[phone]}


def test_quantity_raised_seats_to_the_limit_tenant_imported_twice_health_shows_it(
        browser, page, live_server, cast, sessions) -> None:
    from sqlalchemy import func, select

    from accord.core.database import utcnow
    from accord.licences.models import SeatAssignment

    today = utcnow().date()  # the app's today
    ids = _arrange(sessions, cast, today)
    page.set_default_timeout(SLOW)

    # billing raises Teams Phone from two seats to three from today, with a reason
    other = browser.new_context(base_url=live_server)
    billing = other.new_page()
    billing.set_default_timeout(SLOW)
    login(billing, "billing@accord.test")
    billing.goto(f"/subscriptions/{ids['phone_subscription']}")
    billing.fill("#ch-quantity", "3")
    billing.fill("#ch-effective_on", today.isoformat())
    billing.fill("#ch-reason", "A third sales rep starts")
    billing.locator("#change-form button[type=submit]").click()
    expect(billing.locator("#subscription-quantity")).to_have_text("3")
    expect(billing.locator(f"#term-{today.isoformat()}")).to_contain_text("A third sales rep")
    other.close()

    # the manager gives the three people a Teams Phone seat on Acme's Licences tab
    login(page, "owner@accord.test")
    page.goto(f"/accounts/{cast.acme_id}/licences")
    phone_col = f"#col-{ids['phone']}"
    expect(page.locator(phone_col)).to_contain_text("0 of 3")
    for name in PEOPLE:
        page.get_by_label(f"Teams Phone Standard for {name}").check()
    page.locator("#save-seats").click()
    expect(page.locator(phone_col)).to_contain_text("3 of 3")

    # a fourth person, ticked too: refused with the reason, nothing saved
    page.locator("#add-person summary").click()
    page.fill("#lu-principal", "dana.dorn@acme.test")
    page.fill("#lu-display_name", "Dana Dorn")
    page.locator("#person-form button[type=submit]").click()
    page.get_by_label("Teams Phone Standard for Dana Dorn").check()
    page.locator("#save-seats").click()
    expect(page.locator("#seat-refusal")).to_contain_text("all 3 seats of Teams Phone Standard")
    expect(page.locator(phone_col)).to_contain_text("3 of 3")
    with sessions() as s:
        held = s.scalar(select(func.count()).select_from(SeatAssignment).where(
            SeatAssignment.sku_id == ids["phone"], SeatAssignment.to_on.is_(None)))
    assert held == 3

    # the tenant's Active users export, imported twice: the second changes nothing
    def import_export() -> None:
        page.goto("/import")
        page.select_option("#i-kind", "m365-users")
        page.fill("#i-account", str(cast.acme_id))
        page.set_input_files("#i-file", str(EXPORT))
        page.locator("#import-form button[type=submit]").click()
        expect(page.locator(".import-result .badge").first).to_have_text("imported")

    import_export()
    expect(page.locator("[data-count=inserted]")).to_have_text("5")
    expect(page.locator(".tenant-summary")).to_contain_text("5 seats assigned")
    with sessions() as s:
        after_first = s.execute(select(
            SeatAssignment.licence_user_id, SeatAssignment.sku_id, SeatAssignment.from_on,
            SeatAssignment.to_on).order_by(SeatAssignment.id)).all()
    import_export()
    expect(page.locator("[data-count=inserted]")).to_have_text("0")
    expect(page.locator("[data-count=updated]")).to_have_text("0")
    expect(page.locator("[data-count=unchanged]")).to_have_text("5")
    expect(page.locator(".tenant-summary")).to_contain_text("0 seats assigned, 0 freed")
    with sessions() as s:
        assert s.execute(select(
            SeatAssignment.licence_user_id, SeatAssignment.sku_id, SeatAssignment.from_on,
            SeatAssignment.to_on).order_by(SeatAssignment.id)).all() == after_first

    # the account's health shows licence utilisation, with its value
    page.goto(f"/accounts/{cast.acme_id}/kam")
    measure = page.locator("#health-measures tr[data-measure=licence_utilisation]")
    expect(measure).to_be_visible()
    value = measure.locator("td").nth(1)
    expect(value).not_to_have_text("—")
