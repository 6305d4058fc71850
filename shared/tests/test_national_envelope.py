import datetime as dt

import pytest

from medshared.national import (
    EnvelopeError,
    extra_fields,
    gateway_signature,
    parse_inf_time,
    parse_request,
    response,
    signature_matches,
)


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
        ({"msgid": "H" * 65}, "msgid: must be a printable message id of 1 to 64 characters"),
        ({"msgid": "H5401000000120261124\n0001"}, "msgid: must be a printable message id"),
        ({"msgid": ""}, "msgid: must be a printable message id"),
        ({"msgid": None}, "msgid: is required"),
        ({"inf_time": "2026/11/24 10:30"}, "inf_time: must be the time of the call as yyyy-MM-dd HH:mm:ss"),
        ({"mdtrtarea_admvs": "5401"}, "mdtrtarea_admvs"),
        ({"opter_type": "9"}, "opter_type"),
        ({"infno": "abcd"}, "infno"),
        ({"opter_type": True}, "opter_type: must be text"),
        ({"recer_sys_code": ""}, "recer_sys_code: is required"),
    ],
)
def test_a_malformed_envelope_is_refused_naming_the_field(overrides, names):
    with pytest.raises(EnvelopeError) as err:
        parse_request(envelope(**overrides))
    assert names in str(err.value)


@pytest.mark.parametrize(
    ("overrides", "field", "read_as"),
    [
        ({"opter_type": 1}, "opter_type", "1"),
        ({"infno": 2207}, "infno", "2207"),
        ({"msgid": "3f1c9a7e-52b4-4c1e-9d7a-0b6e8f2a4c11"}, "msgid", "3f1c9a7e-52b4-4c1e-9d7a-0b6e8f2a4c11"),
        ({"inf_time": "2026-11-24T10:30:00.123"}, "inf_time", "2026-11-24 10:30:00"),
        ({"insuplc_admdvs": None}, "insuplc_admdvs", ""),
        ({"input": '{"data": {"psn_no": "1"}}'}, "input", {"data": {"psn_no": "1"}}),
    ],
)
def test_what_deployed_clients_send_is_read_as_the_spec_means_it(overrides, field, read_as):
    assert getattr(parse_request(envelope(**overrides)), field) == read_as


@pytest.mark.parametrize(
    ("sent", "moment"),
    [
        ("2026-11-24 10:30:00", dt.datetime(2026, 11, 24, 10, 30)),
        (" 2026-11-24T10:30:05.250 ", dt.datetime(2026, 11, 24, 10, 30, 5)),
        ("2026/11/24 10:30:00", dt.datetime(2026, 11, 24, 10, 30)),
        ("20261124103000", dt.datetime(2026, 11, 24, 10, 30)),
        ("2026-1-4 9:05:00", dt.datetime(2026, 1, 4, 9, 5)),  # unpadded, as strptime has always read it
        ("2026-02-30 10:30:00", None),
        ("2026-11-24 24:00:00", None),
        ("2026-W48-2 10:30:00", None),  # an ISO week date is no inf_time
        ("２０２６-11-24 10:30:00", dt.datetime(2026, 11, 24, 10, 30)),  # full-width digits, as strptime reads them
        ("", None),
    ],
)
def test_inf_time_is_read_in_every_shape_deployed_clients_send_and_nothing_else(sent, moment):
    assert parse_inf_time(sent) == moment


def test_fields_the_spec_does_not_list_are_ignored_and_named_for_the_metric():
    body = envelope(fixmedins_soft_fcty="vendor", enc_type="", my_local_field="x")
    assert parse_request(body).infno == "1101"
    assert sorted(extra_fields(body)) == ["enc_type", "fixmedins_soft_fcty", "other"]


def test_a_field_in_another_case_is_the_spec_field_unless_both_are_sent():
    body = envelope()
    body["Input"] = body.pop("input")
    assert parse_request(body).input == {"data": {}}
    both = envelope(Input={"data": {"psn_no": "other"}})
    assert parse_request(both).input == {"data": {}}


def test_an_infno_in_the_path_fills_a_missing_one_and_must_agree_with_a_present_one():
    body = envelope()
    del body["infno"]
    assert parse_request(body, infno="2207").infno == "2207"
    with pytest.raises(EnvelopeError, match="the body says 1101 but the path says 2207"):
        parse_request(envelope(), infno="2207")


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
