# ruff: noqa: E501 - CSV bodies and expected reports read best on one line
"""Accounts and contacts import: canonical, Salesforce and HubSpot columns, Excel, rules."""

from __future__ import annotations

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from accord.accounts.models import Account, AccountContact, AccountExternalId, Contact
from accord.core.errors import Forbidden
from accord.exchange.importing import run_import
from import_helpers import FIXTURES, audit_entries, csv_file

ACCOUNTS = "external_id,name,kind,segment,business_line,manager_email,parent_external_id,status\n"
CONTACTS = "external_id,account_external_id,name,email,function,seniority,buying_role\n"


def imp(db, user, kind, path, **kw):
    report = run_import(db, user, kind, path, **kw)
    db.commit()
    return report


def account(db, external_id):
    return db.scalar(select(Account).where(Account.external_id == external_id))


def test_it_imports_accounts_with_a_parent_defined_later_in_the_file(db, cast):
    report = imp(db, cast.admin, "accounts", FIXTURES / "accounts.csv")
    assert (report.status, report.inserted, report.updated) == ("imported", 3, 0)
    child, parent = account(db, "SUB-1"), account(db, "NEW-PARENT")
    assert child.parent_id == parent.id
    assert (child.manager_id, parent.manager_id) == (cast.owner.id, cast.head.id)
    assert (parent.status, account(db, "JDOE").kind) == ("onboarding", "person")
    assert len(audit_entries(db, "account")) == 3
    assert len(audit_entries(db, "import")) == 1


def test_reimporting_accounts_changes_nothing_and_a_changed_row_updates(db, cast, tmp_path):
    imp(db, cast.admin, "accounts", FIXTURES / "accounts.csv")
    again = imp(db, cast.admin, "accounts", FIXTURES / "accounts.csv")
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 3)
    assert db.scalar(select(Account.id).where(Account.external_id == "JDOE").limit(1))
    assert len(list(db.scalars(select(Account.id)))) == 5
    changed = csv_file(tmp_path, "c.csv", ACCOUNTS + "JDOE,Jane Doe,person,Private,,owner@accord.test,,active\n")
    report = imp(db, cast.admin, "accounts", changed)
    assert (report.inserted, report.updated, report.unchanged) == (0, 1, 0)
    assert account(db, "JDOE").status == "active"
    assert audit_entries(db, "account")[-1][0] == "update"


def test_bad_account_rows_are_rejected_whole_with_row_column_and_reason(db, cast, tmp_path):
    path = csv_file(tmp_path, "bad.csv", ACCOUNTS + """
OK-1,Fine Ltd,company,,,,,active
BAD-1,Bad Manager,company,,,nobody@nowhere.test,,active
BAD-2,Bad Kind,robot,,,,,active
BAD-3,Bad Parent,company,,,,NO-SUCH,active
,No Id,company,,,,,active
BAD-4,,company,,,,,active
BAD-5,Viewer Manager,company,,,viewer@accord.test,,zombie
""")
    report = imp(db, cast.admin, "accounts", path)
    assert report.status == "rejected"
    assert [(p.row, p.column, p.reason) for p in report.problems] == [
        (3, "manager_email", "unknown manager e-mail 'nobody@nowhere.test'"),
        (4, "kind", "bad value 'robot'; one of company, person"),
        (6, "external_id", "missing required field"),
        (7, "name", "missing required field"),
        (8, "status", "bad value 'zombie'; one of prospect, onboarding, active, lapsed, churned"),
        (8, "manager_email", "viewer@accord.test cannot manage accounts (viewer)"),
        (5, "parent_external_id", "unknown parent 'NO-SUCH'"),
    ]
    assert account(db, "OK-1") is None
    assert audit_entries(db, "account") == []


def test_skip_invalid_imports_good_accounts_and_drops_children_of_bad_ones(db, cast, tmp_path):
    path = csv_file(tmp_path, "bad.csv", ACCOUNTS + """
KID,Kid Co,company,,,,BAD,active
BAD,Bad Co,company,,,ghost@nowhere.test,,active
OK,Ok Co,company,,,,,active
""")
    report = imp(db, cast.admin, "accounts", path, skip_invalid=True)
    assert (report.status, report.inserted, report.skipped) == ("imported", 1, 2)
    assert account(db, "OK") is not None and account(db, "KID") is None


def test_only_admins_and_heads_import_accounts(db, cast):
    with pytest.raises(Forbidden):
        run_import(db, cast.owner, "accounts", FIXTURES / "accounts.csv")
    report = imp(db, cast.head, "accounts", FIXTURES / "accounts.csv")
    assert report.inserted == 3


def test_salesforce_accounts_keep_their_id_and_map_owner_parent_type_and_size(db, cast):
    report = imp(db, cast.admin, "accounts", FIXTURES / "salesforce_accounts.csv",
                 source="salesforce")
    assert (report.status, report.inserted) == ("imported", 3)
    initech, europe, hooli = (account(db, i) for i in ("001A000001", "001A000002", "001A000003"))
    assert europe.parent_id == initech.id
    assert (initech.status, hooli.status) == ("active", "prospect")
    assert (initech.size_band, europe.size_band, hooli.size_band) == ("medium", "small", "enterprise")
    assert (initech.country, initech.industry, initech.manager_id) == ("France", "Software", cast.owner.id)
    ids = set(db.scalars(select(AccountExternalId.value).where(AccountExternalId.source == "salesforce")))
    assert ids == {"001A000001", "001A000002", "001A000003"}
    again = imp(db, cast.admin, "accounts", FIXTURES / "salesforce_accounts.csv", source="salesforce")
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 3)


def test_hubspot_companies_map_record_id_owner_and_lifecycle(db, cast):
    report = imp(db, cast.admin, "accounts", FIXTURES / "hubspot_companies.csv", source="hubspot")
    assert report.inserted == 2
    umbrella = account(db, "9001")
    assert (umbrella.name, umbrella.manager_id, umbrella.status, umbrella.size_band) == (
        "Umbrella Corp", cast.owner.id, "active", "large")
    assert account(db, "9002").status == "prospect"
    link = db.scalar(select(AccountExternalId).where(AccountExternalId.value == "9001"))
    assert (link.source, link.account_id) == ("hubspot", umbrella.id)


def test_contacts_link_one_person_to_several_accounts(db, cast):
    report = imp(db, cast.admin, "contacts", FIXTURES / "contacts.csv")
    assert (report.status, report.inserted, report.updated) == ("imported", 2, 1)
    ann = db.scalar(select(Contact).where(Contact.external_id == "C-1"))
    roles = dict(db.execute(select(AccountContact.account_id, AccountContact.buying_role)
                            .where(AccountContact.contact_id == ann.id)).all())
    assert roles == {cast.acme_id: "decision_maker", cast.globex_id: "influencer"}
    again = imp(db, cast.admin, "contacts", FIXTURES / "contacts.csv")
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 3)
    assert len(list(db.scalars(select(Contact.id)))) == 2


def test_a_manager_importing_contacts_elsewhere_sees_unknown_account(db, cast):
    report = imp(db, cast.owner, "contacts", FIXTURES / "contacts.csv")
    assert report.status == "rejected"
    assert [(p.row, p.column, p.reason) for p in report.problems] == [
        (4, "account_external_id", "unknown account 'GLOBEX'")]
    assert db.scalar(select(Contact.id).limit(1)) is None


def test_bad_contact_rows_name_the_problem(db, cast, tmp_path):
    path = csv_file(tmp_path, "c.csv", CONTACTS + """
C-9,ACME,Carl,not-an-email,,boss,
C-8,ACME,Dora,dora@acme.example,,,kingmaker
,ACME,Eve,,,,
""")
    report = imp(db, cast.admin, "contacts", path)
    assert [(p.row, p.column, p.reason.split(":")[0].split(";")[0]) for p in report.problems] == [
        (2, "email", "not an e-mail address"),
        (2, "seniority", "bad value 'boss'"),
        (3, "buying_role", "bad value 'kingmaker'"),
        (4, "external_id", "missing required field (an external_id or an e-mail identifies a contact)"),
    ]


def test_excel_files_import_like_csv(db, cast, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["account_external_id", "date", "amount", "product_line", "line_id"])
    from datetime import datetime

    sheet.append(["ACME", datetime(2024, 3, 5), 1234.5, "Widgets", None])
    sheet.append(["ACME", "2024-03-06", "-0.01", None, 42])
    path = tmp_path / "rev.xlsx"
    book.save(path)
    report = imp(db, cast.admin, "revenue", path)
    assert (report.status, report.inserted) == ("imported", 2)
    from sqlalchemy import text

    rows = db.execute(text("SELECT line_key, amount_cents FROM revenue_lines ORDER BY line_key")).all()
    assert [(k, int(c)) for k, c in rows] == [("#42", -1), ("2024-03-05|Widgets", 123450)]


def test_an_unreadable_file_is_rejected_with_a_reason(db, cast, tmp_path):
    path = tmp_path / "junk.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    report = imp(db, cast.admin, "revenue", path)
    assert report.status == "rejected"
    assert report.problems[0].column == "file"
