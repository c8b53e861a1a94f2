"""The audit chain verifies, and altering any column of any row breaks it at that row."""

import pytest
from sqlalchemy import select, text
from typer.testing import CliRunner

from digitalmarket import cli
from digitalmarket.core.audit import AuditEvent, record, record_many, verify_chain

AUDIT_COLUMNS = ["occurred_at", "actor_user_id", "action", "object_type", "object_id", "details", "prev_hash", "hash"]


def _rows(db):
    with db.reading() as session:
        return session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()


def test_demo_data_is_audited_and_the_chain_verifies(demo):
    rows = _rows(demo)
    assert {r.action for r in rows} >= {"account.signed_up", "account.user_created", "organisation.created"}
    with demo.reading() as session:
        report = verify_chain(session)
    assert report.ok and report.checked == len(rows)


def _tamper(db, row_id, column):
    values = {
        "occurred_at": "2020-01-01 00:00:00",
        "actor_user_id": None,
        "action": "account.tampered",
        "object_type": "tampered",
        "object_id": "999",
        "details": '{"tampered": true}',
        "prev_hash": "f" * 64,
        "hash": "e" * 64,
    }
    value = values[column]
    if column == "actor_user_id":
        # Point the row at another real user, so the foreign key still holds.
        with db.reading() as session:
            current = session.get(AuditEvent, row_id).actor_user_id
        value = 1 if current != 1 else 2
    if column == "details" and not db.is_sqlite:
        statement = f"UPDATE audit_events SET {column} = CAST(:value AS JSON) WHERE id = :id"
    elif column == "occurred_at" and not db.is_sqlite:
        statement = f"UPDATE audit_events SET {column} = CAST(:value AS TIMESTAMPTZ) WHERE id = :id"
    else:
        statement = f"UPDATE audit_events SET {column} = :value WHERE id = :id"
    with db.engine.begin() as connection:
        connection.execute(text(statement), {"value": value, "id": row_id})


@pytest.mark.parametrize("column", AUDIT_COLUMNS)
def test_altering_any_column_names_the_row(demo, column):
    rows = _rows(demo)
    target = rows[len(rows) // 2]
    _tamper(demo, target.id, column)
    with demo.reading() as session:
        report = verify_chain(session)
    assert not report.ok
    assert report.broken_id == target.id
    assert report.checked == len(rows[: len(rows) // 2])


def test_altering_the_first_and_last_rows_is_caught(demo):
    rows = _rows(demo)
    for target in (rows[0], rows[-1]):
        _tamper(demo, target.id, "object_id")
        with demo.reading() as session:
            assert verify_chain(session).broken_id == target.id
        with demo.engine.begin() as connection:
            connection.execute(
                text("UPDATE audit_events SET object_id = :v WHERE id = :id"), {"v": target.object_id, "id": target.id}
            )


def test_audit_verify_command(demo, monkeypatch):
    monkeypatch.setenv("DM_DATABASE_URL", demo.url)
    monkeypatch.setattr("digitalmarket.cli.environment.get_settings", _settings_for(demo.url))
    runner = CliRunner()
    ok = runner.invoke(cli.app, ["audit-verify"])
    assert ok.exit_code == 0, ok.output
    assert f"{len(_rows(demo))} rows checked" in ok.output
    target = _rows(demo)[3]
    _tamper(demo, target.id, "action")
    broken = runner.invoke(cli.app, ["audit-verify"])
    assert broken.exit_code == 1
    assert f"row {target.id}" in broken.output


def _settings_for(url):
    from digitalmarket.core.settings import load_settings

    def get_settings():
        return load_settings()

    return get_settings


def test_several_events_are_appended_in_order_and_chained(db):
    with db.transaction() as session:
        first = record(session, actor_user_id=None, action="test.one", object_type="thing", object_id=1)
        many = record_many(
            session,
            [
                {"actor_user_id": None, "action": "test.two", "object_type": "thing", "object_id": 2},
                {
                    "actor_user_id": None,
                    "action": "test.three",
                    "object_type": "thing",
                    "object_id": "3",
                    "details": {"n": 3},
                },
            ],
        )
        last = record(session, actor_user_id=None, action="test.four", object_type="thing", object_id=4)
        assert record_many(session, []) == []
    rows = _rows(db)
    assert [r.action for r in rows] == ["test.one", "test.two", "test.three", "test.four"]
    assert [r.id for r in rows] == [first.id, many[0].id, many[1].id, last.id] == [1, 2, 3, 4]
    assert [r.prev_hash for r in rows[1:]] == [r.hash for r in rows[:-1]]
    assert rows[1].details == {} and rows[2].details == {"n": 3} and rows[2].object_id == "3"
    with db.reading() as session:
        assert verify_chain(session).checked == 4
