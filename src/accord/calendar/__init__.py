"""The company calendar's front doors: working days and public holidays (the pure rules are
``accord.core.workdays``). Issue 13 grows this package into the account rhythm."""
