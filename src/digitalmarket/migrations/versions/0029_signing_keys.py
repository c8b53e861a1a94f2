"""signing_keys: the certificate authority, the organisations' signing certificates and the ledger of
signed documents (signatures.tables)"""

import sqlalchemy as sa
from alembic import op

from digitalmarket.core.tables import UTCDateTime

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signing_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("serial", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("certificate_der", sa.LargeBinary(), nullable=False),
        sa.Column("chain_pem", sa.LargeBinary(), nullable=True),
        sa.Column("key_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("not_before", UTCDateTime(timezone=True), nullable=False),
        sa.Column("not_after", UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_reason", sa.String(length=300), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("role IN ('ca', 'tsa', 'organisation')", name=op.f("ck_signing_keys_role")),
        sa.CheckConstraint("source IN ('issued', 'uploaded')", name=op.f("ck_signing_keys_source")),
        sa.CheckConstraint(
            "(role = 'organisation') = (organisation_id IS NOT NULL)", name=op.f("ck_signing_keys_owner")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisations.id"], name=op.f("fk_signing_keys_organisation_id_organisations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signing_keys")),
    )
    op.create_index("ix_signing_keys_role_organisation", "signing_keys", ["role", "organisation_id"])
    op.create_table(
        "signed_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("family", sa.String(length=120), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("signs_sha256", sa.String(length=64), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("signer_name", sa.String(length=200), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('draft', 'signature', 'timestamp')", name=op.f("ck_signed_documents_kind")),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_signed_documents_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signed_documents")),
        sa.UniqueConstraint("sha256", name=op.f("uq_signed_documents_sha256")),
    )
    op.create_index("ix_signed_documents_family_revision", "signed_documents", ["family", "revision"])


def downgrade() -> None:
    op.drop_index("ix_signed_documents_family_revision", table_name="signed_documents")
    op.drop_table("signed_documents")
    op.drop_index("ix_signing_keys_role_organisation", table_name="signing_keys")
    op.drop_table("signing_keys")
