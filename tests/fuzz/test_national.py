"""The national envelope under hostile input, on every door a HIS knocks on.

Requests are signed with a real demo credential and a real sign_no, so the generated
fields reach the transaction handlers rather than stopping at the gateway check.
"""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from medshared import jsonutil
from medshared.national import MAX_INPUT_CHARS, gateway_headers

from .conftest import EXAMPLES, Service

FUZZ = settings(
    max_examples=EXAMPLES * 4,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
)
CALL_SERVICE = "/fsi/api/rsfComIfsService/callService"
QR_QUERY = "/fsi/api/hsecfc/localQrCodeQuery"
HOSPITAL = "H54010000001"

HOSTILE = [
    "' OR '1'='1",
    "1; DROP TABLE message_log; --",
    "Robert'); DROP TABLE person;--",
    '" UNION SELECT token FROM gateway_credential --',
    "<script>alert(1)</script>",
    "${jndi:ldap://x}",
    "{{7*7}}",
    "../../etc/passwd",
    "\x00",
    "\ud800",
    "𠀀" * 40,
    "٩(̾●̮̮̃̾•̃̾)۶",
    "9" * 400,
    "-1",
    "",
]
# Amounts that once got through or broke something (issue 12: a 1e20 price settled and stopped
# remote-care's consumer; 1e400 and 61-digit amounts gave 500): each must be a clean refusal.
HOSTILE_AMOUNTS = [Decimal("1E+20"), Decimal("1E+400"), Decimal("9" * 61), Decimal("-1E+15"), Decimal("0.001")]
hostile_text = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=60))
scalars = st.one_of(
    hostile_text,
    st.integers(),
    st.decimals(allow_nan=False, allow_infinity=False, places=2),
    st.booleans(),
    st.none(),
    st.sampled_from(HOSTILE_AMOUNTS),
)
json_values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(hostile_text, inner, max_size=4), max_leaves=12
)
# Field names the transactions read, so generated values land where handlers look.
NATIONAL_FIELDS = [
    "psn_no",
    "mdtrt_id",
    "setl_id",
    "mdtrt_cert_type",
    "mdtrt_cert_no",
    "certno",
    "psn_name",
    "insutype",
    "begntime",
    "feedetl_sn",
    "med_list_codg",
    "chrg_bchno",
    "det_item_fee_sumamt",
    "medfee_sumamt",
    "cnt",
    "pric",
    "ipt_no",
    "opter_no",
    "payOrdId",
    "payToken",
    "orgId",
    "ecToken",
    "qrCode",
    "totlAmt",
    "setl_time",
    "omsgid",
]
national_objects = st.dictionaries(st.sampled_from(NATIONAL_FIELDS), json_values, max_size=8)
inputs = st.one_of(
    st.fixed_dictionaries({"data": national_objects}),
    st.dictionaries(
        st.sampled_from(["data", "mdtrtinfo", "feedetail", "signIn", "diseinfo"]),
        st.one_of(national_objects, st.lists(national_objects, max_size=3)),
        max_size=3,
    ),
    json_values,
)
_seq = itertools.count(1)


def envelope(infno: str, input_: Any, sign_no: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "infno": infno,
        "msgid": f"{HOSPITAL}20261124100000{next(_seq) % 10000:04d}",
        "mdtrtarea_admvs": "540100",
        "insuplc_admdvs": "540100",
        "recer_sys_code": "YBXT",
        "infver": "V1.0",
        "opter_type": "1",
        "opter": "001",
        "opter_name": "收费员",
        "inf_time": "2026-11-24 10:00:00",
        "fixmedins_code": HOSPITAL,
        "fixmedins_name": "拉萨市人民医院",
        "sign_no": sign_no,
        "input": input_,
    }
    body.update(overrides)
    return body


def post(service: Service, path: str, body: Any, **headers: str) -> Any:
    raw = body if isinstance(body, bytes) else jsonutil.dumps(body).encode("utf-8", "surrogatepass")
    # Each national door has its own token for one institution (docs/his-integration.md, Credentials).
    token = f"demo-ec-{HOSPITAL}" if service.name == "e-voucher" else f"demo-{HOSPITAL}"
    return service.client.post(path, content=raw, headers={**gateway_headers(HOSPITAL, token), **headers})


def answered_cleanly(service: Service, path: str, body: Any) -> dict[str, Any]:
    """POST, then check the answer is the national one and a refusal changed nothing."""
    before = service.row_counts()
    response = post(service, path, body)
    assert response.status_code < 500, response.text[:300]
    answer = jsonutil.loads(response.content)
    status = answer["code"] if path == QR_QUERY else answer["infcode"]
    assert status in (0, -1), answer
    if status == -1:
        message = answer["message"] if path == QR_QUERY else answer["err_msg"]
        assert message and "Traceback" not in message
        assert service.row_counts() == before, f"refused ({message}) but changed rows"
    return dict(answer)


@pytest.fixture(scope="module")
def sign_no(settlement_service: Service) -> str:
    answer = post(
        settlement_service,
        CALL_SERVICE,
        envelope("9001", {"signIn": {"opter_no": "001", "mac": "", "ip": "127.0.0.1"}}, ""),
    )
    return str(jsonutil.loads(answer.content)["output"]["signinoutb"]["sign_no"])


SETTLEMENT_INFNOS = [
    "1101",
    "2201",
    "2202",
    "2203",
    "2204",
    "2205",
    "2206",
    "2207",
    "2208",
    "2301",
    "2303",
    "2401",
    "2402",
    "2501",
    "2502",
    "2503",
    "2504",
    "2601",
    "3201",
    "5203",
    "5206",
    "9002",
    "1234",
]
ENVELOPE_FIELDS = [
    "infno",
    "msgid",
    "mdtrtarea_admvs",
    "insuplc_admdvs",
    "opter_type",
    "opter_name",
    "inf_time",
    "fixmedins_code",
    "fixmedins_name",
    "sign_no",
    "infver",
    "cainfo",
]


def _fee_line(**amounts: Any) -> dict[str, Any]:
    line = {
        "feedetl_sn": "1",
        "mdtrt_id": "M1",
        "psn_no": "54010000000000000001",
        "chrg_bchno": "B1",
        "med_list_codg": "002501010010000",
        "medins_list_codg": "H1",
        "fee_ocur_time": "2026-11-24 09:00:00",
        "det_item_fee_sumamt": Decimal("30"),
        "cnt": Decimal("1"),
        "pric": Decimal("30"),
    }
    return line | amounts


@FUZZ
@given(infno=st.sampled_from(SETTLEMENT_INFNOS), input_=inputs)
@example(infno="2204", input_={"feedetail": [_fee_line(pric=Decimal("1E+20"), det_item_fee_sumamt=Decimal("1E+20"))]})
@example(infno="2204", input_={"feedetail": [_fee_line(det_item_fee_sumamt=Decimal("1E+400"))]})
@example(infno="2301", input_={"feedetail": [_fee_line(cnt=Decimal("9" * 61))]})
@example(
    infno="2207",
    input_={"data": {"medfee_sumamt": Decimal("1E+20"), "psn_no": "54010000000000000001", "mdtrt_id": "M1"}},
)
@example(infno="3201", input_={"data": {"medfee_sumamt": Decimal("1E+400"), "fund_pay_sumamt": Decimal("9" * 61)}})
@example(
    infno="2502", input_={"data": {"trt_dcla_detl_sn": "../../../admin/v1/filings", "psn_no": "54010000000000000001"}}
)
def test_settlement_answers_hostile_transaction_input_with_a_national_answer(
    settlement_service: Service, sign_no: str, infno: str, input_: Any
) -> None:
    answered_cleanly(settlement_service, CALL_SERVICE, envelope(infno, input_, sign_no))


@FUZZ
@given(field=st.sampled_from(ENVELOPE_FIELDS), value=json_values)
def test_settlement_refuses_a_hostile_envelope_field_cleanly(
    settlement_service: Service, sign_no: str, field: str, value: Any
) -> None:
    body = envelope("1101", {"data": {"psn_no": "54010000000000000001"}}, sign_no)
    body[field] = value
    answered_cleanly(settlement_service, CALL_SERVICE, body)


@FUZZ
@given(infno=st.sampled_from(["6201", "6202", "6203", "6301", "2207"]), input_=inputs)
def test_evoucher_answers_hostile_mobile_payment_input_with_a_national_answer(
    evoucher_service: Service, infno: str, input_: Any
) -> None:
    answered_cleanly(evoucher_service, CALL_SERVICE, envelope(infno, input_, ""))


@FUZZ
@given(
    body=st.one_of(
        st.fixed_dictionaries({"orgId": st.just(HOSPITAL), "transType": st.just("ec.query"), "data": national_objects}),
        st.fixed_dictionaries({"orgId": hostile_text, "transType": hostile_text, "data": json_values}),
        json_values,
    )
)
def test_evoucher_answers_a_hostile_qr_code_query_with_code_minus_one(evoucher_service: Service, body: Any) -> None:
    answered_cleanly(evoucher_service, QR_QUERY, body)


@FUZZ
@given(raw=st.binary(max_size=300))
def test_the_national_doors_answer_arbitrary_bytes_with_a_refusal(
    settlement_service: Service, evoucher_service: Service, raw: bytes
) -> None:
    for service, path in (
        (settlement_service, CALL_SERVICE),
        (evoucher_service, CALL_SERVICE),
        (evoucher_service, QR_QUERY),
    ):
        answer = answered_cleanly(service, path, raw)
        assert answer.get("infcode", answer.get("code")) == -1


def deep(levels: int) -> bytes:
    return b'{"a":' * levels + b"1" + b"}" * levels


def test_an_input_over_forty_thousand_characters_is_refused_with_the_limit_named(
    settlement_service: Service, evoucher_service: Service, sign_no: str
) -> None:
    too_long = {"data": {"psn_no": "5" * (MAX_INPUT_CHARS)}}
    for service, infno in ((settlement_service, "1101"), (evoucher_service, "6301")):
        answer = answered_cleanly(service, CALL_SERVICE, envelope(infno, too_long, sign_no))
        assert answer["infcode"] == -1
        assert "40000" in answer["err_msg"] and "input is" in answer["err_msg"]


def test_an_input_of_exactly_forty_thousand_characters_passes_the_size_check(
    settlement_service: Service, sign_no: str
) -> None:
    padding = MAX_INPUT_CHARS - len(jsonutil.dumps({"data": {"psn_no": ""}}))
    answer = answered_cleanly(
        settlement_service, CALL_SERVICE, envelope("1101", {"data": {"psn_no": "5" * padding}}, sign_no)
    )
    assert "40000" not in (answer["err_msg"] or "")


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        (b" " * (2 * 1024 * 1024), "over"),
        (deep(5000), "nested"),
        (b'{"infno": "1101", "opter_name": "\xff\xfe"}', "UTF-8"),
        (b'{"infno": "1101", "opter_name": "a\\u0000b"}', "NUL"),
        (b'{"infno": "1101", "opter_name": "\\ud800"}', "surrogate"),
    ],
    ids=["two megabytes", "nested five thousand deep", "latin-1 bytes", "NUL escape", "lone surrogate"],
)
def test_unreadable_national_bodies_are_refused_in_words_a_clerk_can_act_on(
    settlement_service: Service, evoucher_service: Service, raw: bytes, says: str
) -> None:
    for service, path in (
        (settlement_service, CALL_SERVICE),
        (evoucher_service, CALL_SERVICE),
        (evoucher_service, QR_QUERY),
    ):
        answer = answered_cleanly(service, path, raw)
        assert answer.get("infcode", answer.get("code")) == -1
        assert says in (answer.get("err_msg") or answer.get("message"))
