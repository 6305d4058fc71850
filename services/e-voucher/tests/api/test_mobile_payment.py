from __future__ import annotations

import datetime as dt
import itertools
import time
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from evoucher.db import pay_order
from evoucher.domain.tokens import callback_signature
from evoucher.usecases import saga
from medshared import jsonutil
from medshared.national import gateway_headers
from tests.conftest import TASHI, WANG, activate, login
from tests.doubles import EdgeState

ORG = "H54010000001"
_seq = itertools.count(1)


def national(client: TestClient, infno: str, data: dict[str, Any], org: str = ORG) -> dict[str, Any]:
    envelope = {
        "infno": infno,
        "msgid": f"{org}{dt.datetime.now():%Y%m%d%H%M%S}{next(_seq) % 10000:04d}",
        "mdtrtarea_admvs": "540100",
        "insuplc_admdvs": "540100",
        "recer_sys_code": "YBXT",
        "infver": "V1.0",
        "opter_type": "1",
        "opter": "op01",
        "opter_name": "收费员",
        "inf_time": dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S"),
        "fixmedins_code": org,
        "fixmedins_name": "拉萨市人民医院",
        "input": {"data": data},
    }
    response = client.post(
        "/fsi/api/rsfComIfsService/callService",
        content=jsonutil.dumps(envelope),
        headers={**gateway_headers(org, f"demo-ec-{org}"), "content-type": "application/json"},
    )
    assert response.status_code == 200
    return dict(jsonutil.loads(response.content))


def order_data(
    edge_url: str, med_org_ord: str, amounts: tuple[str, ...] = ("60.00", "40.00"), callback_url: str | None = None
) -> dict[str, Any]:
    total = sum((Decimal(a) for a in amounts), Decimal("0.00"))
    return {
        "medOrgOrd": med_org_ord, "insutype": "390", "medType": "11", "medfeeSumamt": total,
        "idNo": TASHI["certno"], "userName": TASHI["psn_name"], "idType": "01",
        "iptOtpNo": f"OP{med_org_ord}", "atddrNo": "D001", "drName": "次仁", "deptCode": "A03", "deptName": "内科",
        "caty": "A03", "callbackUrl": callback_url or f"{edge_url}/his/callback",
        "diseinfoList": [{"diagType": "1", "diagSrtNo": 1, "diagCode": "J06.900", "diagName": "急性上呼吸道感染"}],
        "feedetailList": [
            {"feedetlSn": f"{med_org_ord}-{i}", "medListCodg": "XJ01CAA040A001010100001", "medinsListCodg": f"M{i}",
             "detItemFeeSumamt": Decimal(a), "cnt": 1, "pric": Decimal(a)}
            for i, a in enumerate(amounts)
        ],
    }  # fmt: skip


@pytest.fixture
def edge_url(edge_server: tuple[str, EdgeState]) -> str:
    return edge_server[0]


def upload_and_authorise(client: TestClient, edge_url: str, med_org_ord: str, **kw: Any) -> dict[str, Any]:
    headers = login(client, "tashi")
    if client.get("/mobile/v1/voucher", headers=headers).status_code == 404:
        headers = activate(client, TASHI, "tashi")
    uploaded = national(client, "6201", order_data(edge_url, med_org_ord, **kw))
    assert uploaded["infcode"] == 0, uploaded["err_msg"]
    order = uploaded["output"]
    seen = client.get(f"/mobile/v1/pay-orders/{order['payOrdId']}", headers=headers)
    assert (seen.json()["feeSumamt"], seen.json()["fixmedins_name"]) == ("100.00", "拉萨市第一人民医院(演示)")
    auth = client.post(f"/mobile/v1/pay-orders/{order['payOrdId']}/authorisation", headers=headers)
    assert auth.status_code == 201, auth.text
    return {**order, "payAuthNo": auth.json()["payAuthNo"]}


def test_a_paid_order_is_settled_once_even_when_the_his_repeats_6202(
    client: TestClient, edge: EdgeState, edge_url: str
) -> None:
    order = upload_and_authorise(client, edge_url, "ORD-1")
    first = national(client, "6202", order)
    assert first["infcode"] == 0, first["err_msg"]
    assert first["output"]["ordStas"] == "6"
    assert (first["output"]["fundPay"], first["output"]["ownPayAmt"]) == (Decimal("60.00"), Decimal("40.00"))
    again = national(client, "6202", order)
    assert again["output"]["setlId"] == first["output"]["setlId"]
    assert len(edge.standing()) == 1
    assert edge.calls.count("2207") == 1
    queried = national(client, "6301", {"payOrdId": order["payOrdId"], "payToken": order["payToken"]})
    assert queried["output"]["ordStas"] == "6"


def test_the_his_is_called_back_with_a_notification_signed_with_its_own_token(
    client: TestClient, edge: EdgeState, edge_url: str
) -> None:
    order = upload_and_authorise(client, edge_url, "ORD-2")
    national(client, "6202", order)
    assert len(edge.callbacks) == 1
    raw, signature = edge.callbacks[0]
    assert signature == callback_signature(f"demo-ec-{ORG}", raw)
    body = jsonutil.loads(raw)
    assert (body["payOrdId"], body["medOrgOrd"], body["ordStas"]) == (order["payOrdId"], "ORD-2", "6")


def test_a_payment_that_fails_leaves_no_settlement_behind(client: TestClient, edge: EdgeState, edge_url: str) -> None:
    client.app.state.payment_deps.provider.fail_amounts = {Decimal("40.00")}
    order = upload_and_authorise(client, edge_url, "ORD-3")
    placed = national(client, "6202", order)
    assert placed["output"]["ordStas"] == "15"
    assert "payment failed" in placed["output"]["failReason"]
    assert edge.calls.count("2207") == 1 and edge.calls.count("2208") == 1
    assert edge.standing() == []
    assert jsonutil.loads(edge.callbacks[-1][0])["ordStas"] == "15"


def test_a_settlement_the_platform_refuses_fails_the_order_without_charging(
    client: TestClient, edge: EdgeState, edge_url: str
) -> None:
    edge.refuse["2207"] = "个人账户余额不足"
    order = upload_and_authorise(client, edge_url, "ORD-4")
    placed = national(client, "6202", order)
    assert placed["output"]["ordStas"] == "15"
    assert "个人账户余额不足" in placed["output"]["failReason"]
    assert client.app.state.payment_deps.provider.status(f"local-{order['payOrdId']}").reason == "unknown charge"


def test_an_order_interrupted_while_settlement_is_away_is_resumed_once_it_answers(
    client: TestClient, edge: EdgeState, edge_url: str
) -> None:
    order = upload_and_authorise(client, edge_url, "ORD-5")
    edge.down = True
    placed = national(client, "6202", order)
    assert placed["output"]["ordStas"] == "2"
    edge.down = False
    saga.drive(client.app.state.units, client.app.state.payment_deps, order["payOrdId"])
    queried = national(client, "6301", {"payOrdId": order["payOrdId"], "payToken": order["payToken"]})
    assert queried["output"]["ordStas"] == "6"
    assert len(edge.standing()) == 1


def test_a_refund_reverses_the_settlement_and_the_payment(client: TestClient, edge: EdgeState, edge_url: str) -> None:
    order = upload_and_authorise(client, edge_url, "ORD-6")
    national(client, "6202", order)
    refunded = national(client, "6203", {"payOrdId": order["payOrdId"], "payToken": order["payToken"]})
    assert refunded["output"]["ordStas"] == "7"
    assert edge.standing() == []
    charge = client.app.state.payment_deps.provider.status(f"local-{order['payOrdId']}")
    assert charge.status == "refunded"
    assert (
        national(client, "6203", {"payOrdId": order["payOrdId"], "payToken": order["payToken"]})["output"]["ordStas"]
        == "7"
    )
    assert edge.calls.count("2208") == 1


def test_6202_before_the_person_authorises_is_refused(client: TestClient, edge: EdgeState, edge_url: str) -> None:
    activate(client, TASHI, "tashi")
    order = national(client, "6201", order_data(edge_url, "ORD-7"))["output"]
    placed = national(client, "6202", {**order, "payAuthNo": "AUTHguess"})
    assert placed["infcode"] == -1
    assert "not authorised" in placed["err_msg"]
    assert edge.calls == []


def test_an_order_whose_lines_do_not_add_up_is_refused_and_nothing_is_stored(client: TestClient, edge_url: str) -> None:
    activate(client, TASHI, "tashi")
    data = {**order_data(edge_url, "ORD-8"), "medfeeSumamt": Decimal("99.00")}
    refused = national(client, "6201", data)
    assert refused["infcode"] == -1
    assert "does not equal the sum" in refused["err_msg"]
    assert national(client, "6201", order_data(edge_url, "ORD-8"))["infcode"] == 0


def test_someone_else_cannot_see_or_authorise_an_order(client: TestClient, edge_url: str) -> None:
    activate(client, TASHI, "tashi")
    order = national(client, "6201", order_data(edge_url, "ORD-9"))["output"]
    wang = activate(client, WANG, "wang")
    assert client.get(f"/mobile/v1/pay-orders/{order['payOrdId']}", headers=wang).status_code == 403
    assert client.post(f"/mobile/v1/pay-orders/{order['payOrdId']}/authorisation", headers=wang).status_code == 403


def test_another_hospital_cannot_place_or_query_an_order(client: TestClient, edge: EdgeState, edge_url: str) -> None:
    order = upload_and_authorise(client, edge_url, "ORD-10")
    foreign = national(client, "6202", order, org="H54010000002")
    assert foreign["infcode"] == -1
    assert "this institution" in foreign["err_msg"]
    assert edge.calls == []


def test_a_charge_confirmed_after_6202_returned_is_finished_and_called_back_by_the_worker(
    client: TestClient, edge: EdgeState, edge_url: str
) -> None:
    deps = client.app.state.payment_deps
    deps.provider.confirm_seconds = 0.3
    deps.wait_seconds = 0
    order = upload_and_authorise(client, edge_url, "ORD-11")
    placed = national(client, "6202", order)
    assert placed["output"]["ordStas"] == "2"
    assert edge.callbacks == []
    time.sleep(0.35)
    assert saga.resume_in_flight(client.app.state.units, deps, older_than_seconds=0) == 1
    assert (
        national(client, "6301", {"payOrdId": order["payOrdId"], "payToken": order["payToken"]})["output"]["ordStas"]
        == "6"
    )
    assert [jsonutil.loads(raw)["ordStas"] for raw, _ in edge.callbacks] == ["6"]
    assert len(edge.standing()) == 1


def test_an_order_stopped_after_settling_is_charged_on_resume_not_settled_again(
    client: TestClient, edge: EdgeState, edge_url: str
) -> None:
    runtime, units, deps = client.app.state.runtime, client.app.state.units, client.app.state.payment_deps
    order = upload_and_authorise(client, edge_url, "ORD-12")
    edge.down = True
    national(client, "6202", order)
    edge.down = False
    # The process stops right after 2207 answered: the stored state says "settled", nothing charged yet.
    row = _stored(runtime, order["payOrdId"])
    assert saga.step(units, deps, row)
    assert _stored(runtime, order["payOrdId"]).status == "settled"
    assert saga.resume_in_flight(units, deps, older_than_seconds=0) == 1
    assert _stored(runtime, order["payOrdId"]).status == "paid"
    assert edge.calls.count("2207") == 1 and len(edge.standing()) == 1


def _stored(runtime: Any, pay_ord_id: str) -> Any:
    with runtime.unit_of_work() as session:
        return session.execute(select(pay_order).where(pay_order.c.pay_ord_id == pay_ord_id)).one()


def test_a_transaction_this_endpoint_does_not_serve_is_answered_with_a_clear_error(client: TestClient) -> None:
    answer = national(client, "2207", {})
    assert answer["infcode"] == -1
    assert "6201, 6202, 6203 and 6301" in answer["err_msg"]


def test_a_repeated_6201_returns_the_same_order_and_a_changed_one_is_refused(client: TestClient, edge_url: str) -> None:
    activate(client, TASHI, "tashi")
    first = national(client, "6201", order_data(edge_url, "ORD-13"))["output"]
    assert national(client, "6201", order_data(edge_url, "ORD-13"))["output"] == first
    changed = national(client, "6201", order_data(edge_url, "ORD-13", amounts=("50.00",)))
    assert changed["infcode"] == -1
    assert "already uploaded" in changed["err_msg"]
