"""withdrawn_drafts: the draft version (0) of a withdrawn order is withdrawn too

A buyer's withdrawal left the order's draft `proposed`, as if it still waited for both confirmations; the
step now marks it withdrawn, and this brings the orders withdrawn before in line.
"""

from alembic import op

revision = "0036"
down_revision = "0035"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "UPDATE order_versions SET status = 'withdrawn' WHERE seq = 0 AND status = 'proposed' "
        "AND order_id IN (SELECT id FROM orders WHERE status = 'withdrawn')"
    )


def downgrade() -> None:
    op.execute(
        "UPDATE order_versions SET status = 'proposed' WHERE seq = 0 AND status = 'withdrawn' "
        "AND order_id IN (SELECT id FROM orders WHERE status = 'withdrawn')"
    )
