"""Dead letters: events the consumer set aside after failed tries, for an operator to replay.

Revision ID: d3adbe77e503
Revises: 9c3e1f27a4b8
Create Date: 2026-12-01 23:45:00
"""
import sqlalchemy as sa
from alembic import op


revision = "d3adbe77e503"
down_revision = "9c3e1f27a4b8"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dead_letter",
        sa.Column("dead_letter_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("topic", sa.String(length=100), nullable=False),
        sa.Column("kafka_partition", sa.Integer(), nullable=False),
        sa.Column("kafka_offset", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=True),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("headers", sa.Text(), nullable=True),
        sa.Column("error_class", sa.String(length=200), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("first_failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("replayed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("replayed_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("dead_letter_id", name=op.f("pk_dead_letter")),
        sa.UniqueConstraint("event_id", name=op.f("uq_dead_letter_event_id")),
    )
    op.create_index(op.f("ix_dead_letter_status"), "dead_letter", ["status"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_dead_letter_status"), table_name="dead_letter")
    op.drop_table("dead_letter")
