"""Placeholder: being built (issue 16)."""
