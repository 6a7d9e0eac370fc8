"""Pages of agency work: inputs."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
