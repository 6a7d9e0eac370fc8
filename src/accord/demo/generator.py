"""The demo portfolio as data: staff, then account by account with contacts and timeline.

Pure and deterministic (``random.Random`` seeded from the spec): the same spec gives the same
rows. Rows are plain dicts keyed by column name, generated lazily so that 100,000 accounts
take constant memory. Ids are assigned here from the first free id the loader passes in.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from accord.accounts.touches import is_qualifying
from accord.core.periods import first_day
from accord.demo import names
from accord.demo.plan import DemoSpec, Plan, lifecycle_status, plan_for, size_band, stream_seed

Row = dict[str, Any]

DEMO_DOMAIN = "accord.demo"
DEMO_PASSWORD = "accord-demo"
#: interactions per year by size band (business reviews come on top for large accounts)
TOUCHES_PER_YEAR = {"enterprise": 30, "large": 16, "medium": 8, "small": 4}
PERSON_TOUCHES_PER_YEAR = 0.8
TIMELINE_DAYS = 730
SENIORITIES = ("executive", "director", "manager", "staff")
INFLUENCE = {"executive": 5, "director": 4, "manager": 3, "staff": 2}
CONTACTS_BY_BAND = {"small": (1, 3), "medium": (2, 5), "large": (4, 9), "enterprise": (8, 15)}


@dataclass(frozen=True)
class FirstIds:
    """First free id of every table the generator assigns ids in."""

    user: int = 1
    team: int = 1
    account: int = 1
    contact: int = 1
    interaction: int = 1


@dataclass
class Staff:
    teams: list[Row]
    users: list[Row]
    #: segment -> manager user ids; team id -> head user id; manager id -> team id
    managers: dict[str, list[int]]
    head_of_team: dict[int, int]
    team_of: dict[int, int]
    logins: list[tuple[str, str]]  # (e-mail, role) to print

    def team_mates(self, manager_id: int) -> list[int]:
        team = self.team_of[manager_id]
        return [m for m, t in self.team_of.items() if t == team and m != manager_id]


def manager_count(accounts: int) -> int:
    """A few dozen managers for a real portfolio; fewer for a tiny one."""
    return max(6, min(40, accounts // 50))


def _person_name(rng: random.Random) -> str:
    return f"{rng.choice(names.FIRST_NAMES)} {rng.choice(names.LAST_NAMES)}"


def _moment(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC)


def build_staff(spec: DemoSpec, first: FirstIds) -> Staff:
    """Teams (one per segment and one for private clients), heads, managers, other roles."""
    rng = random.Random(stream_seed(spec.seed, 0, 5))
    created = _moment(first_day(spec.first_month) - timedelta(days=90))
    segments = (*names.SEGMENTS, names.CONSUMER)
    teams: list[Row] = []
    users: list[Row] = []
    logins: list[tuple[str, str]] = []
    uid = first.user

    def user(email: str, role: str, team_id: int | None, segment: str | None) -> int:
        nonlocal uid
        users.append({"id": uid, "email": email, "name": _person_name(rng), "role": role,
                      "team_id": team_id, "segment": segment, "capacity": 100,
                      "is_active": True, "created_at": created})
        logins.append((email, role))
        uid += 1
        return uid - 1

    for role in ("admin", "viewer", "billing", "sales"):
        user(f"{role}@{DEMO_DOMAIN}", role, None, None)
    head_of_team: dict[int, int] = {}
    team_ids: dict[str, int] = {}
    for n, segment in enumerate(segments):
        team_id = first.team + n
        team_ids[segment] = team_id
        head = user(f"head{n + 1}@{DEMO_DOMAIN}", "head", team_id, segment)
        head_of_team[team_id] = head
        teams.append({"id": team_id, "name": names.TEAM_NAMES[segment], "head_id": head})
    managers: dict[str, list[int]] = {s: [] for s in segments}
    team_of: dict[int, int] = {}
    count = manager_count(spec.accounts)
    for n in range(count):
        # about one manager in six serves private clients (they hold many more accounts)
        segment = segments[n % len(segments)]
        team_id = team_ids[segment]
        mid = user(f"manager{n + 1}@{DEMO_DOMAIN}", "manager", team_id, segment)
        managers[segment].append(mid)
        team_of[mid] = team_id
    return Staff(teams=teams, users=users, managers=managers, head_of_team=head_of_team,
                 team_of=team_of, logins=logins)


@dataclass
class Bundle:
    """One account and everything hanging off it, ready to insert in this order."""

    account: Row
    contacts: list[Row] = field(default_factory=list)
    account_contacts: list[Row] = field(default_factory=list)
    members: list[Row] = field(default_factory=list)
    interactions: list[Row] = field(default_factory=list)
    interaction_contacts: list[Row] = field(default_factory=list)
    interaction_users: list[Row] = field(default_factory=list)


@dataclass
class _Group:
    account_id: int
    brand: str
    legal: str
    contact_id: int | None


class AccountStream:
    """Generates bundles account by account; keeps only the group heads between accounts."""

    def __init__(self, spec: DemoSpec, staff: Staff, first: FirstIds) -> None:
        self.spec = spec
        self.staff = staff
        self.first = first
        self.contact_id = first.contact
        self.interaction_id = first.interaction
        self.groups: list[_Group] = []
        self.structure = random.Random(stream_seed(spec.seed, 0, 6))
        self.window_start = spec.today - timedelta(days=TIMELINE_DAYS)

    def __iter__(self) -> Iterator[Bundle]:
        for index in range(self.spec.accounts):
            yield self.bundle(plan_for(self.spec, index))

    # ------------------------------------------------------------------ one account
    def bundle(self, plan: Plan) -> Bundle:
        rng = random.Random(stream_seed(self.spec.seed, plan.index, 1))
        account_id = self.first.account + plan.index
        band = size_band(plan.annual_cents, plan.kind)
        pool = self.staff.managers[plan.segment]
        manager_id = pool[rng.randrange(len(pool))]
        status = lifecycle_status(plan.active_mask, self.spec.months, plan.existing)
        country, local, _ = self._country(rng)
        parent: _Group | None = None
        if plan.kind == "person":
            name = _person_name(rng)
            industry = None
            brand = ""
        else:
            word = rng.choice(names.INDUSTRY_WORDS[plan.segment])
            industry = word
            if self.groups and self.structure.random() < 0.08:
                parent = self.groups[self.structure.randrange(len(self.groups))]
                brand = parent.brand
                name = f"{brand} {local} {parent.legal}"
            else:
                brand = self._brand(rng)
                name = f"{brand} {word} {rng.choice(names.LEGAL_FORMS)}"
        created = self._created(rng, plan)
        account: Row = {
            "id": account_id, "external_id": f"DEMO-{plan.index + 1:06d}", "kind": plan.kind,
            "name": name, "name_key": name.lower(),
            "parent_id": parent.account_id if parent else None, "segment": plan.segment,
            "business_line": (
                names.CONSUMER if plan.kind == "person"
                else "Enterprise" if band in ("large", "enterprise") else "Commercial"
            ),
            "size_band": band, "status": status, "manager_id": manager_id, "country": country,
            "industry": industry, "estimated_spend_cents": None, "estimated_spend_source": None,
            "notes": None, "last_touch_on": None, "last_qualifying_touch_on": None,
            "created_at": created, "updated_at": created,
        }
        if plan.kind == "company" and rng.random() < 0.85:
            share = 0.08 + 0.72 * rng.random()
            account["estimated_spend_cents"] = int(plan.annual_cents / share) // 100 * 100
            account["estimated_spend_source"] = rng.choice(names.SPEND_SOURCES)
        bundle = Bundle(account=account)
        self._contacts(rng, plan, band, bundle, brand, parent, created)
        if band in ("large", "enterprise") and plan.kind == "company":
            mates = self.staff.team_mates(manager_id)
            if mates:
                bundle.members.append({"account_id": account_id,
                                       "user_id": mates[rng.randrange(len(mates))],
                                       "role": "co-manager"})
            if parent is None and self.structure.random() < 0.3:
                first_contact = bundle.contacts[0]["id"] if bundle.contacts else None
                legal = name.rsplit(" ", 1)[-1]
                self.groups.append(_Group(account_id, brand, legal, first_contact))
        if band == "enterprise" and rng.random() < 0.5:
            account["notes"] = "Group-wide framework agreement; pricing reviewed every January."
        self._timeline(rng, plan, band, bundle, manager_id)
        if bundle.interactions:
            account["last_touch_on"] = max(i["occurred_on"] for i in bundle.interactions)
            with_client = {c["interaction_id"] for c in bundle.interaction_contacts}
            qualifying = [i["occurred_on"] for i in bundle.interactions
                          if is_qualifying(i["kind"], i["id"] in with_client)]
            account["last_qualifying_touch_on"] = max(qualifying, default=None)
        return bundle

    def _country(self, rng: random.Random) -> tuple[str, str, int]:
        total = sum(w for _, _, w in names.COUNTRIES)
        pick = rng.randrange(total)
        for entry in names.COUNTRIES:
            pick -= entry[2]
            if pick < 0:
                return entry
        return names.COUNTRIES[0]

    def _brand(self, rng: random.Random) -> str:
        brand = rng.choice(names.BRAND_HEADS)
        if rng.random() < 0.6:
            brand += rng.choice(names.BRAND_MIDS)
        return brand + rng.choice(names.BRAND_TAILS)

    def _created(self, rng: random.Random, plan: Plan) -> datetime:
        window = first_day(self.spec.first_month)
        if plan.start is None:
            day = self.spec.today - timedelta(days=1 + rng.randrange(365))
        elif plan.existing:
            day = window - timedelta(days=30 + rng.randrange(2000))
        else:
            day = first_day(self.spec.first_month + plan.start) - timedelta(
                days=10 + rng.randrange(80))
        return _moment(min(day, self.spec.today))

    # ------------------------------------------------------------------ people
    def _new_contact(self, rng: random.Random, name: str, email: str | None, function: str | None,
                     seniority: str | None, created: datetime) -> Row:
        cid = self.contact_id
        self.contact_id += 1
        influence = INFLUENCE.get(seniority or "", 3)
        influence = max(1, min(5, influence + rng.choice((-1, 0, 0, 0, 1))))
        return {
            "id": cid, "external_id": f"DEMO-C{cid:07d}", "name": name, "email": email,
            "phone": (f"+{30 + rng.randrange(20)} {rng.randrange(10, 99)} "
                      f"{rng.randrange(100000, 999999)}"),
            "function": function, "seniority": seniority,
            "stance": rng.choices(("supporter", "neutral", "opponent"), (5, 4, 1))[0],
            "influence": influence, "created_at": created, "updated_at": created,
        }

    def _contacts(self, rng: random.Random, plan: Plan, band: str, bundle: Bundle, brand: str,
                  parent: _Group | None, created: datetime) -> None:
        account_id = bundle.account["id"]
        if plan.kind == "person":
            first, last = bundle.account["name"].split(" ", 1)
            email = f"{first}.{last}.{plan.index + 1}@mail.example".lower().replace(" ", "")
            contact = self._new_contact(rng, bundle.account["name"], email.replace("'", ""),
                                        None, None, created)
            contact["stance"] = "supporter"
            bundle.contacts.append(contact)
            bundle.account_contacts.append({"account_id": account_id, "contact_id": contact["id"],
                                            "buying_role": "decision_maker", "title": None})
            return
        low, high = CONTACTS_BY_BAND[band]
        count = low + rng.randrange(high - low + 1)
        domain = brand.lower() + ".example"
        for n in range(count):
            if n == 0:
                function, role = "executive", "decision_maker"
                seniority = rng.choice(("executive", "director"))
            else:
                function = names.FUNCTIONS[rng.randrange(len(names.FUNCTIONS))]
                seniority = rng.choices(SENIORITIES, (1, 3, 4, 3))[0]
                role = "champion" if n == 1 else rng.choices(
                    ("influencer", "user", "blocker", "decision_maker"), (5, 4, 1, 1))[0]
            name = _person_name(rng)
            email = f"{name.lower().replace(' ', '.').replace(chr(39), '')}@{domain}"
            contact = self._new_contact(rng, name, email, function, seniority, created)
            if role == "blocker" and rng.random() < 0.7:
                contact["stance"] = "opponent"
            bundle.contacts.append(contact)
            title = names.TITLES.get((function, seniority)) or (
                f"{names.SENIORITY_TITLES.get(seniority, 'Head of')} "
                f"{names.FUNCTION_TITLES[function]}")
            bundle.account_contacts.append({"account_id": account_id, "contact_id": contact["id"],
                                            "buying_role": role, "title": title})
        if parent is not None and parent.contact_id is not None:
            # the group's executive sponsor is a contact at the subsidiary too
            bundle.account_contacts.append({"account_id": account_id,
                                            "contact_id": parent.contact_id,
                                            "buying_role": "influencer",
                                            "title": "Group sponsor"})

    # ------------------------------------------------------------------ timeline
    def _engaged(self, plan: Plan) -> list[tuple[date, date]]:
        """Periods (clipped to the last two years) in which the manager talks to the client."""
        today = self.spec.today
        end = today - timedelta(days=1)
        if plan.start is None:
            return [(max(self.window_start, today - timedelta(days=270)), end)]

        def month_start(t: int) -> date:
            return first_day(self.spec.first_month + t)

        begin = self.window_start if plan.existing else month_start(plan.start) - timedelta(days=45)
        periods = []
        if plan.churn is not None and plan.churn < self.spec.months:
            periods.append((begin, month_start(plan.churn) + timedelta(days=30)))
            if plan.reactivate is not None and plan.reactivate < self.spec.months:
                periods.append((month_start(plan.reactivate) - timedelta(days=30), end))
        else:
            periods.append((begin, end))
        out = []
        for a, b in periods:
            a, b = max(a, self.window_start), min(b, end)
            if a <= b:
                out.append((a, b))
        return out

    def _timeline(self, rng: random.Random, plan: Plan, band: str, bundle: Bundle,
                  manager_id: int) -> None:
        periods = self._engaged(plan)
        total_days = sum((b - a).days + 1 for a, b in periods)
        if total_days <= 0:
            return
        entries = self._touches(rng, plan, band, periods, total_days)
        mood = 6.0 + 3.0 * max(-1.0, min(1.0, math.log(plan.growth) / 0.25))
        if plan.churn is not None:
            mood -= 2.0
        head = self.staff.head_of_team[self.staff.team_of[manager_id]]
        contact_ids = [c["contact_id"] for c in bundle.account_contacts]
        entries.sort()
        for day, kind in entries:
            self._interaction(rng, bundle, day, kind, mood, manager_id, head, contact_ids)

    def _touches(self, rng: random.Random, plan: Plan, band: str,
                 periods: list[tuple[date, date]], total_days: int) -> list[tuple[date, str]]:
        """(day, kind) of every touch in the engaged periods, business reviews included."""
        years = total_days / 365.0
        if plan.kind == "person":
            rate = PERSON_TOUCHES_PER_YEAR
            kinds: tuple[str, ...] = ("email", "call", "note")
            kind_weights: tuple[int, ...] = (5, 3, 2)
        else:
            rate = TOUCHES_PER_YEAR[band]
            kinds, kind_weights = ("call", "email", "meeting", "note"), (35, 35, 20, 10)
        expected = rate * years * (0.6 + 0.8 * rng.random())
        count = int(expected) + (1 if rng.random() < expected - int(expected) else 0)
        dates = [self._day_in(rng, periods, total_days) for _ in range(count)]
        entries = [(d, rng.choices(kinds, kind_weights)[0]) for d in dates]
        if plan.kind == "company" and band in ("large", "enterprise") and plan.start is not None:
            for a, b in periods:  # quarterly business reviews
                day = a + timedelta(days=rng.randrange(60))
                while day <= b:
                    entries.append((day, "business_review"))
                    day += timedelta(days=85 + rng.randrange(12))
        return entries

    def _interaction(self, rng: random.Random, bundle: Bundle, day: date, kind: str,
                     mood: float, manager_id: int, head: int, contact_ids: list[int]) -> None:
        """One interaction with its users (manager, head, members) and contacts."""
        iid = self.interaction_id
        self.interaction_id += 1
        sentiment = None
        if kind in ("meeting", "business_review", "call") and rng.random() < 0.5:
            sentiment = max(0, min(10, round(mood + rng.gauss(0, 1.3))))
        summary = rng.choice(names.SUMMARIES[kind])
        bundle.interactions.append({
            "id": iid, "account_id": bundle.account["id"], "kind": kind, "occurred_on": day,
            "summary": summary,
            "outcome": (rng.choice(names.OUTCOMES)
                        if kind != "note" and rng.random() < 0.6 else None),
            "sentiment": sentiment, "created_by_id": manager_id, "created_at": _moment(day),
        })
        users = [manager_id]
        if kind == "business_review":
            users.append(head)
        if kind in ("meeting", "business_review"):
            users.extend(m["user_id"] for m in bundle.members)
        for uid in dict.fromkeys(users):
            bundle.interaction_users.append({"interaction_id": iid, "user_id": uid})
        if kind != "note" and contact_ids:
            many = {"email": 1, "call": 1, "meeting": 2, "business_review": 3}[kind]
            picked = rng.sample(contact_ids, min(len(contact_ids), 1 + rng.randrange(many)))
            for cid in picked:
                bundle.interaction_contacts.append({"interaction_id": iid, "contact_id": cid})

    @staticmethod
    def _day_in(rng: random.Random, periods: list[tuple[date, date]], total_days: int) -> date:
        offset = rng.randrange(total_days)
        for a, b in periods:
            length = (b - a).days + 1
            if offset < length:
                return a + timedelta(days=offset)
            offset -= length
        return periods[-1][1]
