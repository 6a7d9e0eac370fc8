"""REST API of agency work: scorecard."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
