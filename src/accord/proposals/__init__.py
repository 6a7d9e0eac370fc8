"""Proposals built from an account's opportunities: offers with Decimal totals, the
benefits for this client, benchmarks from Accord's own data, versions and statuses, rendered
as an HTML page and a PDF."""
