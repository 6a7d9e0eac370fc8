"""Agency work: scorecard (issue 14)."""
