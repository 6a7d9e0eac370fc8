"""Every dashboard table as rows, written to CSV or Excel (openpyxl), the same rows in both.

A ``Table`` is a title, columns (key, label, unit) and rows of plain values: ``Decimal``
amounts and ratios, ``int`` counts, ``str`` names, ``None`` where undefined. CSV writes the
column keys as the header and exact decimals as text (``2400.00``, ``0.981370``), empty where
undefined; Excel writes the same header and numbers as numbers with a money or percent format,
plus an "About" sheet naming the as-of month, window, basis and ABC cut-offs. No cell can
start a formula: text that would (a name beginning with ``=``, ``+``, ``-``, ``@``...) gets a
leading ``'`` (``core.cells``); numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from accord.core.cells import neutralise, text_cell
from accord.kpis.formulas import RETENTION_FIELDS
from accord.kpis.registry import BY_SLUG

#: the tables of the dashboard: URL name -> (document key, row key)
BREAKDOWN_TABLES = {
    "managers": ("by_manager", "manager"),
    "segments": ("by_segment", "segment"),
    "tiers": ("by_tier", "tier"),
    "series": ("series", "as_of"),
}
ACCOUNT_COLUMNS = (
    ("account_id", "Account id", "count"), ("name", "Account", "text"),
    ("manager", "Manager", "text"), ("segment", "Segment", "text"), ("tier", "Tier", "text"),
    ("abc", "ABC class", "text"), ("previous_revenue", "Previous window", "money"),
    ("current_revenue", "Current window", "money"), ("change", "Change", "money"),
)


@dataclass
class Table:
    name: str
    title: str
    columns: list[tuple[str, str, str]]  # (key, label, unit: count|money|ratio|text)
    rows: list[list[Any]]
    about: dict[str, Any] = field(default_factory=dict)

    @property
    def keys(self) -> list[str]:
        return [c[0] for c in self.columns]


def _retention_columns(key: str) -> list[tuple[str, str, str]]:
    first = (key, {"as_of": "As of"}.get(key, key.capitalize()), "text")
    return [first, *((f, BY_SLUG[f].label, BY_SLUG[f].unit) for f in RETENTION_FIELDS)]


def about(doc: dict[str, Any]) -> dict[str, Any]:
    """The policy behind the figures (shown next to every exported table)."""
    return {
        "as_of": doc["as_of"], "window_months": doc["window_months"], "basis": doc["basis"],
        "current_window": " – ".join(doc.get("current_window") or []),
        "previous_window": " – ".join(doc.get("previous_window") or []),
        "abc_cutoffs": " / ".join(str(v) for v in (doc.get("abc_cutoffs") or {}).values()),
    }


def breakdown_table(doc: dict[str, Any], name: str) -> Table:
    """managers, segments, tiers or series from the KPI document."""
    doc_key, key = BREAKDOWN_TABLES[name]
    rows = [[row.get(key), *(row[f] for f in RETENTION_FIELDS)] for row in doc.get(doc_key) or []]
    title = "Monthly series" if name == "series" else f"By {key}"
    return Table(name, title, _retention_columns(key), rows, about(doc))


def accounts_table(page: dict[str, Any]) -> Table:
    """The drill-down accounts of one movement (``page`` from ``report.drill_down``)."""
    rows = [[a.get(k) for k, _, _ in ACCOUNT_COLUMNS] for a in page["accounts"]]
    info = {"as_of": page["as_of"], "window_months": page["window_months"],
            "basis": page["basis"], "movement": page["movement"], "total": page["total"]}
    return Table("accounts", f"{str(page['movement']).capitalize()} accounts",
                 list(ACCOUNT_COLUMNS), rows, info)


def _text(value: Any) -> str:
    if value is None:
        return ""
    return str(value)


def to_csv(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table.keys)
    for row in table.rows:
        writer.writerow([text_cell(v) for v in row])
    return out.getvalue()


FORMATS = {"money": "#,##0.00", "ratio": "0.0%", "count": "0"}


def to_xlsx(tables: list[Table]) -> bytes:
    """One sheet per table (header = column keys, then the rows) and an "About" sheet."""
    # imported here: openpyxl is slow to load, and only the Excel export needs it
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    first = True
    for table in tables:
        ws = wb.active if first else wb.create_sheet()
        first = False
        ws.title = table.name[:31]
        ws.append(table.keys)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            ws.append([neutralise(v) for v in row])  # Decimal is written as a number
        for i, (key, label, unit) in enumerate(table.columns, start=1):
            letter = get_column_letter(i)
            fmt = FORMATS.get(unit)
            if fmt:
                for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                    cell.number_format = fmt
            width = max([len(label), len(key)] + [len(_text(r[i - 1])) for r in table.rows[:200]])
            ws.column_dimensions[letter].width = min(48, width + 2)
        ws.freeze_panes = "B2"
    info = wb.create_sheet("About")
    info.append(["setting", "value"])
    for cell in info[1]:
        cell.font = Font(bold=True)
    for key, value in (tables[0].about if tables else {}).items():
        info.append([key, neutralise(_text(value))])
    info.append(["tables", ", ".join(t.name for t in tables)])
    info.column_dimensions["A"].width = 18
    info.column_dimensions["B"].width = 40
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
