"""docs/mobile-integration.md, walked with the reference client over real HTTP.

李娜 (Lhasa, employee) looks after her father 张建国 (Lhasa, retired employee, personal account
8,000.00): each activates their own voucher on their own phone, she asks to show his code and
he consents on his. At 拉萨市第一人民医院(演示) (H54010000001, level 3) the clerk decodes the
code she shows for him, 1101 reads him with the ecToken, the HIS uploads his order (6201), she
authorises it on her phone, the HIS places it (6202): settlement prices it to the cent, the
person's share is charged, the HIS is called back with a signed body, 6301 shows the callback
delivered, and 6203 refunds it. On his phone, the remote_care_token files with remote-care.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from clients import wait_for

from evoucher.config import Settings as EvoucherSettings
from evoucher.examples.mobile_client import (
    SIGNATURE_HEADER,
    Institution,
    MobileError,
    NationalRefusal,
    PhoneClient,
    callback_is_genuine,
    decode_json,
)
from remote_care.api import mobile as remote_care_mobile
from remote_care.config import Settings as RemoteCareSettings
from settlement.config import Settings as SettlementSettings

GUIDE = (Path(__file__).resolve().parents[2] / "docs" / "mobile-integration.md").read_text(encoding="utf-8")
LI_NA = {"psn_no": "54010000000000000005", "psn_name": "李娜", "certno": "540102197811300521"}
ZHANG = {"psn_no": "54010000000000000006", "psn_name": "张建国", "certno": "54010219550404061X"}
HOSPITAL, LHASA = "H54010000001", "540100"
# Where the demo registers the demo hospitals' callbacks (evoucher.demo.DEMO_HIS_CALLBACK_ORIGIN).
CALLBACK_PORT = 18090

# The guide's order: 诊查费 20.00; 头孢呋辛钠 10 x 15.00 over its 12.00 cap (30.00 over the cap,
# 10% self-paid first); 血细胞分析 3 x 45.50; an uncovered 丙类 item 33.33. In scope 264.50; the
# employees' outpatient deductible 200.00 leaves 64.50, retired ratio 0.60: the fund pays 38.70.
LINES = [
    ("001102000010000", 1, "20.00"),
    ("XJ01DCC041B002010100002", 10, "15.00"),
    ("002501010010000", 3, "45.50"),
    ("ZZ9999999999000", 1, "33.33"),
]
TOTAL, FUND, CASH = Decimal("339.83"), Decimal("38.70"), Decimal("301.13")


@pytest.fixture(scope="module")
def his_callbacks() -> Iterator[list[tuple[bytes, dict[str, str]]]]:
    """The hospital's callback endpoint: answers 200 and keeps what the platform posted."""
    received: list[tuple[bytes, dict[str, str]]] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            received.append((body, {k.lower(): v for k, v in self.headers.items()}))
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"code":0}')

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", CALLBACK_PORT), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield received
    server.shutdown()
    server.server_close()


def activated(stack, who: dict[str, str], wechat_user: str) -> PhoneClient:
    phone = PhoneClient(stack.urls["e-voucher"], stack.urls["remote-care"])
    session = phone.log_in(f"code-{wechat_user}")
    assert (session["voucher"], session["remote_care_token"]) == (None, None)

    def activation() -> dict | None:
        try:
            return phone.activate(who["psn_name"], who["certno"], phone.face_check(who["psn_name"], who["certno"]))
        except MobileError as exc:  # until enrollment's event has reached e-voucher
            assert exc.code == "identity_mismatch", exc
            return None

    voucher = wait_for(activation, timeout=15, interval=0.2)
    assert (voucher["psn_no"], voucher["status"], voucher["insuplc_admdvs"]) == (who["psn_no"], "active", LHASA)
    assert phone.remote_care_token
    return phone


def order_6201(ec_token: str, order_no: str) -> dict:
    lines = [
        {
            "feedetlSn": f"{order_no}-{i}",
            "medListCodg": code,
            "medinsListCodg": f"HIS-{code}",
            "detItemFeeSumamt": Decimal(pric) * cnt,
            "cnt": cnt,
            "pric": Decimal(pric),
        }
        for i, (code, cnt, pric) in enumerate(LINES, 1)
    ]
    return {
        "medOrgOrd": order_no,
        "ecToken": ec_token,
        "insutype": "310",
        "medType": "11",
        "medfeeSumamt": sum((line["detItemFeeSumamt"] for line in lines), Decimal("0.00")),
        "acctUsedFlag": "0",
        "iptOtpNo": f"MZ{order_no}",
        "atddrNo": "D0001",
        "drName": "次仁医生",
        "deptCode": "A03",
        "deptName": "内科",
        "caty": "A03",
        "callbackUrl": f"http://127.0.0.1:{CALLBACK_PORT}/his/mobile-pay/notify",
        "diseinfoList": [{"diagType": "1", "diagSrtNo": 1, "diagCode": "J06.900", "diagName": "急性上呼吸道感染"}],
        "feedetailList": lines,
    }


def test_the_guides_settings_of_settlement_and_remote_care_are_their_defaults_and_match_e_voucher() -> None:
    settings = {"SETTLEMENT": SettlementSettings(), "REMOTE_CARE": RemoteCareSettings()}
    table = GUIDE.split("\n## Settings\n", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `(SETTLEMENT|REMOTE_CARE)_(\w+)` \| `([^`]+)` \|", table, re.MULTILINE)
    assert len(rows) == 6
    for service, name, documented in rows:
        assert documented == str(getattr(settings[service], name.lower())), (service, name)
    # The mobile-payment centre's credential and the remote_care_token's secret and lifetime are one on both sides.
    evoucher, settlement, remote_care = EvoucherSettings(), settings["SETTLEMENT"], settings["REMOTE_CARE"]
    assert (evoucher.mobile_pay_paasid, evoucher.mobile_pay_token) == ("mobile-pay-centre", "dev-mobile-pay")
    assert (settlement.mobile_pay_paasid, settlement.mobile_pay_token) == (
        evoucher.mobile_pay_paasid,
        evoucher.mobile_pay_token,
    )
    assert remote_care.mobile_session_secret == evoucher.mobile_session_secret
    assert remote_care.voucher_session_ttl_seconds == evoucher.session_ttl_seconds


def test_the_guides_remote_care_routes_are_every_phone_route_of_remote_care() -> None:
    routes = {f"{method} {route.path}" for route in remote_care_mobile.router.routes for method in route.methods}
    table = GUIDE.split("\n## Every route\n", 1)[1].split("At remote-care", 1)[1].split("\n## ", 1)[0]
    assert set(re.findall(r"^\| `((?:GET|POST) [^`]+)` \|", table, re.MULTILINE)) == routes


def test_a_phone_app_follows_the_guide_from_login_to_a_refunded_mobile_payment(stack, his_callbacks) -> None:
    name = "拉萨市第一人民医院(演示)"
    settlement_door = Institution(
        stack.urls["settlement"], HOSPITAL, f"demo-{HOSPITAL}", admdvs=LHASA, fixmedins_name=name
    )
    settlement_door.sign_in()
    # The institution reference is settlement's: 1201 names the hospital as e-voucher shows it below.
    [listed] = settlement_door.call("1201", {"medinsinfo": {"fixmedins_code": HOSPITAL}})["medinsinfo"]
    assert listed["fixmedins_name"] == name
    counter = Institution(stack.urls["e-voucher"], HOSPITAL, f"demo-ec-{HOSPITAL}", admdvs=LHASA, fixmedins_name=name)

    # Login, identity check and activation, each on their own phone.
    daughter, father = activated(stack, LI_NA, "guide-lina"), activated(stack, ZHANG, "guide-zhangjianguo")

    # Family consent: she asks with her own face check; his code is hers to show once he consents.
    asked = daughter.ask_to_add(
        ZHANG["psn_name"], ZHANG["certno"], "parent", daughter.face_check(LI_NA["psn_name"], LI_NA["certno"])
    )
    assert (asked["status"], asked["guardian_psn_no"], asked["dependant_psn_no"]) == (
        "requested", LI_NA["psn_no"], ZHANG["psn_no"]
    )  # fmt: skip
    with pytest.raises(MobileError) as early:
        daughter.show_code(ZHANG["psn_no"])
    assert (early.value.status, early.value.code) == (403, "not_bound")
    [waiting] = father.family()
    assert father.consent(waiting["binding_id"])["status"] == "consented"
    assert [b["status"] for b in daughter.family()] == ["consented"]

    # The 60-second code, decoded once at the counter (ec.query).
    shown = daughter.show_code(ZHANG["psn_no"])
    assert shown["expires_in"] == 60
    decoded = counter.ec_query(shown["qr_code"], operator_id="0001", operator_name="收费员", office_name="门诊收费处")
    assert (decoded["idNo"], decoded["userName"], decoded["insuOrg"]) == (ZHANG["certno"], "张建国", LHASA)
    ec_token = decoded["ecToken"]
    with pytest.raises(NationalRefusal) as again:
        counter.ec_query(shown["qr_code"], operator_id="0001", operator_name="收费员")
    assert "already been scanned" in again.value.err_msg

    # 1101 at settlement with the ecToken (mdtrt_cert_type 01).
    person = settlement_door.call(
        "1101",
        {
            "data": {
                "mdtrt_cert_type": "01",
                "mdtrt_cert_no": ec_token,
                "psn_cert_type": "01",
                "certno": ZHANG["certno"],
            }
        },
    )
    assert (person["baseinfo"]["psn_no"], person["baseinfo"]["psn_name"]) == (ZHANG["psn_no"], "张建国")
    assert [(i["insutype"], i["balc"]) for i in person["insuinfo"]] == [("310", Decimal("8000.00"))]

    # 6201 -> the daughter sees and authorises it -> 6202 -> callback -> 6301.
    order_no = f"GUIDE-{dt.datetime.now():%H%M%S%f}"
    order = counter.upload_order(order_6201(ec_token, order_no))
    seen = daughter.pay_order(order["payOrdId"])
    assert (seen["ordStas"], seen["feeSumamt"], seen["fixmedins_name"]) == ("0", str(TOTAL), name)
    authorised = daughter.authorise(order["payOrdId"])
    placed = counter.place_order(order["payOrdId"], order["payToken"], authorised["payAuthNo"])
    figures = (placed["ordStas"], placed["feeSumamt"], placed["fundPay"], placed["psnAcctPay"], placed["ownPayAmt"])
    assert figures == ("6", TOTAL, FUND, Decimal("0.00"), CASH)

    body, headers = wait_for(lambda: his_callbacks[:1], timeout=15, interval=0.05)[0]
    assert callback_is_genuine(f"demo-ec-{HOSPITAL}", body, headers[SIGNATURE_HEADER])
    notice = decode_json(body)
    assert (notice["callType"], notice["orgCode"], notice["medOrgOrd"], notice["payOrdId"]) == (
        "settle", HOSPITAL, order_no, order["payOrdId"]
    )  # fmt: skip
    assert (notice["ordStas"], notice["feeSumamt"], notice["fundPay"], notice["ownPayAmt"]) == ("6", TOTAL, FUND, CASH)
    assert notice["setlId"] == placed["setlId"] and notice["ecCode"].startswith(LHASA)
    queried = counter.query_order(order["payOrdId"], order["payToken"])
    assert (queried["ordStas"], queried["callbackStas"], queried["callbackAttempts"]) == ("6", "delivered", 1)

    # Settlement holds the same settlement, to the cent, made with the e-voucher.
    stored = settlement_door.call(
        "5203", {"data": {"psn_no": ZHANG["psn_no"], "setl_id": placed["setlId"], "mdtrt_id": placed["mdtrtId"]}},
        insuplc_admdvs=LHASA,
    )["setlinfo"]  # fmt: skip
    assert (stored["medfee_sumamt"], stored["hifp_pay"], stored["fund_pay_sumamt"], stored["psn_cash_pay"]) == (
        TOTAL, FUND, FUND, CASH
    )  # fmt: skip
    assert (stored["mdtrt_cert_type"], stored["act_pay_dedc"]) == ("01", Decimal("200.00"))

    # 6203: the settlement reversed, his payment refunded, the HIS called back again.
    refunded = counter.refund_order(order["payOrdId"], order["payToken"])
    assert (refunded["ordStas"], refunded["ordStasName"]) == ("7", "已退款")
    body, headers = wait_for(lambda: his_callbacks[1:2], timeout=15, interval=0.05)[0]
    assert callback_is_genuine(f"demo-ec-{HOSPITAL}", body, headers[SIGNATURE_HEADER])
    assert (decode_json(body)["callType"], decode_json(body)["ordStas"]) == ("refund", "7")
    reversed_ = settlement_door.call(
        "5203", {"data": {"psn_no": ZHANG["psn_no"], "setl_id": placed["setlId"], "mdtrt_id": placed["mdtrtId"]}},
        insuplc_admdvs=LHASA,
    )["setlinfo"]  # fmt: skip
    assert reversed_["refd_setl_flag"] == "1"

    # His own phone: where his voucher was used (under the reference name) and his settlements.
    assert [(u["fixmedins_code"], u["fixmedins_name"]) for u in father.usage()] == [(HOSPITAL, name)] * 2

    def settled_and_reversed() -> dict | None:
        mine = {s["setl_id"]: s for s in father.settlements()}
        original = mine.get(placed["setlId"])
        reversal = [s for s in mine.values() if s["original_setl_id"] == placed["setlId"]]
        return original if original and original["reversed"] and reversal else None

    settled = wait_for(settled_and_reversed, timeout=15)
    assert (settled["with_voucher"], settled["fund_pay_sumamt"], settled["psn_cash_pay"]) == (True, "38.70", "301.13")

    # remote-care's /mobile/v1 with the remote_care_token of his next login.
    again_logged_in = PhoneClient(stack.urls["e-voucher"], stack.urls["remote-care"])
    session = again_logged_in.log_in("code-guide-zhangjianguo")
    assert session["voucher"]["psn_no"] == ZHANG["psn_no"] and session["remote_care_token"]
    today = dt.date.today().isoformat()
    filed = again_logged_in.file_out_of_area(
        {"filing_type": "temporary_other", "target_admdvs": "110100", "begndate": today}
    )
    assert (filed["psn_no"], filed["status"], filed["channel"]) == (ZHANG["psn_no"], "active", "mobile")
    assert [f["filing_id"] for f in again_logged_in.my_filings()] == [filed["filing_id"]]
    assert again_logged_in.revoke_filing(filed["filing_id"], "plans changed")["status"] == "revoked"
    stranger = PhoneClient(stack.urls["e-voucher"], stack.urls["remote-care"])
    with pytest.raises(MobileError) as unsigned:
        stranger.my_filings()
    assert (unsigned.value.status, unsigned.value.code) == (401, "unauthorized")
