"""REST API of account plans: the current plan and its history, sections, key people,
objectives with manual updates and actions, reviews and the links shared with the client."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Depends, Response

from accord.api.common import Caller, Db, problems
from accord.api.concurrency import IfMatch, set_etag
from accord.core import policy_store
from accord.core.schemas import Id
from accord.plans import service, settings, sharing
from accord.plans.rules import PlansPolicy
from accord.plans.schemas import (
    ActionIn,
    ActionOut,
    ActionPatch,
    KeyPersonIn,
    ObjectiveIn,
    ObjectiveOut,
    ObjectivePatch,
    ObjectiveUpdateIn,
    PlanOut,
    PlanPatch,
    PlansSettingsIn,
    PlanStart,
    PlanSummary,
    ShareLinkCreated,
    ShareLinkOut,
)
from accord.web.deps import today

router = APIRouter()
TAGS: list[str | Enum] = ["plans"]
Today = Annotated[date, Depends(today)]
ETAG = "`ETag` carries the plan's version, for `If-Match` on a later change."


@router.get(
    "/plans/settings",
    tags=TAGS,
    response_model=PlansPolicy,
    responses=problems(),
    summary="The plans settings: review interval and share-link life, in days",
    description="`ETag` carries the settings' version (0 while the defaults apply).",
)
def get_plans_settings(db: Db, user: Caller, response: Response) -> PlansPolicy:
    set_etag(response, policy_store.setting_version(db, settings.NAME))
    return settings.plans_policy(db)


@router.put(
    "/plans/settings",
    tags=TAGS,
    response_model=PlansPolicy,
    responses=problems(403, 409),
    summary="Change the plans settings (admins and heads); only the fields given change",
    description="With `If-Match` (the `ETag` of a read), a change made meanwhile is a 409.",
)
def put_plans_settings(
    db: Db, user: Caller, body: PlansSettingsIn, response: Response, expected: IfMatch
) -> PlansPolicy:
    out = settings.save_plans_policy(db, user, body.given(), expected)
    set_etag(response, policy_store.setting_version(db, settings.NAME))
    return out


@router.get(
    "/accounts/{account_id}/plan",
    tags=TAGS,
    response_model=PlanOut | None,
    responses=problems(404),
    summary="The account's current plan (null while it has none)",
    description=ETAG,
)
def get_current_plan(
    account_id: Id, db: Db, user: Caller, day: Today, response: Response
) -> PlanOut | None:
    plan = service.current_plan(db, user, account_id, today=day)
    if plan is not None:
        set_etag(response, plan.version)
    return plan


@router.post(
    "/accounts/{account_id}/plan",
    tags=TAGS,
    status_code=201,
    response_model=PlanOut,
    responses=problems(403, 404),
    summary="Start a new current plan; the one before is archived read-only",
    description="With `copy_current` (the default) the new plan starts from the current "
    "one's sections, key people, objectives and open actions.",
)
def post_plan(
    account_id: Id, body: PlanStart, db: Db, user: Caller, day: Today, response: Response
) -> PlanOut:
    plan = service.start_plan(db, user, account_id, body, today=day)
    set_etag(response, plan.version)
    response.headers["Location"] = f"/api/v1/plans/{plan.id}"
    return plan


@router.get(
    "/accounts/{account_id}/plans",
    tags=TAGS,
    response_model=list[PlanSummary],
    responses=problems(404),
    summary="Every plan of the account, the newest first",
)
def get_plan_history(account_id: Id, db: Db, user: Caller) -> list[PlanSummary]:
    return service.plan_history(db, user, account_id)


@router.get(
    "/plans/{plan_id}",
    tags=TAGS,
    response_model=PlanOut,
    responses=problems(404),
    summary="One plan, current or archived (read-only)",
    description=ETAG,
)
def get_plan(plan_id: Id, db: Db, user: Caller, day: Today, response: Response) -> PlanOut:
    plan = service.get_plan(db, user, plan_id, today=day)
    set_etag(response, plan.version)
    return plan


@router.patch(
    "/plans/{plan_id}",
    tags=TAGS,
    response_model=PlanOut,
    responses=problems(403, 404, 409),
    summary="Change the plan's sections (a list given replaces that section)",
    description="Only the fields given change; audited. An archived plan is a 409. With "
    "`If-Match`, a change made meanwhile is a 409.",
)
def patch_plan(
    plan_id: Id,
    body: PlanPatch,
    db: Db,
    user: Caller,
    day: Today,
    response: Response,
    expected: IfMatch,
) -> PlanOut:
    plan = service.update_plan(db, user, plan_id, body, today=day, expected=expected)
    set_etag(response, plan.version)
    return plan


@router.post(
    "/plans/{plan_id}/key-people",
    tags=TAGS,
    status_code=201,
    response_model=PlanOut,
    responses=problems(403, 404, 409),
    summary="Add a contact of the account as a key person",
)
def post_key_person(
    plan_id: Id, body: KeyPersonIn, db: Db, user: Caller, day: Today
) -> PlanOut:
    return service.add_key_person(db, user, plan_id, body, today=day)


@router.delete(
    "/plans/{plan_id}/key-people/{person_id}",
    tags=TAGS,
    status_code=204,
    responses=problems(403, 404, 409),
    summary="Take a key person off the plan",
)
def delete_key_person(plan_id: Id, person_id: Id, db: Db, user: Caller, day: Today) -> Response:
    service.remove_key_person(db, user, plan_id, person_id, today=day)
    return Response(status_code=204)


@router.post(
    "/plans/{plan_id}/objectives",
    tags=TAGS,
    status_code=201,
    response_model=ObjectiveOut,
    responses=problems(403, 404, 409),
    summary="Add an objective (a metric, baseline, target, owner and due date)",
)
def post_objective(
    plan_id: Id, body: ObjectiveIn, db: Db, user: Caller, day: Today, response: Response
) -> ObjectiveOut:
    objective = service.add_objective(db, user, plan_id, body, today=day)
    set_etag(response, objective.version)
    return objective


@router.patch(
    "/objectives/{objective_id}",
    tags=TAGS,
    response_model=ObjectiveOut,
    responses=problems(403, 404, 409),
    summary="Change an objective",
    description="With `If-Match` (the objective's `ETag`), a change made meanwhile is a 409.",
)
def patch_objective(
    objective_id: Id,
    body: ObjectivePatch,
    db: Db,
    user: Caller,
    day: Today,
    response: Response,
    expected: IfMatch,
) -> ObjectiveOut:
    objective = service.update_objective(
        db, user, objective_id, body, today=day, expected=expected
    )
    set_etag(response, objective.version)
    return objective


@router.delete(
    "/objectives/{objective_id}",
    tags=TAGS,
    status_code=204,
    responses=problems(403, 404, 409),
    summary="Delete an objective with its updates and actions",
)
def delete_objective(objective_id: Id, db: Db, user: Caller) -> Response:
    service.remove_objective(db, user, objective_id)
    return Response(status_code=204)


@router.post(
    "/objectives/{objective_id}/updates",
    tags=TAGS,
    status_code=201,
    response_model=ObjectiveOut,
    responses=problems(403, 404, 409),
    summary="Note a manual objective's value on a day, with what happened",
)
def post_objective_update(
    objective_id: Id, body: ObjectiveUpdateIn, db: Db, user: Caller, day: Today
) -> ObjectiveOut:
    return service.add_objective_update(db, user, objective_id, body, today=day)


@router.post(
    "/objectives/{objective_id}/actions",
    tags=TAGS,
    status_code=201,
    response_model=ActionOut,
    responses=problems(403, 404, 409),
    summary="Add an action under an objective (owner, due date, status)",
)
def post_action(
    objective_id: Id, body: ActionIn, db: Db, user: Caller, day: Today
) -> ActionOut:
    return service.add_action(db, user, objective_id, body, today=day)


@router.patch(
    "/actions/{action_id}",
    tags=TAGS,
    response_model=ActionOut,
    responses=problems(403, 404, 409),
    summary="Change an action or its status (done records today)",
)
def patch_action(
    action_id: Id, body: ActionPatch, db: Db, user: Caller, day: Today
) -> ActionOut:
    return service.update_action(db, user, action_id, body, today=day)


@router.post(
    "/plans/{plan_id}/review",
    tags=TAGS,
    response_model=PlanOut,
    responses=problems(403, 404, 409),
    summary="Record that the plan was reviewed today",
)
def post_review(plan_id: Id, db: Db, user: Caller, day: Today, response: Response) -> PlanOut:
    plan = service.mark_reviewed(db, user, plan_id, today=day)
    set_etag(response, plan.version)
    return plan


@router.post(
    "/plans/{plan_id}/share-links",
    tags=TAGS,
    status_code=201,
    response_model=ShareLinkCreated,
    responses=problems(403, 404, 409),
    summary="A link showing the client the plan's shareable sections",
    description="The token is in this answer only (it is stored hashed); the link expires "
    "after the `plans.share_link_days` setting.",
)
def post_share_link(plan_id: Id, db: Db, user: Caller) -> ShareLinkCreated:
    return sharing.create_share_link(db, user, plan_id)


@router.get(
    "/plans/{plan_id}/share-links",
    tags=TAGS,
    response_model=list[ShareLinkOut],
    responses=problems(404),
    summary="The plan's share links (without their tokens)",
)
def get_share_links(plan_id: Id, db: Db, user: Caller) -> list[ShareLinkOut]:
    return sharing.list_share_links(db, user, plan_id)


@router.delete(
    "/share-links/{link_id}",
    tags=TAGS,
    response_model=ShareLinkOut,
    responses=problems(403, 404),
    summary="Revoke a share link (it stops working at once)",
)
def delete_share_link(link_id: Id, db: Db, user: Caller) -> ShareLinkOut:
    return sharing.revoke_share_link(db, user, link_id)
