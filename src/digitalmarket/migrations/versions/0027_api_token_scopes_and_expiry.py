"""API tokens carry scopes and an expiry; existing tokens keep what their user's role may do, for 90 days."""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

import digitalmarket.core.tables

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

WRITE_SCOPES = {
    "supplier": "supplier-write",
    "agency_buyer": "buyer-write",
    "operator": "operator-write",
    "reviewer": "reviewer-write",
    "contracting_officer": "officer-write",
    "admin": "admin",
}


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("scopes", sa.String(100), nullable=False, server_default="read"))
        batch.add_column(sa.Column("expires_at", digitalmarket.core.tables.UTCDateTime(timezone=True)))
    bind = op.get_bind()
    expires = datetime.now(UTC) + timedelta(days=90)
    rows = bind.execute(
        sa.text("SELECT api_tokens.id, users.role FROM api_tokens JOIN users ON users.id = api_tokens.user_id")
    ).all()
    for token_id, role in rows:
        scopes = " ".join(["read", WRITE_SCOPES.get(role, "")]).strip()
        bind.execute(
            sa.text("UPDATE api_tokens SET scopes = :scopes, expires_at = :expires WHERE id = :id").bindparams(
                sa.bindparam("expires", type_=digitalmarket.core.tables.UTCDateTime())
            ),
            {"scopes": scopes, "expires": expires, "id": token_id},
        )


def downgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("expires_at")
        batch.drop_column("scopes")
