from fastapi.testclient import TestClient
from sqlalchemy import func, select

from enrollment.db import person
from tests.conftest import outbox_count

ZHAXI_CERTNO = "540102198005010110"


def people_count(client: TestClient) -> int:
    with client.app.state.runtime.factory() as session:
        return int(session.execute(select(func.count()).select_from(person)).scalar_one())


def test_an_operator_finds_zhaxi_by_certno(demo_client: TestClient) -> None:
    response = demo_client.get("/admin/v1/people", params={"certno": ZHAXI_CERTNO})
    assert response.status_code == 200
    [zhaxi] = response.json()["items"]
    assert (zhaxi["psn_no"], zhaxi["psn_name"], zhaxi["gend"], zhaxi["brdy"]) == (
        "54010000000000000001",
        "扎西",
        "1",
        "1980-05-01",
    )
    [enrolled] = zhaxi["enrollments"]
    assert (
        enrolled["insutype"],
        enrolled["insuplc_admdvs"],
        enrolled["tier"],
        enrolled["status"],
    ) == ("390", "540100", "320", "active")
    assert zhaxi["contributions"][0]["lines"] == [{"payer": "person", "amount": "320.00"}]


def test_a_wrong_check_digit_is_refused_naming_certno_and_nothing_is_stored(
    client: TestClient,
) -> None:
    response = client.post(
        "/admin/v1/people",
        json={"admdvs": "540100", "certno": "540102198005010111", "psn_name": "扎西"},
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["errors"][0]["field"] == "certno"
    assert "certno" in body["detail"] and "must end in 0" in body["detail"]
    assert people_count(client) == 0
    assert outbox_count(client.app.state.runtime) == 0


def test_enrolling_zhaxi_again_as_a_resident_of_341300_is_refused_naming_540100(
    demo_client: TestClient,
) -> None:
    runtime = demo_client.app.state.runtime
    before = outbox_count(runtime)
    response = demo_client.post(
        "/admin/v1/enrollments",
        json={
            "psn_no": "54010000000000000001",
            "insutype": "390",
            "insuplc_admdvs": "341300",
            "psn_type": "1501",
            "tier": "320",
            "begndate": "2026-01-01",
            "enddate": "2026-12-31",
        },
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "duplicate_enrollment" and body["insuplc_admdvs"] == "540100"
    assert "540100" in body["detail"]
    assert outbox_count(runtime) == before
    listed = demo_client.get("/admin/v1/enrollments", params={"psn_no": "54010000000000000001"}).json()["items"]
    assert [e["insuplc_admdvs"] for e in listed] == ["540100"]


def test_a_new_registration_gets_a_20_digit_psn_no_after_the_demo_numbers(
    demo_client: TestClient,
) -> None:
    response = demo_client.post(
        "/admin/v1/people",
        json={
            "admdvs": "540100",
            "certno": "540102199203040032",
            "psn_name": "格桑",
            "tel": "13800000000",
        },
    )
    assert response.status_code == 201, response.text
    assert response.json()["psn_no"] == "54010000000000000007"
    assert response.json()["gend"] == "1" and response.json()["version"] == 1
    again = demo_client.post(
        "/admin/v1/people",
        json={"admdvs": "540100", "certno": "540102199203040032", "psn_name": "格桑"},
    )
    assert again.status_code == 409 and again.json()["psn_no"] == "54010000000000000007"


def test_the_admin_api_refuses_requests_without_the_operator_token(
    client: TestClient,
) -> None:
    response = client.get(
        "/admin/v1/people",
        params={"certno": ZHAXI_CERTNO},
        headers={"x-operator-token": "wrong"},
    )
    assert response.status_code == 401 and response.json()["code"] == "unauthorized"


def test_an_unknown_person_is_a_404_problem(client: TestClient) -> None:
    response = client.get("/admin/v1/people/54010000000000009999")
    assert response.status_code == 404 and response.json()["code"] == "person_not_found"


def test_an_employee_is_suspended_resumed_and_retired_with_history(
    demo_client: TestClient,
) -> None:
    [wang] = demo_client.get("/admin/v1/enrollments", params={"psn_no": "54010000000000000004"}).json()["items"]
    path = f"/admin/v1/enrollments/{wang['enrollment_id']}"
    assert (
        demo_client.post(
            f"{path}/suspend",
            json={"effective_date": "2026-03-01", "reason": "unpaid leave"},
        ).status_code
        == 200
    )
    assert (
        demo_client.post(f"{path}/resume", json={"effective_date": "2026-04-01", "reason": "back"}).status_code == 200
    )
    retired = demo_client.post(f"{path}/retire", json={"effective_date": "2026-07-01"}).json()
    assert retired["psn_type"] == "1201" and retired["version"] == 4
    assert [p["status"] for p in retired["periods"]] == [
        "active",
        "suspended",
        "active",
        "active",
    ]
    refused = demo_client.post(f"{path}/resume", json={"effective_date": "2026-08-01", "reason": "x"})
    assert refused.status_code == 409 and refused.json()["code"] == "not_suspended"


def test_an_employer_with_staff_cannot_be_deregistered_until_they_leave(
    demo_client: TestClient,
) -> None:
    response = demo_client.delete("/admin/v1/employers/E54010000002")
    assert response.status_code == 409 and response.json()["active_staff"] == 1
    [li] = demo_client.get("/admin/v1/enrollments", params={"psn_no": "54010000000000000005"}).json()["items"]
    demo_client.post(
        f"/admin/v1/enrollments/{li['enrollment_id']}/terminate",
        json={"effective_date": "2026-06-01", "reason": "resigned"},
    )
    assert demo_client.delete("/admin/v1/employers/E54010000002").json()["status"] == "deregistered"


def test_an_employee_contribution_credits_the_employee_share_and_refuses_float_amounts(
    demo_client: TestClient,
) -> None:
    float_base = demo_client.post(
        "/admin/v1/contributions/employee",
        json={"psn_no": "54010000000000000004", "month": "2026-02", "base": 8000.5},
    )
    assert float_base.status_code == 422 and float_base.json()["errors"][0]["field"] == "base"
    paid = demo_client.post(
        "/admin/v1/contributions/employee",
        json={"psn_no": "54010000000000000004", "month": "2026-02", "base": "8000.00"},
    )
    assert paid.status_code == 201
    assert paid.json()["lines"] == [
        {"payer": "employer", "amount": "480.00"},
        {"payer": "person", "amount": "160.00"},
    ]
    credits = demo_client.get("/admin/v1/people/54010000000000000004").json()["account_credits"]
    assert [(c["kind"], c["amount"]) for c in credits] == [
        ("opening", "5000.00"),
        ("employee_share", "160.00"),
    ]


def test_an_overlong_address_is_a_422_naming_addr_on_every_database(
    client: TestClient,
) -> None:
    response = client.post(
        "/admin/v1/people",
        json={
            "admdvs": "540100",
            "certno": ZHAXI_CERTNO,
            "psn_name": "扎西",
            "addr": "拉" * 201,
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "addr", "message": "is 201 characters long; at most 200 fit"}]
    assert people_count(client) == 0
