"""The operator audit trail, and the gateway nonces seen within the signature window.

Revision ID: c56e225c0c72
Revises: 71c8083a429c
Create Date: 2026-11-24 21:11:56.016534
"""

import sqlalchemy as sa
from alembic import op

revision = "c56e225c0c72"
down_revision = "71c8083a429c"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "gateway_nonce",
        sa.Column("paasid", sa.String(length=64), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("paasid", "nonce", name=op.f("pk_gateway_nonce")),
    )
    with op.batch_alter_table("gateway_nonce", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_gateway_nonce_seen_at"), ["seen_at"], unique=False
        )

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
    with op.batch_alter_table("gateway_nonce", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gateway_nonce_seen_at"))

    op.drop_table("gateway_nonce")
