"""Tables of the enrollment database."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    UniqueConstraint,
)

from medshared.db import new_metadata
from medshared.outbox import outbox_table
from medshared.security import operator_action_table

metadata = new_metadata()
outbox = outbox_table(metadata)
operator_action = operator_action_table(metadata)

AMOUNT = Numeric(16, 2)
RATE = Numeric(8, 4)

person = Table(
    "person",
    metadata,
    Column("psn_no", String(20), primary_key=True),
    Column("psn_cert_type", String(6), nullable=False),
    Column("certno", String(50), nullable=False),
    Column("psn_name", String(50), nullable=False),
    Column("gend", String(1), nullable=False),
    Column("naty", String(3), nullable=False),
    Column("brdy", Date, nullable=False),
    Column("tel", String(50), nullable=False),
    Column("addr", String(200), nullable=False),
    Column("death_date", Date, nullable=True),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("psn_cert_type", "certno"),
)
Index("ix_person_certno", person.c.certno)

# The last serial issued per pool: psn_no = admdvs + 14-digit serial.
psn_no_serial = Table(
    "psn_no_serial",
    metadata,
    Column("admdvs", String(6), primary_key=True),
    Column("last_serial", BigInteger, nullable=False),
)

employer = Table(
    "employer",
    metadata,
    Column("emp_no", String(30), primary_key=True),
    Column("emp_name", String(200), nullable=False),
    Column("emp_type", String(20), nullable=False),
    Column("admdvs", String(6), nullable=False),
    Column("status", String(20), nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

enrollment = Table(
    "enrollment",
    metadata,
    Column("enrollment_id", String(36), primary_key=True),
    Column("psn_no", String(20), ForeignKey("person.psn_no"), nullable=False, index=True),
    Column("insutype", String(6), nullable=False),
    Column("insuplc_admdvs", String(6), nullable=False),
    Column("psn_type", String(6), nullable=False),
    Column("emp_no", String(30), ForeignKey("employer.emp_no"), nullable=True, index=True),
    Column("cvlserv_flag", String(1), nullable=False),
    Column("tier", String(10), nullable=True),
    Column("begndate", Date, nullable=False),
    Column("enddate", Date, nullable=True),
    Column("status", String(20), nullable=False),
    Column("transferred_from", String(36), nullable=True),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

enrollment_period = Table(
    "enrollment_period",
    metadata,
    Column(
        "enrollment_id",
        String(36),
        ForeignKey("enrollment.enrollment_id"),
        primary_key=True,
    ),
    Column("seq", Integer, primary_key=True),
    Column("status", String(20), nullable=False),
    Column("begndate", Date, nullable=False),
    Column("enddate", Date, nullable=True),
    Column("reason", String(200), nullable=False),
)

identity = Table(
    "identity",
    metadata,
    Column("identity_id", String(36), primary_key=True),
    Column("psn_no", String(20), ForeignKey("person.psn_no"), nullable=False, index=True),
    Column("psn_idet_type", String(6), nullable=False),
    Column("psn_type_lv", String(6), nullable=False),
    Column("begntime", Date, nullable=False),
    Column("endtime", Date, nullable=True),
    Column("memo", String(500), nullable=False),
    Column("revoked", Boolean, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# Versioned policy data: the highest version for (pool, insutype, year) is in force.
contribution_policy = Table(
    "contribution_policy",
    metadata,
    Column("policy_id", String(36), primary_key=True),
    Column("insuplc_admdvs", String(6), nullable=False),
    Column("insutype", String(6), nullable=False),
    Column("year", Integer, nullable=False),
    Column("version", Integer, nullable=False),
    Column("employer_rate", RATE, nullable=False),
    Column("employee_rate", RATE, nullable=False),
    Column("retiree_monthly_credit", AMOUNT, nullable=False),
    Column("subsidised_identities", String(100), nullable=False),
    Column("assistance_share", RATE, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("insuplc_admdvs", "insutype", "year", "version"),
)

resident_tier = Table(
    "resident_tier",
    metadata,
    Column(
        "policy_id",
        String(36),
        ForeignKey("contribution_policy.policy_id"),
        primary_key=True,
    ),
    Column("tier", String(10), primary_key=True),
    Column("amount", AMOUNT, nullable=False),
)

contribution = Table(
    "contribution",
    metadata,
    Column("contribution_id", String(36), primary_key=True),
    Column("psn_no", String(20), ForeignKey("person.psn_no"), nullable=False, index=True),
    Column(
        "enrollment_id",
        String(36),
        ForeignKey("enrollment.enrollment_id"),
        nullable=False,
    ),
    Column("insutype", String(6), nullable=False),
    Column("insuplc_admdvs", String(6), nullable=False),
    Column("year", Integer, nullable=False),
    # "2026" for a resident's year, "2026-03" for an employee's month: one payment each.
    Column("period", String(7), nullable=False),
    Column("tier", String(10), nullable=True),
    Column("base", AMOUNT, nullable=True),
    Column("total", AMOUNT, nullable=False),
    Column(
        "policy_id",
        String(36),
        ForeignKey("contribution_policy.policy_id"),
        nullable=False,
    ),
    Column("paid_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("enrollment_id", "period"),
)

contribution_line = Table(
    "contribution_line",
    metadata,
    Column(
        "contribution_id",
        String(36),
        ForeignKey("contribution.contribution_id"),
        primary_key=True,
    ),
    Column("payer", String(30), primary_key=True),
    Column("amount", AMOUNT, nullable=False),
)

account_credit = Table(
    "account_credit",
    metadata,
    Column("credit_id", String(36), primary_key=True),
    Column("psn_no", String(20), ForeignKey("person.psn_no"), nullable=False, index=True),
    Column("insutype", String(6), nullable=False),
    Column("amount", AMOUNT, nullable=False),
    Column("credited_on", Date, nullable=False),
    Column("kind", String(30), nullable=False),
    Column("memo", String(200), nullable=False),
    # One opening balance per person and one credit of a kind per month (retiree_monthly).
    Column("dedup_key", String(80), nullable=True, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
