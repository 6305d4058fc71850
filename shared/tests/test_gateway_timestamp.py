"""x-tif-timestamp is Unix seconds in ASCII digits: anything else is a refusal naming the header, never a 500."""

import time

import pytest

from medshared.national import GatewayHeaders, GatewayRefused, gateway_signature

TOKEN = "demo-H54010000001"
NOW = 1_764_633_600


def signed(timestamp: str) -> dict[str, str]:
    """Headers a HIS would send, correctly signed over whatever timestamp it put in."""
    return {
        "x-tif-paasid": "H54010000001",
        "x-tif-timestamp": timestamp,
        "x-tif-nonce": "n-1",
        "x-tif-signature": gateway_signature(timestamp, TOKEN, "n-1"),
    }


def refusal(timestamp: str) -> str:
    with pytest.raises(GatewayRefused) as refused:
        GatewayHeaders(signed(timestamp)).verify(TOKEN, max_skew_seconds=300, now=NOW)
    return str(refused.value)


@pytest.mark.parametrize(
    "timestamp",
    [
        "²",
        "١٧٦٤٦٣٣٦٠٠",  # Arabic-Indic digits: str.isdigit() and int() both accept them
        "۱۷۶۴۶۳۳۶۰۰",  # Extended Arabic-Indic
        "１７６４６３３６００",  # fullwidth
        "176463360０",  # one fullwidth digit at the end
        "1764633600²",
        "-1764633600",
        "+1764633600",
        " 1764633600",
        "1764633600\n",
        "1_764_633_600",
        "1.7646336e9",
        "0x692dc600",
    ],
)
def test_a_timestamp_that_is_not_ascii_digits_is_refused_naming_x_tif_timestamp(timestamp: str) -> None:
    message = refusal(timestamp)
    assert "x-tif-timestamp" in message and "Unix seconds" in message and "ASCII digits" in message


def test_a_timestamp_of_thousands_of_digits_is_refused_naming_x_tif_timestamp() -> None:
    # int() of more than 4300 digits raises ValueError in Python 3.11+.
    assert "x-tif-timestamp" in refusal("9" * 5000)


def test_a_timestamp_in_ascii_unix_seconds_within_the_window_is_accepted() -> None:
    GatewayHeaders(signed(str(NOW - 10))).verify(TOKEN, max_skew_seconds=300, now=NOW)
    GatewayHeaders(signed(str(int(time.time())))).verify(TOKEN, max_skew_seconds=300)
