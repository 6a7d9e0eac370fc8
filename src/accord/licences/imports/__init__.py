"""Imports of licence files: Microsoft 365 tenants (users, usage) and subscriptions."""
