"""Operator REST for versioned catalogues and policies; HIS referral filings via remote-care."""

from __future__ import annotations

import copy
import json

from support import POLICY, ZHAXI, ZHUOMA, counts, line, open_outpatient, settle_input


def _zhuoma_policy(client):
    policies = client.get("/admin/v1/policies", headers=POLICY).json()
    return next(p for p in policies if p["policy_id"] == "540100-390-2026")


def test_operators_list_the_loaded_catalogue_and_policies(client):
    catalogues = client.get("/admin/v1/catalogues", headers=POLICY).json()
    assert [(c["catalogue_id"], c["version"], c["items"]) for c in catalogues] == [("catalogue-2026", "1", 9)]
    policies = client.get("/admin/v1/policies", headers=POLICY).json()
    assert {p["policy_id"] for p in policies} >= {"540100-390-2026", "540100-310-2026", "540100-maf-2026"}


def test_a_published_policy_version_applies_from_its_date_and_settlements_record_it(client, clinic):
    policy = copy.deepcopy(_zhuoma_policy(client)["policy"])
    policy.update(version="2", effective_from="2026-06-01")
    policy["outpatient"]["deductible"] = "0"
    answer = client.post("/admin/v1/policies", json={"kind": "region", "policy": policy}, headers=POLICY)
    assert answer.status_code == 201 and answer.json()["version"] == "2"

    mdtrt_id = open_outpatient(clinic, ZHUOMA)
    clinic.ok("2204", {"feedetail": [line("1", "002501010010000", "1", "100", mdtrt_id, ZHUOMA)]}, insuplc="540100")
    info = clinic.ok("2207", settle_input(ZHUOMA, mdtrt_id, "100"), insuplc="540100")["setlinfo"]
    assert str(info["act_pay_dedc"]) == "0.00" and str(info["hifp_pay"]) == "40.00"


def test_publishing_malformed_or_duplicate_versions_answers_problem_details(client):
    policy = _zhuoma_policy(client)["policy"]
    duplicate = client.post("/admin/v1/policies", json={"kind": "region", "policy": policy}, headers=POLICY)
    assert duplicate.status_code == 409 and duplicate.json()["code"] == "version_exists"
    before = counts(client.app)
    broken = client.post(
        "/admin/v1/policies", json={"kind": "region", "policy": dict(policy, version="9", ratios=1)}, headers=POLICY
    )
    assert broken.status_code == 422 and "unknown field" in broken.json()["detail"]
    assert broken.headers["content-type"] == "application/problem+json"
    assert counts(client.app) == before


def test_a_referral_filing_is_forwarded_to_remote_care(lhasa, partners):
    refmedin = {
        "psn_no": ZHAXI,
        "insutype": "390",
        "diag_code": "C34.900",
        "diag_name": "肺癌",
        "reflin_medins_no": "H11010000001",
        "reflin_medins_name": "北京市第一医院(演示)",
        "mdtrtarea_admdvs": "110100",
        "refl_type": "1",
        "refl_date": "2026-11-24",
        "refl_rea": "技术",
        "refl_opnn": "同意",
    }
    out = lhasa.ok("2501", {"refmedin": refmedin}, insuplc="540100")
    assert out["result"]["trt_dcla_detl_sn"] == "RC20261124000001"
    sent = json.loads(partners.requests[-1].content)
    assert (sent["psn_no"], sent["insuplc_admdvs"], sent["fixmedins_code"], sent["reflin_medins_no"]) == (
        ZHAXI,
        "540100",
        "H54010000001",
        "H11010000001",
    )


def test_a_referral_filing_while_remote_care_is_down_asks_to_retry(lhasa, partners):
    partners.remote_care_up = False
    answer = lhasa.call("2502", {"data": {"trt_dcla_detl_sn": "RC1", "psn_no": ZHAXI, "memo": ""}}, insuplc="540100")
    assert answer["infcode"] == -1 and answer["err_msg"] == "remote-care unavailable, retry"


def test_an_out_of_area_resettled_retiree_settles_in_beijing_without_reduction(client):
    from support import His

    beijing = His(client, "H11010000001", "110100")
    beijing.sign_in()
    wugang = "43060000000000000002"
    mdtrt_id = open_outpatient(beijing, wugang)
    beijing.ok("2204", {"feedetail": [line("1", "002501010010000", "1", "1200", mdtrt_id, wugang)]}, insuplc="430600")
    info = beijing.ok("2207", settle_input(wugang, mdtrt_id, "1200"), insuplc="430600")["setlinfo"]
    assert (str(info["hifp_pay"]), info["clr_optins"], info["clr_type"]) == ("600.00", "110100", "11")
