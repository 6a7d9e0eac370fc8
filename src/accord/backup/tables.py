"""Which tables a backup holds, their columns and kinds, and the order they load in.

Every table of ``accord.schema.metadata`` that the database has (at an older revision some do
not exist yet), with the columns the database really has; a column known to the models keeps
the models' type (aware UTC datetimes, booleans and decimals read alike on both databases),
another one (a column a later migration drops) its reflected type. Tables load in the models'
foreign-key order; a foreign key to a table that loads later (``teams.head_id`` -> ``users``)
is a *forward* reference, filled in once that table is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Column, Connection, MetaData, Table, Text, cast, inspect, select
from sqlalchemy.sql import sqltypes
from sqlalchemy.types import TypeDecorator, TypeEngine

from accord.schema import metadata


def kind_of(type_: TypeEngine[Any]) -> str | None:
    """The archive kind of a column type (accord.backup.archive), None if it has none."""
    if isinstance(type_, TypeDecorator):
        type_ = type_.impl_instance
    for cls, kind in (
        (sqltypes.JSON, "json"),
        (sqltypes.Boolean, "boolean"),
        (sqltypes.Integer, "integer"),
        (sqltypes.Float, "float"),
        (sqltypes.Numeric, "decimal"),
        (sqltypes.DateTime, "datetime"),
        (sqltypes.Date, "date"),
        (sqltypes.Time, "time"),
        (sqltypes.String, "text"),
        (sqltypes._Binary, "bytes"),
    ):
        if isinstance(type_, cls):
            return kind
    return None


@dataclass
class TableShape:
    """One table as the database has it: typed columns, primary key, forward references."""

    name: str
    table: Table  # a private Table with the columns the database has, typed for reading
    kinds: list[str]
    primary_key: list[str]
    forward: list[str] = field(default_factory=list)  # columns referring to a later table

    @property
    def columns(self) -> list[str]:
        return [c.name for c in self.table.columns]

    def select(self) -> Any:
        """All rows, JSON as its text (a JSON null stays distinct from SQL NULL), by key."""
        cols = [
            cast(c, Text).label(c.name) if kind == "json" else c
            for c, kind in zip(self.table.columns, self.kinds, strict=True)
        ]
        order = [self.table.c[name] for name in self.primary_key]
        return select(*cols).order_by(*order)

    def insert_table(self) -> Table:
        """The same columns for writing: JSON columns take their text as it is."""
        return Table(
            self.name,
            MetaData(),
            *[
                Column(c.name, Text() if kind == "json" else c.type)
                for c, kind in zip(self.table.columns, self.kinds, strict=True)
            ],
        )


class UnsupportedColumn(Exception):
    pass


def shapes(connection: Connection) -> list[TableShape]:
    """The tables to back up or load, in load order, as this database has them."""
    inspector = inspect(connection)
    existing = set(inspector.get_table_names())
    order = [t.name for t in metadata.sorted_tables if t.name in existing]
    position = {name: i for i, name in enumerate(order)}
    result = []
    for name in order:
        model = metadata.tables[name]
        columns = []
        kinds = []
        for info in inspector.get_columns(name):
            if info.get("computed"):
                continue  # computed by the database, never written
            known = model.columns.get(info["name"])
            type_ = known.type if known is not None else info["type"]
            kind = kind_of(type_)
            if kind is None:
                raise UnsupportedColumn(f"{name}.{info['name']} has a type a backup cannot hold")
            columns.append(Column(info["name"], type_))
            kinds.append(kind)
        table = Table(name, MetaData(), *columns)
        pk = list(inspector.get_pk_constraint(name).get("constrained_columns") or [])
        forward = sorted(
            {
                col
                for fk in inspector.get_foreign_keys(name)
                if position.get(fk["referred_table"], -1) > position[name]
                for col in fk["constrained_columns"]
            }
        )
        result.append(TableShape(name, table, kinds, pk, forward))
    return result
