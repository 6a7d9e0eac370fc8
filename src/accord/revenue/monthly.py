"""Monthly revenue of the accounts a load changed, and the check that replaces the foreign
keys of ``revenue_lines`` and ``monthly_revenue`` (dropped for speed, see migration 0006)."""

from __future__ import annotations

from typing import Any

from accord.core.errors import AccordError


class AccountVanished(AccordError):
    """An account was deleted while revenue was being loaded for it."""

    status = 409
    title = "Account deleted during the import"


def _check_accounts_exist(cur: Any, param: str) -> None:
    """Every account of ``rl_accounts`` must still exist when the load commits: PostgreSQL
    locks them ``FOR KEY SHARE`` (a concurrent delete now waits for this transaction, and
    the delete trigger then removes the new lines too), then both databases count the
    missing ones. SQLite has one writer at a time, so the count alone suffices."""
    if param != "?":
        cur.execute("SELECT a.id FROM accounts a JOIN rl_accounts r ON r.account_id = a.id "
                    "ORDER BY a.id FOR KEY SHARE OF a")
    cur.execute("SELECT count(*) FROM rl_accounts r "
                "WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = r.account_id)")
    missing = int(cur.fetchone()[0])
    if missing:
        raise AccountVanished(
            f"{missing} account(s) were deleted while their revenue was being loaded; "
            "nothing was written: run the import again")


def refresh_monthly(raw: Any, param: str, max_before: int) -> tuple[list[int], int]:
    """Rebuild monthly_revenue (amounts, line counts, running totals) of the accounts whose
    lines this load inserted or changed: rows with ``id > max_before`` or in rl_touched."""
    cur = raw.cursor()
    kind = "INTEGER" if param == "?" else "integer"
    cur.execute(f"CREATE TEMP TABLE IF NOT EXISTS rl_accounts (account_id {kind} PRIMARY KEY)")
    cur.execute("DELETE FROM rl_accounts")
    cur.execute(
        "INSERT INTO rl_accounts (account_id) "
        f"SELECT account_id FROM revenue_lines WHERE id > {int(max_before)} "
        "UNION SELECT r.account_id FROM rl_touched t JOIN revenue_lines r ON r.id = t.id"
    )
    _check_accounts_exist(cur, param)
    cur.execute("SELECT account_id FROM rl_accounts ORDER BY account_id")
    accounts = [int(r[0]) for r in cur.fetchall()]
    if param != "?":
        cur.execute("ANALYZE rl_accounts")
        cur.execute("SET LOCAL work_mem = '64MB'")  # sort the month groups in memory
    cur.execute(
        "DELETE FROM monthly_revenue WHERE account_id IN (SELECT account_id FROM rl_accounts)"
    )
    cur.execute(
        "INSERT INTO monthly_revenue (account_id, month, amount_cents, line_count, "
        "cumulative_cents) SELECT account_id, month, amount_cents, line_count, "
        "sum(amount_cents) OVER (PARTITION BY account_id ORDER BY month "
        "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM ("
        "SELECT r.account_id AS account_id, r.month AS month, "
        "sum(r.amount_cents) AS amount_cents, count(*) AS line_count "
        "FROM revenue_lines r WHERE r.account_id IN (SELECT account_id FROM rl_accounts) "
        "GROUP BY r.account_id, r.month) m"
    )
    months = cur.rowcount
    cur.execute("DROP TABLE IF EXISTS rl_accounts")
    return accounts, int(months)
