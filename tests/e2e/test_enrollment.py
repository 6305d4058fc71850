"""A bureau desk enrolls someone; a hospital can treat them as soon as the event arrives."""

from __future__ import annotations

import datetime as dt
import random

import httpx
from clients import His, Phone, wait_for

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


def test_a_yearly_import_travels_in_batches_and_every_resident_is_settleable_and_can_activate(stack):
    """250 residents in one file: their 500 events go to the broker as batch messages. The hospital
    knows the first, a middle and the last of them, the last can activate a voucher, and a desk's
    later change to one of them (its own event, keyed by psn_no) wins over the import's snapshot."""
    enrollment = httpx.Client(base_url=stack.urls["enrollment"], headers=DESK, timeout=30)
    year = f"{dt.date.today():%Y}"
    birth = f"19{random.randrange(40, 99)}0{random.randrange(1, 9)}1{random.randrange(0, 9)}"
    certnos = [id_number("341302", birth, 2 * i, female=True) for i in range(250)]
    rows = ["psn_cert_type,certno,psn_name,gend,brdy,insuplc_admdvs,insutype,psn_type,tier,emp_no,begndate"]
    rows += [f"01,{certno},居民{i},,,341300,390,1501,320,,{year}-01-01" for i, certno in enumerate(certnos)]
    report = enrollment.post("/admin/v1/imports", content="\n".join(rows) + "\n", headers={"content-type": "text/csv"})
    assert report.status_code == 200, report.text
    assert (report.json()["registered"], report.json()["enrolled"], report.json()["rejected_count"]) == (250, 250, 0)

    suzhou = His(stack.urls["settlement"], "H34130000001", "341300").sign_in()
    for certno in (certnos[0], certnos[137], certnos[-1]):
        wait_for(lambda certno=certno: suzhou.knows(certno), timeout=20)
    Phone(stack.urls["e-voucher"], f"resident-{certnos[-1]}").activate("居民249", certnos[-1])

    def statuses(certno: str) -> list[str]:
        data = {"mdtrt_cert_type": "02", "mdtrt_cert_no": certno, "psn_cert_type": "01", "certno": certno}
        return [i["psn_insu_stas"] for i in suzhou.ok("1101", {"data": data})["insuinfo"]]

    assert statuses(certnos[0]) == ["1"]
    (person,) = enrollment.get("/admin/v1/people", params={"certno": certnos[0]}).json()["items"]
    (enrolled,) = person["enrollments"]
    suspended = enrollment.post(
        f"/admin/v1/enrollments/{enrolled['enrollment_id']}/suspend",
        json={"effective_date": f"{dt.date.today()}", "reason": "欠费"},
    )
    assert suspended.status_code == 200, suspended.text
    wait_for(lambda: statuses(certnos[0]) == ["2"] or None, timeout=20)
