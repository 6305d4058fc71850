"""Response bodies, as the OpenAPI publishes them. National field names verbatim.

Every model forbids fields it does not name, so an answer that grows a field without its
model fails the tests instead of reaching callers undocumented.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Money = Annotated[
    Decimal, Field(description='yuan as exact decimal text with two decimals, e.g. "700.00"; never a float')
]
Instant = Annotated[str, Field(description="ISO 8601 date and time")]
NationalTime = Annotated[str, Field(description="yyyy-MM-dd HH:mm:ss, the platform's local time")]
Scope = Literal["in_province", "cross_province"]
StatementStatus = Literal["issued", "confirmed", "disputed", "reissued"]


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ------------------------------------------------------------------ filings and people


class Filing(_Out):
    """An out-of-area filing (异地就医备案) as stored and published."""

    filing_id: str
    psn_no: str
    insutype: str
    insuplc_admdvs: str = Field(description="the person's insured pool")
    filing_type: Literal[
        "resettled_retiree", "long_term_resident", "resident_worker", "referral", "emergency", "temporary_other"
    ]
    target_admdvs: str = Field(description="where the person is treated: a city pool or a whole province")
    begndate: date
    enddate: date | None = Field(description="last covered day; none for a long-term filing until revoked")
    status: Literal["active", "revoked"]
    channel: Literal["mobile", "admin", "partner", "his"]
    trt_dcla_detl_sn: str | None = Field(description="national serial of a HIS referral (2501); else none")
    version: int
    created_by: str
    revoked_by: str | None
    memo: str | None
    details: dict[str, str] = Field(description="referral or emergency particulars as filed")
    created_at: Instant
    updated_at: Instant


class ReferralFiled(_Out):
    """2501 / 2502 as the settlement front door forwards it back to the HIS."""

    trt_dcla_detl_sn: str | None
    filing_id: str
    filing: Filing


class EnrollmentToday(_Out):
    insutype: str
    insuplc_admdvs: str
    psn_type: str
    status_today: str | None = Field(description="active, suspended, terminated ... today; none outside its span")


class PartnerPerson(_Out):
    """One of the province's insured people, with their enrollments and filings."""

    psn_no: str
    psn_name: str
    death_date: str | None
    enrollments: list[EnrollmentToday]
    filings: list[Filing]


# ------------------------------------------------------------------ statements


class Amounts(_Out):
    """Counts and amounts; owed_amt = fund_pay_sumamt + acct_pay, what the insured side pays back."""

    setl_cnt: int = Field(description="settlements minus reversals")
    medfee_sumamt: Money
    fund_pay_sumamt: Money
    acct_pay: Money
    owed_amt: Money


class ByFund(_Out):
    fund_pay_sumamt: Money
    acct_pay: Money


class Statement(Amounts):
    """A city-pair clearing statement of one closed month (insured pool, treating pool)."""

    statement_id: str = Field(description="CLR-yyyyMM-<insured pool>-<treating pool>")
    period: str = Field(description="yyyy-MM")
    insured_admdvs: str
    treating_admdvs: str
    scope: Scope
    by_fund: ByFund
    by_clr_type: dict[str, Amounts] = Field(description="per clr_type: 11 outpatient, 21 inpatient ...")
    status: StatementStatus
    revision: int = Field(description="1 when issued, one more per reissue")
    dispute_reason: str | None = Field(description="while disputed; a reissue starts without one")
    version: int


class StatementPreview(Amounts):
    """What a pair's statement would hold if issued now; it has no statement id and cannot be confirmed."""

    preview: Literal[True]
    status: Literal["preview"]
    issued_as: str = Field(description="the id the statement will have once the bureau issues it")
    period: str
    insured_admdvs: str
    treating_admdvs: str
    scope: Scope
    by_fund: ByFund
    by_clr_type: dict[str, Amounts]
    as_of: Instant
    note: str


class Line(Amounts):
    """One original settlement with its reversals netted (a reversal of the month nets it to zero)."""

    setl_id: str
    clr_type: str
    psn_no: str
    mdtrt_id: str
    fixmedins_code: str
    setl_time: NationalTime
    reversed: bool = Field(description="a reversal of the month is netted into this line")


class LinesPage(_Out):
    statement_id: str
    totalrow: int
    startrow: int
    lines: list[Line] = Field(description="at most 100, ordered by setl_time then setl_id")


class PreviewLinesPage(_Out):
    preview: Literal[True]
    issued_as: str
    period: str
    totalrow: int
    startrow: int
    lines: list[Line]
    note: str


class HistoryEntry(_Out):
    action: Literal["issue", "confirm", "dispute", "reissue"]
    status: StatementStatus
    actor: str = Field(description="<channel>:<who>, e.g. partner:partner-340000 or admin:<operator>")
    reason: str | None
    at: Instant
    version: int


class ProvinceLine(Amounts):
    """A city-pair statement as a line of its province statement."""

    statement_id: str
    insured_admdvs: str
    treating_admdvs: str
    status: StatementStatus
    revision: int
    dispute_reason: str | None


class ProvinceStatement(Amounts):
    """A month's city-pair statements between two provinces, summed to the cent."""

    province_statement_id: str = Field(description="PRV-yyyyMM-<insured province>-<treating province>")
    preview: Literal[False]
    period: str
    insured_province: str
    treating_province: str
    paying_province: str
    scope: Scope
    status: Literal["issued", "partly_confirmed", "disputed", "confirmed"]
    by_fund: ByFund
    by_clr_type: dict[str, Amounts]
    lines: list[ProvinceLine]


class ProvincePreviewLine(Amounts):
    issued_as: str
    insured_admdvs: str
    treating_admdvs: str
    status: Literal["preview"]


class ProvincePreview(Amounts):
    """What a province statement would hold now; not confirmable."""

    preview: Literal[True]
    status: Literal["preview"]
    issued_as: str
    period: str
    insured_province: str
    treating_province: str
    paying_province: str
    scope: Scope
    by_fund: ByFund
    by_clr_type: dict[str, Amounts]
    lines: list[ProvincePreviewLine]
    as_of: Instant
    note: str


# ------------------------------------------------------------------ the bureau's clearing desk


class ClearingItem(_Out):
    """One out-of-area settlement or reversal received for clearing."""

    setl_id: str
    line_setl_id: str = Field(description="the original's setl_id for a reversal")
    psn_no: str
    insuplc_admdvs: str
    mdtrtarea_admvs: str
    pay_loc: str
    clr_type: str
    fixmedins_code: str
    setl_time: NationalTime
    setl_cnt: int
    medfee_sumamt: Money
    advanced_amt: Money


class Row3260(_Out):
    seqno: int
    mdtrtarea: str
    medins_no: str
    certno: str
    mdtrt_id: str
    mdtrt_setl_time: NationalTime
    setl_sn: str
    fulamt_advpay_flag: str
    medfee_sumamt: Money
    optins_pay_sumamt: Money


class Extraction3260(_Out):
    trt_year: int
    trt_month: int
    startrow: int
    totalrow: int
    data: list[Row3260]
