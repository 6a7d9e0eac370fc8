"""Placeholder: being built (issue 17)."""

from fastapi import APIRouter

router = APIRouter()
