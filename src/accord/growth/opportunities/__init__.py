"""Opportunities (up-sell, cross-sell, renewal, new vertical) through their stages, and the
weighted pipeline per account, manager, segment and tier with its forecast by month against
the managers' targets."""
