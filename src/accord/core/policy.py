"""The typed base of every policy (the settings behind a capability's rules).

A policy is a frozen pydantic model: its fields are the settings, each with its type and
default; :meth:`Policy.problems` adds the rules that tie fields together (0 < A < B ≤ 1).
:meth:`Policy.from_dict` is the one way in from a stored or submitted document: wrong types
and broken rules both end as one :class:`~accord.core.errors.ValidationFailed` listing every
problem as a field and a message, which every front door shows as it is (the API as the
problem body's ``errors``, a page beside its field). :meth:`Policy.to_dict` is the document
stored (decimals as text, so ``0.80`` stays ``0.80``). The rule functions receive the
validated policy.

Pure: pydantic and the standard library only (no storage); the store is ``core.policy_store``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, ValidationError

from accord.core.errors import FieldProblem, ValidationFailed


class Policy(BaseModel):
    """Base of the selection, stage, health and KPI policies."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=False)

    #: what a field that is not one of the policy's is called in a problem ("selection")
    KIND: ClassVar[str] = "policy"

    def problems(self) -> list[FieldProblem]:
        """Problems no single field's type can catch (order, sums, completeness)."""
        return []

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """The policy a document gives (missing or null fields: the defaults); every wrong type
        and every broken rule raise one ``ValidationFailed`` naming the fields."""
        given = {k: v for k, v in data.items() if v is not None}
        try:
            policy = cls.model_validate(given)
        except ValidationError as exc:
            raise ValidationFailed(cls.type_problems(exc)) from None
        found = policy.problems()
        if found:
            raise ValidationFailed(found)
        return policy

    @classmethod
    def type_problems(cls, exc: ValidationError) -> list[FieldProblem]:
        out = []
        for error in exc.errors(include_url=False):
            where = ".".join(str(part) for part in error["loc"]) or cls.KIND
            if error["type"] == "extra_forbidden":
                out.append(FieldProblem(where, f"not a {cls.KIND} setting"))
            else:
                out.append(FieldProblem(where, error["msg"]))
        return out

    def to_dict(self) -> dict[str, Any]:
        """The document stored and answered: decimals as text, whole numbers as numbers."""
        return self.model_dump(mode="json")
