"""The migrations produce exactly the models' schema, on SQLite and PostgreSQL, and can be undone."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from digitalmarket.core.migrate import downgrade, upgrade
from digitalmarket.models import metadata

#: The search backends' own structures, created by the migration for one database only.
BACKEND_SEARCH_TABLES = ("service_fts", "service_tsv")


def _include(name, type_, parent_names):
    return not (type_ == "table" and name.startswith(BACKEND_SEARCH_TABLES))


def _differences(db):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_name": _include})
        return compare_metadata(context, metadata)


def test_migrations_match_the_models(db):
    assert _differences(db) == []


def test_migrations_go_down_and_up_again(db):
    downgrade(db.engine, "base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    assert not any(t.startswith(BACKEND_SEARCH_TABLES) for t in inspect(db.engine).get_table_names())
    upgrade(db.engine)
    assert _differences(db) == []
    assert {t.name for t in metadata.sorted_tables} <= set(inspect(db.engine).get_table_names())


def test_sqlite_runs_in_wal_mode_with_foreign_keys(db):
    if not db.is_sqlite:
        return
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
