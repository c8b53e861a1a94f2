"""order_withdrawn: an order the buyer withdrew before the supplier accepted it (status ``withdrawn``)

The check of ``orders.status`` gains the state. PostgreSQL replaces the constraint. SQLite cannot alter a
CHECK constraint, and rebuilding ``orders`` would drop its change-feed triggers and the foreign keys that
point at it; a CHECK constraint is not part of the stored rows, so the table's schema text is rewritten in
place as SQLite documents for such changes (writable_schema, then a new schema_version so that every
connection reads it again).
"""

from alembic import op

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None

BEFORE = "status IN ('draft', 'contracted', 'active', 'completed', 'terminated')"
AFTER = "status IN ('draft', 'contracted', 'active', 'completed', 'terminated', 'withdrawn')"


def _set_check(old: str, new: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("ALTER TABLE orders DROP CONSTRAINT ck_orders_status")
        op.execute(f"ALTER TABLE orders ADD CONSTRAINT ck_orders_status CHECK ({new})")
        return
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.exec_driver_sql(
        "UPDATE sqlite_master SET sql = replace(sql, ?, ?) WHERE type = 'table' AND name = 'orders'", (old, new)
    )
    bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")


def upgrade() -> None:
    _set_check(BEFORE, AFTER)


def downgrade() -> None:
    op.execute("UPDATE orders SET status = 'terminated' WHERE status = 'withdrawn'")
    _set_check(AFTER, BEFORE)
