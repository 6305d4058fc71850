"""Tables of fund supervision (基金监管): the published rule sets, the violations found at settlement, their
review trail and the institutions' evidence (re-exported by settlement.db).

Times are the platform's local time, as setl_time is: a violation's month is the month of the
settlement that found it. Lengths follow the national 3101/3102 output (jr_id, rule_id 50; rule_name
200; vola_cont, vola_evid 500; sev_deg, vola_bhvr_type 3), with room for longer texts.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Date, DateTime, Index, Integer, Numeric, String, Table, Text

from settlement.db import _money, metadata

_ID = BigInteger().with_variant(Integer(), "sqlite")

# A published rule set: never changed afterwards. The set in force on a day is the one with the latest
# valid_from on or before it (the latest published among equals). `body` is its published JSON
# (settlement.domain.supervision.rule_set_json).
supervision_rule_set = Table(
    "supervision_rule_set",
    metadata,
    Column("version", String(30), primary_key=True),
    Column("valid_from", Date, nullable=False),
    Column("body", Text, nullable=False),
    Column("published_at", DateTime, nullable=False),
    Column("operator", String(64), nullable=False),
)
Index("ix_supervision_rule_set_in_force", supervision_rule_set.c.valid_from, supervision_rule_set.c.published_at)

# One row per violation a final settlement found (2207, 2304, 2102): the rule that found it, the money
# involved and the lines, and where its review stands: open -> confirmed | dismissed by a reviewer,
# open -> withdrawn when the settlement is reversed. recovered_amt (追回) only grows, up to vola_amt.
# `version` grows by one per change; every change is an event on supervision.violations.v1.
violation = Table(
    "violation",
    metadata,
    Column("jr_id", String(50), primary_key=True),
    Column("setl_id", String(30), nullable=False, index=True),
    Column("mdtrt_id", String(30), nullable=False),
    Column("psn_no", String(30), nullable=False),
    Column("fixmedins_code", String(30), nullable=False),
    Column("admdvs", String(6), nullable=False),
    Column("rule_set_version", String(30), nullable=False),
    Column("rule_id", String(50), nullable=False),
    Column("rule_name", String(200), nullable=False),
    Column("category", String(30), nullable=False),
    Column("severity", String(3), nullable=False),  # sev_deg
    Column("action", String(10), nullable=False),  # record | exclude | refuse
    Column("vola_bhvr_type", String(10), nullable=False),
    Column("vola_cont", Text, nullable=False),
    Column("vola_amt", Numeric(16, 2), nullable=False),
    Column("line_keys", Text, nullable=False),  # JSON list of feedetl_sn
    Column("evidence", Text, nullable=False),  # vola_evid: what the engine saw
    Column("found_at", DateTime, nullable=False),
    Column("month", String(7), nullable=False),  # yyyy-MM of found_at
    Column("status", String(12), nullable=False),
    _money("recovered_amt"),
    Column("reviewer", String(64), nullable=True),
    Column("reviewed_at", DateTime, nullable=True),
    Column("review_note", String(500), nullable=True),
    Column("withdrawn_by", String(30), nullable=True),  # the reversal's setl_id
    Column("withdrawn_at", DateTime, nullable=True),
    Column("version", Integer, nullable=False),
)
# The operator's lists: an institution's month, a rule's month, what is still open; paged newest first.
Index("ix_violation_institution_month", violation.c.fixmedins_code, violation.c.month, violation.c.found_at)
Index("ix_violation_rule_month", violation.c.rule_id, violation.c.month, violation.c.found_at)
Index("ix_violation_status_month", violation.c.status, violation.c.month, violation.c.found_at)
Index("ix_violation_month", violation.c.month, violation.c.found_at)

# Every step of a violation's review, as it happened: confirm, dismiss, recover, withdraw.
violation_review = Table(
    "violation_review",
    metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("jr_id", String(50), nullable=False, index=True),
    Column("step", String(12), nullable=False),
    Column("actor", String(64), nullable=False),  # the operator, or "settlement <setl_id>" for a withdrawal
    Column("at", DateTime, nullable=False),
    Column("status_before", String(12), nullable=False),
    Column("status_after", String(12), nullable=False),
    Column("amount", Numeric(16, 2), nullable=True),  # a recovery's amount
    Column("note", String(500), nullable=True),
)

# What an institution answered to a violation (疑点举证), oldest first.
violation_evidence = Table(
    "violation_evidence",
    metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("jr_id", String(50), nullable=False, index=True),
    Column("text", Text, nullable=False),
    Column("submitted_by", String(30), nullable=False),  # fixmedins_code
    Column("submitted_at", DateTime, nullable=False),
)

# The history the rules read (a person's lines of other visits since a day): the person's visits by
# ix_visit_psn_no, then each visit's lines from that day on by this index.
_fee_line = metadata.tables["fee_line"]
Index("ix_fee_line_visit_time", _fee_line.c.mdtrt_id, _fee_line.c.fee_ocur_time)
