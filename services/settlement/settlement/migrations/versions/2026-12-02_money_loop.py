"""The money loop and the record: pharmacies, records and designations, settlement lists, statements.

Revision ID: e15b00c10002
Revises: e14a0c0de001
Create Date: 2026-12-02 08:30:00
"""
import sqlalchemy as sa
from alembic import op


revision = "e15b00c10002"
down_revision = "e14a0c0de001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # ---- pharmacy (2101-2103)
    # ---- records (5201-5205, 5301-5304), designations (2505/2506)
    # ---- settlement lists (4101-4104)
    # ---- statements (3202-3204, monthly institution statements)
    pass


def downgrade() -> None:
    # ---- statements (3202-3204, monthly institution statements)
    # ---- settlement lists (4101-4104)
    # ---- records (5201-5205, 5301-5304), designations (2505/2506)
    # ---- pharmacy (2101-2103)
    pass
