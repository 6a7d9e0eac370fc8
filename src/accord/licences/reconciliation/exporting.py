"""The reconciliation as CSV (pure: no storage): one line per account and month, amounts as
plain decimals, text cells never formulas (``core.cells``)."""

from __future__ import annotations

import csv
import io

from accord.core.cells import neutralise
from accord.licences.reconciliation.reading import Reading

COLUMNS = ("account_id", "account", "month", "subscriptions", "invoiced", "difference")


def to_csv(reading: Reading) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for r in reading.rows:
        writer.writerow([r.account_id, neutralise(r.account_name), r.month, r.subscriptions,
                         r.invoiced, r.difference])
    return out.getvalue()
