"""Outbox rows keep the trace context (traceparent, request id) that the relay sends as Kafka headers.

Revision ID: 933b79c92f4c
Revises: 09fd0e6ab339
Create Date: 2026-11-24 21:04:49.129031
"""
import sqlalchemy as sa
from alembic import op


revision = "933b79c92f4c"
down_revision = "09fd0e6ab339"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("headers", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_column("headers")
