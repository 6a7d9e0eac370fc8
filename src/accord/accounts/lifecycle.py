"""Who is told when an account's life moves on, and who may stop it.

Accounts sit below the capabilities that care (hand-offs), so the accounts service and the
account import cannot call them: they call these functions, and the assembly
(``accord.app.wiring``) connects the listeners. With nothing connected (a script using
accounts alone) every change is allowed and nobody is told.

- ``check_activation(session, account_id)``: a company would go ``onboarding`` → ``active``
  by an edit, the API, the CLI or an import. A guard answers the message naming what to do
  instead (``accept hand-off #12 to make this account active``); the caller refuses the
  change with it (``ValidationFailed`` on ``status``).
- ``company_onboarding(session, user, account_id)``: a company entered ``onboarding``
  (created, imported or edited into it).
- ``manager_changed(session, user, account_id, old_manager_id, new_manager_id)``: the
  account's responsible manager changed.

Every listener runs in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from accord.core.models import User

#: (session, account id) -> the message refusing the activation, or None to allow it
ActivationGuard = Callable[[Session, int], "str | None"]
#: (session, acting user, account id)
OnboardingListener = Callable[[Session, User, int], None]
#: (session, acting user, account id, old manager id, new manager id)
ManagerListener = Callable[[Session, User, int, "int | None", "int | None"], None]

#: the account-team role of the author of an open hand-off (they see the account until it is
#: accepted; then the role is removed and they keep reading their hand-off only)
AUTHOR_ROLE = "handoff_author"

_guards: list[ActivationGuard] = []
_onboarding: list[OnboardingListener] = []
_manager: list[ManagerListener] = []


def on_activation(guard: ActivationGuard) -> ActivationGuard:
    """Register an activation guard (once, however often this is called with it)."""
    if guard not in _guards:
        _guards.append(guard)
    return guard


def on_company_onboarding(listener: OnboardingListener) -> OnboardingListener:
    """Register a listener for companies entering onboarding (once)."""
    if listener not in _onboarding:
        _onboarding.append(listener)
    return listener


def on_manager_changed(listener: ManagerListener) -> ManagerListener:
    """Register a listener for changes of an account's responsible manager (once)."""
    if listener not in _manager:
        _manager.append(listener)
    return listener


def check_activation(session: Session, account_id: int) -> str | None:
    """The first guard's refusal of ``onboarding`` → ``active`` for this company, or None."""
    for guard in _guards:
        message = guard(session, account_id)
        if message:
            return message
    return None


def company_onboarding(session: Session, user: User, account_id: int) -> None:
    for listener in _onboarding:
        listener(session, user, account_id)


def manager_changed(
    session: Session,
    user: User,
    account_id: int,
    old_manager_id: int | None,
    new_manager_id: int | None,
) -> None:
    for listener in _manager:
        listener(session, user, account_id, old_manager_id, new_manager_id)
