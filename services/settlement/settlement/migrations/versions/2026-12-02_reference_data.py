"""What a HIS needs before its first bill: files, national catalogues, dictionaries, item mapping, departments.

Revision ID: e14a0c0de001
Revises: d3adbe77e501
Create Date: 2026-12-02 08:00:00
"""
import sqlalchemy as sa
from alembic import op


revision = "e14a0c0de001"
down_revision = "d3adbe77e501"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # ---- files (9101/9102)
    # ---- national catalogues (13xx)
    # ---- dictionaries (1901)
    # ---- item mapping (3301/3302)
    # ---- departments (3401-3403)
    pass


def downgrade() -> None:
    # ---- departments (3401-3403)
    # ---- item mapping (3301/3302)
    # ---- dictionaries (1901)
    # ---- national catalogues (13xx)
    # ---- files (9101/9102)
    pass
