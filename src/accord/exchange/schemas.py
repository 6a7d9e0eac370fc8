"""Shapes of import and export: the kinds, the sources whose columns a file may use, the
formats, and the report every import gives back (API, pages, CLI)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field


class ImportKind(StrEnum):
    ACCOUNTS = "accounts"
    CONTACTS = "contacts"
    REVENUE = "revenue"
    #: a Microsoft 365 tenant: the admin centre's Active users export (imported only)
    M365_USERS = "m365-users"
    #: a Microsoft 365 tenant: the active user detail (usage) report (imported only)
    M365_USAGE = "m365-usage"
    SUBSCRIPTIONS = "subscriptions"
    #: seat assignments and utilisation per account × service (exported only)
    SEATS = "seats"
    UTILISATION = "utilisation"


class ImportSource(StrEnum):
    ACCORD = "accord"
    SALESFORCE = "salesforce"
    HUBSPOT = "hubspot"


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


class ImportProblem(BaseModel):
    """One bad cell (or row): the file line number, the column as named in the file, why."""

    row: int
    column: str
    reason: str


#: at most this many problems are listed in a report; ``invalid_rows`` counts them all
MAX_PROBLEMS = 1000


class ImportReport(BaseModel):
    kind: ImportKind
    source: ImportSource
    file: str
    dry_run: bool = False
    skip_invalid: bool = False
    #: accounts: an owner who matches no user leaves the account without a manager (counted
    #: in ``owners_unassigned``) instead of rejecting the row
    unassign_unknown_owners: bool = False
    status: Literal["imported", "dry_run", "rejected"] = "imported"
    rows: int = 0  # data rows read (blank lines excluded)
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0  # bad rows left out with --skip-invalid
    invalid_rows: int = 0
    accounts_refreshed: int = 0  # revenue: accounts whose monthly revenue was rebuilt
    owners_unassigned: int = 0  # accounts: imported without a manager (owner matched nobody)
    #: Microsoft 365 files: the account whose tenant the file is (given, or found by its
    #: domains), the day it is imported as of, who left, the seats opened and freed, and the
    #: services it shows over-assigned (more seats assigned than purchased: flagged, kept)
    account_id: int | None = None
    as_of: date | None = None
    people_left: int = 0
    seats_assigned: int = 0
    seats_freed: int = 0
    over_assigned: list[str] = Field(default_factory=list)
    seconds: float = 0.0
    #: seconds per phase (lines, counts, monthly, kpis), for benchmarks and the curious
    phases: dict[str, float] = Field(default_factory=dict)
    problems: list[ImportProblem] = Field(default_factory=list)

    @property
    def rejected(self) -> bool:
        return self.status == "rejected"

    @property
    def max_problems(self) -> int:
        """How many problems the report lists (the revenue load gathers no more)."""
        return MAX_PROBLEMS

    def add_problem(self, row: int, column: str, reason: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(ImportProblem(row=row, column=column, reason=reason))

    def summary(self) -> dict[str, object]:
        """What the audit entry keeps."""
        return self.model_dump(exclude={"problems", "seconds", "phases"})


class UserMapKind(StrEnum):
    USER_MAP = "user-map"


class UserMapReport(ImportReport):
    """The report of a CRM user map import (``accord import user-map``): rows are CRM user
    ids mapped to users' e-mails; inserted, updated and unchanged count mappings."""

    kind: UserMapKind = UserMapKind.USER_MAP  # type: ignore[assignment]
