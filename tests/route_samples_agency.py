"""The route table's agency samples (tests/route_samples.py).

- Sample Creative (department): the specialist is a member (in the route-table world, which
  has one), the owner's colleague Tom (teammate) is its lead; Sample Media: nobody of North.
- ``brief``: Acme's brief to Creative, sent by the owner (seen by Acme's readers and by the
  specialist through Creative); a Globex brief to Media that no North person nor the
  specialist may see.
- ``input``: an open client input request on Acme waiting for the brief, chased once
  (``chase``: its first chase).
- ``deliverable``: the ``creative`` deliverable type (its checklist).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from accord.agency.models import (
    Brief,
    BriefTransition,
    DeliverableType,
    Department,
    DepartmentMember,
    InputChase,
    InputRequest,
)
from accord.core.database import utcnow

CREATIVE_SECTIONS = [{"key": "objective", "label": "Objective", "hint": ""},
                     {"key": "audience", "label": "Audience", "hint": ""}]


def add(session: Session, cast: Any, ids: dict[str, int], sales_id: int) -> dict[str, int]:
    now = utcnow()
    teammate = getattr(cast, "teammate", None)  # the query budgets' cast has none
    creative = Department(name="Sample Creative", lead_id=teammate.id if teammate else None,
                          time_zone="UTC", turnaround_days=5, sections=CREATIVE_SECTIONS,
                          is_active=True, created_at=now, updated_at=now)
    media = Department(name="Sample Media", time_zone="Europe/Paris", turnaround_days=8,
                       sections=[{"key": "budget", "label": "Budget", "hint": ""}],
                       is_active=True, created_at=now, updated_at=now)
    session.add_all([creative, media])
    if session.get(DeliverableType, "creative") is None:  # the demo has it
        session.add(DeliverableType(key="creative", name="Creative",
                                    items=[{"key": "brand", "label": "On brand"}]))
    session.flush()
    if "specialist" in ids:
        session.add(DepartmentMember(department_id=creative.id, user_id=ids["specialist"]))
    brief = Brief(account_id=ids["acme"], department_id=creative.id, title="Spring campaign",
                  sections={"objective": "Launch", "audience": "Buyers"}, attachments=[],
                  deliverable_type="creative", priority="normal", status="sent",
                  original_due_on=date(2027, 3, 1), due_on=date(2027, 3, 1), rounds=0,
                  checks={}, sent_on=date(2027, 2, 1), created_by_id=cast.owner.id,
                  created_at=now, updated_at=now)
    session.add(brief)
    if "globex" in ids:  # the route-table world (the query budgets' has no Globex)
        session.add(Brief(account_id=ids["globex"], department_id=media.id,
                          title="Globex media plan", sections={}, attachments=[],
                          priority="high", status="sent", original_due_on=date(2027, 3, 1),
                          due_on=date(2027, 3, 1), rounds=0, checks={},
                          sent_on=date(2027, 2, 1), created_by_id=cast.outsider.id,
                          created_at=now, updated_at=now))
    session.flush()
    session.add_all([
        BriefTransition(brief_id=brief.id, from_status=None, to_status="draft",
                        action="create", at=now, on=date(2027, 2, 1), by_id=cast.owner.id),
        BriefTransition(brief_id=brief.id, from_status="draft", to_status="sent",
                        action="send", at=now, on=date(2027, 2, 1), by_id=cast.owner.id),
    ])
    request = InputRequest(account_id=ids["acme"], title="Brand book", brief_id=brief.id,
                           reason="the creatives need it", due_on=date(2027, 2, 10),
                           chase_days=3, status="open", requested_on=date(2027, 2, 1),
                           owner_id=cast.owner.id, chases=1, next_chase_on=date(2027, 2, 9),
                           created_by_id=cast.owner.id, created_at=now, updated_at=now)
    session.add(request)
    session.flush()
    chase = InputChase(request_id=request.id, number=1, due_on=date(2027, 2, 4), status="due")
    session.add(chase)
    session.flush()
    return {"department": int(creative.id), "brief": int(brief.id), "input": int(request.id),
            "chase": int(chase.id)}
