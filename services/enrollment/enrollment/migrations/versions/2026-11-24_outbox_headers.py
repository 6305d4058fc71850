"""Outbox rows keep the trace context (traceparent, request id) that the relay sends as Kafka headers.

Revision ID: e05fa78c0aa5
Revises: d259aa0e6524
Create Date: 2026-11-24 21:04:31.676093
"""
import sqlalchemy as sa
from alembic import op


revision = "e05fa78c0aa5"
down_revision = "d259aa0e6524"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("headers", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_column("headers")
