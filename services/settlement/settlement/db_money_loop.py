"""Tables of the money loop and the record: diagnoses, designations, settlement lists, statements
(re-exported by settlement.db)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from settlement.db import _money, metadata, settlement, visit

# ---------------------------------------------------------------- pharmacy (2101-2103)

# ---------------------------------------------------------------- records (5201-5205, 5301-5304), designations (2505/2506)

# The diagnoses (diseinfo) a HIS sent for a visit, by stage: "outpatient" (2203), "admission" (2401,
# replaced by a 2403 that carries diagnoses), "discharge" (2402, dropped by 2405). Answered by 5202.
diagnosis = Table(
    "diagnosis",
    metadata,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True),
    Column("mdtrt_id", String(30), nullable=False, index=True),
    Column("stage", String(12), nullable=False),
    Column("infno", String(6), nullable=False),
    Column("diag_type", String(3), nullable=True),
    Column("maindiag_flag", String(3), nullable=True),
    Column("diag_srt_no", Integer, nullable=False),
    Column("diag_code", String(50), nullable=False),
    Column("diag_name", String(300), nullable=True),
    Column("adm_cond", String(500), nullable=True),
    Column("diag_dept", String(100), nullable=True),
    Column("dise_dor_no", String(30), nullable=True),
    Column("dise_dor_name", String(50), nullable=True),
    Column("diag_time", DateTime, nullable=True),
    Column("opter_id", String(64), nullable=True),
    Column("opter_name", String(100), nullable=True),
    Column("recorded_at", DateTime, nullable=False),  # the platform's local time, as 5202 answers opt_time
)

# 5303 lists an institution's patients in hospital: its visits by kind and status.
Index("ix_visit_institution_status", visit.c.fixmedins_code, visit.c.kind, visit.c.status)

# A person's designated institution (2505 人员定点备案), filed and revoked (2506) by `filed_by` only.
# Recorded and answered by 5302; settlement does not read it. Times are the platform's local time.
designation = Table(
    "designation",
    metadata,
    Column("trt_dcla_detl_sn", String(30), primary_key=True),
    Column("psn_no", String(30), nullable=False, index=True),
    Column("insutype", String(6), nullable=False),
    Column("biz_appy_type", String(3), nullable=False),
    Column("fix_srt_no", String(3), nullable=True),
    Column("fixmedins_code", String(30), nullable=False),
    Column("fixmedins_name", String(200), nullable=False),
    Column("begndate", Date, nullable=False),
    Column("enddate", Date, nullable=True),
    Column("tel", String(50), nullable=True),
    Column("addr", String(200), nullable=True),
    Column("agnter_name", String(50), nullable=True),
    Column("agnter_cert_type", String(6), nullable=True),
    Column("agnter_certno", String(50), nullable=True),
    Column("agnter_tel", String(30), nullable=True),
    Column("agnter_addr", String(200), nullable=True),
    Column("agnter_rlts", String(3), nullable=True),
    Column("memo", String(500), nullable=True),
    Column("filed_by", String(30), nullable=False),
    Column("filed_at", DateTime, nullable=False),
    Column("revoked", Boolean, nullable=False),
    Column("revoked_at", DateTime, nullable=True),
    Column("revoke_memo", String(500), nullable=True),
)

# ---------------------------------------------------------------- settlement lists (4101-4104)

# One 医疗保障基金结算清单 per settlement (4101 / 4101A), replaced by a later upload while stas_type is
# 0 (未提交) and locked once 1 (已提交, 4102). `body` is the list as stored (JSON, node by node: the
# uploaded nodes, and for 4101A the payinfo / iteminfo taken from the settlement); the quality-control
# result of the rule version in force at the upload is beside it (qc_detail: JSON, one row per problem).
# Times are the platform's local time, as the national answers carry them.
setl_list = Table(
    "setl_list",
    metadata,
    Column("setl_list_id", String(30), primary_key=True),
    Column("setl_id", String(30), nullable=False, unique=True),
    Column("mdtrt_id", String(30), nullable=False),
    Column("psn_no", String(30), nullable=False),
    Column("fixmedins_code", String(30), nullable=False),
    Column("setl_ym", String(6), nullable=False),
    Column("infno", String(6), nullable=False),
    Column("stas_type", String(1), nullable=False),
    Column("body", Text, nullable=False),
    Column("qltctrl_rslt", String(1), nullable=False),
    Column("err_lv", String(1), nullable=True),
    Column("retn_flag", String(1), nullable=False),
    Column("qltctrl_ver", String(20), nullable=False),
    Column("qc_detail", Text, nullable=False),
    Column("revision", Integer, nullable=False),
    Column("uploaded_at", DateTime, nullable=False),
    Column("submitted_at", DateTime, nullable=True),
)
# 4104 pages an institution's lists of a month.
Index("ix_setl_list_month", setl_list.c.fixmedins_code, setl_list.c.setl_ym, setl_list.c.setl_id)

# A published version of the quality-control rules; the version in force on a day is the one with the
# latest effective_from on or before it (the latest published among equals). Never changed afterwards.
setl_qc_version = Table(
    "setl_qc_version",
    metadata,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True),
    Column("version", String(20), nullable=False, unique=True),
    Column("effective_from", Date, nullable=False),
    Column("body", Text, nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=False),
)

# ---------------------------------------------------------------- statements (3202-3204, monthly institution statements)

# A reconciliation (3202) and a month's statement read an institution's settlements by setl_time.
Index("ix_settlement_institution_time", settlement.c.fixmedins_code, settlement.c.setl_time)

# What the funds owe an institution for a month, generated by a bureau operator once the month is
# closed and confirmed by the bureau: totals, lines by clr_type and by fund (JSON), reversals netted
# in the month they happened. One per institution and month (statement_id ST-<fixmedins_code>-<yyyy-MM>).
institution_statement = Table(
    "institution_statement",
    metadata,
    Column("statement_id", String(48), primary_key=True),
    Column("fixmedins_code", String(30), nullable=False),
    Column("fixmedins_name", String(200), nullable=False),
    Column("month", String(7), nullable=False),  # yyyy-MM
    Column("clr_optins", String(6), nullable=False),
    Column("status", String(12), nullable=False),  # "issued" | "confirmed"
    Column("setl_cnt", Integer, nullable=False),  # net: settlements minus reversals
    Column("settlements", Integer, nullable=False),  # lines: settlements and reversals
    _money("medfee_sumamt"),
    _money("fund_pay_sumamt"),
    _money("acct_pay"),
    _money("psn_cash_pay"),
    _money("owed_amt"),
    Column("by_fund", Text, nullable=False),  # {fund_pay_type: amount}
    Column("by_clr_type", Text, nullable=False),  # {clr_type: figures}
    Column("generated_at", DateTime, nullable=False),
    Column("generated_by", String(64), nullable=False),
    Column("confirmed_at", DateTime, nullable=True),
    Column("confirmed_by", String(64), nullable=True),
    Column("version", Integer, nullable=False),
    UniqueConstraint("fixmedins_code", "month"),
)
Index("ix_institution_statement_month", institution_statement.c.month)

# An institution's 3203 clearing application for one clr_type of a month, as sent, checked against
# the statement; "applied" until revoked (3204) or the bureau confirms the statement ("confirmed").
clearing_application = Table(
    "clearing_application",
    metadata,
    Column("clr_appy_evt_id", String(30), primary_key=True),
    Column("statement_id", String(48), nullable=False, index=True),
    Column("fixmedins_code", String(30), nullable=False, index=True),
    Column("month", String(7), nullable=False),
    Column("clr_type", String(6), nullable=False),
    Column("clr_way", String(30), nullable=True),
    Column("setlym", String(7), nullable=True),
    Column("psntime", Integer, nullable=False),
    _money("medfee_sumamt"),
    _money("med_sumfee"),
    _money("fund_appy_sum"),
    _money("cash_payamt"),
    _money("acct_pay"),
    Column("begndate", Date, nullable=False),
    Column("enddate", Date, nullable=False),
    Column("status", String(12), nullable=False),  # "applied" | "revoked" | "confirmed"
    Column("msgid", String(64), nullable=False),
    Column("applied_at", DateTime, nullable=False),
    Column("revoked_at", DateTime, nullable=True),
    Column("revoke_msgid", String(64), nullable=True),
    Column("version", Integer, nullable=False),
)
