"""The revenue load: a revenue file (or rows already held) into ``revenue_lines`` and
``monthly_revenue``, fast, set-based, with a report of every bad row.

The public entry is :mod:`accord.revenue.load.importing` (``import_revenue``, given the
opened file by ``accord.exchange``'s ``run_import``, the one use case of every front door;
``bulk_load_revenue`` for rows already held). The layout follows
``docs/import.md`` ("How a revenue file is loaded"):

- ``routes.py``: one probe of the file chooses the route from ``ROUTES`` (``copy``,
  ``chunks``, ``staged``); a route that gives up (``rows.GiveUp``) is rolled back and the
  next one that fits is taken;
- ``rows.py``: the one row type (``StoredLine``) and the one give-up exception;
- ``shaping.py``: rows vouched for in Python (the ``copy`` and ``chunks`` routes);
- ``pipeline.py``, ``chunk_worker.py``, ``scratch.py``: the ``chunks`` route (SQLite);
- ``staging.py``, ``raw_rows.py``, ``checks.py``: the ``staged`` route, checked in SQL;
- ``bulk.py`` (lines: insert or merge) and ``monthly.py`` (monthly revenue), shared by all,
  over ``raw_db.py`` (the raw connection and the two databases' differences);
- ``readers.py``: reading files (CSV, Excel), for ``accord.exchange`` too; the column maps
  are ``exchange.columns`` (the load is given the resolved columns, ``rows.Columns``), the
  accounts a user may name ``accounts.lookups``.

This ``__init__`` imports nothing: a chunk process (``python -m
accord.revenue.load.chunk_worker``) imports the package and must start in milliseconds.
"""
