"""The outbox's published_at index becomes two partial ones: unpublished rows in id order (the relay's
read, as small as the backlog) and published rows by time (republishing after a broker loss).

Revision ID: a17e0b0c0004
Revises: d3adbe77e503
Create Date: 2026-12-07 14:00:00
"""
from alembic import op

from medshared.outbox import downgrade_outbox_indexes, upgrade_outbox_indexes

revision = "a17e0b0c0004"
down_revision = "d3adbe77e503"
branch_labels = None
depends_on = None


def upgrade() -> None:
    upgrade_outbox_indexes(op)


def downgrade() -> None:
    downgrade_outbox_indexes(op)
