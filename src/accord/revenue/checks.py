"""The checks of a staged revenue file, as SQL over ``rl_in`` (see ``staging.py``).

``valid_rows_sql`` gives the rows to load in the stored shape, ordered by (account, key);
``problems`` reads back the rows that fail, with the reason per column, in file order.
The lookups are TEMP tables: ``rl_acc`` (external id -> account id, only the accounts the
importing user may see, so an import teaches nothing about the rest) and, on PostgreSQL,
``rl_days`` (every real day of the years the file mentions -> date and month index).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import column, delete, insert, table
from sqlalchemy.orm import Session

from accord.accounts.models import AccountExternalId
from accord.core.database import is_sqlite
from accord.core.models import User
from accord.revenue.lookups import accord_ids, source_ids
from accord.revenue.rules import MAX_TEXT, MAX_WHOLE_DIGITS

RL_ACC = table("rl_acc", column("ext"), column("id"))


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
        rows = (f"(SELECT n, {v('a')} AS a, {v('d')} AS d, {v('amt')} AS t, {v('p')} AS p, "
                f"{v('l')} AS l FROM rl_in WHERE n > 1")
        if self.trimmed:  # a fence: trimmed once per row, not once per use; and only the
            # rows the first pass left
            rows += (" AND n NOT IN (SELECT n FROM rl_loaded) "
                     + ("LIMIT -1" if self.sqlite else "OFFSET 0"))
        rows += ")"
        if self.sqlite:
            return f"{rows} s LEFT JOIN rl_acc x ON x.ext = s.a"
        return (f"{rows} s LEFT JOIN rl_acc x ON x.ext = s.a "
                "LEFT JOIN rl_days dd ON dd.d = s.d")

    @property
    def date_ok(self) -> str:
        if self.sqlite:  # date() always writes YYYY-MM-DD: equal means well-formed and real
            return ("(length(s.d) = 10 AND s.d >= '0001' "
                    "AND date(julianday(s.d)) = s.d)")
        return "(dd.month IS NOT NULL)"

    @property
    def amount_ok(self) -> str:
        if self.sqlite:  # cheap tests only (GLOB with one class, instr, length)
            dot = "instr(s.t, '.')"
            whole = (f"CASE WHEN {dot} > 0 THEN {dot} - 1 ELSE length(s.t) END "
                     "- (substr(s.t, 1, 1) = '-')")
            # the usual "digits.dd" first, cheaply: the whole part reads back as itself
            # (no sign but '-', no leading zero, nothing else); anything else, leading
            # zeros included, goes to the full test (GLOB with a star is costly)
            whole_part = "substr(s.t, 1, length(s.t) - 3)"
            usual = ("substr(s.t, -3, 1) = '.' AND substr(s.t, -2) GLOB '[0-9][0-9]' "
                     f"AND length(s.t) <= {MAX_WHOLE_DIGITS + 3} "
                     f"AND CAST({whole_part} AS INTEGER) || '' = {whole_part}")
            return (f"(CASE WHEN {usual} THEN 1 ELSE "
                    "s.t NOT GLOB '*[^0-9.-]*' "
                    "AND (s.t GLOB '[0-9]*' OR s.t GLOB '-[0-9]*') "
                    "AND instr(substr(s.t, 2), '-') = 0 "
                    f"AND ({dot} = 0 OR (length(s.t) - {dot} IN (1, 2) "
                    f"AND instr(substr(s.t, {dot} + 1), '.') = 0)) "
                    f"AND {whole} <= {MAX_WHOLE_DIGITS} END)")
        # no '?' in the pattern: the loader turns '?' into psycopg's placeholder
        return f"(s.t ~ '^-{{0,1}}[0-9]{{1,{MAX_WHOLE_DIGITS}}}([.][0-9]{{1,2}}){{0,1}}$')"

    @property
    def cents(self) -> str:
        """Exact: the digits without the point, times 100, 10 or 1 by the decimals."""
        shift = ("CASE length(s.t) - {pos}(s.t, '.') WHEN length(s.t) THEN 100 "
                 "WHEN 1 THEN 10 ELSE 1 END")
        if self.sqlite:
            return f"CAST(replace(s.t, '.', '') AS INTEGER) * {shift.format(pos='instr')}"
        return f"replace(s.t, '.', '')::bigint * {shift.format(pos='strpos')}"

    @property
    def month(self) -> str:
        if self.sqlite:
            return ("CAST(substr(s.d, 1, 4) AS INTEGER) * 12 "
                    "+ CAST(substr(s.d, 6, 2) AS INTEGER) - 1")
        return "dd.month"

    @property
    def day(self) -> str:
        return "s.d" if self.sqlite else "dd.day"

    @property
    def checks(self) -> tuple[str, str, str, str, str]:
        """(account, date, amount, product line, line id) each true when fine."""
        no = "0" if self.sqlite else "false"  # a check that meets NULL fails, never unknown
        return tuple(f"coalesce({c}, {no})" for c in (  # type: ignore[return-value]
            "(x.id IS NOT NULL)", self.date_ok, self.amount_ok,
            f"(length(s.p) <= {MAX_TEXT})", f"(length(s.l) <= {MAX_TEXT})"))

    @property
    def valid(self) -> str:
        if self.trimmed:
            return " AND ".join(self.checks)
        # untrimmed, a value with spaces around fails its check, except free text: those
        # rows wait for the second pass too
        spaced = " AND ".join(f"substr(s.{c}, 1, 1) <> ' ' AND substr(s.{c}, -1, 1) <> ' '"
                              for c in ("p", "l"))
        return " AND ".join(self.checks) + " AND " + spaced


def dialect_of(session: Session, trimmed: bool = False) -> Dialect:
    return Dialect(is_sqlite(session), trimmed)


def prepare_lookups(session: Session, user: User, source: str) -> None:
    """Fill ``rl_acc`` (and ``rl_days`` on PostgreSQL) for the staged file."""
    d = dialect_of(session)
    conn = session.connection()
    conn.exec_driver_sql("DROP TABLE IF EXISTS rl_acc")
    conn.exec_driver_sql("CREATE TEMP TABLE rl_acc (ext text PRIMARY KEY, id integer)")
    session.execute(insert(RL_ACC).from_select(["ext", "id"], accord_ids(user)))
    if source != "accord":  # the source's own ids win over Accord's external ids
        own = source_ids(user, source)
        session.execute(delete(RL_ACC).where(RL_ACC.c.ext.in_(own.with_only_columns(
            AccountExternalId.value))))
        session.execute(insert(RL_ACC).from_select(["ext", "id"], own))
    if d.sqlite:
        return
    conn.exec_driver_sql("ANALYZE rl_acc")
    fill_days(conn)
    conn.exec_driver_sql("ANALYZE rl_in")


def fill_days(conn: Any) -> None:
    """PostgreSQL: ``rl_days``, every real day of the years the staged dates name (a date
    that is not in it is malformed or not a real day), with its date and month index."""
    conn.exec_driver_sql("DROP TABLE IF EXISTS rl_days")
    conn.exec_driver_sql("CREATE TEMP TABLE rl_days (d text PRIMARY KEY, day date, month integer)")
    conn.exec_driver_sql(
        "INSERT INTO rl_days SELECT to_char(g, 'YYYY-MM-DD'), g::date, "
        "(extract(year FROM g) * 12 + extract(month FROM g) - 1)::integer FROM ("
        "SELECT DISTINCT substr(btrim(d), 1, 4)::integer AS y FROM rl_in "
        "WHERE n > 1 AND btrim(d) ~ '^[0-9]{4}-') ys, "
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
    return (
        "SELECT x.id AS account_id, CASE WHEN s.l <> '' THEN '#' || s.l "
        "ELSE s.d || '|' || s.p END AS line_key, "
        f"{d.day} AS date, {d.month} AS month, {d.cents} AS amount_cents, "
        "nullif(s.p, '') AS product_line, nullif(s.l, '') AS line_id "
        f"FROM {d.source} WHERE {d.valid}"
    )


def valid_rows_sql(session: Session, trimmed: bool = False) -> str:
    return valid_rows(dialect_of(session, trimmed))


def loaded_rows(d: Dialect) -> str:
    """SELECT of the lines (``n``) of the rows the first, untrimmed pass loads."""
    return f"SELECT s.n FROM {d.source} WHERE {d.valid}"


def remember_loaded(session: Session) -> None:
    """``rl_loaded``: the rows the first (untrimmed) pass loaded, for the second to skip."""
    conn = session.connection()
    conn.exec_driver_sql("DROP TABLE IF EXISTS rl_loaded")
    conn.exec_driver_sql("CREATE TEMP TABLE rl_loaded (n bigint PRIMARY KEY)")
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
    return (f"SELECT s.n, s.a, s.d, s.t, s.p, s.l, {flags} FROM {d.source} "
            f"WHERE NOT ({d.valid}) ORDER BY s.n LIMIT {int(limit)}")


def bad_rows(rows: Any) -> list[BadRow]:
    return [BadRow(int(r[0]), r[1], r[2], r[3], r[4], r[5], tuple(bool(f) for f in r[6:]))
            for r in rows]


def problems(session: Session, limit: int) -> list[BadRow]:
    """The first ``limit`` rows that fail a check, in file order (after both passes)."""
    sql = problems_sql(dialect_of(session, trimmed=True), limit)
    return bad_rows(session.connection().exec_driver_sql(sql))
