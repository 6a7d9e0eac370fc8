"""REST API of agency work: briefs."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
