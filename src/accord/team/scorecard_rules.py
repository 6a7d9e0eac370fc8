"""Placeholder: being built (issue 17)."""
