"""Licences and subscriptions (issue 15): what each client bought, who holds which seat, how
much is used, and who may change quantities. See docs/licences.md."""
