import datetime as dt
from collections import namedtuple
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


def _walked(value):
    """How events were written before: a copy with every Decimal as text, tuples as lists, dates
    as ISO text, then `jsonutil.dumps`."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _walked(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_walked(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def test_an_event_is_written_exactly_as_before_amounts_as_text_in_one_pass():
    Part = namedtuple("Part", "fund_pay_type fund_payamt")
    payload = {
        "setlinfo": {"hifp_pay": Decimal("7677.60"), "balc": Decimal("0"), "neg": Decimal("-0.01"), "cnt": 3},
        "setldetail": [Part("310100", Decimal("60.00")), (Decimal("1E+2"), "x")],
        "big": Decimal("99999999999999.99"),
        "flags": [True, False, None, 0.5],
        "name": '扎西 "quoted"',
        "day": dt.date(2026, 12, 7),
        "at": dt.datetime(2026, 12, 7, 23, 45, 3, 123456, tzinfo=dt.UTC),
        "nested": {"deeper": [{"amt": Decimal("12.3")}]},
    }
    event = Event(event_type="VisitSettled", key="540100", payload=payload, producer="settlement")
    assert event.to_json() == jsonutil.dumps(_walked(event.envelope()))
    assert jsonutil.loads(event.to_json())["payload"]["setldetail"][0] == ["310100", "60.00"]


def test_logs_mask_id_numbers():
    assert mask_text("certno 540102198005010110 and 54010219750312022X") == (
        "certno 540102********0110 and 540102********022X"
    )
