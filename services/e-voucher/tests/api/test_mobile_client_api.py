"""The reference client (evoucher.examples.mobile_client) against the service, as
docs/mobile-integration.md walks it: two phones, a family consent, a QR code decoded at the
counter, and a mobile payment 6201 -> 6202 -> callback -> 6301 -> 6203 (settlement is the
edge double here; tests/e2e/test_mobile_guide.py walks the same guide against the real one)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from evoucher.examples.mobile_client import (
    Institution,
    MobileError,
    NationalRefusal,
    PhoneClient,
    callback_is_genuine,
    decode_json,
    main,
)
from tests.conftest import DROLMA, TASHI, Clock
from tests.doubles import EdgeState

HOSPITAL = "H54010000001"


def phone_of(client: TestClient, who: dict[str, str], wechat_user: str) -> PhoneClient:
    phone = PhoneClient("http://testserver", http=client)
    assert phone.log_in(f"code-{wechat_user}")["voucher"] is None
    voucher = phone.activate(who["psn_name"], who["certno"], phone.face_check(who["psn_name"], who["certno"]))
    assert (voucher["psn_no"], voucher["status"]) == (who["psn_no"], "active")
    assert phone.remote_care_token
    return phone


@pytest.fixture
def counter(client: TestClient) -> Institution:
    return Institution(
        "http://testserver",
        HOSPITAL,
        f"demo-ec-{HOSPITAL}",
        admdvs="540100",
        fixmedins_name="拉萨市第一人民医院(演示)",
        http=client,
    )


def test_a_guardian_shows_a_consenting_family_members_code_and_pays_their_order_by_phone(
    client: TestClient, edge: EdgeState, counter: Institution
) -> None:
    guardian, member = phone_of(client, TASHI, "client-tashi"), phone_of(client, DROLMA, "client-drolma")
    asked = guardian.ask_to_add(
        DROLMA["psn_name"], DROLMA["certno"], "child", guardian.face_check(TASHI["psn_name"], TASHI["certno"])
    )
    assert asked["status"] == "requested"
    with pytest.raises(MobileError) as early:
        guardian.show_code(DROLMA["psn_no"])
    assert (early.value.status, early.value.code) == (403, "not_bound")
    [binding] = member.family()
    assert member.consent(binding["binding_id"])["status"] == "consented"

    shown = guardian.show_code(DROLMA["psn_no"])
    assert shown["expires_in"] == 60
    decoded = counter.ec_query(shown["qr_code"], operator_id="op01", operator_name="收费员", office_name="门诊收费处")
    assert decoded["idNo"] == DROLMA["certno"] and decoded["ecToken"].startswith("540100ec")
    with pytest.raises(NationalRefusal) as again:
        counter.ec_query(shown["qr_code"], operator_id="op01", operator_name="收费员")
    assert "already been scanned" in again.value.err_msg

    callback_url = f"{edge.url}/his/callback"
    order = counter.upload_order(
        {
            "medOrgOrd": "GUIDE-API-1", "insutype": "390", "medType": "11", "medfeeSumamt": Decimal("100.00"),
            "ecToken": decoded["ecToken"], "iptOtpNo": "MZ-API-1", "atddrNo": "D001", "drName": "次仁",
            "deptCode": "A03", "deptName": "内科", "caty": "A03", "callbackUrl": callback_url,
            "feedetailList": [
                {"feedetlSn": "1", "medListCodg": "001102000010000", "medinsListCodg": "M1",
                 "detItemFeeSumamt": Decimal("20.00"), "cnt": 1, "pric": Decimal("20.00")},
                {"feedetlSn": "2", "medListCodg": "002501010010000", "medinsListCodg": "M2",
                 "detItemFeeSumamt": Decimal("80.00"), "cnt": 2, "pric": Decimal("40.00")},
            ],
        }
    )  # fmt: skip
    seen = guardian.pay_order(order["payOrdId"])
    assert (seen["ordStas"], seen["feeSumamt"], seen["fixmedins_name"]) == ("0", "100.00", "拉萨市第一人民医院(演示)")
    authorised = guardian.authorise(order["payOrdId"])

    placed = counter.place_order(order["payOrdId"], order["payToken"], authorised["payAuthNo"])
    assert (placed["ordStas"], placed["fundPay"], placed["ownPayAmt"]) == ("6", Decimal("60.00"), Decimal("40.00"))
    [(body, signature)] = edge.callbacks
    assert callback_is_genuine(f"demo-ec-{HOSPITAL}", body, signature)
    assert not callback_is_genuine("demo-ec-H54010000002", body, signature)
    assert not callback_is_genuine(f"demo-ec-{HOSPITAL}", body.replace(b"60.00", b"61.00"), signature)
    notice = decode_json(body)
    assert (notice["callType"], notice["orgCode"], notice["ordStas"], notice["fundPay"]) == (
        "settle", HOSPITAL, "6", Decimal("60.00")
    )  # fmt: skip

    queried = counter.query_order(order["payOrdId"], order["payToken"])
    assert (queried["ordStas"], queried["callbackStas"], queried["callbackAttempts"]) == ("6", "delivered", 1)
    refunded = counter.refund_order(order["payOrdId"], order["payToken"])
    assert (refunded["ordStas"], refunded["ordStasName"]) == ("7", "已退款")
    assert decode_json(edge.callbacks[-1][0])["callType"] == "refund"
    assert len(edge.standing()) == 0


def test_a_code_lasts_sixty_seconds_and_a_refusal_names_what_to_do(
    client: TestClient, clock: Clock, counter: Institution
) -> None:
    phone = phone_of(client, TASHI, "client-expiry")
    code = phone.show_code()["qr_code"]
    clock.advance(60)
    with pytest.raises(NationalRefusal) as expired:
        counter.ec_query(code, operator_id="op01", operator_name="收费员")
    assert "expired" in expired.value.err_msg and "refresh" in expired.value.err_msg
    with pytest.raises(MobileError) as unknown:
        PhoneClient("http://testserver", http=client).log_in("not-a-wechat-code")
    assert (unknown.value.status, unknown.value.code) == (401, "wechat_code")
    phone.session_token = "ended"
    with pytest.raises(MobileError) as ended:
        phone.my_voucher()
    assert (ended.value.status, ended.value.code) == (401, "session")


def test_the_command_line_prints_a_fresh_code_for_a_demo_person(client: TestClient, capsys) -> None:
    argv = ["--evoucher-url", "http://testserver", "qr", "--wechat-code", "code-client-cli"]
    assert main([*argv, "--name", TASHI["psn_name"], "--certno", TASHI["certno"]], http=client) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["expires_in"] == 60 and "." in shown["qr_code"]
    # Logged in again, the account already holds the voucher: no second activation, a new code.
    assert main([*argv, "--name", TASHI["psn_name"], "--certno", TASHI["certno"]], http=client) == 0
    assert json.loads(capsys.readouterr().out)["qr_code"] != shown["qr_code"]
