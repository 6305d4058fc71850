"""Every refusal of the issue: infcode -1, an err_msg a clerk can act on, and nothing stored."""

from __future__ import annotations

import pytest
from support import CIREN, ZHAXI, ZHUOMA, His, counts, enrollment_events, line, open_outpatient, settle_input

from settlement.messaging import consumer


def refused(his, infno, input_, expected, **kw):
    before = counts(his.client.app)
    answer = his.call(infno, input_, **kw)
    assert answer["infcode"] == -1
    assert expected in answer["err_msg"]
    assert counts(his.client.app) == before
    return answer


@pytest.fixture
def visit(clinic):
    mdtrt_id = open_outpatient(clinic, ZHUOMA)
    clinic.ok("2204", {"feedetail": [line("1", "002501010010000", "1", "30", mdtrt_id, ZHUOMA)]}, insuplc="540100")
    return mdtrt_id


def test_a_msgid_longer_than_the_stored_length_is_refused_naming_the_limit(clinic):
    envelope = clinic.envelope("1101", {"data": {}}, msgid="H54010000002" + "9" * 60)
    before = counts(clinic.client.app)
    answer = clinic.post(envelope)
    assert (
        answer["infcode"] == -1 and "msgid: must be a printable message id of 1 to 64 characters" in answer["err_msg"]
    )
    assert counts(clinic.client.app) == before


def test_an_unknown_person_is_refused(clinic):
    refused(
        clinic,
        "1101",
        {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": "110101199001010000"}},
        "no insured person has the ID number",
    )


def test_registration_with_a_pool_that_is_not_the_persons_is_refused(clinic):
    data = {
        "psn_no": ZHAXI,
        "insutype": "390",
        "begntime": "2026-11-24 09:00:00",
        "mdtrt_cert_type": "02",
        "mdtrt_cert_no": "540102198005010110",
        "ipt_otp_no": "OP1",
        "atddr_no": "D",
        "dr_name": "D",
        "dept_code": "D",
        "dept_name": "D",
        "caty": "A03",
    }
    refused(clinic, "2201", {"data": data}, "is not psn_no 54010000000000000001's pool; send 540100", insuplc="341300")


def test_a_suspended_person_cannot_be_registered(clinic):
    runtime = clinic.client.app.state.runtime
    for event in enrollment_events(ZHAXI, status="suspended", version=2)[1:2]:
        with runtime.unit_of_work() as session:
            consumer.handle(session, event)
    data = {
        "psn_no": ZHAXI,
        "insutype": "390",
        "begntime": "2026-11-24 09:00:00",
        "mdtrt_cert_type": "02",
        "mdtrt_cert_no": "540102198005010110",
        "ipt_otp_no": "OP1",
        "atddr_no": "D",
        "dr_name": "D",
        "dept_code": "D",
        "dept_name": "D",
        "caty": "A03",
    }
    refused(clinic, "2201", {"data": data}, "enrollment is suspended on 2026-11-24", insuplc="540100")


def test_a_fee_line_whose_amount_is_not_cnt_times_pric_refuses_the_whole_upload(clinic, visit):
    lines = [
        line("2", "002501010010000", "1", "30", visit, ZHUOMA),
        line("3", "002501010010000", "2", "30", visit, ZHUOMA, amount="59.00"),
    ]
    refused(
        clinic,
        "2204",
        {"feedetail": lines},
        "fee line 3: det_item_fee_sumamt 59.00 differs from cnt x pric = 60.00",
        insuplc="540100",
    )


def test_a_settlement_whose_total_does_not_match_the_uploaded_lines_is_refused(clinic, visit):
    refused(
        clinic, "2206", settle_input(ZHUOMA, visit, "31"), "does not match the 1 unsettled fee lines", insuplc="540100"
    )
    refused(clinic, "2207", settle_input(ZHUOMA, visit, "31"), "which total 30.00", insuplc="540100")


def test_settling_twice_is_refused(clinic, visit):
    clinic.ok("2207", settle_input(ZHUOMA, visit, "30"), insuplc="540100")
    refused(clinic, "2207", settle_input(ZHUOMA, visit, "30"), "is already settled", insuplc="540100")


def test_reversing_twice_is_refused(clinic, visit):
    setl_id = clinic.ok("2207", settle_input(ZHUOMA, visit, "30"), insuplc="540100")["setlinfo"]["setl_id"]
    clinic.ok("2208", {"data": {"setl_id": setl_id, "mdtrt_id": visit, "psn_no": ZHUOMA}}, insuplc="540100")
    refused(
        clinic,
        "2208",
        {"data": {"setl_id": setl_id, "mdtrt_id": visit, "psn_no": ZHUOMA}},
        "was already reversed",
        insuplc="540100",
    )


def test_a_chronic_visit_without_a_chronic_filing_is_refused(clinic):
    mdtrt_id = open_outpatient(clinic, CIREN)
    refused(
        clinic,
        "2203",
        {
            "mdtrtinfo": {
                "mdtrt_id": mdtrt_id,
                "psn_no": CIREN,
                "med_type": "14",
                "begntime": "2026-11-24 09:00:00",
                "dise_codg": "M03900",
            }
        },
        "needs an active chronic-disease filing (2503)",
        insuplc="540100",
    )


def test_a_chronic_visit_settles_once_the_chronic_filing_exists(clinic):
    clinic.ok(
        "2503",
        {
            "data": {
                "psn_no": CIREN,
                "insutype": "390",
                "opsp_dise_code": "M03900",
                "opsp_dise_name": "高血压",
                "begndate": "2026-01-01",
            }
        },
        insuplc="540100",
    )
    mdtrt_id = open_outpatient(clinic, CIREN, med_type="14", dise_codg="M03900")
    clinic.ok(
        "2204", {"feedetail": [line("1", "XA10BAA059A001010100001", "10", "20", mdtrt_id, CIREN)]}, insuplc="540100"
    )
    info = clinic.ok("2207", settle_input(CIREN, mdtrt_id, "200", med_type="14"), insuplc="540100")["setlinfo"]
    assert str(info["hifp_pay"]) == "160.00"  # chronic: no deductible, 0.80


def test_fee_lines_before_the_visit_information_are_refused_saying_what_comes_first(clinic):
    data = {
        "psn_no": ZHUOMA,
        "insutype": "390",
        "begntime": "2026-11-24 09:00:00",
        "mdtrt_cert_type": "02",
        "mdtrt_cert_no": "54010219750312022X",
        "ipt_otp_no": "OP1",
        "atddr_no": "D",
        "dr_name": "D",
        "dept_code": "D",
        "dept_name": "D",
        "caty": "A03",
    }
    mdtrt_id = clinic.ok("2201", {"data": data}, insuplc="540100")["data"]["mdtrt_id"]
    refused(
        clinic,
        "2204",
        {"feedetail": [line("1", "002501010010000", "1", "30", mdtrt_id, ZHUOMA)]},
        "upload the visit information (2203) before the fee lines",
        insuplc="540100",
    )


def test_a_missing_input_field_is_named(clinic):
    refused(clinic, "2201", {"data": {"psn_no": ZHAXI}}, "input.data.insutype: is required", insuplc="540100")


def test_another_institution_cannot_touch_a_visit(client, clinic, visit):
    other = His(client, "H54010000001", "540100")
    other.sign_in()
    refused(
        other,
        "2207",
        settle_input(ZHUOMA, visit, "30"),
        f"mdtrt_id {visit} is not a visit of H54010000001",
        insuplc="540100",
    )
