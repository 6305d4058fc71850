from __future__ import annotations

import base64
import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest

from evoucher.domain import orders, qr, vouchers
from evoucher.domain.errors import Conflict, Forbidden, Invalid
from evoucher.domain.figures import rate
from medshared import mobiletoken

SECRET = "s3cret"


@pytest.mark.parametrize(
    ("status", "command", "expected"),
    [
        ("active", "freeze", ("frozen", "VoucherFrozen")),
        ("active", "revoke", ("revoked", "VoucherRevoked")),
        ("frozen", "unfreeze", ("active", "VoucherUnfrozen")),
        ("frozen", "revoke", ("revoked", "VoucherRevoked")),
    ],
)
def test_voucher_commands_move_the_status_and_name_the_event(
    status: str, command: str, expected: tuple[str, str]
) -> None:
    assert vouchers.transition(status, command) == expected


@pytest.mark.parametrize(
    ("status", "command"),
    [("active", "unfreeze"), ("frozen", "freeze"), ("revoked", "unfreeze"), ("revoked", "revoke")],
)
def test_voucher_commands_that_make_no_sense_now_are_refused(status: str, command: str) -> None:
    with pytest.raises(Conflict, match=status):
        vouchers.transition(status, command)


def test_a_guardian_without_consent_cannot_act_for_a_dependant() -> None:
    with pytest.raises(Forbidden):
        vouchers.check_family_access(consented=False)
    vouchers.check_family_access(consented=True)


def test_only_an_active_voucher_shows_a_code() -> None:
    vouchers.check_can_show_code("active")
    with pytest.raises(Conflict, match="frozen"):
        vouchers.check_can_show_code("frozen")


def test_activation_checks_name_and_id_number_together() -> None:
    tashi = vouchers.PersonRecord("P1", "01", "540102198005010110", "扎西", None)
    assert vouchers.check_can_activate(tashi, "扎西", "540102198005010110", ["540100"]) == "540100"
    with pytest.raises(Invalid):
        vouchers.check_can_activate(tashi, "卓玛", "540102198005010110", ["540100"])
    with pytest.raises(Conflict, match="enrollment"):
        vouchers.check_can_activate(tashi, "扎西", "540102198005010110", [])


def test_a_qr_code_carries_no_personal_data_and_verifies_until_it_expires() -> None:
    code = qr.mint(SECRET, now=1_000, ttl_seconds=60)
    assert "540102" not in code.text
    assert qr.verify(SECRET, code.text, now=1_059) == code.qr_id
    with pytest.raises(Invalid, match="expired"):
        qr.verify(SECRET, code.text, now=1_060)


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: ("B" if t.startswith("A") else "A") + t[1:],  # always a different first character
        lambda t: t.split(".")[0] + "." + "0" * 64,
        lambda t: t.split(".")[0],
        lambda t: "not-a-code",
    ],
)
def test_a_tampered_qr_code_is_refused(mangle: Any) -> None:
    code = qr.mint(SECRET, now=1_000, ttl_seconds=60)
    with pytest.raises(Invalid, match=r"not issued|damaged"):
        qr.verify(SECRET, mangle(code.text), now=1_001)


def test_a_code_signed_by_another_platform_is_refused() -> None:
    code = qr.mint("other-platform", now=1_000, ttl_seconds=60)
    with pytest.raises(Invalid, match="not issued"):
        qr.verify(SECRET, code.text, now=1_001)


def test_the_remote_care_token_is_claims_and_their_hmac() -> None:
    token = mobiletoken.mint("k", "openid-a", "P1", 1_700_000_000)
    first, _, mac = token.partition(".")
    claims = json.loads(base64.urlsafe_b64decode(first + "=" * (-len(first) % 4)))
    assert claims == {"openid": "openid-a", "psn_no": "P1", "exp": 1_700_000_000}
    assert len(mac) == 64 and token != mobiletoken.mint("other", "openid-a", "P1", 1_700_000_000)


def test_settlement_msgids_are_thirty_characters_fixed_by_order_and_step() -> None:
    created = dt.datetime(2026, 11, 24, 10, 0, 0)
    msgid = orders.order_msgid("H54010000001", created, 1234, orders.STEP_2207)
    assert msgid == "H54010000001" + "20261124100000" + "234" + "5"
    assert msgid == orders.order_msgid("H54010000001", created, 1234, orders.STEP_2207)
    assert msgid != orders.order_msgid("H54010000001", created, 1235, orders.STEP_2207)


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        ("authorised", "settling", True),
        ("created", "settling", False),
        ("paying", "compensating", True),
        ("paid", "failed", False),
        ("paid", "refunding", True),
        ("failed", "refunding", False),
    ],
)
def test_orders_only_move_along_the_state_machine(current: str, target: str, allowed: bool) -> None:
    if allowed:
        assert orders.advance(current, target) == target
    else:
        with pytest.raises(Conflict):
            orders.advance(current, target)


def _order(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "medOrgOrd": "O1", "insutype": "390", "medType": "11", "medfeeSumamt": Decimal("10.00"), "ecToken": "t",
        "callbackUrl": "http://his/cb", "iptOtpNo": "1", "atddrNo": "D", "drName": "d", "deptCode": "A", "deptName": "a",
        "caty": "A", "feedetailList": [{"feedetlSn": "1", "medListCodg": "X", "medinsListCodg": "M",
                                        "detItemFeeSumamt": Decimal("10.00"), "cnt": 1, "pric": Decimal("10.00")}],
    }  # fmt: skip
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"medfeeSumamt": Decimal("11.00")}, "does not equal the sum"),
        ({"medfeeSumamt": 10.0}, "must be an amount"),
        ({"ecToken": ""}, "name the patient"),
        ({"callbackUrl": "ftp://x"}, "callbackUrl"),
        ({"feedetailList": []}, "feedetailList"),
        ({"deptCode": ""}, "missing deptCode"),
    ],
)
def test_a_6201_order_that_is_incomplete_or_does_not_add_up_is_refused(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(Invalid, match=message):
        orders.parse_6201(_order(**changes))


def test_6201_fee_lines_are_handed_on_in_snake_case() -> None:
    parsed = orders.parse_6201(_order())
    assert parsed.feedetail[0]["det_item_fee_sumamt"] == Decimal("10.00")
    assert parsed.visit["ipt_otp_no"] == "1"


def test_rates_have_four_decimals_and_none_when_nothing_to_divide() -> None:
    assert rate(1, 3) == Decimal("0.3333")
    assert rate(0, 0) is None
