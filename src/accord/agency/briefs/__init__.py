"""Agency work: briefs (issue 14)."""
