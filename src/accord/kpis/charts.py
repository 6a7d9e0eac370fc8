"""Server-side SVG geometry for the dashboard (pure: numbers in, shapes out)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any


def bridge(p: dict[str, Any], width: int = 640, height: int = 220) -> list[dict[str, Any]]:
    """Waterfall bars from starting to ending revenue (x, y, w, h, label, value, kind)."""
    steps = [
        ("Start", p["starting_revenue"], "total"),
        ("Expansion", p["expansion_revenue"], "up"),
        ("Contraction", -p["contraction_revenue"], "down"),
        ("Churn", -p["churned_revenue"], "down"),
        ("New", p["new_revenue"], "up"),
        ("Reactivated", p["reactivated_revenue"], "up"),
        ("End", p["ending_revenue"], "total"),
    ]
    running = Decimal(0)
    spans = []
    for label, value, kind in steps:
        if kind == "total":
            low, high, running = Decimal(0), Decimal(value), Decimal(value)
        else:
            low, high = sorted((running, running + Decimal(value)))
            running += Decimal(value)
        spans.append((label, value, kind, low, high))
    top = max((s[4] for s in spans), default=Decimal(0)) or Decimal(1)
    slot = width / len(spans)
    scale = Decimal(height - 30) / top
    return [
        {"x": round(i * slot + 8), "w": round(slot - 16),
         "y": round(float(height - 20 - high * scale)),
         "h": max(1, round(float((high - low) * scale))),
         "label": label, "value": value, "kind": kind}
        for i, (label, value, kind, low, high) in enumerate(spans)
    ]


def trend(series: list[dict[str, Any]], keys: tuple[str, ...], width: int = 640,
          height: int = 180) -> dict[str, str]:
    """Polyline points per key over the series (ratios; None is skipped)."""
    values = [float(r[k]) for r in series for k in keys if r[k] is not None]
    if not values:
        return {k: "" for k in keys}
    low, high = min(values + [0.0]), max(values + [1.0])
    n = max(1, len(series) - 1)

    def point(i: int, v: float) -> str:
        y = height - 10 - (v - low) / (high - low or 1) * (height - 20)
        return f"{10 + i * (width - 20) / n:.1f},{y:.1f}"

    return {k: " ".join(point(i, float(r[k])) for i, r in enumerate(series) if r[k] is not None)
            for k in keys}
