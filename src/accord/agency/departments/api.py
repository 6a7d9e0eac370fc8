"""REST API of agency work: departments."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
