"""Tables of the settlement database.

Read models (person, enrollment, identity, filing, account_entry credits) are fed by
events and never written by a HIS call, except account_entry rows for payments and
reversals: the personal account is a ledger, its balance is the sum of its entries.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from medshared.db import new_metadata
from medshared.outbox import inbox_table, outbox_table
from medshared.security import gateway_nonce_table, operator_action_table

metadata: MetaData = new_metadata()
outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
operator_action = operator_action_table(metadata)
gateway_nonce = gateway_nonce_table(metadata)


def _money(name: str, **kw: object) -> Column:  # type: ignore[type-arg]
    return Column(name, Numeric(16, 2), nullable=False, **kw)  # type: ignore[arg-type]


# ---------------------------------------------------------------- institutions and the gateway

institution = Table(
    "institution",
    metadata,
    Column("fixmedins_code", String(30), primary_key=True),
    Column("fixmedins_name", String(200), nullable=False),
    Column("admdvs", String(6), nullable=False),
    Column("hosp_lv", String(10), nullable=False),  # "1" | "2" | "3" | "pharmacy"
)

gateway_credential = Table(
    "gateway_credential",
    metadata,
    Column("paasid", String(64), primary_key=True),
    Column("fixmedins_code", String(30), nullable=False, index=True),
    # The gateway signature is a hash over the token itself, so the token is kept, not a hash of it.
    Column("token", String(200), nullable=False),
    Column("demo", Boolean, nullable=False),
)

sign_in = Table(
    "sign_in",
    metadata,
    Column("sign_no", String(30), primary_key=True),
    Column("fixmedins_code", String(30), nullable=False, index=True),
    Column("opter_no", String(30), nullable=False),
    Column("signed_in_at", DateTime(timezone=True), nullable=False),
    Column("signed_out_at", DateTime(timezone=True), nullable=True),
)

message_log = Table(
    "message_log",
    metadata,
    # A msgid is unique per sender (the credential that signed the call), as the national spec has it.
    Column("sender", String(64), primary_key=True, server_default=""),
    Column("msgid", String(64), primary_key=True),  # medshared.national.MSGID_MAX_LENGTH
    Column("fixmedins_code", String(30), nullable=False),
    Column("infno", String(6), nullable=False),
    Column("body_hash", String(64), nullable=False),
    Column("psn_no", String(30), nullable=True, index=True),
    Column("ref_id", String(40), nullable=True),  # mdtrt_id or setl_id the call created
    Column("response", Text, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
)

# ---------------------------------------------------------------- versioned reference data

catalogue_version = Table(
    "catalogue_version",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("catalogue_id", String(60), nullable=False),
    Column("version", String(20), nullable=False),
    Column("effective_from", Date, nullable=False),
    Column("body", Text, nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("catalogue_id", "version"),
)

policy_version = Table(
    "policy_version",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("policy_id", String(60), nullable=False),
    Column("version", String(20), nullable=False),
    Column("kind", String(20), nullable=False),  # "region" | "assistance"
    Column("admdvs", String(6), nullable=False),
    Column("insutype", String(6), nullable=True),
    Column("year", Integer, nullable=False),
    Column("effective_from", Date, nullable=False),
    Column("body", Text, nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("policy_id", "version"),
)

# ---------------------------------------------------------------- read models (from events)

person = Table(
    "person",
    metadata,
    Column("psn_no", String(30), primary_key=True),
    Column("psn_cert_type", String(6), nullable=False),
    Column("certno", String(50), nullable=False, index=True),
    Column("psn_name", String(50), nullable=False),
    Column("gend", String(6), nullable=True),
    Column("naty", String(3), nullable=True),
    Column("brdy", Date, nullable=True),
    Column("death_date", Date, nullable=True),
    Column("version", Integer, nullable=False),
)

enrollment = Table(
    "enrollment",
    metadata,
    Column("enrollment_id", String(40), primary_key=True),
    Column("psn_no", String(30), nullable=False, index=True),
    Column("insutype", String(6), nullable=False),
    Column("insuplc_admdvs", String(6), nullable=False),
    Column("psn_type", String(6), nullable=False),
    Column("emp_name", String(200), nullable=True),
    Column("cvlserv_flag", String(1), nullable=False),
    Column("tier", String(6), nullable=True),
    Column("begndate", Date, nullable=False),
    Column("enddate", Date, nullable=True),
    Column("status", String(20), nullable=False),
    Column("periods", Text, nullable=False),  # JSON list of {status, begndate, enddate, reason}
    Column("version", Integer, nullable=False),
)

identity = Table(
    "identity",
    metadata,
    Column("identity_id", String(40), primary_key=True),
    Column("psn_no", String(30), nullable=False, index=True),
    Column("psn_idet_type", String(6), nullable=False),
    Column("psn_type_lv", String(6), nullable=True),
    Column("begntime", DateTime, nullable=False),
    Column("endtime", DateTime, nullable=True),
    Column("memo", String(500), nullable=True),
    Column("revoked", Boolean, nullable=False),
    Column("version", Integer, nullable=False),
)

filing = Table(
    "filing",
    metadata,
    Column("filing_id", String(40), primary_key=True),
    Column("psn_no", String(30), nullable=False, index=True),
    Column("insuplc_admdvs", String(6), nullable=False),
    Column("filing_type", String(30), nullable=False),
    Column("target_admdvs", String(6), nullable=False),
    Column("begndate", Date, nullable=False),
    Column("enddate", Date, nullable=True),
    Column("status", String(20), nullable=False),
    Column("trt_dcla_detl_sn", String(30), nullable=True),
    Column("version", Integer, nullable=False),
)

account_entry = Table(
    "account_entry",
    metadata,
    # "credit:<credit_id>", "pay:<setl_id>", "reverse:<setl_id>": a redelivery cannot post twice.
    Column("entry_id", String(80), primary_key=True),
    Column("psn_no", String(30), nullable=False, index=True),
    Column("insutype", String(6), nullable=False),
    _money("amount"),  # credits positive, payments negative, reversals positive
    Column("kind", String(20), nullable=False),
    Column("memo", String(200), nullable=True),
    Column("posted_at", DateTime(timezone=True), nullable=False),
)

# ---------------------------------------------------------------- owned here

chronic_filing = Table(
    "chronic_filing",
    metadata,
    Column("trt_dcla_detl_sn", String(30), primary_key=True),
    Column("psn_no", String(30), nullable=False, index=True),
    Column("insutype", String(6), nullable=False),
    Column("opsp_dise_code", String(30), nullable=False),
    Column("opsp_dise_name", String(200), nullable=False),
    Column("fixmedins_code", String(30), nullable=False),
    Column("begndate", Date, nullable=False),
    Column("enddate", Date, nullable=True),
    Column("revoked", Boolean, nullable=False),
)

visit: Table = Table(
    "visit",
    metadata,
    Column("mdtrt_id", String(30), primary_key=True),
    Column("psn_no", String(30), nullable=False, index=True),
    Column("insutype", String(6), nullable=False),
    Column("kind", String(20), nullable=False),  # "outpatient" | "inpatient"
    Column("status", String(20), nullable=False),
    Column("fixmedins_code", String(30), nullable=False, index=True),
    Column("mdtrtarea_admvs", String(6), nullable=False),
    Column("insuplc_admdvs", String(6), nullable=False),
    Column("ipt_otp_no", String(30), nullable=False),
    Column("mdtrt_cert_type", String(3), nullable=False),
    Column("med_type", String(6), nullable=True),
    Column("dise_codg", String(30), nullable=True),
    Column("begntime", DateTime, nullable=False),
    Column("endtime", DateTime, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

fee_line = Table(
    "fee_line",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("mdtrt_id", String(30), nullable=False, index=True),
    Column("feedetl_sn", String(30), nullable=False),
    Column("chrg_bchno", String(30), nullable=True),
    Column("init_feedetl_sn", String(30), nullable=True),
    Column("med_list_codg", String(50), nullable=False),
    Column("medins_list_codg", String(150), nullable=True),
    Column("cnt", Numeric(16, 4), nullable=False),
    Column("pric", Numeric(16, 6), nullable=False),
    _money("det_item_fee_sumamt"),
    _money("fulamt_ownpay_amt"),
    _money("overlmt_amt"),
    _money("preselfpay_amt"),
    _money("inscp_scp_amt"),
    Column("chrgitm_lv", String(3), nullable=False),
    Column("selfpay_prop", Numeric(5, 4), nullable=False),
    Column("pric_uplmt_amt", Numeric(16, 6), nullable=True),
    Column("setl_id", String(30), nullable=True, index=True),
    Column("fee_ocur_time", DateTime, nullable=True),
    UniqueConstraint("mdtrt_id", "feedetl_sn"),
)

settlement: Table = Table(
    "settlement",
    metadata,
    Column("setl_id", String(30), primary_key=True),
    Column("mdtrt_id", String(30), nullable=False, index=True),
    Column("psn_no", String(30), nullable=False, index=True),
    Column("infno", String(6), nullable=False),
    Column("medins_setl_id", String(64), nullable=False),
    Column("fixmedins_code", String(30), nullable=False, index=True),
    Column("insutype", String(6), nullable=False),
    Column("med_type", String(6), nullable=False),
    Column("clr_type", String(6), nullable=False),
    Column("clr_optins", String(6), nullable=False),
    Column("pay_loc", String(3), nullable=False),
    Column("setl_time", DateTime, nullable=False),
    Column("year", Integer, nullable=False),
    _money("medfee_sumamt"),
    _money("fund_pay_sumamt"),
    _money("acct_pay"),
    _money("psn_cash_pay"),
    _money("act_pay_dedc"),
    Column("mid_setl_flag", String(1), nullable=False),
    Column("setlinfo", Text, nullable=False),  # the full setlinfo answered, JSON
    Column("setldetail", Text, nullable=False),
    Column("delta", Text, nullable=False),  # accumulator delta; a reversal subtracts it
    Column("policy_versions", Text, nullable=False),
    Column("init_setl_id", String(30), nullable=True),  # set on a reversal: the original
    Column("reversed_by", String(30), nullable=True, unique=True),  # set on an original once reversed
    # "his", or "mobile_pay" when the mobile-payment centre settled it (then only 6203 refunds it)
    Column("channel", String(12), nullable=False, server_default="his"),
)

accumulator = Table(
    "accumulator",
    metadata,
    Column("psn_no", String(30), primary_key=True),
    Column("year", Integer, primary_key=True),
    _money("outpatient_dedc"),
    _money("chronic_dedc"),
    _money("hifp_outpatient"),
    _money("hifp_main"),
    _money("hifob_paid"),
    _money("hifmi_base"),
    _money("hifmi_paid"),
    _money("maf_base"),
    _money("maf_paid"),
    _money("total_cost"),
    _money("self_paid"),
)


# The tables of the later capabilities live beside this module, on the same metadata.
from settlement.db_money_loop import (  # noqa: E402
    clearing_application,
    designation,
    diagnosis,
    institution_statement,
    setl_list,
    setl_qc_version,
)
from settlement.db_reference import (  # noqa: E402
    catalogue_record,
    catalogue_release,
    department,
    dictionary_version,
    hilist_record,
    item_mapping,
    national_file,
)
from settlement.db_supervision import (  # noqa: E402
    supervision_rule_set,
    violation,
    violation_evidence,
    violation_review,
)

__all__ = [
    "catalogue_record",
    "catalogue_release",
    "clearing_application",
    "department",
    "designation",
    "diagnosis",
    "dictionary_version",
    "hilist_record",
    "institution_statement",
    "item_mapping",
    "national_file",
    "setl_list",
    "setl_qc_version",
    "supervision_rule_set",
    "violation",
    "violation_evidence",
    "violation_review",
]
