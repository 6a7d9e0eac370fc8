"""Agency work's inputs: the rules, pure."""

from __future__ import annotations
