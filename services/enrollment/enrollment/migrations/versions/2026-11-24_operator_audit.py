"""The operator audit trail: who did what to which record, with which role, and how it ended.

Revision ID: d259aa0e6524
Revises: 437b0a91eb98
Create Date: 2026-11-24 21:04:06.179236
"""

import sqlalchemy as sa
from alembic import op

revision = "d259aa0e6524"
down_revision = "437b0a91eb98"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "operator_action",
        sa.Column(
            "action_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("operator", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=200), nullable=False),
        sa.Column("target", sa.String(length=300), nullable=False),
        sa.Column("outcome", sa.String(length=100), nullable=False),
        sa.Column("acted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("action_id", name=op.f("pk_operator_action")),
    )
    with op.batch_alter_table("operator_action", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_operator_action_acted_at"), ["acted_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_operator_action_operator"), ["operator"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("operator_action", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_operator_action_operator"))
        batch_op.drop_index(batch_op.f("ix_operator_action_acted_at"))

    op.drop_table("operator_action")
