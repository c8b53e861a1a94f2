"""signing_authority_once: an installation has one certificate authority and one TSA (signing_keys), so
that two first confirmations at once cannot make two"""

import sqlalchemy as sa
from alembic import op

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None

PLATFORM_ROLES = sa.text("role IN ('ca', 'tsa')")


def upgrade() -> None:
    op.create_index(
        "uq_signing_keys_platform_role",
        "signing_keys",
        ["role"],
        unique=True,
        sqlite_where=PLATFORM_ROLES,
        postgresql_where=PLATFORM_ROLES,
    )


def downgrade() -> None:
    op.drop_index("uq_signing_keys_platform_role", table_name="signing_keys")
