"""Read model of e-voucher's vouchers: phone sessions end when the voucher is revoked or bound elsewhere.

Revision ID: 7f0c9a51e2d4
Revises: d3adbe77e502
Create Date: 2026-12-01 23:50:00
"""
import sqlalchemy as sa
from alembic import op


revision = "7f0c9a51e2d4"
down_revision = "d3adbe77e502"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "voucher",
        sa.Column("voucher_id", sa.String(length=64), nullable=False),
        sa.Column("psn_no", sa.String(length=30), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("activated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("voucher_id", name=op.f("pk_voucher")),
    )
    op.create_index(op.f("ix_voucher_psn_no"), "voucher", ["psn_no"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_voucher_psn_no"), table_name="voucher")
    op.drop_table("voucher")
