"""Authentication, sign-in, msgid idempotency and the transactions that identify a person."""

from __future__ import annotations

from decimal import Decimal

from support import WANGQIANG, ZHAXI, ZHUOMA, His, counts, line, make_client, open_outpatient, settle_input

from medshared.national import gateway_headers

QUERY_ZHAXI = {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": "540102198005010110", "psn_cert_type": "01"}}


def test_a_call_without_gateway_headers_is_refused_with_401(client, lhasa):
    from medshared import jsonutil

    answer = client.post(
        "/fsi/api/rsfComIfsService/callService", content=jsonutil.dumps(lhasa.envelope("1101", QUERY_ZHAXI))
    )
    assert answer.status_code == 401
    assert answer.json()["infcode"] == -1 and "x-tif-paasid" in answer.json()["err_msg"]


def test_a_wrong_signature_is_refused(lhasa):
    headers = gateway_headers("H54010000001", "demo-wrong")
    answer = lhasa.post(lhasa.envelope("1101", QUERY_ZHAXI), headers=headers)
    assert answer["infcode"] == -1 and "x-tif-signature" in answer["err_msg"]


def test_one_institution_cannot_call_in_the_name_of_another(client, lhasa):
    intruder = His(client, "H54010000001", "540100", paasid="H54010000002", token="demo-H54010000002")
    intruder.sign_no = lhasa.sign_no
    answer = intruder.call("1101", QUERY_ZHAXI)
    assert answer["infcode"] == -1 and "not the institution of credential" in answer["err_msg"]


def test_the_mobile_payment_centre_may_act_for_any_institution(client, lhasa):
    centre = His(client, "H54010000001", "540100", paasid="mobile-pay-centre", token="dev-mobile-pay")
    centre.sign_no = lhasa.sign_no
    assert centre.ok("1101", QUERY_ZHAXI)["baseinfo"]["psn_no"] == ZHAXI


def test_production_refuses_demo_credentials(migrated_url, partners):
    with make_client(
        migrated_url,
        partners,
        environment="production",
        internal_token="s3cret",
        mobile_pay_token="s3cret",
        operator_tokens={"s3cret": {"operator": "policy-01", "roles": ["policy"]}},
    ) as prod:
        from settlement.demo import load_demo

        load_demo(prod.app.state.runtime)
        answer = His(prod, "H54010000001", "540100").call("9001", {"signIn": {"opter_no": "1", "ip": "127.0.0.1"}})
    assert answer["infcode"] == -1 and "demo credentials are refused in production" in answer["err_msg"]


def test_business_calls_need_a_sign_no_and_signing_out_ends_it(client):
    his = His(client, "H54010000001", "540100")
    assert "sign in with 9001" in his.call("1101", QUERY_ZHAXI)["err_msg"]
    his.sign_in()
    assert his.call("1101", QUERY_ZHAXI)["infcode"] == 0
    his.ok("9002", {"signOut": {"sign_no": his.sign_no, "opter_no": "001"}})
    assert "sign in with 9001" in his.call("1101", QUERY_ZHAXI)["err_msg"]


def test_1101_by_id_number_returns_person_insurance_with_balance_and_identities(lhasa):
    out = lhasa.ok(
        "1101", {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": "540102198501150411", "psn_cert_type": "01"}}
    )
    assert out["baseinfo"]["psn_name"] == "王强"
    assert out["insuinfo"] == [
        {
            "balc": Decimal("5000.00"),
            "insutype": "310",
            "psn_type": "1101",
            "psn_insu_stas": "1",
            "psn_insu_date": "2026-01-01",
            "paus_insu_date": None,
            "cvlserv_flag": "0",
            "insuplc_admdvs": "540100",
            "emp_name": "演示单位",
        }
    ]
    ciren = lhasa.ok("1101", {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": "540102196008200316"}})
    assert [i["psn_idet_type"] for i in ciren["idetinfo"]] == ["2202"]


def test_1101_by_e_voucher_token_resolves_through_the_e_voucher_service(lhasa, partners):
    partners.tokens["540100ec0001"] = (
        200,
        {
            "psn_no": ZHAXI,
            "psn_cert_type": "01",
            "certno": "540102198005010110",
            "psn_name": "扎西",
            "insuplc_admdvs": "540100",
            "expires_at": "2026-11-24T10:05:00Z",
        },
    )
    partners.tokens["540100ec0002"] = (403, {"detail": "decoded elsewhere"})
    out = lhasa.ok("1101", {"data": {"mdtrt_cert_type": "01", "mdtrt_cert_no": "540100ec0001"}})
    assert out["baseinfo"]["psn_no"] == ZHAXI
    sent = partners.requests[-1]
    assert sent.headers["x-internal-token"] == "dev-internal-token"
    assert (
        "another institution"
        in lhasa.call("1101", {"data": {"mdtrt_cert_type": "01", "mdtrt_cert_no": "540100ec0002"}})["err_msg"]
    )
    assert "expired" in lhasa.call("1101", {"data": {"mdtrt_cert_type": "01", "mdtrt_cert_no": "nope"}})["err_msg"]


def test_1101_by_social_security_card_says_it_is_not_supported(lhasa):
    answer = lhasa.call("1101", {"data": {"mdtrt_cert_type": "03", "mdtrt_cert_no": "X1", "card_sn": "1"}})
    assert answer["infcode"] == -1 and "not supported" in answer["err_msg"]


def test_an_unsupported_infno_gets_a_clear_refusal(lhasa):
    answer = lhasa.call("9999", {"data": {}})
    assert answer["infcode"] == -1 and "infno 9999 is not offered" in answer["err_msg"]


def test_a_replayed_msgid_returns_the_original_answer_and_settles_once(clinic, client):
    mdtrt_id = open_outpatient(clinic, ZHUOMA)
    clinic.ok("2204", {"feedetail": [line("1", "002501010010000", "1", "30", mdtrt_id, ZHUOMA)]}, insuplc="540100")
    envelope = clinic.envelope("2207", settle_input(ZHUOMA, mdtrt_id, "30"), insuplc="540100")
    first = clinic.post(envelope)
    before = counts(client.app)
    again = clinic.post(envelope)
    assert again == first and first["infcode"] == 0
    assert counts(client.app) == before


def test_a_retry_restamped_with_a_new_inf_time_gets_the_original_answer(clinic, client):
    mdtrt_id = open_outpatient(clinic, ZHUOMA)
    clinic.ok("2204", {"feedetail": [line("1", "002501010010000", "1", "30", mdtrt_id, ZHUOMA)]}, insuplc="540100")
    envelope = clinic.envelope("2207", settle_input(ZHUOMA, mdtrt_id, "30"), insuplc="540100")
    first = clinic.post(envelope)
    before = counts(client.app)
    again = clinic.post({**envelope, "inf_time": "2026-11-24 10:00:09", "opter": "002"})
    assert again == first and first["infcode"] == 0
    assert counts(client.app) == before


def test_a_reused_msgid_with_a_different_body_is_refused(clinic, client):
    mdtrt_id = open_outpatient(clinic, ZHUOMA)
    clinic.ok("2204", {"feedetail": [line("1", "002501010010000", "1", "30", mdtrt_id, ZHUOMA)]}, insuplc="540100")
    envelope = clinic.envelope("2206", settle_input(ZHUOMA, mdtrt_id, "30"), insuplc="540100")
    assert clinic.post(envelope)["infcode"] == 0
    envelope["input"]["data"]["acct_used_flag"] = "1"
    answer = clinic.post(envelope)
    assert answer["infcode"] == -1 and "already used for a different request" in answer["err_msg"]


def test_2001_says_whether_the_person_may_be_treated(lhasa):
    out = lhasa.ok(
        "2001",
        {
            "data": {
                "psn_no": WANGQIANG,
                "insutype": "310",
                "fixmedins_code": "H54010000001",
                "med_type": "21",
                "begntime": "2026-11-24 08:00:00",
            }
        },
        insuplc="540100",
    )
    rows = out["trtinfo"]
    assert rows[0]["trt_enjymnt_flag"] == "1" and rows[0]["fund_pay_type"] == "310100"


def test_registration_by_e_voucher_must_present_the_patients_own_token(lhasa, partners):
    partners.tokens["540100ec0003"] = (
        200,
        {
            "psn_no": ZHUOMA,
            "psn_cert_type": "01",
            "certno": "54010219750312022X",
            "psn_name": "卓玛",
            "insuplc_admdvs": "540100",
            "expires_at": "2026-11-24T10:05:00Z",
        },
    )
    data = {
        "psn_no": ZHAXI,
        "insutype": "390",
        "begntime": "2026-11-24 09:00:00",
        "mdtrt_cert_type": "01",
        "mdtrt_cert_no": "540100ec0003",
        "ipt_otp_no": "OP1",
        "atddr_no": "D",
        "dr_name": "D",
        "dept_code": "D",
        "dept_name": "D",
        "caty": "A03",
    }
    answer = lhasa.call("2201", {"data": data}, insuplc="540100")
    assert answer["infcode"] == -1 and "does not belong to psn_no 54010000000000000001" in answer["err_msg"]
    assert lhasa.ok("2201", {"data": dict(data, psn_no=ZHUOMA)}, insuplc="540100")["data"]["psn_no"] == ZHUOMA


def test_the_mobile_payment_centre_and_the_hospital_each_have_their_own_msgids(clinic, client):
    from support import His

    centre = His(client, "H54010000002", "540100", paasid="mobile-pay-centre", token="dev-mobile-pay")
    centre.sign_in()
    msgid = clinic.msgid()
    hospital_visit = clinic.call("2201", open_input(ZHUOMA, "OP-H"), insuplc="540100", msgid=msgid)
    centre_visit = centre.call("2201", open_input(ZHUOMA, "OP-M"), insuplc="540100", msgid=msgid)
    assert hospital_visit["infcode"] == 0 and centre_visit["infcode"] == 0, centre_visit["err_msg"]
    assert hospital_visit["output"]["data"]["mdtrt_id"] != centre_visit["output"]["data"]["mdtrt_id"]
    # A reversal by omsgid only ever finds the sender's own call.
    undone = centre.call("2601", {"data": {"psn_no": ZHUOMA, "omsgid": msgid, "oinfno": "2201"}}, insuplc="540100")
    assert undone["infcode"] == 0, undone["err_msg"]
    assert (
        clinic.call(
            "2202",
            {
                "data": {
                    "psn_no": ZHUOMA,
                    "mdtrt_id": hospital_visit["output"]["data"]["mdtrt_id"],
                    "ipt_otp_no": "OP-H",
                }
            },
            insuplc="540100",
        )["infcode"]
        == 0
    )


def open_input(psn_no, ipt_otp_no):
    from support import PEOPLE

    p = PEOPLE[psn_no]
    return {
        "data": {
            "psn_no": psn_no,
            "insutype": p["insutype"],
            "begntime": "2026-11-24 09:00:00",
            "mdtrt_cert_type": "02",
            "mdtrt_cert_no": p["certno"],
            "ipt_otp_no": ipt_otp_no,
            "atddr_no": "DR1",
            "dr_name": "医生",
            "dept_code": "D01",
            "dept_name": "内科",
            "caty": "A03",
        }
    }
