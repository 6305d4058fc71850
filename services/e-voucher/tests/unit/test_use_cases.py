"""E-voucher's use cases on an in-memory store: no HTTP, no database.

Each test runs use cases as the routes would and reads the store afterwards: what changed,
what was staged for the outbox, and that a refusal left nothing behind.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from evoucher.adapters.identity import StubFaceCheck
from evoucher.adapters.payment import LocalPaymentProvider
from evoucher.domain.errors import Invalid, Unauthenticated
from evoucher.usecases import codes, orders, saga, sessions, vouchers
from evoucher.usecases.common import token_hash
from medshared import mobiletoken
from tests.unit.fakes import FakeStore, FakeUnits, HisDouble, ScriptedSettlementDouble

NOW = dt.datetime(2026, 11, 24, 10, 0, 0, tzinfo=dt.UTC)
FACE_CHECK = StubFaceCheck("test-identity-key", 300)
TASHI = ("P540100000001", "扎西", "540102198005010110")
DROLMA = ("P540100000002", "卓玛", "540102198506020220")
HOSPITAL = "H54010000001"
QR_SECRET = "qr-key"


@pytest.fixture
def store() -> FakeStore:
    store = FakeStore()
    for psn_no, name, certno in (TASHI, DROLMA):
        store.add_person(psn_no, name, certno)
    store.add_institution(HOSPITAL, "拉萨市人民医院")
    store.add_callback_origin(HOSPITAL, "https://his.example")
    return store


def activate(
    units: FakeUnits, openid: str, who: tuple[str, str, str], ticket: str | None = None
) -> tuple[dict[str, Any], str]:
    _, name, certno = who
    ticket = ticket or FACE_CHECK.issue(certno=certno, psn_name=name, openid=openid, now=int(NOW.timestamp()))
    return vouchers.activate(
        units, openid, name, certno,
        identity_ticket=ticket, verifier=FACE_CHECK, mobile_secret="mobile-key", session_ttl=600, now=NOW,
    )  # fmt: skip


def test_activation_with_a_valid_ticket_binds_the_voucher_and_stages_voucher_activated(store: FakeStore) -> None:
    view, remote_care = activate(FakeUnits(store), "openid-t", TASHI)
    [stored] = store.vouchers.values()
    assert (stored.psn_no, stored.active_openid, stored.status, stored.insuplc_admdvs) == (
        TASHI[0],
        "openid-t",
        "active",
        "540100",
    )
    assert view["voucher_id"] == stored.voucher_id and view["version"] == 1
    [(topic, event)] = store.events
    assert (topic, event.event_type, event.payload["voucher"]["voucher_id"]) == (
        "evoucher.vouchers.v1", "VoucherActivated", stored.voucher_id,
    )  # fmt: skip
    assert "reclaimed_from" not in event.payload
    claims = mobiletoken.read(remote_care, "mobile-key", now=NOW.timestamp())
    assert (claims.openid, claims.psn_no, claims.exp) == ("openid-t", TASHI[0], int(NOW.timestamp()) + 600)
    assert [use["purpose"] for use in store.tickets.values()] == ["activation"]


def test_a_ticket_used_once_is_refused_the_second_time_and_the_refusal_leaves_nothing(store: FakeStore) -> None:
    units = FakeUnits(store)
    ticket = FACE_CHECK.issue(certno=TASHI[2], psn_name=TASHI[1], openid="openid-t", now=int(NOW.timestamp()))
    activate(units, "openid-t", TASHI, ticket)
    vouchers.change_own_voucher(units, "openid-t", "revoke", "lost phone", NOW)
    before = (dict(store.vouchers), list(store.events), dict(store.tickets))
    with pytest.raises(Invalid, match="already used"):
        activate(units, "openid-t", TASHI, ticket)
    assert (dict(store.vouchers), list(store.events), dict(store.tickets)) == before
    assert store.event_types() == ["VoucherActivated", "VoucherRevoked"]


def test_a_reclaim_revokes_the_old_binding_ends_its_sessions_and_withdraws_its_family_requests(
    store: FakeStore,
) -> None:
    units = FakeUnits(store)
    activate(units, "openid-old", TASHI)
    [old] = store.vouchers.values()
    sessions.log_in(units, "openid-old", ttl_seconds=600, mobile_secret="mobile-key", now=NOW)
    store.add_binding(
        {"binding_id": "B1", "guardian_psn_no": TASHI[0], "dependant_psn_no": DROLMA[0], "relation": "spouse",
         "status": "requested", "requested_at": NOW}
    )  # fmt: skip

    view, _ = activate(units, "openid-new", TASHI)

    revoked = store.vouchers[old.voucher_id]
    assert (revoked.status, revoked.active_psn_no, revoked.active_openid, revoked.version) == ("revoked", None, None, 2)
    assert store.vouchers[view["voucher_id"]].active_openid == "openid-new"
    assert [row.openid for row in store.sessions.values()] == []
    assert store.bindings["B1"].status == "withdrawn"
    assert [(change["voucher_id"], change["command"], change["actor_id"]) for change in store.voucher_changes] == [
        (old.voucher_id, "revoke", "openid-new")
    ]
    assert store.event_types() == ["VoucherActivated", "VoucherRevoked", "VoucherActivated"]
    revoked_event, activated_event = store.events[1][1], store.events[2][1]
    assert revoked_event.payload["replaced_by"] == view["voucher_id"] and revoked_event.payload["reason"] == "reclaimed"
    assert activated_event.payload["reclaimed_from"] == old.voucher_id


def test_a_code_decodes_once_into_an_ectoken_for_the_decoding_institution(store: FakeStore) -> None:
    units = FakeUnits(store)
    activate(units, "openid-t", TASHI)
    code = codes.issue_qr(units, "openid-t", None, secret=QR_SECRET, ttl_seconds=60, now=NOW)
    scan = codes.DecodeRequest(code.text, "01101", "op01", "收费员", "W01", "挂号处")
    decoded = codes.decode_qr(units, HOSPITAL, scan, secret=QR_SECRET, ectoken_ttl=600, now=NOW)
    assert (decoded["userName"], decoded["idNo"], decoded["insuOrg"]) == (TASHI[1], TASHI[2], "540100")
    assert store.ec_tokens[decoded["ecToken"]].fixmedins_code == HOSPITAL
    assert store.event_types() == ["VoucherActivated", "VoucherUsed"]
    with pytest.raises(Invalid, match="already been scanned"):
        codes.decode_qr(units, "H54010000002", scan, secret=QR_SECRET, ectoken_ttl=600, now=NOW)
    assert len(store.ec_tokens) == 1 and store.event_types() == ["VoucherActivated", "VoucherUsed"]


def order_data(med_org_ord: str) -> dict[str, Any]:
    return {
        "medOrgOrd": med_org_ord, "insutype": "390", "medType": "11", "medfeeSumamt": Decimal("100.00"),
        "idNo": TASHI[2], "userName": TASHI[1], "idType": "01",
        "iptOtpNo": "OP1", "atddrNo": "D001", "drName": "次仁", "deptCode": "A03", "deptName": "内科", "caty": "A03",
        "callbackUrl": "https://his.example/callback",
        "diseinfoList": [{"diagType": "1", "diagSrtNo": 1, "diagCode": "J06.900", "diagName": "急性上呼吸道感染"}],
        "feedetailList": [
            {"feedetlSn": "1", "medListCodg": "XJ01CAA040A001010100001", "medinsListCodg": "M1",
             "detItemFeeSumamt": Decimal("100.00"), "cnt": 1, "pric": Decimal("100.00")}
        ],
    }  # fmt: skip


def test_an_order_placed_is_settled_charged_and_called_back_and_its_refund_gives_everything_back(
    store: FakeStore,
) -> None:
    units = FakeUnits(store)
    activate(units, "openid-t", TASHI)
    settlement, his = ScriptedSettlementDouble(fund_pay="60.00", cash="40.00"), HisDouble()
    provider = LocalPaymentProvider(confirm_seconds=0, fail_amounts=[])
    deps = saga.PaymentDeps(
        settlement=settlement, provider=provider, notifier=his, ectoken_ttl=600, pay_auth_ttl=300, wait_seconds=0,
        clock=lambda: NOW,
    )  # fmt: skip
    hospital = store.institution(HOSPITAL)
    uploaded = orders.upload_order(units, hospital, order_data("ORD-1"), NOW)
    authorised = orders.authorise(units, "openid-t", uploaded["payOrdId"], 300, NOW)

    placed = orders.place(units, deps, hospital, {**uploaded, "payAuthNo": authorised["payAuthNo"]}, NOW)

    order = store.orders[uploaded["payOrdId"]]
    assert (placed["ordStas"], order.status) == ("6", "paid")
    assert (order.fund_pay_sumamt, order.psn_cash_pay, order.mdtrt_id) == (
        Decimal("60.00"),
        Decimal("40.00"),
        f"MDTRT-{order.pay_ord_id}",
    )
    assert store.ec_tokens[order.ec_token].operator_id == "mobile-pay"
    assert settlement.settled == [order.pay_ord_id]
    assert [(url, body["ordStas"], body["callType"], key) for url, body, key in his.callbacks] == [
        ("https://his.example/callback", "6", "settle", "his-key")
    ]

    refunded = orders.refund(units, deps, hospital, uploaded, NOW)

    order = store.orders[uploaded["payOrdId"]]
    assert (refunded["ordStas"], order.status, order.reversal_setl_id) == (
        "7",
        "refunded",
        f"REV-SETL-{order.pay_ord_id}",
    )
    assert settlement.reversed == [f"SETL-{order.pay_ord_id}"]
    assert provider.status(order.charge_id).status == "refunded"
    assert [body["callType"] for _, body, _ in his.callbacks] == ["settle", "refund"]
    assert orders.query(units, hospital, uploaded)["callbackStas"] == "delivered"


def test_the_session_token_names_its_openid_until_it_expires(store: FakeStore) -> None:
    units = FakeUnits(store)
    login = sessions.log_in(units, "openid-t", ttl_seconds=60, mobile_secret="mobile-key", now=NOW)
    assert login.voucher is None and login.remote_care_token is None
    assert token_hash(login.session_token) in store.sessions
    assert sessions.session_openid(units, login.session_token, NOW) == "openid-t"
    with pytest.raises(Unauthenticated, match="log in again"):
        sessions.session_openid(units, login.session_token, NOW + dt.timedelta(seconds=60))
