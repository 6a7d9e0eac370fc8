"""Targets for managers per period (revenue of the book, NRR of the book, new key accounts,
plans complete), set by their head, with actuals computed from Accord's own figures."""
