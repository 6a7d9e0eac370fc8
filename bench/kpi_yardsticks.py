"""Yardsticks for bench_kpis: the same one-month report by DuckDB (SQL over a pandas frame
of the monthly revenue) and by plain pandas, timed in the same run as the engine."""

from __future__ import annotations

from typing import Any


def frame(engine: Any) -> Any:
    import pandas as pd

    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT m.account_id, m.month, m.amount_cents, a.manager_id, a.segment "
            "FROM monthly_revenue m JOIN accounts a ON a.id = m.account_id"
        ).fetchall()
    return pd.DataFrame(rows, columns=["account_id", "month", "amount", "manager_id", "segment"])


DUCK_SQL = """
WITH w AS (
  SELECT account_id, any_value(manager_id) AS manager_id, any_value(segment) AS segment,
    greatest(sum(amount) FILTER (WHERE month BETWEEN $m - $w + 1 AND $m), 0) AS cur,
    greatest(sum(amount) FILTER (WHERE month BETWEEN $m - 2 * $w + 1 AND $m - $w), 0) AS prev,
    min(month) FILTER (WHERE amount > 0) AS first_sale
  FROM df WHERE month <= $m GROUP BY account_id)
SELECT manager_id, segment, count(*) FILTER (WHERE prev > 0), sum(prev),
  sum(prev) FILTER (WHERE cur = 0), sum(prev - cur) FILTER (WHERE cur > 0 AND cur < prev),
  sum(cur - prev) FILTER (WHERE prev > 0 AND cur > prev),
  sum(cur) FILTER (WHERE prev = 0 AND first_sale >= $m - 2 * $w + 1),
  sum(cur) FILTER (WHERE prev = 0 AND first_sale < $m - 2 * $w + 1), sum(cur),
  sum(cur::double * cur)
FROM w GROUP BY ALL
"""
DUCK_CONC = """
SELECT sum(cur) FILTER (WHERE rn <= (n + 4) // 5),
  count(*) FILTER (WHERE before * 10000 < 8000 * t),
  count(*) FILTER (WHERE before * 10000 < 9500 * t)
FROM (SELECT cur, row_number() OVER o AS rn, count(*) OVER () AS n, sum(cur) OVER () AS t,
        coalesce(sum(cur) OVER (o ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before
      FROM (SELECT account_id, greatest(sum(amount), 0) AS cur FROM df
            WHERE month BETWEEN $m - $w + 1 AND $m GROUP BY account_id) WHERE cur > 0
      WINDOW o AS (ORDER BY cur DESC, account_id))
"""


def duck_report(df: Any, as_of: int, window: int) -> Any:
    import duckdb

    con = duckdb.connect()
    con.register("df", df)
    params = {"m": as_of, "w": window}
    groups = con.execute(DUCK_SQL, params).fetchall()
    conc = con.execute(DUCK_CONC, params).fetchall()
    con.close()
    return groups, conc


def pandas_report(df: Any, as_of: int, window: int) -> Any:
    import numpy as np

    d = df[df.month <= as_of]
    cur = d[d.month > as_of - window].groupby("account_id").amount.sum().clip(lower=0)
    prev = d[(d.month > as_of - 2 * window) & (d.month <= as_of - window)].groupby(
        "account_id").amount.sum().clip(lower=0)
    first_sale = d[d.amount > 0].groupby("account_id").month.min()
    meta = d.groupby("account_id")[["manager_id", "segment"]].first()
    t = meta.assign(cur=cur, prev=prev, first_sale=first_sale).fillna({"cur": 0, "prev": 0})
    base = t.prev > 0
    t["churned"] = np.where(base & (t.cur == 0), t.prev, 0)
    t["contraction"] = np.where((t.cur > 0) & (t.cur < t.prev), t.prev - t.cur, 0)
    t["expansion"] = np.where(base & (t.cur > t.prev), t.cur - t.prev, 0)
    entering = (~base) & (t.cur > 0)
    back = t.first_sale < as_of - 2 * window + 1
    t["new"] = np.where(entering & ~back, t.cur, 0)
    t["reactivated"] = np.where(entering & back, t.cur, 0)
    t["base"] = base.astype(int)
    groups = t.groupby(["manager_id", "segment"])[
        ["base", "prev", "churned", "contraction", "expansion", "new", "reactivated", "cur"]].sum()
    paying = np.sort(t.cur[t.cur > 0].to_numpy())[::-1]
    total = paying.sum()
    top = paying[: (len(paying) + 4) // 5].sum()
    before = np.cumsum(paying) - paying
    abc = ((before * 10000 < 8000 * total).sum(), (before * 10000 < 9500 * total).sum())
    return groups, top, abc, float((paying.astype(float) ** 2).sum())


# ---------------------------------------------------------------- the run


def duck_series(df: Any, first: int, last: int, window: int) -> None:
    for month in range(first, last + 1):
        duck_report(df, month, window)
