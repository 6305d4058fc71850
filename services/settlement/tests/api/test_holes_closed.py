"""Holes an attacker or a careless HIS found at the door, each closed (issue 12, settlement's part)."""

from __future__ import annotations

from support import CIREN, ZHAXI, ZHUOMA, His, counts, line, open_outpatient, settle_input


def chronic_filing(his: His) -> str:
    data = {
        "psn_no": CIREN,
        "insutype": "390",
        "opsp_dise_code": "M03900",
        "opsp_dise_name": "高血压",
        "begndate": "2026-01-01",
    }
    return his.ok("2503", {"data": data}, insuplc="540100")["result"]["trt_dcla_detl_sn"]


def test_only_the_filing_institution_revokes_a_chronic_disease_filing(lhasa, clinic):
    serial = chronic_filing(lhasa)
    revoke = {"data": {"trt_dcla_detl_sn": serial, "psn_no": CIREN, "memo": "误报"}}
    before = counts(clinic.client.app)
    stranger = clinic.call("2504", revoke, insuplc="540100")
    assert stranger["infcode"] == -1 and "filed by another institution" in stranger["err_msg"]
    assert counts(clinic.client.app) == before
    assert lhasa.ok("2504", revoke, insuplc="540100") is None


def test_a_referral_serial_cannot_steer_the_call_to_another_path(lhasa, partners):
    before = len(partners.requests)
    answer = lhasa.call(
        "2502",
        {"data": {"trt_dcla_detl_sn": "../../../admin/v1/filings", "psn_no": ZHAXI, "memo": ""}},
        insuplc="540100",
    )
    assert answer["infcode"] == -1 and "trt_dcla_detl_sn must be the serial 2501 answered" in answer["err_msg"]
    assert len(partners.requests) == before


def test_a_referral_revocation_tells_remote_care_which_institution_asks(lhasa, partners):
    lhasa.ok("2502", {"data": {"trt_dcla_detl_sn": "RC20261124000001", "psn_no": ZHAXI, "memo": ""}}, insuplc="540100")
    sent = partners.requests[-1]
    assert sent.url.path == "/internal/v1/referral-filings/RC20261124000001/revoke"
    assert b'"fixmedins_code":"H54010000001"' in sent.content.replace(b" ", b"")


def test_a_settlement_paid_by_mobile_payment_is_refunded_only_through_the_mobile_payment_centre(client, clinic):
    centre = His(client, "H54010000002", "540100", paasid="mobile-pay-centre", token="dev-mobile-pay")
    centre.sign_in()
    mdtrt_id = open_outpatient(clinic, ZHUOMA)
    clinic.ok("2204", {"feedetail": [line("1", "002501010010000", "1", "30", mdtrt_id, ZHUOMA)]}, insuplc="540100")
    setl_id = centre.ok("2207", settle_input(ZHUOMA, mdtrt_id, "30"), insuplc="540100")["setlinfo"]["setl_id"]
    reverse = {"data": {"setl_id": setl_id, "mdtrt_id": mdtrt_id, "psn_no": ZHUOMA}}

    before = counts(client.app)
    direct = clinic.call("2208", reverse, insuplc="540100")
    assert direct["infcode"] == -1 and "refund it with 6203" in direct["err_msg"]
    assert counts(client.app) == before

    refunded = centre.ok("2208", reverse, insuplc="540100")
    assert refunded["setlinfo"]["medfee_sumamt"] == -30


def test_a_settlement_the_hospital_made_itself_is_still_reversed_by_2208(clinic):
    mdtrt_id = open_outpatient(clinic, ZHUOMA)
    clinic.ok("2204", {"feedetail": [line("1", "002501010010000", "1", "30", mdtrt_id, ZHUOMA)]}, insuplc="540100")
    setl_id = clinic.ok("2207", settle_input(ZHUOMA, mdtrt_id, "30"), insuplc="540100")["setlinfo"]["setl_id"]
    reverse = {"data": {"setl_id": setl_id, "mdtrt_id": mdtrt_id, "psn_no": ZHUOMA}}
    assert clinic.ok("2208", reverse, insuplc="540100")["setlinfo"]["setl_id"] != setl_id
