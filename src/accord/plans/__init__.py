"""Account plans: the client's profile, goals, pain points, SWOT, key people, risks,
objectives with targets and actions, and the client's shared read-only view."""
