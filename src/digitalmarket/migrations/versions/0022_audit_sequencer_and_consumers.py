"""audit trail sequenced after commit; after-commit consumers and their positions

Writers no longer take a lock that every other writer waits for. An audit event is appended with a number
from a sequence (``id``) and nothing else of the chain; the sequencer (`core.sequencer`) later gives the
committed events, in the order it finds them committed, their position in the log (``seq``) and their
place in the hash chain (``prev_hash``, ``hash``). Existing events keep their hashes: their position is
their id. ``consumer_positions`` records how far each after-commit consumer (`core.consumers`) has read.

On PostgreSQL the change feed's trigger no longer takes the audit chain's lock: a changed object leaves its
position empty, and the feed's consumer numbers the committed ones in commit order (``opendata.feed``).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05 22:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import digitalmarket.core.tables

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

FEED_TABLES = {"services": "services", "orders": "orders", "catalog_contracts": "catalog-contracts"}


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.BigInteger(), nullable=True))
        batch_op.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=True)
        batch_op.alter_column("hash", existing_type=sa.String(length=64), nullable=True)
    op.execute("UPDATE audit_events SET seq = id")
    op.create_index("ix_audit_events_seq", "audit_events", ["seq"], unique=True)
    op.create_index(
        "ix_audit_events_unsequenced",
        "audit_events",
        ["id"],
        postgresql_where=sa.text("seq IS NULL"),
        sqlite_where=sa.text("seq IS NULL"),
    )
    if postgresql:
        op.execute("CREATE SEQUENCE audit_events_id_seq OWNED BY audit_events.id")
        op.execute("SELECT setval('audit_events_id_seq', coalesce((SELECT max(id) FROM audit_events), 0) + 1, false)")
        op.execute("ALTER TABLE audit_events ALTER COLUMN id SET DEFAULT nextval('audit_events_id_seq')")

    op.create_table(
        "consumer_positions",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", digitalmarket.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("failed_at", digitalmarket.core.tables.UTCDateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_consumer_positions")),
    )

    _set_feed_position_nullable(True)
    unnumbered = sa.text("position IS NULL")
    op.create_index(
        "ix_feed_entries_unnumbered",
        "feed_entries",
        ["kind", "object_id"],
        postgresql_where=unnumbered,
        sqlite_where=unnumbered,
    )
    if postgresql:
        op.execute(
            """
            CREATE OR REPLACE FUNCTION feed_touch() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              -- the feed's consumer numbers the object once this transaction has committed
              INSERT INTO feed_entries (kind, object_id, position) VALUES (TG_ARGV[0], NEW.id, NULL)
              ON CONFLICT (kind, object_id) DO UPDATE SET position = NULL;
              RETURN NULL;
            END $$
            """
        )


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        op.execute("UPDATE feed_entries SET position = nextval('feed_position_seq') WHERE position IS NULL")
        op.execute(
            """
            CREATE OR REPLACE FUNCTION feed_touch() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              PERFORM pg_advisory_xact_lock(7341202611);  -- core.audit's chain lock, held until commit
              INSERT INTO feed_entries (kind, object_id, position)
              VALUES (TG_ARGV[0], NEW.id, nextval('feed_position_seq'))
              ON CONFLICT (kind, object_id) DO UPDATE SET position = EXCLUDED.position;
              RETURN NULL;
            END $$
            """
        )
    op.drop_index("ix_feed_entries_unnumbered", table_name="feed_entries")
    _set_feed_position_nullable(False)
    op.drop_table("consumer_positions")
    # run the sequencer first (any command does): an event not yet chained has no hash for the old code
    if postgresql:
        op.execute("ALTER TABLE audit_events ALTER COLUMN id DROP DEFAULT")
        op.execute("DROP SEQUENCE IF EXISTS audit_events_id_seq")
    op.drop_index("ix_audit_events_unsequenced", table_name="audit_events")
    op.drop_index("ix_audit_events_seq", table_name="audit_events")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.alter_column("hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_column("seq")


def _set_feed_position_nullable(nullable: bool) -> None:
    """SQLite copies the table to change a column: its feed triggers (which name the table) are dropped
    first and made again as migration 0010 made them."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        for table in FEED_TABLES:
            for when in ("insert", "update"):
                op.execute(f"DROP TRIGGER IF EXISTS feed_{table}_{when}")
    with op.batch_alter_table("feed_entries", schema=None) as batch_op:
        batch_op.alter_column("position", existing_type=sa.BigInteger(), nullable=nullable)
    if sqlite:
        for table, kind in FEED_TABLES.items():
            for when in ("INSERT", "UPDATE"):
                op.execute(
                    f"CREATE TRIGGER feed_{table}_{when.lower()} AFTER {when} ON {table} BEGIN "
                    f"INSERT OR REPLACE INTO feed_entries (kind, object_id, position) "
                    f"VALUES ('{kind}', NEW.id, (SELECT coalesce(max(position), 0) + 1 FROM feed_entries)); END"
                )
