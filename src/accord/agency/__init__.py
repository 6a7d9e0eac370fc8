"""Agency work for the client (issue 14): departments and the briefs an account manager
sends them (templates, states, agreed due dates, deliverable checks, on-time rates), and the
client inputs the team waits for, chased at an interval agreed with the client and escalated
to the head. Sub-packages: ``departments``, ``briefs``, ``inputs``, ``scorecard``; shared:
``models``, ``rules`` (pure), ``access`` (who sees which brief)."""
