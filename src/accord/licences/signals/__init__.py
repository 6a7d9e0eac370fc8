"""Licence signals (issue 15): up-sell opportunities and risks from seat usage."""
