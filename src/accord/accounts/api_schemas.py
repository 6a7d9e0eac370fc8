"""Request shapes the REST API needs beyond accounts.schemas (partial contact update, members).

Candidates to move into accounts/schemas.py.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, Strict

from accord.accounts.models import BuyingRole, Seniority, Stance
from accord.core.schemas import StrictId


class ContactPatch(BaseModel):
    """Partial update of a contact and of its link to this account: only the fields given change."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Annotated[str, Field(min_length=1, max_length=200)] = None  # type: ignore[assignment]
    external_id: Annotated[str, Field(max_length=100)] | None = None
    email: Annotated[str, Field(max_length=254)] | None = None
    phone: Annotated[str, Field(max_length=60)] | None = None
    function: Annotated[str, Field(max_length=60)] | None = None
    seniority: Seniority | None = None
    stance: Stance | None = None
    influence: Annotated[int, Strict(), Field(ge=1, le=5)] | None = None
    buying_role: BuyingRole | None = None
    title: Annotated[str, Field(max_length=120)] | None = None


class MembersIn(BaseModel):
    """The complete set of an account's team members (besides its responsible manager)."""

    model_config = ConfigDict(extra="forbid")

    user_ids: list[StrictId]
