"""Domain errors. Each front door turns them into its own shape (problem JSON, page, exit code)."""

from __future__ import annotations

from dataclasses import dataclass, field


class AccordError(Exception):
    status = 400
    title = "Bad request"

    def __init__(self, detail: str, *, errors: list[dict[str, object]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []


class NotFound(AccordError):
    status = 404
    title = "Not found"


class Forbidden(AccordError):
    status = 403
    title = "Forbidden"


class NotAuthenticated(AccordError):
    status = 401
    title = "Not authenticated"


class Conflict(AccordError):
    status = 409
    title = "Conflict"


class Unavailable(AccordError):
    """Not now: the same request may succeed in a moment (a busy database, figures being
    prepared)."""

    status = 503
    title = "Service unavailable"


@dataclass
class FieldProblem:
    field: str
    message: str


@dataclass
class ValidationFailed(AccordError):
    problems: list[FieldProblem] = field(default_factory=list)

    def __post_init__(self) -> None:
        detail = "; ".join(f"{p.field}: {p.message}" for p in self.problems) or "invalid input"
        AccordError.__init__(
            self, detail, errors=[{"field": p.field, "message": p.message} for p in self.problems]
        )

    status = 422
    title = "Validation failed"
