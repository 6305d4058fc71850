from fastapi.testclient import TestClient

from tests.conftest import outbox_count, valid_certno

HEADER = "certno,psn_name,insuplc_admdvs,insutype,psn_type,tier,begndate\n"


def test_a_csv_body_commits_valid_rows_and_reports_each_rejected_row_by_line(
    demo_client: TestClient,
) -> None:
    good = valid_certno("34130219880808001")
    csv = (
        HEADER
        + f"{good},王芳,341300,390,1501,320,2026-01-01\n"
        + "341302198808080011,错号,341300,390,1501,320,2026-01-01\n"
        + "540102198005010110,扎西,341300,390,1501,320,2026-01-01\n"
        + f"{valid_certno('11010219900101001')},李四,110100,390,1501,320,2026-01-01\n"
        + f"{good},王芳,341300,390,1501,320,2026-01-01\n"
    )
    response = demo_client.post("/admin/v1/imports", content=csv.encode(), headers={"Content-Type": "text/csv"})
    assert response.status_code == 200, response.text
    report = response.json()
    assert (
        report["received"],
        report["registered"],
        report["enrolled"],
        report["rejected_count"],
    ) == (5, 1, 1, 4)
    assert [(r["line"], r["field"], r["code"]) for r in report["rejected"]] == [
        (3, "certno", "invalid_certno"),
        (4, "row", "duplicate_enrollment"),
        (5, "insuplc_admdvs", "unknown_pool"),
        (6, "certno", "duplicate_in_file"),
    ]
    assert "540100" in report["rejected"][1]["reason"]
    [wang] = demo_client.get("/admin/v1/people", params={"certno": good}).json()["items"]
    assert wang["psn_no"] == "34130000000000000003" and wang["enrollments"][0]["tier"] == "320"


def test_a_multipart_upload_is_imported_like_a_csv_body(client: TestClient) -> None:
    response = client.post("/admin/v1/imports", files={"file": ("people.csv", HEADER.encode(), "text/csv")})
    assert response.status_code == 200 and response.json()["received"] == 0


def test_a_file_without_the_required_columns_is_refused_and_nothing_is_stored(
    demo_client: TestClient,
) -> None:
    runtime = demo_client.app.state.runtime
    before = outbox_count(runtime)
    response = demo_client.post(
        "/admin/v1/imports",
        content=b"certno,name\n1,2\n",
        headers={"Content-Type": "text/csv"},
    )
    assert response.status_code == 422
    assert "psn_name" in response.json()["detail"]
    assert outbox_count(runtime) == before
