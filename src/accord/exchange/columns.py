"""Column maps: which header of a file feeds which Accord field, per kind and source, and
the rows of a file read through one (``read_rows``).

Pure (stdlib only). Headers are matched case-insensitively, ignoring surrounding spaces;
columns a map does not know are ignored; a field whose column is absent is left unchanged
on update (only the columns present in the file are applied).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

Convert = Callable[[str], str | None]


@dataclass(frozen=True)
class Column:
    field: str  # Accord's field
    headers: tuple[str, ...]  # accepted header names, lower case
    required: bool = False
    convert: Convert | None = None  # source value -> Accord value (None: leave unchanged)


def normalise_header(text: str) -> str:
    return " ".join(str(text).replace("\ufeff", "").strip().lower().split())


def salesforce_type_to_status(value: str) -> str | None:
    v = value.strip().lower()
    if not v:
        return None
    if "former" in v or "churn" in v:
        return "churned"
    if "prospect" in v:
        return "prospect"
    if "customer" in v:
        return "active"
    return None  # Partner, Reseller, Other...: no lifecycle meaning


def hubspot_stage_to_status(value: str) -> str | None:
    v = value.strip().lower().replace(" ", "").replace("-", "")
    if v in {"subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity"}:
        return "prospect"
    if v in {"customer", "evangelist"}:
        return "active"
    return None


def annual_revenue_to_band(value: str) -> str | None:
    """A client's annual revenue (their size, not ours) -> purchase-size band."""
    text = value.strip().replace(",", "").replace(" ", "")
    if not text:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"not an amount: {value!r}") from None
    if amount < 10_000_000:
        return "small"
    if amount < 100_000_000:
        return "medium"
    if amount < 1_000_000_000:
        return "large"
    return "enterprise"


ACCOUNTS_ACCORD = (
    Column("external_id", ("external_id",), required=True),
    Column("name", ("name",), required=True),
    Column("kind", ("kind",)),
    Column("segment", ("segment",)),
    Column("business_line", ("business_line",)),
    Column("manager_email", ("manager_email",)),
    Column("parent_external_id", ("parent_external_id",)),
    Column("status", ("status",)),
    Column("contract_end_on", ("contract_end_on",)),
    Column("notice_days", ("notice_days",)),
)
ACCOUNTS_SALESFORCE = (
    Column("external_id", ("id", "account id"), required=True),
    Column("name", ("name", "account name"), required=True),
    Column("status", ("type", "account type"), convert=salesforce_type_to_status),
    Column("industry", ("industry",)),
    # the owner: an e-mail, a user's name or a Salesforce user id (``005...``, through the
    # CRM user map); ``accounts/owners.py`` tells which
    Column("manager_email", ("owner email", "owneremail", "owner.email", "account owner email",
                             "ownerid", "owner id", "owner name", "account owner", "owner")),
    Column("parent_external_id", ("parentid", "parent id", "parent account id")),
    Column("country", ("billingcountry", "billing country")),
    Column("size_band", ("annualrevenue", "annual revenue"), convert=annual_revenue_to_band),
)
ACCOUNTS_HUBSPOT = (
    Column("external_id", ("record id", "company id"), required=True),
    Column("name", ("company name", "name"), required=True),
    Column("manager_email", ("company owner", "company owner email", "hubspot owner id",
                             "owner id")),
    Column("industry", ("industry",)),
    Column("country", ("country/region", "country")),
    Column("status", ("lifecycle stage",), convert=hubspot_stage_to_status),
    Column("size_band", ("annual revenue",), convert=annual_revenue_to_band),
    Column("parent_external_id", ("parent company id",)),
)
CONTACTS_ACCORD = (
    Column("external_id", ("external_id",)),
    Column("account_external_id", ("account_external_id",), required=True),
    Column("name", ("name",), required=True),
    Column("email", ("email",)),
    Column("function", ("function",)),
    Column("seniority", ("seniority",)),
    Column("buying_role", ("buying_role",)),
)
CONTACTS_SALESFORCE = (
    Column("external_id", ("id", "contact id")),
    Column("account_external_id", ("accountid", "account id"), required=True),
    Column("name", ("name", "full name"), required=True),
    Column("first_name", ("firstname", "first name")),
    Column("last_name", ("lastname", "last name")),
    Column("email", ("email",)),
    Column("function", ("department",)),
    Column("title", ("title",)),
    Column("phone", ("phone",)),
)
CONTACTS_HUBSPOT = (
    Column("external_id", ("record id", "contact id")),
    Column(
        "account_external_id",
        ("associated company ids", "associated company id", "company id",
         "associated company ids (primary)"),
        required=True,
    ),
    Column("name", ("name", "full name"), required=True),
    Column("first_name", ("first name",)),
    Column("last_name", ("last name",)),
    Column("email", ("email",)),
    Column("title", ("job title",)),
    Column("phone", ("phone number",)),
)
REVENUE_ACCORD = (
    Column("account_external_id", ("account_external_id",), required=True),
    Column("date", ("date",), required=True),
    Column("amount", ("amount",), required=True),
    Column("product_line", ("product_line",)),
    Column("line_id", ("line_id",)),
)
REVENUE_SALESFORCE = (
    Column("account_external_id", ("accountid", "account id"), required=True),
    Column("date", ("closedate", "close date", "date"), required=True),
    Column("amount", ("amount",), required=True),
    Column("product_line", ("product family", "productfamily", "product line")),
    Column("line_id", ("id", "opportunity id")),
)
#: a HubSpot deals export (closed-won deals as revenue lines)
REVENUE_HUBSPOT = (
    Column("account_external_id", ("associated company id", "associated company ids",
                                   "associated company ids (primary)", "company id"),
           required=True),
    Column("date", ("close date",), required=True),
    Column("amount", ("amount",), required=True),
    Column("product_line", ("product line", "deal type")),
    Column("line_id", ("record id", "deal id")),
)

#: a CRM user map (``accord import user-map``): a CRM's user id -> a user's e-mail
USER_MAP = (
    Column("crm_user_id", ("crm_user_id", "id", "user id", "userid", "owner id", "ownerid",
                           "hubspot owner id"), required=True),
    Column("email", ("email", "e-mail", "user email", "owner email"), required=True),
)

#: the admin centre's Active users export (Users > Active users > Export users)
M365_USERS = (
    Column("principal", ("user principal name", "userprincipalname"), required=True),
    Column("display_name", ("display name", "displayname")),
    Column("licences", ("licenses", "licences"), required=True),
    Column("department", ("department",)),
    Column("blocked", ("block credential", "blockcredential")),
)
#: the Microsoft 365 active user detail report (its workload columns are found by name:
#: ``Has <W> License``, ``<W> Last Activity Date``)
M365_USAGE = (
    Column("refreshed_on", ("report refresh date",), required=True),
    Column("principal", ("user principal name", "userprincipalname"), required=True),
    Column("display_name", ("display name", "displayname")),
    Column("is_deleted", ("is deleted",)),
    Column("deleted_on", ("deleted date",)),
    Column("licences", ("assigned products", "licenses"), required=True),
)
#: subscriptions in Accord's columns (``licences.imports.subscriptions``)
SUBSCRIPTIONS = (
    Column("account_external_id", ("account_external_id",), required=True),
    Column("sku_code", ("sku_code",), required=True),
    Column("start_on", ("start_on",), required=True),
    Column("term_months", ("term_months",)),
    Column("quantity", ("quantity",), required=True),
    Column("unit_price", ("unit_price",), required=True),
    Column("auto_renew", ("auto_renew",)),
    Column("notice_days", ("notice_days",)),
    Column("status", ("status",)),
    Column("reference", ("reference",), required=True),
    Column("effective_on", ("effective_on",)),
)


def _export_only(header: list[str]) -> tuple[Column, ...]:
    """The columns of a kind that is exported, not imported (its header)."""
    return tuple(Column(name, (name,)) for name in header)


#: exported, not imported (``licences.imports.exports``)
SEATS = _export_only(
    ["account_external_id", "account_name", "principal", "display_name", "department",
     "sku_code", "service", "from_on", "to_on", "source", "left_on"])
UTILISATION = _export_only(
    ["account_external_id", "account_name", "sku_code", "service", "purchased", "assigned",
     "reported", "active", "allocation_percent", "adoption_percent", "utilisation_percent"])
#: files with one shape whatever the source (Microsoft's own, or Accord's)
SOURCELESS = {"m365-users": M365_USERS, "m365-usage": M365_USAGE,
              "subscriptions": SUBSCRIPTIONS, "seats": SEATS, "utilisation": UTILISATION}

MAPS: dict[tuple[str, str], tuple[Column, ...]] = {
    ("accounts", "accord"): ACCOUNTS_ACCORD,
    ("accounts", "salesforce"): ACCOUNTS_SALESFORCE,
    ("accounts", "hubspot"): ACCOUNTS_HUBSPOT,
    ("contacts", "accord"): CONTACTS_ACCORD,
    ("contacts", "salesforce"): CONTACTS_SALESFORCE,
    ("contacts", "hubspot"): CONTACTS_HUBSPOT,
    ("revenue", "accord"): REVENUE_ACCORD,
    ("revenue", "salesforce"): REVENUE_SALESFORCE,
    ("revenue", "hubspot"): REVENUE_HUBSPOT,
    **{(kind, source): columns for kind, columns in SOURCELESS.items()
       for source in ("accord", "salesforce", "hubspot")},
}


@dataclass
class Resolved:
    """Where each field sits in the file's rows."""

    index: dict[str, int]  # field -> column position
    header: dict[str, str]  # field -> header as written in the file
    convert: dict[str, Convert]
    missing: list[str]  # required fields with no column (first accepted header)

    def has(self, field: str) -> bool:
        return field in self.index


def resolve(kind: str, source: str, header: list[str]) -> Resolved:
    columns = MAPS.get((kind, source))
    if columns is None:
        raise KeyError(f"no {source} column map for {kind}")
    return resolve_columns(columns, header)


def resolve_columns(columns: tuple[Column, ...], header: list[str]) -> Resolved:
    """Where each column of a map sits in a file with this header (its first accepted
    header found wins; a header written twice: its first column)."""
    positions: dict[str, int] = {}
    for i, cell in enumerate(header):
        positions.setdefault(normalise_header(cell), i)
    found = Resolved(index={}, header={}, convert={}, missing=[])
    for col in columns:
        position = _position(col, positions)
        if col.field in found.index or position is None:
            continue
        found.index[col.field] = position
        found.header[col.field] = str(header[position]).strip()
        if col.convert:
            found.convert[col.field] = col.convert
    found.missing = _missing(columns, set(found.index))
    return found


def _position(col: Column, positions: dict[str, int]) -> int | None:
    return next((positions[name] for name in col.headers if name in positions), None)


def _missing(columns: tuple[Column, ...], satisfied: set[str]) -> list[str]:
    """The first accepted header of each required column the file lacks."""
    if "first_name" in satisfied or "last_name" in satisfied:
        satisfied.add("name")  # a contact's name may come in two parts
    missing: list[str] = []
    for col in columns:
        if col.required and col.field not in satisfied and col.headers[0] not in missing:
            missing.append(col.headers[0])
    return missing


#: (file line, {field: text or None}) for each non-blank row
FileRow = tuple[int, dict[str, str | None]]
#: (file line, field, reason): a cell its column's conversion refused
CellProblem = tuple[int, str, str]


def read_rows(rows: Iterable[list[str]], line: Callable[[], int], cols: Resolved
              ) -> tuple[list[FileRow], list[CellProblem]]:
    """Every non-blank row as {field: text or None}, converted by the column map, and the
    cells a conversion refused (left blank)."""
    out: list[FileRow] = []
    problems: list[CellProblem] = []
    for rec in rows:
        if not any(c.strip() for c in rec):
            continue
        values: dict[str, str | None] = {}
        for name, i in cols.index.items():
            text = rec[i].strip() if i < len(rec) else ""
            convert = cols.convert.get(name)
            if convert is not None and text:
                try:
                    text = convert(text) or ""
                except ValueError as exc:
                    problems.append((line(), name, str(exc)))
                    text = ""
            values[name] = text or None
        out.append((line(), values))
    return out, problems


def canonical_header(kind: str) -> list[str]:
    return [c.headers[0] for c in MAPS[(kind, "accord")]]
