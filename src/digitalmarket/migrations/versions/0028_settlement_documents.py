"""settlement: tax invoices (전자세금계산서, with amended ones) and the documents of an order's settlement

`tax_invoices` and `tax_invoice_items` hold the tax invoice issued for each accepted month and every
amended invoice (수정세금계산서) with its reason code and the original it amends; `settlement_documents`
lists the documents made after commit (검수조서, 대금청구서, the tax invoice's PDF and XML) by SHA-256,
with their versions and signers.

Revision ID: 0028
Revises: 0027
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import digitalmarket.core.tables

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tax_invoices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("approval_number", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("amends_id", sa.Integer(), nullable=True),
        sa.Column("amendment_code", sa.SmallInteger(), nullable=True),
        sa.Column("amendment_note", sa.Text(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("issued_at", digitalmarket.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("issued_by", sa.Integer(), nullable=True),
        sa.Column("supplier_number", sa.String(length=16), nullable=False),
        sa.Column("supplier_name", sa.String(length=200), nullable=False),
        sa.Column("supplier_representative", sa.String(length=100), nullable=False),
        sa.Column("supplier_address", sa.String(length=300), nullable=False),
        sa.Column("buyer_number", sa.String(length=16), nullable=False),
        sa.Column("buyer_name", sa.String(length=200), nullable=False),
        sa.Column("buyer_representative", sa.String(length=100), nullable=False),
        sa.Column("buyer_address", sa.String(length=300), nullable=False),
        sa.Column("supply_amount", sa.BigInteger(), nullable=False),
        sa.Column("tax", sa.BigInteger(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(kind = 'original' AND amends_id IS NULL AND amendment_code IS NULL) OR "
            "(kind = 'amended' AND amends_id IS NOT NULL AND amendment_code BETWEEN 1 AND 6)",
            name=op.f("ck_tax_invoices_amendment"),
        ),
        sa.CheckConstraint("kind IN ('original', 'amended')", name=op.f("ck_tax_invoices_kind")),
        sa.CheckConstraint("total = supply_amount + tax", name=op.f("ck_tax_invoices_total")),
        sa.ForeignKeyConstraint(
            ["amends_id"], ["tax_invoices.id"], name=op.f("fk_tax_invoices_amends_id_tax_invoices")
        ),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoices.id"], name=op.f("fk_tax_invoices_invoice_id_invoices")),
        sa.ForeignKeyConstraint(["issued_by"], ["users.id"], name=op.f("fk_tax_invoices_issued_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tax_invoices")),
        sa.UniqueConstraint("approval_number", name=op.f("uq_tax_invoices_approval_number")),
    )
    with op.batch_alter_table("tax_invoices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tax_invoices_invoice_id"), ["invoice_id"], unique=False)

    op.create_table(
        "tax_invoice_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tax_invoice_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("supplied_on", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("specification", sa.String(length=60), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price", sa.BigInteger(), nullable=False),
        sa.Column("supply_amount", sa.BigInteger(), nullable=False),
        sa.Column("tax", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tax_invoice_id"], ["tax_invoices.id"], name=op.f("fk_tax_invoice_items_tax_invoice_id_tax_invoices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tax_invoice_items")),
        sa.UniqueConstraint("tax_invoice_id", "position", name="uq_tax_invoice_items_position"),
    )
    with op.batch_alter_table("tax_invoice_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tax_invoice_items_tax_invoice_id"), ["tax_invoice_id"], unique=False)

    op.create_table(
        "settlement_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("tax_invoice_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("subject", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("media_type", sa.String(length=40), nullable=False),
        sa.Column("filename", sa.String(length=120), nullable=False),
        sa.Column("signers", sa.JSON(), nullable=False),
        sa.Column("made_at", digitalmarket.core.tables.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('inspection_report', 'payment_claim', 'tax_invoice', 'tax_invoice_xml')",
            name=op.f("ck_settlement_documents_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoices.id"], name=op.f("fk_settlement_documents_invoice_id_invoices")
        ),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_settlement_documents_order_id_orders")),
        sa.ForeignKeyConstraint(
            ["tax_invoice_id"],
            ["tax_invoices.id"],
            name=op.f("fk_settlement_documents_tax_invoice_id_tax_invoices"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_settlement_documents")),
        sa.UniqueConstraint("kind", "subject", "version", name="uq_settlement_documents_version"),
    )
    with op.batch_alter_table("settlement_documents", schema=None) as batch_op:
        batch_op.create_index("ix_settlement_documents_order", ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_settlement_documents_sha256"), ["sha256"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("settlement_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_settlement_documents_sha256"))
        batch_op.drop_index("ix_settlement_documents_order")
    op.drop_table("settlement_documents")
    with op.batch_alter_table("tax_invoice_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tax_invoice_items_tax_invoice_id"))
    op.drop_table("tax_invoice_items")
    with op.batch_alter_table("tax_invoices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tax_invoices_invoice_id"))
    op.drop_table("tax_invoices")
