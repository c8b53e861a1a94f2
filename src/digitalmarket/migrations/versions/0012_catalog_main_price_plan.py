"""catalog main price plan

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 16:00:00

Each service names its main price plan (대표 요금제) by the plan's position; existing services keep
their first plan listed (position 0) as the main one.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import digitalmarket.core.tables  # noqa: F401

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("services", schema=None) as batch_op:
        batch_op.add_column(sa.Column("main_plan_position", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("services", schema=None) as batch_op:
        batch_op.drop_column("main_plan_position")
