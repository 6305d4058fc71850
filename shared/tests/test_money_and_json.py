from decimal import Decimal

import pytest

from medshared import jsonutil
from medshared.events import Event
from medshared.logs import mask_text
from medshared.money import NotMoney, money


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0.005", "0.01"), ("0.004", "0.00"), ("-0.005", "-0.01"), ("2.675", "2.68"), (7, "7.00"), ("10497", "10497.00")],
)
def test_money_rounds_half_up_to_the_cent(value, expected):
    assert money(value) == Decimal(expected)
    assert str(money(value)) == expected


@pytest.mark.parametrize("value", [0.1, "abc", None, "NaN", True])
def test_money_refuses_inexact_or_non_numbers(value):
    with pytest.raises(NotMoney):
        money(value)


def test_json_reads_and_writes_amounts_without_float():
    data = jsonutil.loads('{"amt": 10497.00, "cnt": 0.1}')
    assert data == {"amt": Decimal("10497.00"), "cnt": Decimal("0.1")}
    assert jsonutil.dumps(data) == '{"amt":10497.00,"cnt":0.1}'


def test_an_event_survives_the_wire_with_amounts_as_decimal_strings():
    event = Event(
        event_type="VisitSettled", key="540100", payload={"hifp_pay": Decimal("7677.60")}, producer="settlement"
    )
    back = Event.from_json(event.to_json())
    assert back == event.__class__(**{**event.__dict__, "payload": {"hifp_pay": "7677.60"}})


def test_logs_mask_id_numbers():
    assert mask_text("certno 540102198005010110 and 54010219750312022X") == (
        "certno 540102********0110 and 540102********022X"
    )
