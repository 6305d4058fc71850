"""One gateway nonce serves one request across the platform: headers spent at one national door
do not verify at the other, because each door holds its own token for the institution."""

from __future__ import annotations

import datetime as dt

import httpx
from clients import new_msgid

from medshared import jsonutil
from medshared.national import gateway_headers

HOSPITAL = "H54010000001"
SETTLEMENT_TOKEN = f"demo-{HOSPITAL}"
EVOUCHER_TOKEN = f"demo-ec-{HOSPITAL}"


def sign_in(stack, headers: dict[str, str]) -> httpx.Response:
    envelope = {
        "infno": "9001", "msgid": new_msgid(HOSPITAL), "mdtrtarea_admvs": "540100", "insuplc_admdvs": "",
        "recer_sys_code": "YBXT", "infver": "V1.0", "opter_type": "1", "opter": "001", "opter_name": "收费员",
        "inf_time": f"{dt.datetime.now():%Y-%m-%d %H:%M:%S}", "fixmedins_code": HOSPITAL, "fixmedins_name": "拉萨市人民医院",
        "sign_no": "", "input": {"signIn": {"opter_no": "001", "mac": "", "ip": "127.0.0.1"}},
    }  # fmt: skip
    return httpx.post(
        stack.urls["settlement"] + "/fsi/api/rsfComIfsService/callService",
        content=jsonutil.dumps(envelope),
        headers={"content-type": "application/json", **headers},
        timeout=15,
    )


def decode(stack, headers: dict[str, str]) -> dict:
    body = {"orgId": HOSPITAL, "transType": "ec.query", "data": {"qrCode": "not-a-code", "businessType": "01301", "operatorId": "op1", "operatorName": "收费员", "officeId": "D01", "officeName": "内科"}}  # fmt: skip
    answer = httpx.post(
        stack.urls["e-voucher"] + "/fsi/api/hsecfc/localQrCodeQuery", json=body, headers=headers, timeout=15
    )
    assert answer.status_code == 200
    return dict(answer.json())


def test_headers_spent_at_settlement_are_refused_at_e_voucher(stack):
    captured = gateway_headers(HOSPITAL, SETTLEMENT_TOKEN)
    assert sign_in(stack, captured).json()["infcode"] == 0
    replayed = decode(stack, captured)
    assert replayed["code"] == -1 and "x-tif-signature does not match" in replayed["message"]


def test_headers_spent_at_e_voucher_are_refused_at_settlement(stack):
    captured = gateway_headers(HOSPITAL, EVOUCHER_TOKEN)
    first = decode(stack, captured)
    # The gateway let it through; the made-up code is what e-voucher refused.
    assert first["code"] == -1 and "x-tif" not in first["message"], first
    replayed = sign_in(stack, captured)
    assert replayed.status_code == 401
    assert replayed.json()["infcode"] == -1 and "x-tif-signature does not match" in replayed.json()["err_msg"]


def test_each_door_still_takes_the_institutions_own_token_for_it(stack):
    assert sign_in(stack, gateway_headers(HOSPITAL, SETTLEMENT_TOKEN)).json()["infcode"] == 0
    assert "x-tif" not in decode(stack, gateway_headers(HOSPITAL, EVOUCHER_TOKEN))["message"]
