"""Tables of the e-voucher database.

person / person_enrollment / settlement are read models fed by events; the rest is owned here.
Columns named active_psn_no / active_openid are set only while a voucher is not revoked, so a
unique index on them allows one live voucher per person and per openid, with any number revoked.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from medshared.db import new_metadata
from medshared.outbox import inbox_table, outbox_table
from medshared.security import gateway_nonce_table, operator_action_table

metadata = new_metadata()
outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
operator_action = operator_action_table(metadata)
gateway_nonce = gateway_nonce_table(metadata)

AMOUNT = Numeric(16, 2)

person = Table(
    "person",
    metadata,
    Column("psn_no", String(30), primary_key=True),
    Column("psn_cert_type", String(6), nullable=False),
    Column("certno", String(50), nullable=False, index=True),
    Column("psn_name", String(50), nullable=False),
    Column("gend", String(6), nullable=True),
    Column("naty", String(3), nullable=True),
    Column("brdy", String(10), nullable=True),
    Column("death_date", String(10), nullable=True),
    Column("version", Integer, nullable=False),
)

person_enrollment = Table(
    "person_enrollment",
    metadata,
    Column("enrollment_id", String(40), primary_key=True),
    Column("psn_no", String(30), nullable=False, index=True),
    Column("insutype", String(6), nullable=False),
    Column("insuplc_admdvs", String(6), nullable=False),
    Column("status", String(12), nullable=False),
    Column("version", Integer, nullable=False),
)

institution = Table(
    "institution",
    metadata,
    Column("fixmedins_code", String(30), primary_key=True),
    Column("fixmedins_name", String(200), nullable=False),
    Column("admdvs", String(6), nullable=False),
    # The gateway signature is sha256 over the token itself, so the platform must hold it.
    Column("gateway_token", String(200), nullable=False),
)

# The HIS origins (scheme://host[:port]) an institution registered for 6201 callbacks.
institution_callback_origin = Table(
    "institution_callback_origin",
    metadata,
    Column("fixmedins_code", String(30), primary_key=True),
    Column("origin", String(300), primary_key=True),
)

mobile_session = Table(
    "mobile_session",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("openid", String(64), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

voucher = Table(
    "voucher",
    metadata,
    Column("voucher_id", String(32), primary_key=True),
    Column("psn_no", String(30), nullable=False, index=True),
    Column("openid", String(64), nullable=False),
    Column("active_psn_no", String(30), nullable=True, unique=True),
    Column("active_openid", String(64), nullable=True, unique=True),
    Column("insuplc_admdvs", String(6), nullable=False),
    Column("status", String(12), nullable=False),
    Column("activated_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("version", Integer, nullable=False),
)

voucher_change = Table(
    "voucher_change",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("voucher_id", String(32), nullable=False, index=True),
    Column("command", String(12), nullable=False),
    Column("actor", String(12), nullable=False),  # person | operator | system
    Column("actor_id", String(64), nullable=False),
    Column("reason", String(200), nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
)

family_binding = Table(
    "family_binding",
    metadata,
    Column("binding_id", String(32), primary_key=True),
    Column("guardian_psn_no", String(30), nullable=False, index=True),
    Column("dependant_psn_no", String(30), nullable=False, index=True),
    Column("relation", String(20), nullable=False),
    Column("status", String(12), nullable=False),  # requested | consented | withdrawn
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("consented_at", DateTime(timezone=True), nullable=True),
    Column("withdrawn_at", DateTime(timezone=True), nullable=True),
)

# Each identity-check ticket serves once: its id is recorded with the change it allowed.
identity_ticket_use = Table(
    "identity_ticket_use",
    metadata,
    Column("ticket_id", String(64), primary_key=True),
    Column("openid", String(64), nullable=False),
    Column("purpose", String(16), nullable=False),  # activation | family
    Column("used_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False, index=True),
)

qr_code = Table(
    "qr_code",
    metadata,
    Column("qr_id", String(32), primary_key=True),
    Column("voucher_id", String(32), nullable=False),
    Column("psn_no", String(30), nullable=False),
    Column("shown_by_openid", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("decoded_at", DateTime(timezone=True), nullable=True),
    Column("decoded_by", String(30), nullable=True),
)

ec_token = Table(
    "ec_token",
    metadata,
    Column("ec_token", String(40), primary_key=True),
    Column("voucher_id", String(32), nullable=False),
    Column("psn_no", String(30), nullable=False, index=True),
    Column("fixmedins_code", String(30), nullable=False),
    Column("business_type", String(5), nullable=False),
    Column("operator_id", String(20), nullable=False),
    Column("office_name", String(30), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

settlement = Table(
    "settlement",
    metadata,
    Column("setl_id", String(40), primary_key=True),
    Column("psn_no", String(30), nullable=False, index=True),
    Column("fixmedins_code", String(30), nullable=False),
    Column("insuplc_admdvs", String(6), nullable=False, index=True),
    Column("mdtrt_cert_type", String(3), nullable=False),
    Column("med_type", String(6), nullable=True),
    Column("medfee_sumamt", AMOUNT, nullable=False),
    Column("fund_pay_sumamt", AMOUNT, nullable=False),
    Column("acct_pay", AMOUNT, nullable=False),
    Column("psn_cash_pay", AMOUNT, nullable=False),
    Column("setl_time", String(19), nullable=True),
    Column("original_setl_id", String(40), nullable=True),  # set on a reversal
    Column("reversed", Boolean, nullable=False),
)

pay_order = Table(
    "pay_order",
    metadata,
    Column("serial", Integer, primary_key=True, autoincrement=True),
    Column("pay_ord_id", String(32), nullable=False, unique=True),
    Column("pay_token", String(64), nullable=False),
    Column("fixmedins_code", String(30), nullable=False),
    Column("med_org_ord", String(64), nullable=False),
    Column("psn_no", String(30), nullable=False, index=True),
    Column("insuplc_admdvs", String(6), nullable=False),
    Column("mdtrtarea_admvs", String(6), nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("request", Text, nullable=False),  # the validated 6201 data, JSON
    Column("medfee_sumamt", AMOUNT, nullable=False),
    Column("callback_url", String(500), nullable=False),
    Column("pay_auth_no", String(40), nullable=True, unique=True),
    Column("pay_auth_expires_at", DateTime(timezone=True), nullable=True),
    Column("ec_token", String(40), nullable=True),
    Column("mdtrt_id", String(40), nullable=True),
    Column("setl_id", String(40), nullable=True),
    Column("setlinfo", Text, nullable=True),  # 2207 output, JSON
    Column("fund_pay_sumamt", AMOUNT, nullable=True),
    Column("acct_pay", AMOUNT, nullable=True),
    Column("psn_cash_pay", AMOUNT, nullable=True),
    Column("charge_id", String(64), nullable=True),
    Column("reversal_setl_id", String(40), nullable=True),
    Column("fail_reason", String(300), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("notified_status", String(16), nullable=True),
    # Callback tries for the current final status; the next one is not due before callback_next_at.
    Column("callback_attempts", Integer, nullable=False, server_default="0"),
    Column("callback_next_at", DateTime(timezone=True), nullable=True),
    # The final status whose callback was given up on (tries exhausted, or an unregistered origin).
    Column("callback_failed_status", String(16), nullable=True),
    UniqueConstraint("fixmedins_code", "med_org_ord"),
)
