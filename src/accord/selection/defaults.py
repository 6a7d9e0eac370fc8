"""Default criteria sets of the selection matrix (docs/kam_models.md).

Seeded into the database (the migration and, on an empty table, the service); from then on
the criteria are data that heads and admins edit. Tuples: name, weight, what 0, 5 and 10 mean.
"""

from __future__ import annotations

ATTRACTIVENESS = [
    (
        "Purchase volume (3-year potential)",
        25,
        "buys little in our categories",
        "a mid-sized buyer of what we sell",
        "among the largest buyers in our market",
    ),
    (
        "Growth potential",
        20,
        "shrinking or flat market",
        "growing with the market",
        "growing well ahead of its market",
    ),
    (
        "Profitability for us",
        20,
        "margin below our average",
        "average margin",
        "well above our average margin",
    ),
    (
        "Strategic fit",
        15,
        "needs we cannot serve",
        "partly matches our offer",
        "needs exactly what we are best at",
    ),
    (
        "Prestige / reference value",
        10,
        "no reference value",
        "a useful local reference",
        "a flagship reference for the market",
    ),
    (
        "Ease of access",
        10,
        "no access beyond purchasing",
        "access to some decision makers",
        "open doors up to the board",
    ),
]
BUYING = [
    (
        "Price",
        25,
        "far more expensive than alternatives",
        "priced like the market",
        "clearly the best value",
    ),
    ("Quality", 25, "below the client's standard", "meets the standard", "the benchmark"),
    ("Support", 20, "slow and hard to reach", "adequate", "proactive, always available"),
    ("Reliability", 15, "frequent failures or delays", "occasional issues", "never fails"),
    ("Know-how", 15, "no domain knowledge", "solid knowledge", "recognised experts"),
]
