"""What the e-voucher REST routes answer: phone sessions, vouchers, QR codes, family bindings, usage,
settlements, payment orders as the person sees them, the bureau's figures, and ecToken resolution.

Amounts in REST answers are decimal strings ("120.50"); times ISO 8601 in UTC.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from medshared.openapi import problem_responses

MONEY = "a decimal string with two places, e.g. 120.50"

# A phone route's session may be missing or over (401) and the account may go too fast (429).
PHONE_ERRORS = problem_responses(401, 422, 429)
OPERATOR_ERRORS = problem_responses(401, 403, 422)


class Voucher(BaseModel):
    """A person's e-voucher (医保电子凭证) bound to this WeChat account."""

    voucher_id: str = Field(description="also the ecIndexNo the decode answers")
    psn_no: str
    insuplc_admdvs: str = Field(description="the pool the voucher belongs to")
    status: str = Field(description="active, frozen or revoked")
    activated_at: str = Field(description="ISO 8601 (UTC)")
    version: int


class ActivatedVoucher(Voucher):
    remote_care_token: str = Field(
        description="Authorization: Bearer <remote_care_token> at remote-care's /mobile/v1 (out-of-area filings)"
    )


class Session(BaseModel):
    """A phone session after WeChat login."""

    session_token: str = Field(description="send it as Authorization: Bearer <session_token> to /mobile/v1")
    expires_at: str = Field(description="ISO 8601 (UTC)")
    voucher: Voucher | None = Field(description="the voucher bound to this account; null before activation")
    remote_care_token: str | None = Field(
        description="once a voucher is active: Authorization: Bearer <remote_care_token> at remote-care's /mobile/v1"
    )


class QrCode(BaseModel):
    qr_code: str = Field(description="the text to render as a QR code: signed, no personal data, decodable once")
    expires_in: int = Field(description="seconds it stays valid (60 by default)")


class FamilyBinding(BaseModel):
    """A guardian's right to show a family member's code (亲情账户), once the member consents."""

    binding_id: str
    guardian_psn_no: str
    guardian_name: str
    dependant_psn_no: str
    dependant_name: str
    relation: str = Field(description="e.g. child, parent, spouse")
    status: str = Field(description="requested, consented or withdrawn")


class Usage(BaseModel):
    """One scan of the voucher: which institution decoded it, where and when."""

    fixmedins_code: str
    fixmedins_name: str | None
    business_type: str = Field(description="附录 A.1 scene code, e.g. 01101 outpatient registration")
    office_name: str
    used_at: str = Field(description="ISO 8601 (UTC)")


class MySettlement(BaseModel):
    """One of the person's settlements (and reversals), as settlement reported it."""

    setl_id: str
    fixmedins_code: str
    med_type: str | None
    setl_time: str | None = Field(description="yyyy-MM-dd HH:mm:ss, the platform's local time")
    medfee_sumamt: str = Field(description=MONEY)
    fund_pay_sumamt: str = Field(description=MONEY)
    acct_pay: str = Field(description=MONEY)
    psn_cash_pay: str = Field(description=MONEY)
    with_voucher: bool = Field(description="settled with the e-voucher (mdtrt_cert_type 01)")
    reversed: bool
    original_setl_id: str | None = Field(description="a reversal: the settlement it reverses")


class PayOrder(BaseModel):
    """A hospital's payment order addressed to the person (or a consenting family member)."""

    payOrdId: str
    medOrgOrd: str = Field(description="the hospital's own order number")
    ordStas: str = Field(description="0 saved, 1 authorised, 2 in progress, 6 paid, 7 refunded, 15 failed")
    ordStasName: str
    feeSumamt: str = Field(description=MONEY)
    ownPayAmt: str | None = Field(description="once settled: " + MONEY)
    psnAcctPay: str | None = Field(description="once settled: " + MONEY)
    fundPay: str | None = Field(description="once settled: " + MONEY)
    mdtrtId: str | None
    setlId: str | None
    failReason: str | None
    traceTime: str = Field(description="yyyyMMddHHmmss (UTC), when the order last changed")
    fixmedins_code: str
    fixmedins_name: str | None


class Authorisation(BaseModel):
    payAuthNo: str = Field(description="the hospital quotes it when it places the order (6202)")
    payOrdId: str
    expires_at: str = Field(description="ISO 8601 (UTC)")


class FaceCheck(BaseModel):
    identity_ticket: str = Field(description="send it as identity_ticket to activation or a family request")
    expires_in: int = Field(description="seconds it stays valid")


class PoolFigures(BaseModel):
    """What the bureau reports per pool: activation rate and settlement-use rate."""

    insuplc_admdvs: str
    enrolled_people: int
    activated_vouchers: int
    activation_rate: str | None = Field(
        description="activated / enrolled as a decimal string; null with no one enrolled"
    )
    settlements: int
    voucher_settlements: int
    settlement_use_rate: str | None = Field(description="voucher settlements / settlements; null with none")


class EcTokenPerson(BaseModel):
    """The person behind an ecToken, for the institution it was issued to."""

    psn_no: str
    psn_cert_type: str
    certno: str
    psn_name: str
    insuplc_admdvs: str
    expires_at: str = Field(description="ISO 8601 (UTC), when the ecToken expires")
