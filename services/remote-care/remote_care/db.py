"""Tables of the remote-care database.

Clearing amounts are integer fen: SQLite has no exact decimal type, and the monthly run
sums a million rows in SQL, so cents are kept as integers on every backend and turned
back into Decimal only at the edge.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
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

from medshared.db import new_metadata
from medshared.outbox import dead_letter_table, inbox_table, outbox_table
from medshared.security import operator_action_table

metadata = new_metadata()
outbox = outbox_table(metadata)
operator_action = operator_action_table(metadata)
inbox = inbox_table(metadata)
dead_letter = dead_letter_table(metadata)

_BIGINT = BigInteger().with_variant(Integer(), "sqlite")

# Read model of enrollment.people.v1: only what filing rules need.
person = Table(
    "person",
    metadata,
    Column("psn_no", String(30), primary_key=True),
    Column("psn_name", String(100), nullable=False),
    Column("certno", String(50), nullable=False),
    Column("death_date", Date, nullable=True),
    Column("version", Integer, nullable=False),
)

enrollment = Table(
    "enrollment",
    metadata,
    Column("enrollment_id", String(64), primary_key=True),
    Column("psn_no", String(30), nullable=False, index=True),
    Column("insutype", String(6), nullable=False),
    Column("insuplc_admdvs", String(6), nullable=False),
    Column("psn_type", String(6), nullable=False),
    Column("begndate", Date, nullable=False),
    Column("enddate", Date, nullable=True),
    Column("status", String(20), nullable=False),
    Column("periods", Text, nullable=False),  # JSON list of {status, begndate, enddate, reason}
    Column("version", Integer, nullable=False),
)

filing = Table(
    "filing",
    metadata,
    Column("filing_id", String(36), primary_key=True),
    Column("psn_no", String(30), nullable=False, index=True),
    Column("insutype", String(6), nullable=False),
    Column("insuplc_admdvs", String(6), nullable=False),
    Column("filing_type", String(30), nullable=False),
    Column("target_admdvs", String(6), nullable=False),
    Column("begndate", Date, nullable=False),
    Column("enddate", Date, nullable=True),
    Column("status", String(10), nullable=False),
    Column("channel", String(10), nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("revoked_by", String(100), nullable=True),
    Column("trt_dcla_detl_sn", String(30), nullable=True, unique=True),
    Column("details", Text, nullable=False),  # JSON: referral / emergency particulars as filed
    Column("memo", String(200), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("version", Integer, nullable=False),
)

# One row per out-of-area settlement or reversal (pay_loc 3/4) from settlement.settlements.v1.
clearing_item = Table(
    "clearing_item",
    metadata,
    Column("setl_id", String(30), primary_key=True),
    Column("line_setl_id", String(30), nullable=False),  # the original's setl_id for a reversal
    Column("period", String(7), nullable=False),  # yyyy-MM of setl_time
    Column("insuplc_admdvs", String(6), nullable=False),
    Column("mdtrtarea_admvs", String(6), nullable=False),
    Column("pay_loc", String(1), nullable=False),
    Column("clr_type", String(4), nullable=False),
    Column("psn_no", String(30), nullable=False),
    Column("certno", String(50), nullable=False),
    Column("mdtrt_id", String(30), nullable=False, index=True),
    Column("fixmedins_code", String(30), nullable=False),
    Column("setl_time", DateTime, nullable=False),
    Column("setl_cnt", Integer, nullable=False),  # +1 settlement, -1 reversal
    Column("medfee_fen", _BIGINT, nullable=False),
    Column("fund_fen", _BIGINT, nullable=False),
    Column("acct_fen", _BIGINT, nullable=False),
    Index("ix_clearing_item_period_pair", "period", "insuplc_admdvs", "mdtrtarea_admvs"),
)

statement = Table(
    "statement",
    metadata,
    Column("statement_id", String(40), primary_key=True),
    Column("period", String(7), nullable=False),
    Column("insured_admdvs", String(6), nullable=False),
    Column("treating_admdvs", String(6), nullable=False),
    Column("status", String(12), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("setl_cnt", Integer, nullable=False),
    Column("medfee_fen", _BIGINT, nullable=False),
    Column("fund_fen", _BIGINT, nullable=False),
    Column("acct_fen", _BIGINT, nullable=False),
    Column("by_clr_type", Text, nullable=False),  # JSON {clr_type: {setl_cnt, medfee_fen, fund_fen, acct_fen}}
    Column("dispute_reason", String(500), nullable=True),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("version", Integer, nullable=False),
    UniqueConstraint("period", "insured_admdvs", "treating_admdvs"),
)

statement_line = Table(
    "statement_line",
    metadata,
    Column("statement_id", String(40), primary_key=True),
    Column("setl_id", String(30), primary_key=True),
    Column("clr_type", String(4), nullable=False),
    Column("psn_no", String(30), nullable=False),
    Column("certno", String(50), nullable=False),
    Column("mdtrt_id", String(30), nullable=False),
    Column("fixmedins_code", String(30), nullable=False),
    Column("setl_time", DateTime, nullable=False),
    Column("setl_cnt", Integer, nullable=False),
    Column("reversal_cnt", Integer, nullable=False),
    Column("medfee_fen", _BIGINT, nullable=False),
    Column("fund_fen", _BIGINT, nullable=False),
    Column("acct_fen", _BIGINT, nullable=False),
)

statement_audit = Table(
    "statement_audit",
    metadata,
    Column("id", _BIGINT, primary_key=True, autoincrement=True),
    Column("statement_id", String(40), nullable=False, index=True),
    Column("action", String(20), nullable=False),
    Column("status", String(12), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("reason", String(500), nullable=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("version", Integer, nullable=False),
)

# Nonces already used by partner provinces inside the accepted clock window (replay guard).
partner_nonce = Table(
    "partner_nonce",
    metadata,
    Column("key_id", String(64), primary_key=True),
    Column("nonce", String(64), primary_key=True),
    Column("seen_at", DateTime(timezone=True), nullable=False, index=True),
)

# Read model of evoucher.vouchers.v1: a phone session works only while the person's voucher is
# active, and only for the binding it was opened under (see api/auth.py).
voucher = Table(
    "voucher",
    metadata,
    Column("voucher_id", String(64), primary_key=True),
    Column("psn_no", String(30), nullable=False, index=True),
    Column("status", String(20), nullable=False),
    Column("activated_at", DateTime(timezone=True), nullable=False),
    Column("version", Integer, nullable=False),
)
