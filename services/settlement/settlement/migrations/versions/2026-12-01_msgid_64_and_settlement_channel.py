"""A msgid of up to 64 characters (deployed HIS software sends 20 to 36), and the channel a
settlement came through, so one paid by mobile payment is refunded only through 6203.

Revision ID: 9a4c1d2e7b10
Revises: 5b1e2f0a9d31
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "9a4c1d2e7b10"
down_revision = "5b1e2f0a9d31"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("message_log") as batch:
        batch.alter_column("msgid", existing_type=sa.String(length=30), type_=sa.String(length=64), existing_nullable=False)
    with op.batch_alter_table("settlement") as batch:
        batch.alter_column(
            "medins_setl_id", existing_type=sa.String(length=30), type_=sa.String(length=64), existing_nullable=False
        )
        # Rows written before this change came from the HIS itself or from the mobile-payment
        # centre; they keep the old behaviour (a direct reversal is allowed).
        batch.add_column(sa.Column("channel", sa.String(length=12), nullable=False, server_default="his"))


def downgrade() -> None:
    with op.batch_alter_table("settlement") as batch:
        batch.drop_column("channel")
        batch.alter_column("medins_setl_id", existing_type=sa.String(length=64), type_=sa.String(length=30), existing_nullable=False)
    with op.batch_alter_table("message_log") as batch:
        batch.alter_column("msgid", existing_type=sa.String(length=64), type_=sa.String(length=30), existing_nullable=False)
