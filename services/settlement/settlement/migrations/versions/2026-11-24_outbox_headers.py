"""Outbox rows keep the trace context (traceparent, request id) that the relay sends as Kafka headers.

Revision ID: 71c8083a429c
Revises: f38ce0414af1
Create Date: 2026-11-24 21:04:40.320774
"""
import sqlalchemy as sa
from alembic import op

revision = "71c8083a429c"
down_revision = "f38ce0414af1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("headers", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_column("headers")
