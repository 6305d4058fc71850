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
    op.create_table(
        "diagnosis",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("mdtrt_id", sa.String(length=30), nullable=False),
        sa.Column("stage", sa.String(length=12), nullable=False),
        sa.Column("infno", sa.String(length=6), nullable=False),
        sa.Column("diag_type", sa.String(length=3), nullable=True),
        sa.Column("maindiag_flag", sa.String(length=3), nullable=True),
        sa.Column("diag_srt_no", sa.Integer(), nullable=False),
        sa.Column("diag_code", sa.String(length=50), nullable=False),
        sa.Column("diag_name", sa.String(length=300), nullable=True),
        sa.Column("adm_cond", sa.String(length=500), nullable=True),
        sa.Column("diag_dept", sa.String(length=100), nullable=True),
        sa.Column("dise_dor_no", sa.String(length=30), nullable=True),
        sa.Column("dise_dor_name", sa.String(length=50), nullable=True),
        sa.Column("diag_time", sa.DateTime(), nullable=True),
        sa.Column("opter_id", sa.String(length=64), nullable=True),
        sa.Column("opter_name", sa.String(length=100), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_diagnosis")),
    )
    op.create_index(op.f("ix_diagnosis_mdtrt_id"), "diagnosis", ["mdtrt_id"], unique=False)
    op.create_index("ix_visit_institution_status", "visit", ["fixmedins_code", "kind", "status"], unique=False)
    op.create_table(
        "designation",
        sa.Column("trt_dcla_detl_sn", sa.String(length=30), nullable=False),
        sa.Column("psn_no", sa.String(length=30), nullable=False),
        sa.Column("insutype", sa.String(length=6), nullable=False),
        sa.Column("biz_appy_type", sa.String(length=3), nullable=False),
        sa.Column("fix_srt_no", sa.String(length=3), nullable=True),
        sa.Column("fixmedins_code", sa.String(length=30), nullable=False),
        sa.Column("fixmedins_name", sa.String(length=200), nullable=False),
        sa.Column("begndate", sa.Date(), nullable=False),
        sa.Column("enddate", sa.Date(), nullable=True),
        sa.Column("tel", sa.String(length=50), nullable=True),
        sa.Column("addr", sa.String(length=200), nullable=True),
        sa.Column("agnter_name", sa.String(length=50), nullable=True),
        sa.Column("agnter_cert_type", sa.String(length=6), nullable=True),
        sa.Column("agnter_certno", sa.String(length=50), nullable=True),
        sa.Column("agnter_tel", sa.String(length=30), nullable=True),
        sa.Column("agnter_addr", sa.String(length=200), nullable=True),
        sa.Column("agnter_rlts", sa.String(length=3), nullable=True),
        sa.Column("memo", sa.String(length=500), nullable=True),
        sa.Column("filed_by", sa.String(length=30), nullable=False),
        sa.Column("filed_at", sa.DateTime(), nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("revoke_memo", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("trt_dcla_detl_sn", name=op.f("pk_designation")),
    )
    op.create_index(op.f("ix_designation_psn_no"), "designation", ["psn_no"], unique=False)
    # ---- settlement lists (4101-4104)
    op.create_table(
        "setl_list",
        sa.Column("setl_list_id", sa.String(length=30), nullable=False),
        sa.Column("setl_id", sa.String(length=30), nullable=False),
        sa.Column("mdtrt_id", sa.String(length=30), nullable=False),
        sa.Column("psn_no", sa.String(length=30), nullable=False),
        sa.Column("fixmedins_code", sa.String(length=30), nullable=False),
        sa.Column("setl_ym", sa.String(length=6), nullable=False),
        sa.Column("infno", sa.String(length=6), nullable=False),
        sa.Column("stas_type", sa.String(length=1), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("qltctrl_rslt", sa.String(length=1), nullable=False),
        sa.Column("err_lv", sa.String(length=1), nullable=True),
        sa.Column("retn_flag", sa.String(length=1), nullable=False),
        sa.Column("qltctrl_ver", sa.String(length=20), nullable=False),
        sa.Column("qc_detail", sa.Text(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("setl_list_id", name=op.f("pk_setl_list")),
        sa.UniqueConstraint("setl_id", name=op.f("uq_setl_list_setl_id")),
    )
    op.create_index("ix_setl_list_month", "setl_list", ["fixmedins_code", "setl_ym", "setl_id"], unique=False)
    op.create_table(
        "setl_qc_version",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("version", sa.String(length=20), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_setl_qc_version")),
        sa.UniqueConstraint("version", name=op.f("uq_setl_qc_version_version")),
    )
    # ---- statements (3202-3204, monthly institution statements)
    op.create_index("ix_settlement_institution_time", "settlement", ["fixmedins_code", "setl_time"], unique=False)
    op.create_table(
        "institution_statement",
        sa.Column("statement_id", sa.String(length=48), nullable=False),
        sa.Column("fixmedins_code", sa.String(length=30), nullable=False),
        sa.Column("fixmedins_name", sa.String(length=200), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("clr_optins", sa.String(length=6), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("setl_cnt", sa.Integer(), nullable=False),
        sa.Column("settlements", sa.Integer(), nullable=False),
        sa.Column("medfee_sumamt", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("fund_pay_sumamt", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("acct_pay", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("psn_cash_pay", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("owed_amt", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("by_fund", sa.Text(), nullable=False),
        sa.Column("by_clr_type", sa.Text(), nullable=False),
        sa.Column("generated_at", sa.DateTime(), nullable=False),
        sa.Column("generated_by", sa.String(length=64), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(), nullable=True),
        sa.Column("confirmed_by", sa.String(length=64), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("statement_id", name=op.f("pk_institution_statement")),
        sa.UniqueConstraint("fixmedins_code", "month", name=op.f("uq_institution_statement_fixmedins_code_month")),
    )
    op.create_index("ix_institution_statement_month", "institution_statement", ["month"], unique=False)
    op.create_table(
        "clearing_application",
        sa.Column("clr_appy_evt_id", sa.String(length=30), nullable=False),
        sa.Column("statement_id", sa.String(length=48), nullable=False),
        sa.Column("fixmedins_code", sa.String(length=30), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("clr_type", sa.String(length=6), nullable=False),
        sa.Column("clr_way", sa.String(length=30), nullable=True),
        sa.Column("setlym", sa.String(length=7), nullable=True),
        sa.Column("psntime", sa.Integer(), nullable=False),
        sa.Column("medfee_sumamt", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("med_sumfee", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("fund_appy_sum", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("cash_payamt", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("acct_pay", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("begndate", sa.Date(), nullable=False),
        sa.Column("enddate", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("msgid", sa.String(length=64), nullable=False),
        sa.Column("applied_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("revoke_msgid", sa.String(length=64), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("clr_appy_evt_id", name=op.f("pk_clearing_application")),
    )
    op.create_index(
        op.f("ix_clearing_application_statement_id"), "clearing_application", ["statement_id"], unique=False
    )
    op.create_index(
        op.f("ix_clearing_application_fixmedins_code"), "clearing_application", ["fixmedins_code"], unique=False
    )
    pass


def downgrade() -> None:
    # ---- statements (3202-3204, monthly institution statements)
    op.drop_index(op.f("ix_clearing_application_fixmedins_code"), table_name="clearing_application")
    op.drop_index(op.f("ix_clearing_application_statement_id"), table_name="clearing_application")
    op.drop_table("clearing_application")
    op.drop_index("ix_institution_statement_month", table_name="institution_statement")
    op.drop_table("institution_statement")
    op.drop_index("ix_settlement_institution_time", table_name="settlement")
    # ---- settlement lists (4101-4104)
    op.drop_table("setl_qc_version")
    op.drop_index("ix_setl_list_month", table_name="setl_list")
    op.drop_table("setl_list")
    # ---- records (5201-5205, 5301-5304), designations (2505/2506)
    op.drop_index(op.f("ix_designation_psn_no"), table_name="designation")
    op.drop_table("designation")
    op.drop_index("ix_visit_institution_status", table_name="visit")
    op.drop_index(op.f("ix_diagnosis_mdtrt_id"), table_name="diagnosis")
    op.drop_table("diagnosis")
    # ---- pharmacy (2101-2103)
    pass
