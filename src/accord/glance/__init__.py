"""One account at a glance: the account page and its KAM page.

The account page (profile, revenue, contacts, the timeline, the team) and the KAM page
(quadrant and potential, stage, health) show what several capabilities own, so they sit
above all of them: ``accounts``, ``revenue``, ``selection``, ``relationships`` and
``health`` keep their rules, services and APIs, and this package only puts one account's
view together (``profile.account_profile``, ``kam.account_kam_summary``) behind the page,
the API (``GET /api/v1/accounts/{id}/kam``) and ``accord accounts show``.
"""
