"""The account page's KAM panel: quadrant, potential, stage, decision and health together."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from accord.accounts.service import get_account
from accord.accounts.visibility import can_write, get_visible_account
from accord.core.models import User
from accord.health.schemas import HealthOut
from accord.health.service import account_health
from accord.relationships.schemas import StageOut
from accord.relationships.service import stage_view
from accord.selection.schemas import ScoringOut
from accord.selection.service import list_criteria, list_scorings, selection_status


@dataclass
class KamSummary:
    account_id: int
    tier: str
    deselected: bool
    scoring: ScoringOut | None
    previous: ScoringOut | None
    stage: StageOut
    health: HealthOut
    can_write: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "account_id": self.account_id,
            "tier": self.tier,
            "deselected": self.deselected,
            "scoring": self.scoring.model_dump(mode="json") if self.scoring else None,
            "previous_scoring": self.previous.model_dump(mode="json") if self.previous else None,
            "stage": self.stage.model_dump(mode="json"),
            "health": self.health.model_dump(mode="json"),
        }


def account_kam_summary(session: Session, user: User, account_id: int, today: date) -> KamSummary:
    get_visible_account(session, user, account_id)
    scorings = list_scorings(session, user, account_id)
    status = selection_status(session, user, account_id)
    return KamSummary(
        account_id=account_id,
        tier=status.tier,
        deselected=status.deselected,
        scoring=scorings[0] if scorings else None,
        previous=scorings[1] if len(scorings) > 1 else None,
        stage=stage_view(session, user, account_id, today=today),
        health=account_health(session, user, account_id, today=today),
        can_write=can_write(user),
    )


@dataclass
class KamPage:
    account: Any
    summary: KamSummary
    criteria: Any


def kam_page(session: Session, user: User, account_id: int, today: date) -> KamPage:
    """Everything the account's KAM page needs: the account, the panel, the criteria."""
    return KamPage(
        account=get_account(session, user, account_id),
        summary=account_kam_summary(session, user, account_id, today),
        criteria=list_criteria(session, user),
    )
