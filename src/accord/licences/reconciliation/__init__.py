"""Subscription MRR beside invoiced revenue, per account and month, and the differences."""
