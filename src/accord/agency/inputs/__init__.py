"""Agency work: inputs (issue 14)."""
