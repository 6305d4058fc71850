"""A bureau desk enrolls someone; a hospital can treat them as soon as the event arrives."""

from __future__ import annotations

import datetime as dt
import random

import httpx
from clients import His, wait_for

DESK = {"x-operator-token": "dev-desk-token"}


def id_number(region: str, birth: str, seq: int, female: bool) -> str:
    """A GB 11643 citizen ID with a valid check digit."""
    seq = seq - seq % 2 + (0 if female else 1)
    body = f"{region}{birth}{seq:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]


def test_a_newly_enrolled_resident_is_settleable_and_a_suspended_one_is_refused(stack):
    enrollment = httpx.Client(base_url=stack.urls["enrollment"], headers=DESK, timeout=10)
    certno = id_number("341302", "19900101", random.randrange(100, 998), female=True)
    person = enrollment.post("/admin/v1/people", json={"admdvs": "341300", "certno": certno, "psn_name": "孙丽"})
    assert person.status_code == 201, person.text
    psn_no = person.json()["psn_no"]
    enrolled = enrollment.post(
        "/admin/v1/enrollments",
        json={
            "psn_no": psn_no,
            "insutype": "390",
            "insuplc_admdvs": "341300",
            "psn_type": "1501",
            "begndate": f"{dt.date.today():%Y}-01-01",
            "tier": "320",
        },
    )
    assert enrolled.status_code == 201, enrolled.text

    suzhou = His(stack.urls["settlement"], "H34130000001", "341300").sign_in()
    wait_for(lambda: suzhou.knows(certno), timeout=10)
    info = suzhou.ok(
        "1101", {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": certno, "psn_cert_type": "01", "certno": certno}}
    )
    assert info["baseinfo"]["psn_no"] == psn_no
    assert [(i["insutype"], i["insuplc_admdvs"]) for i in info["insuinfo"]] == [("390", "341300")]

    suspended = enrollment.post(
        f"/admin/v1/enrollments/{enrolled.json()['enrollment_id']}/suspend",
        json={"effective_date": f"{dt.date.today()}", "reason": "欠费"},
    )
    assert suspended.status_code == 200, suspended.text

    def refused():
        answer = suzhou.call(
            "2201",
            {
                "data": {
                    "psn_no": psn_no,
                    "insutype": "390",
                    "begntime": f"{dt.datetime.now():%Y-%m-%d %H:%M:%S}",
                    "mdtrt_cert_type": "02",
                    "mdtrt_cert_no": certno,
                    "ipt_otp_no": f"OP{random.randrange(10**6)}",
                    "atddr_no": "D1",
                    "dr_name": "医生",
                    "dept_code": "D01",
                    "dept_name": "内科",
                    "caty": "A03",
                }
            },
            insuplc="341300",
        )
        return answer if answer["infcode"] == -1 else None

    assert "suspend" in wait_for(refused, timeout=10)["err_msg"]


def test_enrolling_zhaxi_again_elsewhere_is_refused_naming_his_pool(stack):
    enrollment = httpx.Client(base_url=stack.urls["enrollment"], headers=DESK, timeout=10)
    again = enrollment.post(
        "/admin/v1/enrollments",
        json={
            "psn_no": "54010000000000000001",
            "insutype": "390",
            "insuplc_admdvs": "341300",
            "psn_type": "1501",
            "begndate": "2026-01-01",
            "tier": "320",
        },
    )
    assert again.status_code == 409
    assert again.headers["content-type"].startswith("application/problem+json")
    assert "540100" in again.text
