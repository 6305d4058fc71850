"""People, employers, enrollments, identities, contribution policy, contributions, credits, outbox.

Revision ID: 437b0a91eb98
Revises:
Create Date: 2026-11-24 20:40:30.494161
"""

import sqlalchemy as sa
from alembic import op

revision = "437b0a91eb98"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contribution_policy",
        sa.Column("policy_id", sa.String(length=36), nullable=False),
        sa.Column("insuplc_admdvs", sa.String(length=6), nullable=False),
        sa.Column("insutype", sa.String(length=6), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("employer_rate", sa.Numeric(precision=8, scale=4), nullable=False),
        sa.Column("employee_rate", sa.Numeric(precision=8, scale=4), nullable=False),
        sa.Column(
            "retiree_monthly_credit", sa.Numeric(precision=16, scale=2), nullable=False
        ),
        sa.Column("subsidised_identities", sa.String(length=100), nullable=False),
        sa.Column("assistance_share", sa.Numeric(precision=8, scale=4), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("policy_id", name=op.f("pk_contribution_policy")),
        sa.UniqueConstraint(
            "insuplc_admdvs",
            "insutype",
            "year",
            "version",
            name=op.f("uq_contribution_policy_insuplc_admdvs_insutype_year_version"),
        ),
    )
    op.create_table(
        "employer",
        sa.Column("emp_no", sa.String(length=30), nullable=False),
        sa.Column("emp_name", sa.String(length=200), nullable=False),
        sa.Column("emp_type", sa.String(length=20), nullable=False),
        sa.Column("admdvs", sa.String(length=6), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("emp_no", name=op.f("pk_employer")),
    )
    op.create_table(
        "outbox_message",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
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
        batch_op.create_index(
            batch_op.f("ix_outbox_message_published_at"), ["published_at"], unique=False
        )

    op.create_table(
        "person",
        sa.Column("psn_no", sa.String(length=20), nullable=False),
        sa.Column("psn_cert_type", sa.String(length=6), nullable=False),
        sa.Column("certno", sa.String(length=50), nullable=False),
        sa.Column("psn_name", sa.String(length=50), nullable=False),
        sa.Column("gend", sa.String(length=1), nullable=False),
        sa.Column("naty", sa.String(length=3), nullable=False),
        sa.Column("brdy", sa.Date(), nullable=False),
        sa.Column("tel", sa.String(length=50), nullable=False),
        sa.Column("addr", sa.String(length=200), nullable=False),
        sa.Column("death_date", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("psn_no", name=op.f("pk_person")),
        sa.UniqueConstraint(
            "psn_cert_type", "certno", name=op.f("uq_person_psn_cert_type_certno")
        ),
    )
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.create_index("ix_person_certno", ["certno"], unique=False)

    op.create_table(
        "psn_no_serial",
        sa.Column("admdvs", sa.String(length=6), nullable=False),
        sa.Column("last_serial", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("admdvs", name=op.f("pk_psn_no_serial")),
    )
    op.create_table(
        "account_credit",
        sa.Column("credit_id", sa.String(length=36), nullable=False),
        sa.Column("psn_no", sa.String(length=20), nullable=False),
        sa.Column("insutype", sa.String(length=6), nullable=False),
        sa.Column("amount", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("credited_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("memo", sa.String(length=200), nullable=False),
        sa.Column("dedup_key", sa.String(length=80), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["psn_no"], ["person.psn_no"], name=op.f("fk_account_credit_psn_no_person")
        ),
        sa.PrimaryKeyConstraint("credit_id", name=op.f("pk_account_credit")),
        sa.UniqueConstraint("dedup_key", name=op.f("uq_account_credit_dedup_key")),
    )
    with op.batch_alter_table("account_credit", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_account_credit_psn_no"), ["psn_no"], unique=False
        )

    op.create_table(
        "enrollment",
        sa.Column("enrollment_id", sa.String(length=36), nullable=False),
        sa.Column("psn_no", sa.String(length=20), nullable=False),
        sa.Column("insutype", sa.String(length=6), nullable=False),
        sa.Column("insuplc_admdvs", sa.String(length=6), nullable=False),
        sa.Column("psn_type", sa.String(length=6), nullable=False),
        sa.Column("emp_no", sa.String(length=30), nullable=True),
        sa.Column("cvlserv_flag", sa.String(length=1), nullable=False),
        sa.Column("tier", sa.String(length=10), nullable=True),
        sa.Column("begndate", sa.Date(), nullable=False),
        sa.Column("enddate", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("transferred_from", sa.String(length=36), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["emp_no"], ["employer.emp_no"], name=op.f("fk_enrollment_emp_no_employer")
        ),
        sa.ForeignKeyConstraint(
            ["psn_no"], ["person.psn_no"], name=op.f("fk_enrollment_psn_no_person")
        ),
        sa.PrimaryKeyConstraint("enrollment_id", name=op.f("pk_enrollment")),
    )
    with op.batch_alter_table("enrollment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_enrollment_emp_no"), ["emp_no"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_enrollment_psn_no"), ["psn_no"], unique=False
        )

    op.create_table(
        "identity",
        sa.Column("identity_id", sa.String(length=36), nullable=False),
        sa.Column("psn_no", sa.String(length=20), nullable=False),
        sa.Column("psn_idet_type", sa.String(length=6), nullable=False),
        sa.Column("psn_type_lv", sa.String(length=6), nullable=False),
        sa.Column("begntime", sa.Date(), nullable=False),
        sa.Column("endtime", sa.Date(), nullable=True),
        sa.Column("memo", sa.String(length=500), nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["psn_no"], ["person.psn_no"], name=op.f("fk_identity_psn_no_person")
        ),
        sa.PrimaryKeyConstraint("identity_id", name=op.f("pk_identity")),
    )
    with op.batch_alter_table("identity", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_identity_psn_no"), ["psn_no"], unique=False
        )

    op.create_table(
        "resident_tier",
        sa.Column("policy_id", sa.String(length=36), nullable=False),
        sa.Column("tier", sa.String(length=10), nullable=False),
        sa.Column("amount", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["policy_id"],
            ["contribution_policy.policy_id"],
            name=op.f("fk_resident_tier_policy_id_contribution_policy"),
        ),
        sa.PrimaryKeyConstraint("policy_id", "tier", name=op.f("pk_resident_tier")),
    )
    op.create_table(
        "contribution",
        sa.Column("contribution_id", sa.String(length=36), nullable=False),
        sa.Column("psn_no", sa.String(length=20), nullable=False),
        sa.Column("enrollment_id", sa.String(length=36), nullable=False),
        sa.Column("insutype", sa.String(length=6), nullable=False),
        sa.Column("insuplc_admdvs", sa.String(length=6), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("tier", sa.String(length=10), nullable=True),
        sa.Column("base", sa.Numeric(precision=16, scale=2), nullable=True),
        sa.Column("total", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("policy_id", sa.String(length=36), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["enrollment.enrollment_id"],
            name=op.f("fk_contribution_enrollment_id_enrollment"),
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"],
            ["contribution_policy.policy_id"],
            name=op.f("fk_contribution_policy_id_contribution_policy"),
        ),
        sa.ForeignKeyConstraint(
            ["psn_no"], ["person.psn_no"], name=op.f("fk_contribution_psn_no_person")
        ),
        sa.PrimaryKeyConstraint("contribution_id", name=op.f("pk_contribution")),
        sa.UniqueConstraint(
            "enrollment_id", "period", name=op.f("uq_contribution_enrollment_id_period")
        ),
    )
    with op.batch_alter_table("contribution", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contribution_psn_no"), ["psn_no"], unique=False
        )

    op.create_table(
        "enrollment_period",
        sa.Column("enrollment_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("begndate", sa.Date(), nullable=False),
        sa.Column("enddate", sa.Date(), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["enrollment.enrollment_id"],
            name=op.f("fk_enrollment_period_enrollment_id_enrollment"),
        ),
        sa.PrimaryKeyConstraint(
            "enrollment_id", "seq", name=op.f("pk_enrollment_period")
        ),
    )
    op.create_table(
        "contribution_line",
        sa.Column("contribution_id", sa.String(length=36), nullable=False),
        sa.Column("payer", sa.String(length=30), nullable=False),
        sa.Column("amount", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["contribution_id"],
            ["contribution.contribution_id"],
            name=op.f("fk_contribution_line_contribution_id_contribution"),
        ),
        sa.PrimaryKeyConstraint(
            "contribution_id", "payer", name=op.f("pk_contribution_line")
        ),
    )


def downgrade() -> None:
    op.drop_table("contribution_line")
    op.drop_table("enrollment_period")
    with op.batch_alter_table("contribution", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contribution_psn_no"))

    op.drop_table("contribution")
    op.drop_table("resident_tier")
    with op.batch_alter_table("identity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identity_psn_no"))

    op.drop_table("identity")
    with op.batch_alter_table("enrollment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enrollment_psn_no"))
        batch_op.drop_index(batch_op.f("ix_enrollment_emp_no"))

    op.drop_table("enrollment")
    with op.batch_alter_table("account_credit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_credit_psn_no"))

    op.drop_table("account_credit")
    op.drop_table("psn_no_serial")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index("ix_person_certno")

    op.drop_table("person")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_message_published_at"))

    op.drop_table("outbox_message")
    op.drop_table("employer")
    op.drop_table("contribution_policy")
