"""Fund supervision: published rule sets, violations found at settlement, their review trail and the
institutions' evidence; the index the rules' history reads a person's lines by.

Revision ID: f16a5e0e0001
Revises: e15b00c10002
Create Date: 2026-12-02 14:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "f16a5e0e0001"
down_revision = "e15b00c10002"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "supervision_rule_set",
        sa.Column("version", sa.String(length=30), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.Column("operator", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_supervision_rule_set")),
    )
    op.create_index(
        "ix_supervision_rule_set_in_force", "supervision_rule_set", ["valid_from", "published_at"], unique=False
    )
    op.create_table(
        "violation",
        sa.Column("jr_id", sa.String(length=50), nullable=False),
        sa.Column("setl_id", sa.String(length=30), nullable=False),
        sa.Column("mdtrt_id", sa.String(length=30), nullable=False),
        sa.Column("psn_no", sa.String(length=30), nullable=False),
        sa.Column("fixmedins_code", sa.String(length=30), nullable=False),
        sa.Column("admdvs", sa.String(length=6), nullable=False),
        sa.Column("rule_set_version", sa.String(length=30), nullable=False),
        sa.Column("rule_id", sa.String(length=50), nullable=False),
        sa.Column("rule_name", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("severity", sa.String(length=3), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("vola_bhvr_type", sa.String(length=10), nullable=False),
        sa.Column("vola_cont", sa.Text(), nullable=False),
        sa.Column("vola_amt", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("line_keys", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("found_at", sa.DateTime(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("recovered_amt", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("reviewer", sa.String(length=64), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(), nullable=True),
        sa.Column("review_note", sa.String(length=500), nullable=True),
        sa.Column("withdrawn_by", sa.String(length=30), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("jr_id", name=op.f("pk_violation")),
    )
    op.create_index(op.f("ix_violation_setl_id"), "violation", ["setl_id"], unique=False)
    op.create_index(
        "ix_violation_institution_month", "violation", ["fixmedins_code", "month", "found_at"], unique=False
    )
    op.create_index("ix_violation_rule_month", "violation", ["rule_id", "month", "found_at"], unique=False)
    op.create_index("ix_violation_status_month", "violation", ["status", "month", "found_at"], unique=False)
    op.create_index("ix_violation_month", "violation", ["month", "found_at"], unique=False)
    op.create_table(
        "violation_review",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("jr_id", sa.String(length=50), nullable=False),
        sa.Column("step", sa.String(length=12), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("status_before", sa.String(length=12), nullable=False),
        sa.Column("status_after", sa.String(length=12), nullable=False),
        sa.Column("amount", sa.Numeric(precision=16, scale=2), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_violation_review")),
    )
    op.create_index(op.f("ix_violation_review_jr_id"), "violation_review", ["jr_id"], unique=False)
    op.create_table(
        "violation_evidence",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("jr_id", sa.String(length=50), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("submitted_by", sa.String(length=30), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_violation_evidence")),
    )
    op.create_index(op.f("ix_violation_evidence_jr_id"), "violation_evidence", ["jr_id"], unique=False)
    # The history the rules read: a person's visits (ix_visit_psn_no), then each visit's lines from a day on.
    op.create_index("ix_fee_line_visit_time", "fee_line", ["mdtrt_id", "fee_ocur_time"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_fee_line_visit_time", table_name="fee_line")
    op.drop_index(op.f("ix_violation_evidence_jr_id"), table_name="violation_evidence")
    op.drop_table("violation_evidence")
    op.drop_index(op.f("ix_violation_review_jr_id"), table_name="violation_review")
    op.drop_table("violation_review")
    op.drop_index("ix_violation_month", table_name="violation")
    op.drop_index("ix_violation_status_month", table_name="violation")
    op.drop_index("ix_violation_rule_month", table_name="violation")
    op.drop_index("ix_violation_institution_month", table_name="violation")
    op.drop_index(op.f("ix_violation_setl_id"), table_name="violation")
    op.drop_table("violation")
    op.drop_index("ix_supervision_rule_set_in_force", table_name="supervision_rule_set")
    op.drop_table("supervision_rule_set")
