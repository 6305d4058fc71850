"""Filings, the people read model, clearing items, statements and their audit trail.

Revision ID: 09fd0e6ab339
Revises:
Create Date: 2026-11-24 20:41:03.632116
"""

import sqlalchemy as sa
from alembic import op

revision = "09fd0e6ab339"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "clearing_item",
        sa.Column("setl_id", sa.String(length=30), nullable=False),
        sa.Column("line_setl_id", sa.String(length=30), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("insuplc_admdvs", sa.String(length=6), nullable=False),
        sa.Column("mdtrtarea_admvs", sa.String(length=6), nullable=False),
        sa.Column("pay_loc", sa.String(length=1), nullable=False),
        sa.Column("clr_type", sa.String(length=4), nullable=False),
        sa.Column("psn_no", sa.String(length=30), nullable=False),
        sa.Column("certno", sa.String(length=50), nullable=False),
        sa.Column("mdtrt_id", sa.String(length=30), nullable=False),
        sa.Column("fixmedins_code", sa.String(length=30), nullable=False),
        sa.Column("setl_time", sa.DateTime(), nullable=False),
        sa.Column("setl_cnt", sa.Integer(), nullable=False),
        sa.Column("medfee_fen", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("fund_fen", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("acct_fen", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.PrimaryKeyConstraint("setl_id", name=op.f("pk_clearing_item")),
    )
    with op.batch_alter_table("clearing_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_clearing_item_mdtrt_id"), ["mdtrt_id"], unique=False)
        batch_op.create_index(
            "ix_clearing_item_period_pair", ["period", "insuplc_admdvs", "mdtrtarea_admvs"], unique=False
        )

    op.create_table(
        "enrollment",
        sa.Column("enrollment_id", sa.String(length=64), nullable=False),
        sa.Column("psn_no", sa.String(length=30), nullable=False),
        sa.Column("insutype", sa.String(length=6), nullable=False),
        sa.Column("insuplc_admdvs", sa.String(length=6), nullable=False),
        sa.Column("psn_type", sa.String(length=6), nullable=False),
        sa.Column("begndate", sa.Date(), nullable=False),
        sa.Column("enddate", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("periods", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("enrollment_id", name=op.f("pk_enrollment")),
    )
    with op.batch_alter_table("enrollment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_enrollment_psn_no"), ["psn_no"], unique=False)

    op.create_table(
        "filing",
        sa.Column("filing_id", sa.String(length=36), nullable=False),
        sa.Column("psn_no", sa.String(length=30), nullable=False),
        sa.Column("insutype", sa.String(length=6), nullable=False),
        sa.Column("insuplc_admdvs", sa.String(length=6), nullable=False),
        sa.Column("filing_type", sa.String(length=30), nullable=False),
        sa.Column("target_admdvs", sa.String(length=6), nullable=False),
        sa.Column("begndate", sa.Date(), nullable=False),
        sa.Column("enddate", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("revoked_by", sa.String(length=100), nullable=True),
        sa.Column("trt_dcla_detl_sn", sa.String(length=30), nullable=True),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("memo", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("filing_id", name=op.f("pk_filing")),
        sa.UniqueConstraint("trt_dcla_detl_sn", name=op.f("uq_filing_trt_dcla_detl_sn")),
    )
    with op.batch_alter_table("filing", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_filing_psn_no"), ["psn_no"], unique=False)

    op.create_table(
        "inbox_message",
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("topic", sa.String(length=100), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_inbox_message")),
    )
    op.create_table(
        "outbox_message",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("topic", sa.String(length=100), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_message")),
        sa.UniqueConstraint("event_id", name=op.f("uq_outbox_message_event_id")),
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_message_published_at"), ["published_at"], unique=False)

    op.create_table(
        "partner_nonce",
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key_id", "nonce", name=op.f("pk_partner_nonce")),
    )
    with op.batch_alter_table("partner_nonce", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_partner_nonce_seen_at"), ["seen_at"], unique=False)

    op.create_table(
        "person",
        sa.Column("psn_no", sa.String(length=30), nullable=False),
        sa.Column("psn_name", sa.String(length=100), nullable=False),
        sa.Column("certno", sa.String(length=50), nullable=False),
        sa.Column("death_date", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("psn_no", name=op.f("pk_person")),
    )
    op.create_table(
        "statement",
        sa.Column("statement_id", sa.String(length=40), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("insured_admdvs", sa.String(length=6), nullable=False),
        sa.Column("treating_admdvs", sa.String(length=6), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("setl_cnt", sa.Integer(), nullable=False),
        sa.Column("medfee_fen", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("fund_fen", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("acct_fen", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("by_clr_type", sa.Text(), nullable=False),
        sa.Column("dispute_reason", sa.String(length=500), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("statement_id", name=op.f("pk_statement")),
        sa.UniqueConstraint(
            "period",
            "insured_admdvs",
            "treating_admdvs",
            name=op.f("uq_statement_period_insured_admdvs_treating_admdvs"),
        ),
    )
    op.create_table(
        "statement_audit",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("statement_id", sa.String(length=40), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statement_audit")),
    )
    with op.batch_alter_table("statement_audit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_statement_audit_statement_id"), ["statement_id"], unique=False)

    op.create_table(
        "statement_line",
        sa.Column("statement_id", sa.String(length=40), nullable=False),
        sa.Column("setl_id", sa.String(length=30), nullable=False),
        sa.Column("clr_type", sa.String(length=4), nullable=False),
        sa.Column("psn_no", sa.String(length=30), nullable=False),
        sa.Column("certno", sa.String(length=50), nullable=False),
        sa.Column("mdtrt_id", sa.String(length=30), nullable=False),
        sa.Column("fixmedins_code", sa.String(length=30), nullable=False),
        sa.Column("setl_time", sa.DateTime(), nullable=False),
        sa.Column("setl_cnt", sa.Integer(), nullable=False),
        sa.Column("reversal_cnt", sa.Integer(), nullable=False),
        sa.Column("medfee_fen", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("fund_fen", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("acct_fen", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.PrimaryKeyConstraint("statement_id", "setl_id", name=op.f("pk_statement_line")),
    )


def downgrade() -> None:
    op.drop_table("statement_line")
    with op.batch_alter_table("statement_audit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_statement_audit_statement_id"))

    op.drop_table("statement_audit")
    op.drop_table("statement")
    op.drop_table("person")
    with op.batch_alter_table("partner_nonce", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partner_nonce_seen_at"))

    op.drop_table("partner_nonce")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_message_published_at"))

    op.drop_table("outbox_message")
    op.drop_table("inbox_message")
    with op.batch_alter_table("filing", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_filing_psn_no"))

    op.drop_table("filing")
    with op.batch_alter_table("enrollment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enrollment_psn_no"))

    op.drop_table("enrollment")
    with op.batch_alter_table("clearing_item", schema=None) as batch_op:
        batch_op.drop_index("ix_clearing_item_period_pair")
        batch_op.drop_index(batch_op.f("ix_clearing_item_mdtrt_id"))

    op.drop_table("clearing_item")
