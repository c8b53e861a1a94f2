"""accounts: who a company is

Sign-ups wait for their e-mail confirmation (signup_requests); a supplier is unverified until the operator
has checked its business registration evidence; identity fields change through reviewed requests
(company_reviews, with their documents). Organisations that exist already stay verified.

Revision ID: 0026
Revises: 0025
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import digitalmarket.core.tables

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

UTC = digitalmarket.core.tables.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("verification", sa.String(length=16), server_default="verified", nullable=False))
        batch_op.add_column(sa.Column("verified_at", UTC, nullable=True))
        batch_op.add_column(sa.Column("sme_valid_until", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("credit_rated_on", sa.Date(), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_organisations_verification"), "verification IN ('unverified', 'pending', 'verified', 'refused')"
        )
    op.create_table(
        "signup_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("business_number", sa.String(length=10), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("expires_at", UTC, nullable=False),
        sa.Column("confirmed_at", UTC, nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_signup_requests_organisation_id_organisations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signup_requests")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_signup_requests_code_hash")),
    )
    with op.batch_alter_table("signup_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_signup_requests_email"), ["email"], unique=False)
        batch_op.create_index(batch_op.f("ix_signup_requests_created_at"), ["created_at"], unique=False)
    op.create_table(
        "company_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("representative", sa.String(length=100), nullable=True),
        sa.Column("size", sa.String(length=16), nullable=True),
        sa.Column("credit_rating", sa.String(length=16), nullable=True),
        sa.Column("sme_valid_until", sa.Date(), nullable=True),
        sa.Column("credit_rated_on", sa.Date(), nullable=True),
        sa.Column("requested_by", sa.Integer(), nullable=True),
        sa.Column("requested_at", UTC, nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", UTC, nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.CheckConstraint("kind IN ('registration', 'change')", name=op.f("ck_company_reviews_kind")),
        sa.CheckConstraint("status IN ('pending', 'approved', 'refused')", name=op.f("ck_company_reviews_status")),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisations.id"], name=op.f("fk_company_reviews_organisation_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"], ["users.id"], name=op.f("fk_company_reviews_requested_by_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["users.id"], name=op.f("fk_company_reviews_decided_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_company_reviews")),
    )
    with op.batch_alter_table("company_reviews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_company_reviews_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_company_reviews_status"), ["status"], unique=False)
    op.create_table(
        "company_review_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.CheckConstraint("kind IN ('registration', 'sme', 'credit')", name=op.f("ck_company_review_documents_kind")),
        sa.ForeignKeyConstraint(
            ["review_id"], ["company_reviews.id"], name=op.f("fk_company_review_documents_review_id_company_reviews")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_company_review_documents")),
    )
    with op.batch_alter_table("company_review_documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_company_review_documents_review_id"), ["review_id"], unique=False)


def downgrade() -> None:
    op.drop_table("company_review_documents")
    op.drop_table("company_reviews")
    op.drop_table("signup_requests")
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_organisations_verification"), type_="check")
        batch_op.drop_column("credit_rated_on")
        batch_op.drop_column("sme_valid_until")
        batch_op.drop_column("verified_at")
        batch_op.drop_column("verification")
