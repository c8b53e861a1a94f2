"""search_category: the search index keeps each service's category (its Korean and English names) as a field of its own

The column starts empty; the change of `search.freshness.ANALYZER_VERSION` that came with it makes
``digitalmarket migrate`` index every service again, which fills it.
"""

import sqlalchemy as sa
from alembic import op

revision = "0035"
down_revision = "0034"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("service_search") as batch:
        batch.add_column(sa.Column("category", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("service_search") as batch:
        batch.drop_column("category")
