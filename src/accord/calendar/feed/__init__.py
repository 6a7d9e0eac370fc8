"""Issue 13, the account rhythm: see the package modules."""
