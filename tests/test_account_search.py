"""Account search, on both databases: ``q`` is a substring of the name in any case, or the
exact external id. Checked against a plain Python statement of that rule (so SQLite and
PostgreSQL give the same answers), through every writer (so the search index follows),
and through the page totals (which may skip their count query)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, select, text

from accord.accounts import service
from accord.accounts.models import Account
from accord.accounts.schemas import AccountIn, AccountPatch
from accord.accounts.search import search_condition
from accord.core.database import utcnow
from accord.exchange.importing import run_import
from import_helpers import csv_file

#: names that trip up LIKE, case folding and trigram indexes
NAMES = [
    "Café Zürich AG",
    "CAFÉ DE PARIS",
    "cafe express",
    "100% Natural Foods",
    "Under_Score Labs",
    "Slash/Works",
    "Back\\slash Ltd",
    "O'Brien & Sons",
    "Straße Bau GmbH",
    "ÉCOLE Supérieure",
    "İstanbul Ticaret",
    "Αθήνα Shipping",
    "Mix 50/50 %_ ltd",
    "Ab",
    "x",
]


def add_named(sessions, manager_id: int) -> None:
    now = utcnow()
    with sessions.begin() as s:
        s.add_all(
            Account(
                name=name,
                name_key=name.lower(),
                external_id=f"S-{n}",
                kind="company",
                status="active",
                manager_id=manager_id,
                created_at=now,
                updated_at=now,
            )
            for n, name in enumerate(NAMES)
        )


def expected(db, q: str) -> list[str]:
    """The rule in plain Python, over every account in the database."""
    wanted = q.replace("\x00", "").strip()
    return sorted(
        name
        for name, external_id in db.execute(select(Account.name, Account.external_id))
        if wanted.lower() in name.lower() or external_id == wanted
    )


def found(db, user, q: str, **kw) -> list[str]:
    page = service.list_accounts(db, user, service.AccountFilter(q=q), page_size=200, **kw)
    assert page.total == len(page.items)
    return sorted(a.name for a in page.items)


@pytest.mark.parametrize(
    "q, names",
    [
        ("café", ["CAFÉ DE PARIS", "Café Zürich AG"]),
        ("CAFÉ", ["CAFÉ DE PARIS", "Café Zürich AG"]),
        ("cafe", ["cafe express"]),  # accents count, as before
        ("%", ["100% Natural Foods", "Mix 50/50 %_ ltd"]),  # wildcards match themselves
        ("_", ["Mix 50/50 %_ ltd", "Under_Score Labs"]),
        ("%_", ["Mix 50/50 %_ ltd"]),
        ("/", ["Mix 50/50 %_ ltd", "Slash/Works"]),
        ("\\", ["Back\\slash Ltd"]),
        ("o'b", ["O'Brien & Sons"]),
        ("straße", ["Straße Bau GmbH"]),
        ("école", ["ÉCOLE Supérieure"]),
        ("αθή", ["Αθήνα Shipping"]),
        ("AB", ["Ab", "Under_Score Labs"]),  # two letters: no trigram to use
        ("X", ["Globex Corporation", "Mix 50/50 %_ ltd", "cafe express", "x"]),
        ("  ltd ", ["Back\\slash Ltd", "Mix 50/50 %_ ltd"]),
        ("S-3", ["100% Natural Foods"]),  # the exact external id
        ("s-3", []),  # ... exactly
        ("S-", []),  # ... not a part of it
        ("nothing like it", []),
    ],
)
def test_search_is_a_substring_of_the_name_in_any_case_or_the_exact_external_id(
    db, sessions, cast, q, names
) -> None:
    add_named(sessions, cast.owner.id)
    admin = db.merge(cast.admin)
    assert found(db, admin, q) == names
    assert found(db, admin, q) == expected(db, q)


PIECES = sorted({name[i : i + n] for name in NAMES for n in (1, 2, 3, 4) for i in range(len(name))})


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    q=st.one_of(
        st.sampled_from(PIECES).map(lambda p: p.upper() if len(p) % 2 else p),
        st.text(alphabet="aAbcé%_/\\ x'ß-S0", min_size=1, max_size=5),
    )
)
def test_both_databases_agree_with_the_rule_for_any_needle(db, sessions, cast, q: str) -> None:
    db.rollback()  # a fresh snapshot: the names may have been added by an earlier example
    if db.scalar(select(Account.id).where(Account.external_id == "S-0")) is None:
        add_named(sessions, cast.owner.id)
    assert found(db, db.merge(cast.admin), q) == expected(db, q)


def test_a_manager_searches_only_what_they_see(db, sessions, cast) -> None:
    add_named(sessions, cast.outsider.id)
    owner, outsider, head = (db.merge(getattr(cast, w)) for w in ("owner", "outsider", "head"))
    assert found(db, owner, "café") == []
    assert found(db, owner, "acme") == ["Acme Industries"]
    assert found(db, head, "a") == ["Acme Industries"]  # the owner's team, not the outsider's
    assert found(db, outsider, "café") == ["CAFÉ DE PARIS", "Café Zürich AG"]
    assert found(db, outsider, "ACME") == []  # an external id out of sight is not found


def test_a_team_member_finds_the_accounts_they_are_on(db, cast) -> None:
    teammate = db.merge(cast.teammate)
    assert found(db, teammate, "industries") == ["Acme Industries"]
    assert found(db, teammate, "globex") == []


# ------------------------------------------------------------------ every writer


def test_the_search_follows_creation_renaming_and_deletion(db, cast) -> None:
    admin = db.merge(cast.admin)
    created = service.create_account(db, admin, AccountIn(name="Quokka Logistics"))
    assert found(db, admin, "okka log") == ["Quokka Logistics"]
    service.update_account(db, admin, created.id, AccountPatch(name="Wombat Freight"))
    assert found(db, admin, "quokka") == []
    assert found(db, admin, "BAT FR") == ["Wombat Freight"]
    service.delete_account(db, admin, created.id)
    assert found(db, admin, "wombat") == []
    db.commit()
    assert found(db, admin, "wombat") == []


def test_imported_accounts_are_found(db, cast, tmp_path) -> None:
    path = csv_file(
        tmp_path,
        "accounts.csv",
        "external_id,name,kind,manager_email\n"
        "IMP-1,Zebulon Ölwerke,company,owner@accord.test\n"
        "IMP-2,Yarrow Mills,company,owner@accord.test\n",
    )
    run_import(db, db.merge(cast.admin), "accounts", path)
    db.commit()
    admin = db.merge(cast.admin)
    assert found(db, admin, "ÖLWERK") == ["Zebulon Ölwerke"]
    assert found(db, admin, "IMP-2") == ["Yarrow Mills"]
    owner = db.merge(cast.owner)
    assert found(db, owner, "arrow") == ["Yarrow Mills"]


def test_the_search_reads_an_index_not_the_table(db, sessions, cast) -> None:
    """PostgreSQL: the trigram index; SQLite: a scan of a narrow covering index."""
    if db.get_bind().dialect.name == "sqlite":
        statement = select(Account.id).where(search_condition("zürich"))
        compiled = statement.compile(db.get_bind())
        plan = " ".join(str(r[-1]) for r in db.connection().exec_driver_sql(
            "EXPLAIN QUERY PLAN " + str(compiled), tuple(compiled.params.values())))
        assert "SCAN accounts USING COVERING INDEX" in plan, plan  # never the table itself
        return
    add_named(sessions, cast.owner.id)
    now = utcnow()
    with sessions.begin() as s:
        s.execute(
            insert(Account),
            [
                {"name": f"Filler {i}", "name_key": f"filler {i}", "kind": "company",
                 "status": "active", "created_at": now, "updated_at": now}
                for i in range(3000)
            ],
        )
        s.execute(text("SELECT gin_clean_pending_list('ix_accounts_name_key_trgm')"))
        s.execute(text("ANALYZE accounts"))
    statement = select(Account.id).where(search_condition("zürich"))
    compiled = statement.compile(db.get_bind())
    db.execute(text("SET LOCAL enable_seqscan = off"))  # small table: rule the scan out
    plan = "\n".join(
        str(r[0])
        for r in db.connection().exec_driver_sql("EXPLAIN " + str(compiled), compiled.params)
    )
    assert "ix_accounts_name_key_trgm" in plan, plan


# ------------------------------------------------------------------ totals and pages


def test_totals_are_exact_on_every_page_whether_or_not_they_are_counted(
    db, sessions, cast
) -> None:
    now = utcnow()
    with sessions.begin() as s:
        s.add_all(
            Account(
                name=f"Page Test {i:02d}",
                name_key=f"page test {i:02d}",
                kind="company",
                status="active",
                manager_id=cast.owner.id,
                created_at=now,
                updated_at=now,
            )
            for i in range(23)
        )
    for who in ("admin", "owner"):
        user = db.merge(getattr(cast, who))
        for size in (1, 5, 10, 23, 50):
            seen: list[str] = []
            for number in range(1, 23 // size + 3):
                page = service.list_accounts(
                    db, user, service.AccountFilter(q="page test"), page=number, page_size=size
                )
                assert (page.total, page.pages) == (23, -(-23 // size))
                seen += [a.name for a in page.items]
            assert seen == [f"Page Test {i:02d}" for i in range(23)]
