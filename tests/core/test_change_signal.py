"""The change signal (`core.change_signal`): a commit that recorded events tells every process of the
machine; nothing else does; a file that is not the platform's own is never trusted."""

from __future__ import annotations

import os

import pytest

from digitalmarket.core import audit, change_signal


def test_a_commit_with_events_changes_the_token_and_nothing_else_does(db):
    signal = change_signal.of(db.engine.url)
    before = signal.token()
    assert before is not None and len(before) == change_signal.SIZE
    with db.reading() as session:
        audit.record(session, actor_user_id=None, action="test.read", object_type="test", object_id=1)
    with db.transaction() as session:
        session.execute(audit.AuditEvent.__table__.select().limit(1))  # a write transaction without events
    assert signal.token() == before
    with db.transaction() as session:
        audit.record(session, actor_user_id=None, action="test.written", object_type="test", object_id=1)
    after = signal.token()
    assert after != before
    assert change_signal.Signal(signal.path).token() == after  # what another process reads


def test_a_rolled_back_step_tells_nobody(db):
    signal = change_signal.of(db.engine.url)
    before = signal.token()
    with pytest.raises(RuntimeError), db.transaction() as session:
        audit.record(session, actor_user_id=None, action="test.failed", object_type="test", object_id=1)
        raise RuntimeError("the step failed")
    assert signal.token() == before


def test_a_file_others_may_write_or_a_link_is_never_used(tmp_path):
    shared = tmp_path / "shared-signal"
    shared.write_bytes(b"\0" * change_signal.SIZE)
    shared.chmod(0o666)
    assert change_signal.Signal(str(shared)).token() is None  # readers then look every time

    target = tmp_path / "precious"
    target.write_bytes(b"keep me as I am")
    link = tmp_path / "linked-signal"
    os.symlink(target, link)
    signal = change_signal.Signal(str(link))
    signal.raise_()
    assert signal.token() is None
    assert target.read_bytes() == b"keep me as I am"

    own = change_signal.Signal(str(tmp_path / "own-signal"))
    first = own.token()
    own.raise_()
    assert first is not None and own.token() != first
    assert (tmp_path / "own-signal").stat().st_mode & 0o777 == 0o600
