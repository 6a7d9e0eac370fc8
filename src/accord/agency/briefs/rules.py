"""Agency work's briefs: the rules, pure."""

from __future__ import annotations
