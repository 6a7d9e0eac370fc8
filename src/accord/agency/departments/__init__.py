"""Agency work: departments (issue 14)."""
