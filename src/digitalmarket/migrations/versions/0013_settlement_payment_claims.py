"""settlement payment claims: an inspected invoice waits for the supplier's payment claim (대금청구);
the payment due date counts from the claim

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import digitalmarket.core.tables

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

STATES = "status IN ('reported', 'rejected', 'accepted', 'claimed', 'paid')"
FORMER_STATES = "status IN ('reported', 'rejected', 'accepted', 'paid')"

#: When the invoice passed its inspection: the time of its last acceptance in the audit trail.
INSPECTED_AT = (
    "(SELECT MAX(a.occurred_at) FROM audit_events a WHERE a.object_type = 'invoice' "
    "AND a.action = 'invoice.accepted' AND a.object_id = CAST(invoices.id AS VARCHAR(64)))"
)


def upgrade() -> None:
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("claimed_at", digitalmarket.core.tables.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("claimed_by", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(op.f("fk_invoices_claimed_by_users"), "users", ["claimed_by"], ["id"])
        batch_op.drop_constraint(op.f("ck_invoices_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_invoices_status"), STATES)
    # Invoices inspected before payment claims existed count as claimed when they were inspected (their due
    # dates were counted from that day): those waiting for payment are claimed, paid ones keep their state.
    op.execute(
        f"UPDATE invoices SET claimed_at = COALESCE({INSPECTED_AT}, updated_at) "
        "WHERE status IN ('accepted', 'paid') AND claimed_at IS NULL"
    )
    op.execute("UPDATE invoices SET status = 'claimed' WHERE status = 'accepted'")


def downgrade() -> None:
    op.execute("UPDATE invoices SET status = 'accepted' WHERE status = 'claimed'")
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_invoices_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_invoices_status"), FORMER_STATES)
        batch_op.drop_constraint(op.f("fk_invoices_claimed_by_users"), type_="foreignkey")
        batch_op.drop_column("claimed_by")
        batch_op.drop_column("claimed_at")
