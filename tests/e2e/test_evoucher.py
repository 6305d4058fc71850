"""扎西 on his phone: activate the e-voucher, show a QR, settle with it at the counter, pay by phone."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import httpx
import pytest
from clients import PEOPLE, His, Phone, fee_line, new_msgid, settle_data, wait_for

from medshared import jsonutil
from medshared.national import gateway_headers

ZHAXI = PEOPLE["扎西"]
HOSPITAL = "H54010000001"
_orders = itertools.count(1)


@pytest.fixture(scope="module")
def phone(stack):
    phone = Phone(stack.urls["e-voucher"], "zhaxi")
    wait_for(lambda: phone.try_activation("扎西", ZHAXI["certno"]).status_code in (201, 409))
    assert phone.http.get("/mobile/v1/voucher", headers=phone.headers).json()["status"] == "active"
    return phone


def decode(stack, qr_code: str, org: str = HOSPITAL) -> dict:
    body = {
        "orgId": org,
        "transType": "ec.query",
        "data": {
            "qrCode": qr_code,
            "businessType": "01301",
            "operatorId": "op1",
            "operatorName": "收费员",
            "officeId": "D01",
            "officeName": "内科",
        },
    }
    answer = httpx.post(
        stack.urls["e-voucher"] + "/fsi/api/hsecfc/localQrCodeQuery",
        json=body,
        headers=gateway_headers(org, f"demo-ec-{org}"),
    )
    assert answer.status_code == 200
    return answer.json()


def test_a_qr_code_decoded_at_the_counter_identifies_and_settles_zhaxi(stack, phone):
    decoded = decode(stack, phone.qr_code())
    assert decoded["code"] == 0, decoded["message"]
    ec_token = decoded["data"]["ecToken"]
    assert decoded["data"]["idNo"] == ZHAXI["certno"]

    his = His(stack.urls["settlement"], HOSPITAL, "540100").sign_in()
    person = his.ok(
        "1101",
        {
            "data": {
                "mdtrt_cert_type": "01",
                "mdtrt_cert_no": ec_token,
                "psn_cert_type": "01",
                "certno": ZHAXI["certno"],
            }
        },
    )
    assert person["baseinfo"]["psn_no"] == ZHAXI["psn_no"]

    now = f"{dt.datetime.now():%Y-%m-%d %H:%M:%S}"
    mdtrt_id = his.ok(
        "2201",
        {
            "data": {
                "psn_no": ZHAXI["psn_no"],
                "insutype": "390",
                "begntime": now,
                "mdtrt_cert_type": "01",
                "mdtrt_cert_no": ec_token,
                "ipt_otp_no": "MZ-EC-1",
                "atddr_no": "D1",
                "dr_name": "医生",
                "dept_code": "D01",
                "dept_name": "内科",
                "caty": "A03",
            }
        },
        insuplc="540100",
    )["data"]["mdtrt_id"]
    his.ok(
        "2203",
        {
            "mdtrtinfo": {"mdtrt_id": mdtrt_id, "psn_no": ZHAXI["psn_no"], "med_type": "11", "begntime": now},
            "diseinfo": [],
        },
        insuplc="540100",
    )
    his.ok(
        "2204",
        {"feedetail": [fee_line("1", "002501010010000", "1", "50", mdtrt_id, ZHAXI["psn_no"])]},
        insuplc="540100",
    )
    data = {"data": settle_data(ZHAXI, mdtrt_id, Decimal("50.00"), med_type="11", cert_type="01", cert_no=ec_token)}
    his.ok("2206", data, insuplc="540100")
    settled = his.ok("2207", data, insuplc="540100")["setlinfo"]
    assert settled["mdtrt_cert_type"] == "01" and settled["medfee_sumamt"] == Decimal("50.00")

    # The same code cannot be decoded again, and another hospital cannot use this token.
    reused = _reused(stack, phone)
    assert decode(stack, reused)["code"] != 0
    other = His(stack.urls["settlement"], "H54010000002", "540100").sign_in()
    foreign = other.call(
        "1101",
        {
            "data": {
                "mdtrt_cert_type": "01",
                "mdtrt_cert_no": ec_token,
                "psn_cert_type": "01",
                "certno": ZHAXI["certno"],
            }
        },
    )
    assert foreign["infcode"] == -1

    # The phone shows the settlement once the event has arrived.
    wait_for(
        lambda: any(
            s.get("setl_id") == settled["setl_id"]
            for s in phone.http.get("/mobile/v1/settlements", headers=phone.headers).json()
        ),
        timeout=15,
    )


def _reused(stack, phone) -> str:
    code = phone.qr_code()
    assert decode(stack, code)["code"] == 0
    return code


def national(stack, infno: str, data: dict, org: str = HOSPITAL) -> dict:
    now = dt.datetime.now()
    envelope = {
        "infno": infno,
        "msgid": new_msgid(org),
        "mdtrtarea_admvs": "540100",
        "insuplc_admdvs": "540100",
        "recer_sys_code": "YBXT",
        "infver": "V1.0",
        "opter_type": "1",
        "opter": "op1",
        "opter_name": "收费员",
        "inf_time": f"{now:%Y-%m-%d %H:%M:%S}",
        "fixmedins_code": org,
        "fixmedins_name": "拉萨市第一人民医院(演示)",
        "input": {"data": data},
    }
    answer = httpx.post(
        stack.urls["e-voucher"] + "/fsi/api/rsfComIfsService/callService",
        content=jsonutil.dumps(envelope),
        headers={"content-type": "application/json", **gateway_headers(org, f"demo-ec-{org}")},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return dict(jsonutil.loads(answer.content))


@pytest.fixture
def his_callbacks():
    """The hospital's callback endpoint: records what the platform posts to it."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    received: list[tuple[bytes, dict]] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            received.append((body, dict(self.headers)))
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"code":0}')

        def log_message(self, *args):
            pass

    # The callback origin the demo registers for the demo hospitals (evoucher.demo).
    server = ThreadingHTTPServer(("127.0.0.1", 18090), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/his/notify", received
    server.shutdown()
    server.server_close()


def upload_order(stack, phone, callback_url: str, lines: list[tuple[str, str]]) -> dict:
    """6201 with the given (med_list_codg, amount) lines, then the person authorises it on the phone."""
    order_no = f"ORD-E2E-{dt.datetime.now():%H%M%S}-{next(_orders)}"
    uploaded = national(
        stack,
        "6201",
        {
            "medOrgOrd": order_no,
            "insutype": "390",
            "medType": "11",
            "medfeeSumamt": sum((Decimal(a) for _, a in lines), Decimal("0.00")),
            "idNo": ZHAXI["certno"],
            "userName": "扎西",
            "idType": "01",
            "iptOtpNo": f"OP{order_no}",
            "atddrNo": "D1",
            "drName": "医生",
            "deptCode": "D01",
            "deptName": "内科",
            "caty": "A03",
            "callbackUrl": callback_url,
            "diseinfoList": [{"diagType": "1", "diagSrtNo": 1, "diagCode": "J06.900", "diagName": "急性上呼吸道感染"}],
            "feedetailList": [
                {
                    "feedetlSn": f"{order_no}-{i}",
                    "medListCodg": code,
                    "medinsListCodg": f"M{i}",
                    "detItemFeeSumamt": Decimal(amount),
                    "cnt": 1,
                    "pric": Decimal(amount),
                }
                for i, (code, amount) in enumerate(lines, 1)
            ],
        },
    )
    assert uploaded["infcode"] == 0, uploaded["err_msg"]
    placed = uploaded["output"]
    auth = phone.http.post(f"/mobile/v1/pay-orders/{placed['payOrdId']}/authorisation", headers=phone.headers)
    assert auth.status_code == 201, auth.text
    return {**placed, "payAuthNo": auth.json()["payAuthNo"], "medOrgOrd": order_no}


def test_a_mobile_payment_settles_through_the_real_front_door_once_even_when_6202_is_repeated(
    stack, phone, his_callbacks
):
    callback_url, received = his_callbacks
    order = upload_order(stack, phone, callback_url, [("001102000010000", "20.00"), ("002501010010000", "50.00")])
    order_no = order.pop("medOrgOrd")
    placed = national(stack, "6202", order)
    assert placed["infcode"] == 0, placed["err_msg"]
    out = placed["output"]
    assert out["ordStas"] == "6"
    assert Decimal(str(out["fundPay"])) + Decimal(str(out["ownPayAmt"])) == Decimal("70.00")
    again = national(stack, "6202", order)
    assert again["output"]["setlId"] == out["setlId"]
    wait_for(lambda: received, timeout=15)
    notice = jsonutil.loads(received[0][0])
    assert (notice["medOrgOrd"], notice["ordStas"]) == (order_no, "6")


def test_a_mobile_payment_the_provider_refuses_leaves_no_settlement_behind(stack, phone, his_callbacks):
    callback_url, _ = his_callbacks
    his = His(stack.urls["settlement"], HOSPITAL, "540100").sign_in()
    year_month = f"{dt.date.today():%Y%m}"
    before = his.ok("5206", {"data": {"psn_no": ZHAXI["psn_no"], "cum_ym": year_month}}, insuplc="540100")

    refused_order = upload_order(stack, phone, callback_url, [("ZZ9999999999000", "77.70")])  # 丙类: all self-paid
    refused_order.pop("medOrgOrd")
    placed = national(stack, "6202", refused_order)
    status = placed["output"]["ordStas"] if placed["infcode"] == 0 else None
    queried = national(stack, "6301", {"payOrdId": refused_order["payOrdId"], "payToken": refused_order["payToken"]})[
        "output"
    ]
    assert status != "6" and queried["ordStas"] != "6"

    # The order was settled before the charge was tried, so the settlement must have been reversed.
    assert queried["setlId"]
    shown = his.ok(
        "5203",
        {"data": {"psn_no": ZHAXI["psn_no"], "setl_id": queried["setlId"], "mdtrt_id": queried["mdtrtId"]}},
        insuplc="540100",
    )
    assert shown["setlinfo"]["refd_setl_flag"] == "1"
    after = his.ok("5206", {"data": {"psn_no": ZHAXI["psn_no"], "cum_ym": year_month}}, insuplc="540100")
    assert after == before
