"""REST API of the selection matrix: criteria, settings, scorings, deselection, the matrix."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Depends, Response

from accord.api.common import Caller, Db, problems
from accord.api.concurrency import IfMatch, set_etag
from accord.core import policy_store
from accord.core.schemas import Id, Word
from accord.selection import matrix as matrix_service
from accord.selection import service
from accord.selection import settings as kam_settings
from accord.selection.rules import SelectionPolicy
from accord.selection.schemas import (
    CriteriaOut,
    CriteriaSetIn,
    CriterionOut,
    DeselectIn,
    MatrixOut,
    ScoringIn,
    ScoringOut,
    SelectionSettingsIn,
    SelectionStatusOut,
)
from accord.web.deps import today

router = APIRouter()
TAGS: list[str | Enum] = ["selection matrix"]
Today = Annotated[date, Depends(today)]


@router.get(
    "/selection/criteria",
    tags=TAGS,
    response_model=CriteriaOut,
    responses=problems(),
    summary="The current attractiveness and buying criteria with weights and anchors",
)
def get_criteria(db: Db, user: Caller) -> CriteriaOut:
    return service.list_criteria(db, user)


@router.put(
    "/selection/criteria/{kind}",
    tags=TAGS,
    response_model=list[CriterionOut],
    responses=problems(403, 409),
    summary="Replace a criteria set (weights sum to 100)",
    description="`kind` is `attractiveness` or `buying`. Admins and heads only. "
    "Earlier scorings keep the criteria they were scored against. A set's version (its "
    "`ETag`) is the highest `id` among its criteria; with `If-Match`, a set replaced "
    "meanwhile is a 409.",
)
def put_criteria(
    kind: Word, body: CriteriaSetIn, db: Db, user: Caller, response: Response, expected: IfMatch
) -> list[CriterionOut]:
    saved = service.replace_criteria(db, user, kind, body.criteria, expected)
    set_etag(response, service.criteria_version(saved))
    return saved


@router.get(
    "/selection/settings",
    tags=TAGS,
    response_model=SelectionPolicy,
    responses=problems(),
    summary="Cut lines, potential thresholds, check limits, revenue window, ABC cut-offs",
)
def get_settings(db: Db, user: Caller, response: Response) -> SelectionPolicy:
    set_etag(response, policy_store.setting_version(db, kam_settings.NAME))
    return service.get_policy(db, user)


@router.put(
    "/selection/settings",
    tags=TAGS,
    response_model=SelectionPolicy,
    responses=problems(403, 409),
    summary="Change selection settings (admins and heads; only the fields given)",
    description="With `If-Match` (the `ETag` of a read), a change made meanwhile is a 409.",
)
def put_settings(
    db: Db,
    user: Caller,
    body: SelectionSettingsIn,
    response: Response,
    expected: IfMatch,
) -> SelectionPolicy:
    out = service.update_policy(db, user, body.given(), expected)
    set_etag(response, policy_store.setting_version(db, kam_settings.NAME))
    return out


@router.get(
    "/accounts/{account_id}/scorings",
    tags=TAGS,
    response_model=list[ScoringOut],
    responses=problems(404),
    summary="Every scoring of an account, newest first",
)
def get_scorings(account_id: Id, db: Db, user: Caller) -> list[ScoringOut]:
    return service.list_scorings(db, user, account_id)


@router.post(
    "/accounts/{account_id}/scorings",
    tags=TAGS,
    response_model=ScoringOut,
    status_code=201,
    responses=problems(403, 404),
    summary="Score an account (every criterion 0–10; us and the best competitor)",
)
def post_scoring(account_id: Id, body: ScoringIn, db: Db, user: Caller, day: Today) -> ScoringOut:
    return service.score_account(db, user, account_id, body, today=day)


@router.get(
    "/accounts/{account_id}/selection",
    tags=TAGS,
    response_model=SelectionStatusOut,
    responses=problems(404),
    summary="The account's tier and whether it is deselected",
)
def get_selection(account_id: Id, db: Db, user: Caller) -> SelectionStatusOut:
    return service.selection_status(db, user, account_id)


@router.post(
    "/accounts/{account_id}/deselection",
    tags=TAGS,
    response_model=SelectionStatusOut,
    responses=problems(403, 404),
    summary="Take the account out of the key-account programme (tier 'not key'; heads, admins)",
)
def post_deselection(account_id: Id, body: DeselectIn, db: Db, user: Caller) -> SelectionStatusOut:
    return service.deselect(db, user, account_id, body.reason)


@router.delete(
    "/accounts/{account_id}/deselection",
    tags=TAGS,
    response_model=SelectionStatusOut,
    responses=problems(403, 404),
    summary="Put a deselected account back (its latest scoring places it again)",
)
def delete_deselection(account_id: Id, db: Db, user: Caller) -> SelectionStatusOut:
    return service.reselect(db, user, account_id)


@router.get(
    "/matrix",
    tags=TAGS,
    response_model=MatrixOut,
    responses=problems(),
    summary="Scored accounts placed on the matrix, movement, portfolio checks",
)
def get_matrix(
    db: Db, user: Caller, day: Today, manager_id: Id | None = None, segment: Word | None = None
) -> MatrixOut:
    return matrix_service.matrix(db, user, today=day, manager_id=manager_id, segment=segment)
