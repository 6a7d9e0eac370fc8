"""A reader's session reads a policy, a visible account and its tier once (``core.read_cache``);
a writer's reads every time; ending the reader's transaction forgets what it read."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from accord.accounts.models import AccountMember
from accord.accounts.visibility import get_visible_account
from accord.core import policy_store
from accord.core.database import reading_session
from accord.core.errors import NotFound
from accord.selection.service import tier_case_one


def _counting(engine: Any) -> list[str]:
    seen: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    return seen


def test_a_reader_reads_each_thing_once_and_a_new_snapshot_reads_again(sessions, engine, cast
                                                                         ) -> None:
    reader = reading_session(sessions)
    try:
        owner = reader.merge(cast.owner)
        seen = _counting(engine)

        def read_all() -> None:
            assert get_visible_account(reader, owner, cast.acme_id).id == cast.acme_id
            policy_store.stored(reader, "selection")
            tier_case_one(reader, cast.acme_id)

        read_all()  # brings the derived tables up to date (a new snapshot: forgets)
        reader.commit()
        seen.clear()
        read_all()
        first = len(seen)
        assert first >= 3, seen
        read_all()
        read_all()
        assert len(seen) == first, seen[first:]
        reader.commit()  # a new snapshot (core.database.new_snapshot): forgotten
        read_all()
        assert len(seen) == 2 * first, seen
    finally:
        reader.close()


def test_a_writer_sees_its_own_change_of_visibility_at_once(sessions, cast) -> None:
    """The teammate sees Acme through the account team; removed from it in the same
    transaction, the next read refuses (a cached answer would still show it)."""
    with sessions.begin() as writer:
        teammate = writer.merge(cast.teammate)
        get_visible_account(writer, teammate, cast.acme_id)
        writer.query(AccountMember).filter_by(account_id=cast.acme_id,
                                              user_id=teammate.id).delete()
        try:
            get_visible_account(writer, teammate, cast.acme_id)
        except NotFound:
            pass
        else:
            raise AssertionError("a writer's second read used a stale answer")
        writer.rollback()


def test_a_cached_policy_document_is_a_copy_the_caller_may_change(sessions) -> None:
    with sessions.begin() as writer:
        writer.add(policy_store.KamSetting(name="probe", value={"cut": [1, 2]}))
    reader = reading_session(sessions)
    try:
        first = policy_store.stored(reader, "probe")
        assert first == {"cut": [1, 2]}
        first["cut"].append(3)
        assert policy_store.stored(reader, "probe") == {"cut": [1, 2]}
    finally:
        reader.close()
