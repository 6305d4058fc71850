"""The door takes what deployed HIS software sends where its meaning is plain, and stays strict on money.

Shapes here are the ones issue reports and real clients show (msgid variants, extra envelope
fields, numbers for text and text for numbers, empty optionals, other paths and content types).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from support import ZHAXI, ZHUOMA, His, counts, line, open_outpatient, settle_input

from medshared import jsonutil
from medshared.national import gateway_headers
from settlement.outputs import ITEM_FLAGS


def person_query(his: His) -> dict:
    from support import PEOPLE

    return {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": PEOPLE[ZHUOMA]["certno"], "psn_cert_type": "01"}}


@pytest.mark.parametrize(
    "msgid",
    [
        "H54010000002202611241000001",  # an unpadded sequence: 27 characters
        "H540100000022026112410000012345",  # milliseconds and a sequence: 31
        "20261124100000123456",  # 20 characters without the institution code
        "H5401000000220261124100000AbCd",  # a letter tail
        "3f1c9a7e-52b4-4c1e-9d7a-0b6e8f2a4c11",  # a UUID with hyphens: 36
    ],
)
def test_a_msgid_of_any_printable_shape_is_accepted_and_replays_its_answer(clinic, msgid):
    first = clinic.call("1101", person_query(clinic), msgid=msgid)
    assert first["infcode"] == 0, first["err_msg"]
    again = clinic.call("1101", person_query(clinic), msgid=msgid)
    assert again == first
    other = clinic.call("1101", {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": "X"}}, msgid=msgid)
    assert other["infcode"] == -1 and "already used for a different request" in other["err_msg"]


def test_envelope_fields_of_later_editions_are_accepted_and_counted(clinic):
    envelope = clinic.envelope("1101", person_query(clinic))
    envelope.update(fixmedins_soft_fcty="某HIS厂商", recer_admdvs="540100", app_id="A1", enc_type="", local_x="1")
    answer = clinic.post(envelope)
    assert answer["infcode"] == 0, answer["err_msg"]
    metrics = clinic.client.get("/metrics").text
    assert 'national_envelope_extra_fields_total{field="fixmedins_soft_fcty"} 1.0' in metrics
    assert 'national_envelope_extra_fields_total{field="other"} 1.0' in metrics


def test_numbers_sent_for_text_and_text_for_numbers_settle_to_the_cent(clinic):
    mdtrt_id = open_outpatient(clinic, ZHUOMA)
    fee = line("1", "002501010010000", "1", "30", mdtrt_id, ZHUOMA)
    fee.update(cnt="1.0000", pric="30.000000", det_item_fee_sumamt="30.00", rx_circ_flag=0)
    envelope = clinic.envelope("2204", {"feedetail": [fee]}, insuplc="540100")
    envelope.update(infno=2204, opter_type=1)
    uploaded = clinic.post(envelope)
    assert uploaded["infcode"] == 0, uploaded["err_msg"]
    data = settle_input(ZHUOMA, mdtrt_id, "30")["data"]
    data.update(medfee_sumamt="30.00", acct_used_flag=0, psn_setlway=1)
    settled = clinic.ok("2207", {"data": data}, insuplc="540100")["setlinfo"]
    assert settled["medfee_sumamt"] == Decimal("30.00")
    assert settled["fund_pay_sumamt"] + settled["psn_part_amt"] == Decimal("30.00")


def test_an_optional_field_sent_empty_or_null_means_not_sent(clinic):
    envelope = clinic.envelope("1101", person_query(clinic))
    envelope.update(insuplc_admdvs=None, sign_no=clinic.sign_no, dev_no=None, cainfo=None)
    assert clinic.post(envelope)["infcode"] == 0
    answer = clinic.ok("5206", {"data": {"psn_no": ZHUOMA, "cum_ym": ""}}, insuplc="540100")
    assert answer["cuminfo"] and all(row["cum_ym"].isdigit() and len(row["cum_ym"]) == 6 for row in answer["cuminfo"])


def test_withdrawing_all_lines_of_a_stay_that_has_none_is_a_success_that_withdraws_nothing(lhasa):
    from test_inpatient import admit

    mdtrt_id = admit(lhasa)
    assert (
        lhasa.ok("2302", {"data": {"feedetl_sn": "0000", "mdtrt_id": mdtrt_id, "psn_no": ZHAXI}}, insuplc="540100")
        is None
    )
    named = lhasa.call("2302", {"data": {"feedetl_sn": "9", "mdtrt_id": mdtrt_id, "psn_no": ZHAXI}}, insuplc="540100")
    assert named["infcode"] == -1 and "no unsettled fee lines match feedetl_sn 9" in named["err_msg"]


@pytest.mark.parametrize(
    "path",
    [
        "/fsi/api/rsfComIfsService/callService/1101",
        "/fsi/api/fsiPsnInfoService/queryPsnInfo",
    ],
)
def test_the_door_answers_on_the_path_shapes_deployed_clients_post_to(clinic, path):
    body = jsonutil.dumps(clinic.envelope("1101", person_query(clinic)))
    headers = gateway_headers(clinic.paasid, clinic.token) | {"content-type": "text/plain;charset=utf-8"}
    answer = clinic.client.post(path, content=body, headers=headers).json()
    assert answer["infcode"] == 0, answer["err_msg"]
    assert answer["output"]["baseinfo"]["psn_no"] == ZHUOMA


def test_an_infno_in_the_path_must_agree_with_the_body(clinic):
    body = jsonutil.dumps(clinic.envelope("1101", person_query(clinic)))
    answer = clinic.client.post(
        "/fsi/api/rsfComIfsService/callService/2207", content=body, headers=gateway_headers(clinic.paasid, clinic.token)
    ).json()
    assert answer["infcode"] == -1 and "infno: the body says 1101 but the path says 2207" in answer["err_msg"]


def test_a_wrong_value_is_named_in_a_clerks_words_never_a_librarys(clinic):
    mdtrt_id = open_outpatient(clinic, ZHUOMA)
    fee = line("1", "002501010010000", "1", "30", mdtrt_id, ZHUOMA)
    fee["cnt"] = "abc"
    fee["fee_ocur_time"] = "yesterday"
    answer = clinic.call("2204", {"feedetail": [fee]}, insuplc="540100")
    assert answer["infcode"] == -1
    assert "input.feedetail[0].cnt: must be a decimal number such as 12.50 (got 'abc')" in answer["err_msg"]
    assert "input.feedetail[0].fee_ocur_time: must be yyyy-MM-dd HH:mm:ss" in answer["err_msg"]
    assert "Input should" not in answer["err_msg"]


def test_the_treatment_check_answers_its_rows_under_trtinfo(clinic):
    data = {
        "psn_no": ZHUOMA,
        "insutype": "390",
        "fixmedins_code": clinic.code,
        "med_type": "11",
        "begntime": "2026-11-24 09:00:00",
    }
    rows = clinic.ok("2001", {"data": data}, insuplc="540100")["trtinfo"]
    assert rows[0]["psn_no"] == ZHUOMA and rows[0]["trt_enjymnt_flag"] == "1"


def test_every_fee_result_row_carries_the_item_fields_and_a_numeric_price_cap(clinic):
    mdtrt_id = open_outpatient(clinic, ZHUOMA)
    lines = [
        line("1", "002501010010000", "1", "30", mdtrt_id, ZHUOMA),  # a service item without a cap
        line("2", "XJ01DCC041B002010100002", "2", "15", mdtrt_id, ZHUOMA),  # a drug above its 12.00 cap
        line("3", "NOT-IN-CATALOGUE", "1", "5", mdtrt_id, ZHUOMA),
    ]
    result = clinic.ok("2204", {"feedetail": lines}, insuplc="540100")["result"]
    for row in result:
        assert isinstance(row["pric_uplmt_amt"], Decimal)
        assert row["med_chrgitm_type"] and all(row[flag] in ("0", "1") for flag in ITEM_FLAGS)
    uncapped, drug, unknown = result
    assert uncapped["pric_uplmt_amt"] == Decimal("99999999.000000")
    assert uncapped["med_chrgitm_type"] == "04"  # 化验费, as the catalogue row says
    assert (drug["pric_uplmt_amt"], drug["overlmt_amt"], drug["med_chrgitm_type"]) == (
        Decimal("12.00"),
        Decimal("6.00"),
        "09",
    )
    assert unknown["fulamt_ownpay_amt"] == Decimal("5.00") and "not in the catalogue" in unknown["memo"]


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("pric", Decimal("1E+20"), "input.feedetail[0].pric: must be below 10,000,000,000"),
        ("det_item_fee_sumamt", Decimal("1E+400"), "input.feedetail[0].det_item_fee_sumamt: must be below"),
        ("cnt", Decimal("1" * 61), "input.feedetail[0].cnt: must be below"),
        ("det_item_fee_sumamt", Decimal("30.001"), "has more than 2 decimal places"),
        ("pric", "NaN", "must be a finite decimal number"),
    ],
)
def test_an_amount_beyond_the_national_bounds_is_refused_and_nothing_is_stored(clinic, field, value, says):
    mdtrt_id = open_outpatient(clinic, ZHUOMA)
    fee = line("1", "002501010010000", "1", "30", mdtrt_id, ZHUOMA)
    fee[field] = value
    before = counts(clinic.client.app)
    answer = clinic.call("2204", {"feedetail": [fee]}, insuplc="540100")
    assert answer["infcode"] == -1 and says in answer["err_msg"], answer["err_msg"]
    assert counts(clinic.client.app) == before


def test_a_settlement_total_beyond_n16_2_is_refused(clinic):
    mdtrt_id = open_outpatient(clinic, ZHUOMA)
    answer = clinic.call("2206", settle_input(ZHUOMA, mdtrt_id, "100000000000000"), insuplc="540100")
    assert answer["infcode"] == -1 and "input.data.medfee_sumamt: must be below" in answer["err_msg"]


def test_envelope_keys_in_another_case_and_a_node_sent_without_its_wrapper_are_read(client):
    his = His(client, "H54010000002", "540100")
    envelope = his.envelope("9001", {})
    del envelope["input"]
    envelope["Input"] = {"opter_no": "001", "mac": "00-00-00-00-00-00", "ip": "127.0.0.1"}
    answer = his.post(envelope)
    assert answer["infcode"] == 0, answer["err_msg"]
    assert answer["output"]["signinoutb"]["sign_no"]


def test_iso_datetimes_with_a_t_are_read_as_the_national_datetime(clinic):
    from support import PEOPLE

    p = PEOPLE[ZHUOMA]
    data = {
        "psn_no": ZHUOMA,
        "insutype": p["insutype"],
        "begntime": "2026-11-24T09:00:00",
        "mdtrt_cert_type": "02",
        "mdtrt_cert_no": p["certno"],
        "ipt_otp_no": "OP-T",
        "atddr_no": "DR1",
        "dr_name": "医生",
        "dept_code": "D01",
        "dept_name": "内科",
        "caty": "A03",
    }
    assert clinic.ok("2201", {"data": data}, insuplc="540100")["data"]["mdtrt_id"]


def test_a_withdrawal_sent_as_a_list_withdraws_each_named_line(lhasa):
    from test_inpatient import admit

    mdtrt_id = admit(lhasa)
    lines = [line(sn, "003301000010000", "1", "100", mdtrt_id, ZHAXI) for sn in ("1", "2", "3")]
    lhasa.ok("2301", {"feedetail": lines}, insuplc="540100")
    items = [{"feedetl_sn": sn, "mdtrt_id": mdtrt_id, "psn_no": ZHAXI} for sn in ("1", "2")]
    lhasa.ok("2302", {"data": items}, insuplc="540100")
    trial = lhasa.ok("2303", settle_input(ZHAXI, mdtrt_id, "100", med_type="21", mid_setl_flag="1"), insuplc="540100")
    assert trial["setlinfo"]["medfee_sumamt"] == Decimal("100.00")


def test_a_trial_settlement_does_not_recheck_the_credential_but_the_final_one_does(clinic):
    mdtrt_id = open_outpatient(clinic, ZHUOMA)
    clinic.ok("2204", {"feedetail": [line("1", "002501010010000", "1", "30", mdtrt_id, ZHUOMA)]}, insuplc="540100")
    placeholder = settle_input(ZHUOMA, mdtrt_id, "30", mdtrt_cert_no="02")
    assert clinic.ok("2206", placeholder, insuplc="540100")["setlinfo"]["setl_id"] is None
    final = clinic.call("2207", placeholder, insuplc="540100")
    assert final["infcode"] == -1 and "mdtrt_cert_no is not the ID number" in final["err_msg"]


def test_a_gateways_fixed_door_path_is_the_same_door(clinic):
    body = jsonutil.dumps(clinic.envelope("1101", person_query(clinic)))
    answer = clinic.client.post(
        "/uif-hsaf-med-api/api/medical/service", content=body, headers=gateway_headers(clinic.paasid, clinic.token)
    ).json()
    assert answer["infcode"] == 0, answer["err_msg"]


@pytest.mark.parametrize("sent", ["20261124", "2026/11/24", "2026/11/24 9:30:00"])
def test_an_admission_time_sent_as_a_compact_or_slashed_date_is_read(lhasa, sent):
    from test_inpatient import admit

    mdtrt_id = admit(lhasa)
    assert mdtrt_id
    data = {"mdtrt_id": mdtrt_id, "psn_no": ZHAXI, "begntime": sent}
    assert lhasa.ok("2403", {"adminfo": data}, insuplc="540100") is None


@pytest.mark.parametrize(
    "path",
    [
        "/fsi/api/fsiPsnInfoService/queryPsnInfo",
        "/fsi/api/rsfComIfsService/callService/1101",
        "/uif-hsaf-med-api/api/medical/service",
    ],
)
def test_every_door_path_refuses_a_stranger_as_the_canonical_one_does(clinic, path):
    body = jsonutil.dumps(clinic.envelope("1101", person_query(clinic)))
    unsigned = clinic.client.post(path, content=body)
    assert unsigned.status_code == 401 and unsigned.json()["infcode"] == -1
    # Lhasa's credential signing a call for the clinic: another institution's data.
    other = clinic.client.post(path, content=body, headers=gateway_headers("H54010000001", "demo-H54010000001"))
    assert other.status_code == 403 and "is not the institution of credential H54010000001" in other.json()["err_msg"]
