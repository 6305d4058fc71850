"""What the institution doors take and answer, for the OpenAPI: ec.query (the QR decode) and the
mobile-payment transactions 6201/6202/6203/6301 in the national envelope, and the callback the
platform posts to the HIS when an order is paid or refunded.

The doors read their bodies themselves (amounts reach Decimal without passing through float, and
every refusal is answered in the body: code -1 or infcode -1), so these models document the
shapes; they are not what checks them (evoucher.domain.orders and the door are). Field names are
the national interface's camelCase, as deployed HIS software sends them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, WithJsonSchema

from medshared.openapi import NationalAnswer, inline_schema, national_request_schema


def _number(what: str) -> Any:
    """An exact national number: a JSON number or a decimal string, never rounded on the way in."""
    return WithJsonSchema({"type": ["number", "string"], "description": what})


Amount = Annotated[Decimal, _number("N(16,2): at most 2 decimals, e.g. 120.50")]
Count = Annotated[Decimal, _number("N(16,4), greater than zero")]
Price = Annotated[Decimal, _number("N(16,6), greater than zero")]
# Answers carry amounts as JSON numbers with two decimals (read them as decimals, not floats).
Answered = Annotated[Decimal, WithJsonSchema({"type": "number", "description": "two decimals, e.g. 120.50"})]
AnsweredOrNone = Annotated[
    Decimal | None,
    WithJsonSchema({"type": ["number", "null"], "description": "two decimals once settled; null before"}),
]

# ---------------------------------------------------------------- ec.query


class EcQueryData(BaseModel):
    qrCode: str = Field(description="the text of the patient's e-voucher QR code, as scanned")
    businessType: str = Field(description="附录 A.1 scene code, e.g. 01101 outpatient registration")
    operatorId: str
    operatorName: str
    officeId: str = ""
    officeName: str = ""


class EcQueryRequest(BaseModel):
    """ec.query (localQrCodeQuery): decode a patient's dynamic QR code at this institution."""

    orgId: str = Field(description="the institution's fixmedins_code: the x-tif-paasid that signs the call")
    transType: Literal["ec.query"]
    data: EcQueryData


class EcIdentity(BaseModel):
    idNo: str = Field(description="the certificate number")
    idType: str = Field(description="psn_cert_type, 01 居民身份证")
    userName: str
    ecToken: str = Field(description="for this institution only: mdtrt_cert_no with mdtrt_cert_type 01 in 1101/2201")
    insuOrg: str = Field(description="the insured pool (insuplc_admdvs)")
    ecIndexNo: str = Field(description="the voucher id")
    gender: str
    birthday: str = Field(description="yyyy.MM.dd")
    nationality: str


class EcQueryAnswer(BaseModel):
    """Always HTTP 200: code 0 with data, or -1 with the message saying what to fix."""

    orgId: str
    code: int = Field(description="0 decoded, -1 refused")
    message: str
    data: EcIdentity | None


# ---------------------------------------------------------------- 6201-6301 input.data


class FeeLine(BaseModel):
    """One fee line; other national fee-line fields are kept as sent."""

    feedetlSn: str
    medListCodg: str = Field(description="the national list code")
    medinsListCodg: str = Field(description="the hospital's own code")
    detItemFeeSumamt: Amount
    cnt: Count
    pric: Price


class Order6201(BaseModel):
    """6201 upload an order: the fee lines must add up to medfeeSumamt, or nothing is stored. Name the
    patient with ecToken (from the decode) or with idNo and userName."""

    medOrgOrd: str = Field(
        description="the hospital's order number, at most 64 characters; the same upload again answers the same order"
    )
    insutype: str
    medType: str
    medfeeSumamt: Amount
    callbackUrl: str = Field(description="http(s) URL on an origin registered for the institution")
    iptOtpNo: str
    atddrNo: str
    drName: str
    deptCode: str
    deptName: str
    caty: str
    feedetailList: list[FeeLine] = Field(min_length=1)
    ecToken: str | None = None
    idNo: str | None = None
    userName: str | None = None
    acctUsedFlag: str | None = Field(None, description="1: pay from the personal account too (default 0)")
    diseinfoList: list[dict[str, str | int]] | None = Field(None, description="diagnoses, national field names")


class Order6202(BaseModel):
    """6202 place an order the patient authorised in the app."""

    payOrdId: str
    payToken: str
    payAuthNo: str = Field(description="the patient's authorisation, from the app")


class OrderRef(BaseModel):
    """6203 refund a paid order, or 6301 query one."""

    payOrdId: str
    payToken: str


def _data_of(model: type[BaseModel], infno: str) -> dict[str, Any]:
    return {
        "type": "object",
        "title": f"{infno} input",
        "properties": {"data": inline_schema(model)},
        "required": ["data"],
    }


MOBILE_PAYMENT_ENVELOPE = national_request_schema(
    {
        "description": "input.data by infno: 6201 Order6201, 6202 Order6202, 6203 and 6301 OrderRef",
        "anyOf": [
            _data_of(Order6201, "6201"),
            _data_of(Order6202, "6202"),
            _data_of(OrderRef, "6203 / 6301"),
        ],
    }
)


# ---------------------------------------------------------------- 6201-6301 output


class OrderUploaded(BaseModel):
    """6201 output."""

    payOrdId: str
    payToken: str = Field(description="the hospital quotes it in 6202, 6203 and 6301")


class OrderSnapshot(BaseModel):
    """6203 output: where the order stands."""

    payOrdId: str
    medOrgOrd: str
    ordStas: str = Field(description="0 saved, 1 authorised, 2 in progress, 6 paid, 7 refunded, 15 failed")
    ordStasName: str
    feeSumamt: Answered
    ownPayAmt: AnsweredOrNone
    psnAcctPay: AnsweredOrNone
    fundPay: AnsweredOrNone
    mdtrtId: str | None
    setlId: str | None
    failReason: str | None
    traceTime: str = Field(description="yyyyMMddHHmmss (UTC)")


class OrderPlaced(OrderSnapshot):
    """6202 output."""

    payAuthNo: str | None
    payToken: str


class OrderQueried(OrderSnapshot):
    """6301 output: the order and where its callback stands."""

    callbackStas: Literal["none", "pending", "delivered", "failed"]
    callbackAttempts: int


class MobilePaymentAnswer(NationalAnswer):
    output: OrderUploaded | OrderPlaced | OrderQueried | OrderSnapshot | None = Field(
        description="6201 OrderUploaded, 6202 OrderPlaced, 6203 OrderSnapshot, 6301 OrderQueried; null when refused"
    )


class HisCallback(OrderSnapshot):
    """Posted to the order's callbackUrl once it is paid or refunded, signed with
    x-evoucher-signature = hex(HMAC-SHA256(the institution's gateway token, body)). Answer 2xx to
    acknowledge; otherwise it is tried again with backoff (6301 shows callbackStas)."""

    callType: Literal["settle", "refund"]
    orgCode: str = Field(description="the institution's fixmedins_code")
    ecCode: str | None = Field(description="the ecToken the order was settled with")
