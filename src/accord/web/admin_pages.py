"""User administration pages (admins only)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
