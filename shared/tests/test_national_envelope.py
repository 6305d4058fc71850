import datetime as dt

import pytest

from medshared.national import EnvelopeError, gateway_signature, parse_request, response, signature_matches


def envelope(**overrides):
    body = {
        "infno": "1101",
        "msgid": "H54010000001" + "20261124103000" + "0001",
        "mdtrtarea_admvs": "540100",
        "insuplc_admdvs": "540100",
        "recer_sys_code": "YBXT",
        "infver": "V1.0",
        "opter_type": "1",
        "opter": "0001",
        "opter_name": "收费员",
        "inf_time": "2026-11-24 10:30:00",
        "fixmedins_code": "H54010000001",
        "fixmedins_name": "拉萨市第一人民医院",
        "sign_no": "S1",
        "input": {"data": {}},
    }
    body.update(overrides)
    return body


def test_a_well_formed_envelope_is_accepted():
    req = parse_request(envelope())
    assert req.infno == "1101"
    assert req.inf_datetime == dt.datetime(2026, 11, 24, 10, 30)


@pytest.mark.parametrize(
    ("overrides", "names"),
    [
        ({"msgid": "H54010000002202611241030000001"}, "msgid must be 30 characters: fixmedins_code H54010000001"),
        ({"msgid": "H540100000012026112410300001"}, "msgid"),
        ({"inf_time": "2026/11/24 10:30"}, "inf_time: must be yyyy-MM-dd HH:mm:ss"),
        ({"mdtrtarea_admvs": "5401"}, "mdtrtarea_admvs"),
        ({"opter_type": "9"}, "opter_type"),
        ({"infno": "abcd"}, "infno"),
        ({"unexpected": "x"}, "unexpected: not a field of the national envelope"),
        ({"recer_sys_code": ""}, "recer_sys_code: is required"),
    ],
)
def test_a_malformed_envelope_is_refused_naming_the_field(overrides, names):
    with pytest.raises(EnvelopeError) as err:
        parse_request(envelope(**overrides))
    assert names in str(err.value)


def test_a_missing_field_is_named():
    body = envelope()
    del body["infver"]
    with pytest.raises(EnvelopeError, match="infver: is required"):
        parse_request(body)


def test_a_non_object_body_is_refused():
    with pytest.raises(EnvelopeError, match="JSON object"):
        parse_request([1, 2])


def test_the_response_carries_national_ids_and_times():
    received = dt.datetime(2026, 11, 24, 10, 30, 0, 123000)
    ok = response(admdvs="540100", received=received, output={"x": 1})
    assert ok["infcode"] == 0 and ok["output"] == {"x": 1} and ok["err_msg"] is None
    assert len(ok["inf_refmsgid"]) == 30 and ok["inf_refmsgid"].startswith("540100")
    assert ok["refmsg_time"] == "20261124103000123" and len(ok["respond_time"]) == 17
    bad = response(admdvs="540100", received=received, output={"x": 1}, err_msg="no")
    assert bad["infcode"] == -1 and bad["output"] is None and bad["err_msg"] == "no"


def test_the_gateway_signature_is_sha256_of_timestamp_token_nonce_timestamp():
    import hashlib

    expected = hashlib.sha256(b"1700000000tokennonce1700000000").hexdigest()
    assert gateway_signature("1700000000", "token", "nonce") == expected
    assert signature_matches(expected.upper(), "1700000000", "token", "nonce")
    assert not signature_matches(expected, "1700000001", "token", "nonce")


@pytest.mark.parametrize(
    ("change", "names"),
    [
        ({"x-tif-nonce": ""}, "are all required"),
        ({"x-tif-nonce": "n" * 65}, "x-tif-nonce must be at most 64"),
        ({"x-tif-timestamp": "yesterday"}, "x-tif-timestamp must be Unix seconds"),
    ],
)
def test_unusable_gateway_headers_are_refused_naming_the_header(change, names):
    from medshared.national import GatewayHeaders, GatewayRefused, gateway_headers

    with pytest.raises(GatewayRefused, match=names):
        GatewayHeaders({**gateway_headers("H54010000001", "t0k"), **change})


def test_gateway_headers_verify_the_token_and_the_clock():
    from medshared.national import GatewayHeaders, GatewayRefused, gateway_headers

    signed = GatewayHeaders(gateway_headers("H54010000001", "t0k", now=1_800_000_000))
    signed.verify("t0k", max_skew_seconds=300, now=1_800_000_100)
    with pytest.raises(GatewayRefused, match="x-tif-signature does not match"):
        signed.verify("other", max_skew_seconds=300, now=1_800_000_100)
    with pytest.raises(GatewayRefused, match="x-tif-timestamp is too far"):
        signed.verify("t0k", max_skew_seconds=300, now=1_800_000_301)
