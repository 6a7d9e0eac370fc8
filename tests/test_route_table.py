"""Every route and method of the app, walked from its own route table (issue 9, §2).

For each (method, path) of ``create_app(...).routes`` this proves, on both databases:

(a) the 404 wall: an out-of-reach account id (Globex, for a North manager) gets the same 404,
    same status and same body shape, as an id that does not exist — for every route with an
    account-like id in its path, reads and writes alike;
(b) the role x action table of ``tests/route_policy.py``: each route is called as each role
    (admin, head, manager, sales, billing, viewer; people who do and do not see Acme), and
    refused roles get 403/404, allowed ones a success (or 409/422 for the sample input);
(c) no list, aggregate or export answer read by North's people names the out-of-reach
    accounts (Globex, Hooli): their names, external ids, links or ids.

A route missing from ``route_policy.POLICY`` fails ``test_every_route_is_classified``.
Writes are answered normally but rolled back (the request's session never commits), so one
world serves every call and the whole walk takes seconds.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from conftest import api_client
from page_helpers import sign_in
from route_policy import POLICY, ROLES, Rule
from route_walk import app_routes

MISSING = 987654321
#: the people who call every route: each role, seeing Acme or not
ROLE_OF = {"admin": "admin", "head": "head", "owner": "manager", "sales": "sales",
           "billing": "billing", "viewer": "viewer", "outsider": "manager",
           "other_head": "head", "specialist": "specialist"}
SEES_ACME = {"admin", "head", "owner", "sales", "billing", "viewer"}
#: people who must not see Globex and Hooli (the outsider's accounts, team South)
NORTH = ("head", "owner", "sales")
SECRETS = ("Globex", "GLOBEX", "Hooli", "HOOLI", "gina@globex.test")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_every_route_is_classified(app) -> None:
    routes = app_routes(app)
    assert len(routes) > 100
    missing = [r for r in routes if r not in POLICY]
    assert not missing, (
        "These routes are not classified in tests/route_policy.py. Add each to POLICY "
        "(read/write with the roles that may call it, public for a secret link, OPEN or "
        "SESSION); see the module's docstring:\n"
        + "\n".join(f"    ({m!r}, {p!r}): ...," for m, p in missing)
    )
    stale = [key for key in POLICY if key not in routes]
    assert not stale, f"tests/route_policy.py names routes the app no longer has: {stale}"
    for (method, path), rule in POLICY.items():
        assert rule.roles <= ROLES, (method, path)
        assert (method == "GET") == (rule.kind in ("read", "open", "public")) or (
            rule.kind == "session"), f"{method} {path} is classified as {rule.kind}"
        if rule.kind == "public":
            assert "{token}" in path, f"public route {path} carries no {{token}}"


# ---------------------------------------------------------------- the world


@dataclass
class World:
    ids: dict[str, int]
    api: dict[str, TestClient]
    pages: dict[str, tuple[TestClient, str]]
    anonymous: TestClient
    problems: list[str] = field(default_factory=list)

    def fail(self, method: str, url: str, who: str, message: str) -> None:
        self.problems.append(f"{method} {url} as {who}: {message}")


def _world(app, sessions, cast, password_hash) -> World:
    from accord.accounts.models import AccountContact, AccountMember, Contact
    from accord.core.database import utcnow
    from accord.core.models import Team, User
    from accord.users.service import issue_token
    from test_kpi_pages import arrange_portfolio

    accounts = arrange_portfolio(sessions, cast)  # revenue, KPIs; Hooli is the outsider's
    with sessions.begin() as s:
        now = utcnow()
        north = s.get(User, cast.owner.id).team_id
        sales = User(email="sales@accord.test", role="sales", name="Sam Sales",
                     password_hash=password_hash, capacity=100, is_active=True,
                     created_at=now, team_id=north)
        s.add(sales)
        # a specialist of the Creative department (tests/route_samples_agency.py): sees no
        # account, only the briefs addressed to Creative
        specialist = User(email="specialist@accord.test", role="specialist",
                          name="Sid Specialist", password_hash=password_hash, capacity=100,
                          is_active=True, created_at=now)
        s.add(specialist)
        carla = Contact(name="Carla Acme", email="carla@acme.test", created_at=now,
                        updated_at=now)
        gina = Contact(name="Gina Globex", email="gina@globex.test", created_at=now,
                       updated_at=now)
        s.add_all([carla, gina])
        s.flush()
        s.add(AccountMember(account_id=cast.acme_id, user_id=sales.id, role="member"))
        # a North manager on Globex's account team, a viewer placed in North: neither may
        # widen what North's head sees through them (V2)
        s.add(AccountMember(account_id=cast.globex_id, user_id=cast.teammate.id, role="member"))
        s.get(User, cast.viewer.id).team_id = north
        s.add(AccountContact(account_id=cast.acme_id, contact_id=carla.id))
        s.add(AccountContact(account_id=cast.globex_id, contact_id=gina.id))
        s.flush()
        sales_token = issue_token(s, None, sales.id, "test-sales").token
        specialist_token = issue_token(s, None, specialist.id, "test-specialist").token
        spare = issue_token(s, None, cast.owner.id, "spare").token
        from sqlalchemy import select

        from accord.core.models import ApiToken
        from accord.core.security import hash_api_token

        token_id = s.scalar(select(ApiToken.id).where(ApiToken.token_hash == hash_api_token(spare)))
        from accord.relationships import service as stages
        from accord.relationships.schemas import OverrideIn

        stages.set_override(s, s.get(User, cast.admin.id), cast.acme_id, "contact_points",
                            OverrideIn(score=2, reason="seen at the fair"), today=now.date())
        ids = {"acme": cast.acme_id, "globex": cast.globex_id, "hooli": accounts["Hooli"],
               "carla": carla.id, "gina": gina.id, "north": int(north), "owner": cast.owner.id,
               "teammate": cast.teammate.id, "token": int(token_id or 0),
               "south": int(s.scalar(select(Team.id).where(Team.name == "South")) or 0),
               "specialist": int(specialist.id)}
        # each capability's sample objects (a hand-off, a plan...): tests/route_samples.py
        from route_samples import add_samples

        ids.update(add_samples(s, cast, ids, sales_id=int(sales.id)))
    extra = {"sales": sales_token, "specialist": specialist_token}
    api = {who: api_client(app, cast.token(sessions, who)) for who in ROLE_OF
           if who not in extra}
    api.update({who: api_client(app, token) for who, token in extra.items()})
    pages = {}
    for who in ROLE_OF:
        client = TestClient(app)
        email = f"{who}@accord.test" if who in extra else getattr(cast, who).email
        pages[who] = (client, sign_in(client, email))
    return World(ids, api, pages, TestClient(app))


def _rolled_back(app) -> None:
    """Every request's session is rolled back instead of committed: writes answer as usual
    and leave the world as it was for the next call."""
    from accord.web.deps import get_db

    def rolled_back_db(request: Request) -> Iterator[Session]:
        session: Session = request.app.state.sessions()
        try:
            yield session
        finally:
            session.rollback()
            session.close()

    app.dependency_overrides[get_db] = rolled_back_db


# ---------------------------------------------------------------- calling a route


def _value(param: str, rule: Rule, world: World, *, account: str = "acme") -> str:
    if param in rule.params:
        return rule.params[param]
    ids = world.ids
    samples = {
        "account_id": ids[account] if account in ids else MISSING,
        "contact_id": ids["carla"],
        "team_id": ids["north"],
        "user_id": ids["owner"],
        "member_id": ids["teammate"],
        "token_id": ids["token"],
        "external_id": "ACME",
        "criterion": "contact_points",
        "segment": "Manufacturing",
        "token": "not-a-valid-secret",
    }
    if param not in samples and param.removesuffix("_id") in ids:
        return str(ids[param.removesuffix("_id")])  # a capability's sample (route_samples)
    if param not in samples:
        raise AssertionError(f"no sample value for {{{param}}}: give one in the rule's params")
    return str(samples[param])


def _url(path: str, rule: Rule, world: World, **fixed: str) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        return fixed[name] if name in fixed else _value(name, rule, world)

    url = re.sub(r"\{(\w+)\}", fill, path)
    return f"{url}?{rule.query}" if rule.query else url


def _call(world: World, who: str, method: str, path: str, url: str, rule: Rule) -> Any:
    kwargs: dict[str, Any] = {"follow_redirects": False}
    if path.startswith("/api/"):
        client = world.api[who]
        if rule.files:
            kwargs["files"] = rule.files
        elif rule.body is not None and method != "GET":
            kwargs["json"] = rule.body
    else:
        client, csrf = world.pages[who]
        if method != "GET":
            kwargs["data"] = {**(rule.form or {}), "csrf_token": csrf}
            if rule.files:
                kwargs["files"] = rule.files
    return client.request(method, url, **kwargs)


def _text(response: Any) -> str:
    kind = response.headers.get("content-type", "")
    if kind.startswith(XLSX):
        with zipfile.ZipFile(io.BytesIO(response.content)) as book:
            return " ".join(book.read(n).decode("utf-8", "replace") for n in book.namelist()
                            if n.endswith(".xml"))
    return str(response.text)


def _leaks(text: str, world: World) -> list[str]:
    found = [s for s in SECRETS if s in text]
    for name in ("globex", "hooli"):
        account_id = world.ids[name]
        if re.search(rf"/accounts/{account_id}(?!\d)", text):
            found.append(f"a link to {name}")
        if re.search(rf"\"(account_id|parent_id)\":\s*{account_id}(?!\d)", text):
            found.append(f"{name}'s id")
    return found


# ---------------------------------------------------------------- the checks


def _check_roles(world: World, method: str, path: str, rule: Rule) -> None:
    """(b) for every person, and (c) for North's people on reads."""
    account_route = "{account_id}" in path or bool(rule.wall)
    url = _url(path, rule, world)
    for who in rule.who or tuple(ROLE_OF):
        if rule.reach is not None:
            sees = who in rule.reach
        else:
            sees = who in SEES_ACME or not account_route
        response = _call(world, who, method, path, url, rule)
        _check_answer(world, method, url, who, rule, sees, response)
        if method == "GET" and response.status_code == 200 and who in NORTH and rule.leaks:
            leaked = _leaks(_text(response), world)
            if leaked:
                world.fail(method, url, who, f"shows an account out of reach: {leaked}")
    _check_as_head(world, method, path, rule)


def _check_answer(
    world: World, method: str, url: str, who: str, rule: Rule, sees: bool, response: Any
) -> None:
    """(b) one person's answer: out of reach is a 404, a refused role a 403/404, else served."""
    role = ROLE_OF[who]
    allowed_role = role in rule.roles or (rule.self_ok and who == "owner")
    allowed = sees and allowed_role
    status = response.status_code
    if status >= 500:
        world.fail(method, url, who, f"server error {status}")
    elif not sees and (allowed_role or (rule.reach is None and role != "specialist")):
        # a specialist sees no account at all: a refusal for the role (403, the same for
        # every account and for none) tells them nothing either
        if status != 404:
            world.fail(method, url, who, f"{status}, not 404, for something out of reach")
    elif not allowed:
        if status not in (403, 404):
            said = f"; body: {response.text[:200]}" if status == 422 else ""
            world.fail(method, url, who,
                       f"{status}: the {role} role must be refused (403/404) here{said}")
    elif method == "GET" and status != 200 and not _redirect_elsewhere(response):
        world.fail(method, url, who, f"{status}: the {role} role may read this")
    elif method != "GET" and not (status < 400 or status in (409, 422)):
        world.fail(method, url, who, f"{status}: the {role} role may do this; "
                   f"{response.text[:200]}")


def _check_as_head(world: World, method: str, path: str, rule: Rule) -> None:
    """(c) a head of team reads the rule's team-wide queries, and sees no account out of reach."""
    for query in rule.as_head:
        url = _url(path, Rule(rule.kind, params=rule.params, query=query), world)
        response = _call(world, "head", method, path, url, rule)
        if response.status_code != 200:
            world.fail(method, url, "head", f"{response.status_code}, not 200")
        elif leaked := _leaks(_text(response), world):
            world.fail(method, url, "head", f"shows an account out of reach: {leaked}")


def _redirect_elsewhere(response: Any) -> bool:
    """A page that sends a signed-in reader on (``/`` to the accounts list), not to log in."""
    location = response.headers.get("location", "")
    return response.status_code in (302, 303, 307) and not location.startswith("/login")


def _shape(response: Any, path: str, asked: str) -> Any:
    """What an answer says, with the id that was asked for (echoed back) left out."""

    def without(text: str) -> str:
        return re.sub(rf"(?<![\w-]){re.escape(asked)}(?![\w-])", "<id>", text)

    if path.startswith("/api/"):
        body = response.json()
        return (sorted(body), body.get("title"), body.get("status"), body.get("type"),
                without(str(body.get("detail"))))
    text = str(response.text)
    main = re.search(r'<div class="main-narrow">(.*?)</div>\s*</div>', text, re.S)
    content = main.group(1) if main else text
    return without(re.sub(r"<code>[^<]*</code>", "", content))


def _check_wall(world: World, method: str, path: str, rule: Rule) -> None:
    """(a) as a North manager: an out-of-reach id answers exactly like a missing one."""
    walls = {"account_id": (str(world.ids["globex"]), str(MISSING))} if "{account_id}" in path \
        else {}
    for param in rule.wall:
        walls[param] = {
            "external_id": ("GLOBEX", "NO-SUCH-ID"),
            "contact_id": (str(world.ids["gina"]), str(MISSING)),
        }[param]
    for param, (out_of_reach, missing) in walls.items():
        answers = []
        for value in (out_of_reach, missing):
            url = _url(path, rule, world, **{param: value})
            answers.append((url, value, _call(world, "owner", method, path, url, rule)))
        (url, value, hidden), (_, missing_value, absent) = answers
        if (hidden.status_code, absent.status_code) != (404, 404):
            world.fail(method, url, "owner", f"out of reach {hidden.status_code}, missing "
                       f"{absent.status_code}: both must be 404")
        elif _shape(hidden, path, value) != _shape(absent, path, missing_value):
            world.fail(method, url, "owner", "an out-of-reach id is not answered like a "
                       "missing one")
        for leak in _leaks(_text(hidden).replace(out_of_reach, "<asked>"), world):
            world.fail(method, url, "owner", f"its 404 names the account: {leak}")


def _check_public(world: World, method: str, path: str, rule: Rule) -> None:
    url = _url(path, rule, world)
    answers = [world.anonymous.request(method, url), world.api["owner"].request(method, url)]
    if [a.status_code for a in answers] != [404, 404]:
        world.fail(method, url, "anyone", "a wrong secret must be a 404 for everybody")


def test_the_route_table_holds_for_every_route_and_role(
    app, sessions, cast, password_hash
) -> None:
    world = _world(app, sessions, cast, password_hash)
    _rolled_back(app)
    try:
        routes = [r for r in app_routes(app) if r in POLICY]
        for method, path in routes:
            rule = POLICY[(method, path)]
            if rule.kind in ("read", "write"):
                _check_roles(world, method, path, rule)
                _check_wall(world, method, path, rule)
            elif rule.kind == "public":
                _check_public(world, method, path, rule)
            elif rule.kind == "open" and method == "GET" and "{" not in path:
                status = world.anonymous.get(path, follow_redirects=False).status_code
                if status >= 500:
                    world.fail(method, path, "anonymous", f"server error {status}")
    finally:
        app.dependency_overrides.clear()
    assert not world.problems, (
        f"{len(world.problems)} route checks failed:\n" + "\n".join(world.problems)
    )


def test_the_walk_never_writes(app, sessions, cast, password_hash, db) -> None:
    """The rolled-back session the walk relies on really leaves the world as it was."""
    from sqlalchemy import func, select

    from accord.accounts.models import Account
    from accord.core.models import AuditEntry

    world = _world(app, sessions, cast, password_hash)
    _rolled_back(app)
    try:
        before = db.scalar(select(func.count()).select_from(AuditEntry))
        db.rollback()  # ends the read: the request's write must not wait for it
        made = world.api["admin"].post("/api/v1/accounts", json={"name": "Rolled Back"})
        assert made.status_code == 201
        db.rollback()
        assert db.scalar(select(func.count()).select_from(AuditEntry)) == before
        assert db.scalar(select(Account.id).where(Account.name == "Rolled Back")) is None
    finally:
        app.dependency_overrides.clear()
    assert json.loads(made.text)["name"] == "Rolled Back"
