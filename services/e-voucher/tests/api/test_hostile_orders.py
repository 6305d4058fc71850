"""6201 amounts out of the national N(16,2) range, or not numbers at all, get -1 naming the field, never a 5xx."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.test_mobile_payment import national, order_data
from tests.conftest import TASHI, activate
from tests.doubles import EdgeState

HUGE = Decimal("1e400")
SIXTY_ONE_DIGITS = int("9" * 61)


def _with_line(data: dict[str, Any], **line: Any) -> dict[str, Any]:
    return {**data, "feedetailList": [{**data["feedetailList"][0], **line}, *data["feedetailList"][1:]]}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: {**d, "medfeeSumamt": HUGE}, "medfeeSumamt"),
        (lambda d: {**d, "medfeeSumamt": SIXTY_ONE_DIGITS}, "medfeeSumamt"),
        (
            lambda d: _with_line(
                {**d, "medfeeSumamt": Decimal("100000000000000.00")}, detItemFeeSumamt=Decimal("99999999999960.00")
            ),
            "medfeeSumamt",
        ),
        (lambda d: {**d, "medfeeSumamt": Decimal("100.001")}, "medfeeSumamt"),
        (lambda d: _with_line(d, detItemFeeSumamt=HUGE), "feedetailList[0].detItemFeeSumamt"),
        (lambda d: _with_line(d, detItemFeeSumamt=SIXTY_ONE_DIGITS), "feedetailList[0].detItemFeeSumamt"),
        (lambda d: _with_line(d, pric=HUGE), "feedetailList[0].pric"),
        (lambda d: _with_line(d, cnt=SIXTY_ONE_DIGITS), "feedetailList[0].cnt"),
        (lambda d: _with_line(d, cnt="NaN"), "feedetailList[0].cnt"),
        (lambda d: {**d, "callbackUrl": "http://[::1"}, "callbackUrl"),
        (lambda d: {**d, "callbackUrl": "http://127.0.0.1:99999/his"}, "callbackUrl"),
        (lambda d: {**d, "medOrgOrd": "M" * 65}, "medOrgOrd"),
    ],
)
def test_an_order_with_an_amount_or_field_out_of_range_gets_a_refusal_naming_the_field(
    client: TestClient, edge: EdgeState, change: Any, field: str
) -> None:
    activate(client, TASHI, "tashi")
    answer = national(client, "6201", change(order_data(edge.url, "ORD-HOSTILE")))
    assert answer["infcode"] == -1
    assert field in answer["err_msg"], answer["err_msg"]


def test_the_largest_national_amount_is_accepted(client: TestClient, edge: EdgeState) -> None:
    activate(client, TASHI, "tashi")
    data = order_data(edge.url, "ORD-MAX", amounts=("99999999999999.99",))
    answer = national(client, "6201", _with_line(data, cnt=Decimal("10000"), pric=Decimal("9999999999.999999")))
    assert answer["infcode"] == 0, answer["err_msg"]
