"""The checks of a staged revenue file, as SQL over ``rl_in`` (see ``staging.py``).

``valid_rows_sql`` gives the rows to load in the stored shape, ordered by (account, key);
``problems`` reads back the rows that fail, with the reason per column, in file order.
The lookups are TEMP tables: ``rl_acc`` (external_id -> account_id, only the accounts the
importing user may see, so an import teaches nothing about the rest) and, on PostgreSQL,
``rl_days`` (every real day of the years the file mentions: its text -> date and month
index). In the checks, ``s`` is a staged row (``line_no``, ``account_ref``, ``date_text``,
``amount_text``, ``product_line``, ``line_id``: see ``raw_rows.STAGED``), ``x`` its account
and ``dd`` (PostgreSQL) its day.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import column, delete, insert, table
from sqlalchemy.orm import Session

from accord.accounts.lookups import accord_ids, source_ids
from accord.accounts.models import AccountExternalId
from accord.core.database import is_sqlite
from accord.core.models import User
from accord.revenue.load.raw_rows import STAGED_COLUMNS
from accord.revenue.rules import MAX_TEXT, MAX_WHOLE_DIGITS, line_key_sql

#: the accounts the importing user may name: external id (Accord's, or the source's) -> id
RL_ACC_COLUMNS = "external_id text PRIMARY KEY, account_id integer"
RL_ACC = table("rl_acc", column("external_id"), column("account_id"))


@dataclass(frozen=True)
class Dialect:
    """The checks in one database's SQL, over the staged values as they are (``trimmed``
    False: the first pass, no function call spent on spaces) or trimmed of surrounding
    spaces (the second pass, for the rows the first did not load; see ``load_valid``)."""

    sqlite: bool
    trimmed: bool = False

    def value(self, name: str) -> str:
        if not self.trimmed:
            return f"coalesce({name}, '')"
        return f"coalesce({'trim' if self.sqlite else 'btrim'}({name}), '')"

    @property
    def source(self) -> str:
        """The staged rows, with the account (and day) they name, if any."""
        v = self.value
        rows = ("(SELECT line_no, "
                + ", ".join(f"{v(c)} AS {c}" for c in STAGED_COLUMNS)
                + " FROM rl_in WHERE line_no > 1")
        if self.trimmed:  # a fence: trimmed once per row, not once per use; and only the
            # rows the first pass left
            rows += (" AND line_no NOT IN (SELECT line_no FROM rl_loaded) "
                     + ("LIMIT -1" if self.sqlite else "OFFSET 0"))
        rows += ")"
        if self.sqlite:
            return f"{rows} s LEFT JOIN rl_acc x ON x.external_id = s.account_ref"
        return (f"{rows} s LEFT JOIN rl_acc x ON x.external_id = s.account_ref "
                "LEFT JOIN rl_days dd ON dd.date_text = s.date_text")

    @property
    def date_ok(self) -> str:
        if self.sqlite:  # date() always writes YYYY-MM-DD: equal means well-formed and real
            return ("(length(s.date_text) = 10 AND s.date_text >= '0001' "
                    "AND date(julianday(s.date_text)) = s.date_text)")
        return "(dd.month IS NOT NULL)"

    @property
    def amount_ok(self) -> str:
        t = "s.amount_text"
        if self.sqlite:  # cheap tests only (GLOB with one class, instr, length)
            dot = f"instr({t}, '.')"
            whole = (f"CASE WHEN {dot} > 0 THEN {dot} - 1 ELSE length({t}) END "
                     f"- (substr({t}, 1, 1) = '-')")
            # the usual "digits.dd" first, cheaply: the whole part reads back as itself
            # (no sign but '-', no leading zero, nothing else); anything else, leading
            # zeros included, goes to the full test (GLOB with a star is costly)
            whole_part = f"substr({t}, 1, length({t}) - 3)"
            usual = (f"substr({t}, -3, 1) = '.' AND substr({t}, -2) GLOB '[0-9][0-9]' "
                     f"AND length({t}) <= {MAX_WHOLE_DIGITS + 3} "
                     f"AND CAST({whole_part} AS INTEGER) || '' = {whole_part}")
            return (f"(CASE WHEN {usual} THEN 1 ELSE "
                    f"{t} NOT GLOB '*[^0-9.-]*' "
                    f"AND ({t} GLOB '[0-9]*' OR {t} GLOB '-[0-9]*') "
                    f"AND instr(substr({t}, 2), '-') = 0 "
                    f"AND ({dot} = 0 OR (length({t}) - {dot} IN (1, 2) "
                    f"AND instr(substr({t}, {dot} + 1), '.') = 0)) "
                    f"AND {whole} <= {MAX_WHOLE_DIGITS} END)")
        # no '?' in the pattern: the loader turns '?' into psycopg's placeholder
        return f"({t} ~ '^-{{0,1}}[0-9]{{1,{MAX_WHOLE_DIGITS}}}([.][0-9]{{1,2}}){{0,1}}$')"

    @property
    def cents(self) -> str:
        """Exact: the digits without the point, times 100, 10 or 1 by the decimals."""
        t = "s.amount_text"
        shift = (f"CASE length({t}) - {{pos}}({t}, '.') WHEN length({t}) THEN 100 "
                 "WHEN 1 THEN 10 ELSE 1 END")
        if self.sqlite:
            return f"CAST(replace({t}, '.', '') AS INTEGER) * {shift.format(pos='instr')}"
        return f"replace({t}, '.', '')::bigint * {shift.format(pos='strpos')}"

    @property
    def month(self) -> str:
        if self.sqlite:
            return ("CAST(substr(s.date_text, 1, 4) AS INTEGER) * 12 "
                    "+ CAST(substr(s.date_text, 6, 2) AS INTEGER) - 1")
        return "dd.month"

    @property
    def day(self) -> str:
        return "s.date_text" if self.sqlite else "dd.day"

    @property
    def checks(self) -> tuple[str, str, str, str, str]:
        """(account, date, amount, product line, line id) each true when fine."""
        no = "0" if self.sqlite else "false"  # a check that meets NULL fails, never unknown
        return tuple(f"coalesce({c}, {no})" for c in (  # type: ignore[return-value]
            "(x.account_id IS NOT NULL)", self.date_ok, self.amount_ok,
            f"(length(s.product_line) <= {MAX_TEXT})", f"(length(s.line_id) <= {MAX_TEXT})"))

    @property
    def valid(self) -> str:
        if self.trimmed:
            return " AND ".join(self.checks)
        # untrimmed, a value with spaces around fails its check, except free text: those
        # rows wait for the second pass too
        spaced = " AND ".join(f"substr(s.{c}, 1, 1) <> ' ' AND substr(s.{c}, -1, 1) <> ' '"
                              for c in ("product_line", "line_id"))
        return " AND ".join(self.checks) + " AND " + spaced


def dialect_of(session: Session, trimmed: bool = False) -> Dialect:
    return Dialect(is_sqlite(session), trimmed)


def prepare_lookups(session: Session, user: User, source: str) -> None:
    """Fill ``rl_acc`` (and ``rl_days`` on PostgreSQL) for the staged file."""
    d = dialect_of(session)
    conn = session.connection()
    conn.exec_driver_sql("DROP TABLE IF EXISTS rl_acc")
    conn.exec_driver_sql(f"CREATE TEMP TABLE rl_acc ({RL_ACC_COLUMNS})")
    session.execute(insert(RL_ACC).from_select(["external_id", "account_id"], accord_ids(user)))
    if source != "accord":  # the source's own ids win over Accord's external ids
        own = source_ids(user, source)
        session.execute(delete(RL_ACC).where(RL_ACC.c.external_id.in_(own.with_only_columns(
            AccountExternalId.value))))
        session.execute(insert(RL_ACC).from_select(["external_id", "account_id"], own))
    if d.sqlite:
        return
    conn.exec_driver_sql("ANALYZE rl_acc")
    fill_days(conn)
    conn.exec_driver_sql("ANALYZE rl_in")


def fill_days(conn: Any) -> None:
    """PostgreSQL: ``rl_days``, every real day of the years the staged dates name (a date
    that is not in it is malformed or not a real day), with its date and month index."""
    conn.exec_driver_sql("DROP TABLE IF EXISTS rl_days")
    conn.exec_driver_sql(
        "CREATE TEMP TABLE rl_days (date_text text PRIMARY KEY, day date, month integer)")
    conn.exec_driver_sql(
        "INSERT INTO rl_days SELECT to_char(g, 'YYYY-MM-DD'), g::date, "
        "(extract(year FROM g) * 12 + extract(month FROM g) - 1)::integer FROM ("
        "SELECT DISTINCT substr(btrim(date_text), 1, 4)::integer AS y FROM rl_in "
        "WHERE line_no > 1 AND btrim(date_text) ~ '^[0-9]{4}-') ys, "
        "generate_series(make_date(y, 1, 1), make_date(y, 12, 31), interval '1 day') g "
        "WHERE y BETWEEN 1 AND 9999"
    )
    conn.exec_driver_sql("ANALYZE rl_days")


def drop_lookups(session: Session) -> None:
    conn = session.connection()
    conn.exec_driver_sql("DROP TABLE IF EXISTS rl_loaded")
    conn.exec_driver_sql("DROP TABLE IF EXISTS rl_acc")
    conn.exec_driver_sql("DROP TABLE IF EXISTS rl_days")


def valid_rows(d: Dialect) -> str:
    """SELECT of the valid rows as (account_id, line_key, date, month, amount_cents,
    product_line, line_id), in no particular order."""
    key = line_key_sql("s.date_text", "s.product_line", "s.line_id")
    return (
        f"SELECT x.account_id AS account_id, {key} AS line_key, "
        f"{d.day} AS date, {d.month} AS month, {d.cents} AS amount_cents, "
        "nullif(s.product_line, '') AS product_line, nullif(s.line_id, '') AS line_id "
        f"FROM {d.source} WHERE {d.valid}"
    )


def valid_rows_sql(session: Session, trimmed: bool = False) -> str:
    return valid_rows(dialect_of(session, trimmed))


def loaded_rows(d: Dialect) -> str:
    """SELECT of the lines (``line_no``) of the rows the first, untrimmed pass loads."""
    return f"SELECT s.line_no FROM {d.source} WHERE {d.valid}"


def remember_loaded(session: Session) -> None:
    """``rl_loaded``: the rows the first (untrimmed) pass loaded, for the second to skip."""
    conn = session.connection()
    conn.exec_driver_sql("DROP TABLE IF EXISTS rl_loaded")
    conn.exec_driver_sql("CREATE TEMP TABLE rl_loaded (line_no bigint PRIMARY KEY)")
    conn.exec_driver_sql(f"INSERT INTO rl_loaded {loaded_rows(dialect_of(session))}")


@dataclass(frozen=True)
class BadRow:
    line: int
    account: str
    date: str
    amount: str
    product_line: str
    line_id: str
    ok: tuple[bool, ...]  # (account, date, amount, product line, line id) pass their check


def problems_sql(d: Dialect, limit: int) -> str:
    """The first ``limit`` rows that fail a check, in file order (``d`` trimmed: after both
    passes), as (line, values..., one flag per check); :func:`bad_rows` reads them."""
    flags = ", ".join(f"CASE WHEN {c} THEN 1 ELSE 0 END" for c in d.checks)
    return (f"SELECT s.line_no, {', '.join(f's.{c}' for c in STAGED_COLUMNS)}, {flags} "
            f"FROM {d.source} WHERE NOT ({d.valid}) ORDER BY s.line_no LIMIT {int(limit)}")


def bad_rows(rows: Any) -> list[BadRow]:
    return [BadRow(int(r[0]), r[1], r[2], r[3], r[4], r[5], tuple(bool(f) for f in r[6:]))
            for r in rows]


def problems(session: Session, limit: int) -> list[BadRow]:
    """The first ``limit`` rows that fail a check, in file order (after both passes)."""
    sql = problems_sql(dialect_of(session, trimmed=True), limit)
    return bad_rows(session.connection().exec_driver_sql(sql))
