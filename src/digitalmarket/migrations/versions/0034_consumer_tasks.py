"""consumer_tasks: the objects an after-commit consumer still has slow work for (consumer_tasks), done
outside its position's claim under a lease"""

import sqlalchemy as sa
from alembic import op

import digitalmarket.core.tables

revision = "0034"
down_revision = "0033"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "consumer_tasks",
        sa.Column("consumer", sa.String(length=64), nullable=False),
        sa.Column("object_id", sa.String(length=64), nullable=False),
        sa.Column("requested", sa.BigInteger(), nullable=False),
        sa.Column("requested_at", digitalmarket.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("lease", sa.String(length=32), nullable=True),
        sa.Column("leased_until", digitalmarket.core.tables.UTCDateTime(timezone=True), nullable=True),
        sa.Column("failed_at", digitalmarket.core.tables.UTCDateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("consumer", "object_id", name=op.f("pk_consumer_tasks")),
    )


def downgrade() -> None:
    op.drop_table("consumer_tasks")
