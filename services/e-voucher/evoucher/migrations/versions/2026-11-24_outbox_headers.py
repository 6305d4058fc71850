"""Outbox rows keep the trace context (traceparent, request id) that the relay sends as Kafka headers.

Revision ID: 4b75f6405d50
Revises: 51eb22296a7c
Create Date: 2026-11-24 21:04:55.707271
"""
import sqlalchemy as sa
from alembic import op


revision = "4b75f6405d50"
down_revision = "51eb22296a7c"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("headers", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_column("headers")
