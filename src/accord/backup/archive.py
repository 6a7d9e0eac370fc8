"""The backup archive's format: manifest, members, checksums and how each value is written.

Standard library only. An archive is a ZIP file (ZIP64, deflate) holding one member per
table, ``tables/<table>.jsonl``: one JSON array per line, the row's values in the order of
the table's columns in the manifest, and ``manifest.json``: the format version, the schema
revision, and per table its columns with their kinds, its row count and the SHA-256 of the
member's bytes. A value is JSON ``null`` for SQL NULL, otherwise written by its column's kind:

=========  ====================================================================
integer    a JSON integer
boolean    ``true`` / ``false``
text       a JSON string
decimal    a JSON string, exact (``"0.8000"``)
float      a JSON number (``"NaN"``, ``"Infinity"``, ``"-Infinity"`` as strings)
date       ``"YYYY-MM-DD"``
time       ``"HH:MM:SS"`` (a wall-clock time, no zone: a follow-up's due time)
datetime   ISO 8601 in UTC with its offset, ``"2026-12-06T08:39:04.123456+00:00"``
json       the JSON document as a string (so a JSON ``null`` is ``"null"``, not NULL)
bytes      base64
=========  ====================================================================
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import IO, Any

FORMAT = "accord-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
KINDS = ("integer", "boolean", "text", "decimal", "float", "date", "time", "datetime", "json",
         "bytes")


class ArchiveError(ValueError):
    """The archive is not one this code can restore: corrupt, truncated, or of another format."""


def member_name(table: str) -> str:
    return f"tables/{table}.jsonl"


# ---------------------------------------------------------------- values


def _encode_float(value: Any) -> Any:
    number = float(value)
    if math.isfinite(number):
        return number
    return "NaN" if math.isnan(number) else ("Infinity" if number > 0 else "-Infinity")


def _encode_datetime(value: datetime) -> str:
    if value.tzinfo is None:  # SQLite keeps no zone: Accord stores UTC there
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat()


def _encode_json(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


_ENCODERS: dict[str, Callable[[Any], Any]] = {
    "integer": int,
    "boolean": bool,
    "text": str,
    "decimal": lambda v: str(v if isinstance(v, Decimal) else Decimal(str(v))),
    "float": _encode_float,
    "date": lambda v: v.isoformat(),
    "time": lambda v: v.isoformat(),
    "datetime": _encode_datetime,
    "json": _encode_json,
    "bytes": lambda v: base64.b64encode(bytes(v)).decode("ascii"),
}


def _integer(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("not an integer")
    return value


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("not a boolean")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("not a string")
    return value


def _decimal(value: Any) -> Decimal:
    try:
        number = Decimal(_text(value))
    except InvalidOperation:
        raise ValueError("not a decimal") from None
    if not number.is_finite():
        raise ValueError("not a finite decimal")
    return number


def _float(value: Any) -> float:
    if isinstance(value, str) and value in ("NaN", "Infinity", "-Infinity"):
        return float(value.replace("Infinity", "inf"))
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("not a number")
    return float(value)


def _datetime(value: Any) -> datetime:
    moment = datetime.fromisoformat(_text(value))
    if moment.tzinfo is None:
        raise ValueError("a datetime without its UTC offset")
    return moment.astimezone(UTC)


def _json(value: Any) -> str:
    json.loads(_text(value))
    return str(value)


_DECODERS: dict[str, Callable[[Any], Any]] = {
    "integer": _integer,
    "boolean": _boolean,
    "text": _text,
    "decimal": _decimal,
    "float": _float,
    "date": lambda v: date.fromisoformat(_text(v)),
    "time": lambda v: time.fromisoformat(_text(v)),
    "datetime": _datetime,
    "json": _json,
    "bytes": lambda v: base64.b64decode(_text(v), validate=True),
}


_LINE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
#: kinds whose values JSON writes as they are
_AS_IS = {"integer": int, "boolean": bool, "text": str}


def line_encoder(kinds: list[str]) -> Callable[[Iterable[Any]], bytes]:
    """A function writing one row as one line of the table's member."""
    encoders = [_ENCODERS[kind] for kind in kinds]
    exact = [_AS_IS.get(kind) for kind in kinds]

    def encode(row: Iterable[Any]) -> bytes:
        values = [
            value if value is None or type(value) is same else convert(value)
            for convert, same, value in zip(encoders, exact, row, strict=True)
        ]
        return (_LINE(values) + "\n").encode()

    return encode


_PARSE = json.JSONDecoder().decode


def _same(value: Any) -> Any:
    return value


def line_decoder(kinds: list[str], *, as_text: bool = False) -> Callable[[bytes], tuple[Any, ...]]:
    """A function reading one line back to the row's values (Python types by kind);
    it raises ArchiveError for a line that is not such a row.

    ``as_text``: values stay as written (strings, numbers, booleans), except bytes, for a
    database that parses text itself (PostgreSQL's COPY) and checks them as it does."""
    decoders = [_DECODERS[kind] for kind in kinds]
    exact = [_AS_IS.get(kind) for kind in kinds]
    if as_text:
        exact = [bytes if kind == "bytes" else object for kind in kinds]
        decoders = [_DECODERS[kind] if kind == "bytes" else _same for kind in kinds]
    width = len(kinds)

    def decode(line: bytes) -> tuple[Any, ...]:
        try:
            values = _PARSE(line.decode())
            if type(values) is not list or len(values) != width:
                raise ValueError(f"{width} values expected")
            return tuple(
                value if value is None or type(value) is same else convert(value)
                for convert, same, value in zip(decoders, exact, values, strict=True)
            )
        except (ValueError, TypeError) as exc:
            raise ArchiveError(f"a row that cannot be read ({exc})") from None

    return decode


def lines(stream: IO[bytes], size: int = 1 << 20) -> Iterator[bytes]:
    """The lines of a member, read in large chunks."""
    rest = b""
    while chunk := stream.read(size):
        parts = (rest + chunk).split(b"\n")
        rest = parts.pop()
        yield from parts
    if rest:
        yield rest


# ---------------------------------------------------------------- checksums


class Tally:
    """SHA-256, byte and line count of a member, fed as it is written or read."""

    def __init__(self) -> None:
        self._sha = hashlib.sha256()
        self.size = 0
        self.lines = 0

    def update(self, data: bytes) -> None:
        self._sha.update(data)
        self.size += len(data)
        self.lines += data.count(b"\n")

    @property
    def sha256(self) -> str:
        return self._sha.hexdigest()


# ---------------------------------------------------------------- the manifest


@dataclass
class TableEntry:
    name: str
    columns: list[tuple[str, str]]  # (column, kind)
    rows: int = 0
    sha256: str = ""
    size: int = 0

    @property
    def member(self) -> str:
        return member_name(self.name)

    @property
    def kinds(self) -> list[str]:
        return [kind for _name, kind in self.columns]

    @property
    def column_names(self) -> list[str]:
        return [name for name, _kind in self.columns]


@dataclass
class Manifest:
    schema_revision: str
    created_at: datetime
    source: str  # the database kind it was taken from: sqlite, postgresql
    tables: list[TableEntry] = field(default_factory=list)
    format_version: int = FORMAT_VERSION

    def to_json(self) -> bytes:
        document = {
            "format": FORMAT,
            "format_version": self.format_version,
            "schema_revision": self.schema_revision,
            "created_at": _encode_datetime(self.created_at),
            "source": self.source,
            "tables": [
                {
                    "name": t.name,
                    "member": t.member,
                    "columns": [{"name": n, "kind": k} for n, k in t.columns],
                    "rows": t.rows,
                    "bytes": t.size,
                    "sha256": t.sha256,
                }
                for t in self.tables
            ],
        }
        return json.dumps(document, indent=1, ensure_ascii=False).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        try:
            doc = json.loads(data)
            if not isinstance(doc, dict) or doc.get("format") != FORMAT:
                raise ArchiveError("not an Accord backup (no Accord manifest)")
            version = doc.get("format_version")
            if version != FORMAT_VERSION:
                raise ArchiveError(
                    f"backup format version {version!r}; this Accord reads version "
                    f"{FORMAT_VERSION} (use the Accord version that wrote it)"
                )
            tables = [_table_entry(t) for t in doc["tables"]]
            if len({t.name for t in tables}) != len(tables):
                raise ArchiveError("the manifest names a table twice")
            return cls(
                schema_revision=_text(doc["schema_revision"]),
                created_at=_datetime(doc["created_at"]),
                source=_text(doc["source"]),
                tables=tables,
            )
        except ArchiveError:
            raise
        except (ValueError, TypeError, KeyError) as exc:
            raise ArchiveError(f"the manifest cannot be read ({exc!r})") from None


def _table_entry(doc: dict[str, Any]) -> TableEntry:
    columns = [(_text(c["name"]), _text(c["kind"])) for c in doc["columns"]]
    unknown = [kind for _name, kind in columns if kind not in KINDS]
    if unknown:
        raise ArchiveError(f"unknown column kind {unknown[0]!r}")
    entry = TableEntry(
        name=_text(doc["name"]),
        columns=columns,
        rows=_integer(doc["rows"]),
        sha256=_text(doc["sha256"]),
        size=_integer(doc["bytes"]),
    )
    if doc.get("member") != entry.member:
        raise ArchiveError(f"table {entry.name}: unexpected member name {doc.get('member')!r}")
    return entry
