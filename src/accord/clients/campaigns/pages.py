"""Placeholder: being built (issue 16)."""

from fastapi import APIRouter

router = APIRouter()
