"""consumer_tasks: the objects an after-commit consumer still has slow work for (consumer_tasks), done outside its position's claim under a lease"""

import sqlalchemy as sa
from alembic import op

revision = "0034"
down_revision = "0033"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
