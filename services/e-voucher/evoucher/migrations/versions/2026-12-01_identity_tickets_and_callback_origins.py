"""Identity-check tickets serve once; callback origins registered per institution; callback tries with backoff.

Revision ID: 9c3e1f27a4b8
Revises: 76e9f6dc0648
Create Date: 2026-12-01 23:40:00
"""
import sqlalchemy as sa
from alembic import op


revision = "9c3e1f27a4b8"
down_revision = "76e9f6dc0648"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "identity_ticket_use",
        sa.Column("ticket_id", sa.String(length=64), nullable=False),
        sa.Column("openid", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("ticket_id", name=op.f("pk_identity_ticket_use")),
    )
    op.create_index(op.f("ix_identity_ticket_use_expires_at"), "identity_ticket_use", ["expires_at"], unique=False)
    op.create_table(
        "institution_callback_origin",
        sa.Column("fixmedins_code", sa.String(length=30), nullable=False),
        sa.Column("origin", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("fixmedins_code", "origin", name=op.f("pk_institution_callback_origin")),
    )
    with op.batch_alter_table("pay_order", schema=None) as batch_op:
        batch_op.add_column(sa.Column("callback_attempts", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("callback_next_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("callback_failed_status", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pay_order", schema=None) as batch_op:
        batch_op.drop_column("callback_failed_status")
        batch_op.drop_column("callback_next_at")
        batch_op.drop_column("callback_attempts")
    op.drop_table("institution_callback_origin")
    op.drop_index(op.f("ix_identity_ticket_use_expires_at"), table_name="identity_ticket_use")
    op.drop_table("identity_ticket_use")
