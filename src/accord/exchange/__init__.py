"""Data exchange: files in and out of Accord, for every kind (``kinds.KINDS``).

- ``schemas.py``: the kinds, sources, formats and the import report;
- ``columns.py``: the column maps (which header feeds which field, per kind and source) and
  the rows of a file read through one;
- ``importing.py``: ``run_import`` (the one use case of the CLI, the API and the import
  page), the import's frame (savepoint, report status, audit) and the CRM user map import;
- ``kinds.py``: the table of kinds (each kind's loader and export);
- ``exporting.py``, ``export_queries.py``: the exports, in the import columns;
- ``cli.py`` (``accord import``/``accord export``), ``api.py`` (``/api/v1/imports``,
  ``/api/v1/exports``), ``pages.py`` (``/import``).

The files are read by ``revenue.load.readers`` (the revenue load's fast routes read the
same opened file); the packages owning the records check and write them: ``accounts``
(accounts, contacts, the CRM user map) on rows already read, ``revenue`` its fast load.
Nothing imports this package but the app's assembly.
"""
