"""msgid is unique per sender: the mobile-payment centre acting for a hospital and the
hospital's own HIS each have their own msgid space.

Revision ID: 5b1e2f0a9d31
Revises: c56e225c0c72
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "5b1e2f0a9d31"
down_revision = "c56e225c0c72"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("message_log", recreate="always") as batch:
        # Rows written before this change came from the institution's own credential.
        batch.add_column(sa.Column("sender", sa.String(length=64), nullable=False, server_default=""))
        batch.drop_constraint("pk_message_log", type_="primary")
        batch.create_primary_key("pk_message_log", ["sender", "msgid"])
    op.execute("UPDATE message_log SET sender = fixmedins_code WHERE sender = ''")


def downgrade() -> None:
    with op.batch_alter_table("message_log", recreate="always") as batch:
        batch.drop_constraint("pk_message_log", type_="primary")
        batch.drop_column("sender")
        batch.create_primary_key("pk_message_log", ["msgid"])
