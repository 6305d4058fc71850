import io
import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from enrollment import queries
from enrollment.config import Settings
from medshared import logs
from tests.conftest import AUDIT_TOKEN, REVIEW_TOKEN, TOKEN

ZHAXI_CERTNO = "540102198005010110"
EMPLOYER = {
    "emp_no": "E54010000099",
    "emp_name": "拉萨测试单位",
    "emp_type": "enterprise",
    "admdvs": "540100",
}


def as_(token: str) -> dict[str, str]:
    return {"x-operator-token": token}


@pytest.mark.parametrize(
    ("headers", "status"),
    [(as_(""), 401), (as_("no-such-token"), 401), (as_(REVIEW_TOKEN), 403)],
    ids=["no token", "unknown token", "filing review role"],
)
def test_only_the_enrollment_desk_may_register_an_employer(
    client: TestClient, headers: dict[str, str], status: int
) -> None:
    refused = client.post("/admin/v1/employers", json=EMPLOYER, headers=headers)
    assert refused.status_code == status
    assert refused.headers["content-type"] == "application/problem+json"
    assert client.get("/admin/v1/employers/E54010000099").status_code == 404
    assert client.post("/admin/v1/employers", json=EMPLOYER).status_code == 201


def test_the_audit_role_reads_people_but_cannot_change_them(
    demo_client: TestClient,
) -> None:
    found = demo_client.get("/admin/v1/people", params={"certno": ZHAXI_CERTNO}, headers=as_(AUDIT_TOKEN))
    assert found.status_code == 200
    [zhaxi] = found.json()["items"]
    changed = demo_client.patch(
        f"/admin/v1/people/{zhaxi['psn_no']}",
        json={"tel": "13900000000"},
        headers=as_(AUDIT_TOKEN),
    )
    assert changed.status_code == 403
    assert "enrollment_desk" in changed.json()["detail"]
    again = demo_client.get(f"/admin/v1/people/{zhaxi['psn_no']}")
    assert again.json()["tel"] == zhaxi["tel"]


def test_the_audit_trail_shows_who_changed_what_and_who_was_refused(
    client: TestClient,
) -> None:
    client.post("/admin/v1/employers", json=EMPLOYER)
    client.delete("/admin/v1/employers/E00000000000")
    client.post("/admin/v1/employers", json=EMPLOYER, headers=as_(AUDIT_TOKEN))
    trail = client.get("/admin/v1/audit", headers=as_(AUDIT_TOKEN))
    assert trail.status_code == 200
    assert [(a["operator"], a["role"], a["action"], a["target"], a["outcome"].split()[0]) for a in trail.json()] == [
        ("auditor-01", "-", "POST /admin/v1/employers", "-", "denied"),
        (
            "desk-01",
            "enrollment_desk",
            "DELETE /admin/v1/employers/{emp_no}",
            "emp_no=E00000000000",
            "refused",
        ),
        ("desk-01", "enrollment_desk", "POST /admin/v1/employers", "-", "done"),
    ]
    assert client.get("/admin/v1/audit").status_code == 403


@pytest.fixture
def printed() -> Iterator[io.StringIO]:
    """What the service prints to its log stream, configured as in production."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    logs.configure("enrollment", level=logging.DEBUG)
    stream = io.StringIO()
    root.handlers[0].setStream(stream)
    yield stream
    root.handlers[:] = handlers
    root.setLevel(level)


def test_a_certno_in_a_request_is_masked_in_the_logs(
    demo_client: TestClient,
    printed: io.StringIO,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(_runtime: object, certno: str | None = None, **_: object) -> object:
        raise RuntimeError(f"lookup of {certno} failed")

    monkeypatch.setattr(queries, "find_people", broken)
    caller = TestClient(demo_client.app, raise_server_exceptions=False, headers=as_(TOKEN))
    failed = caller.get("/admin/v1/people", params={"certno": ZHAXI_CERTNO})
    assert failed.status_code == 500
    assert "540102********0110" in printed.getvalue()
    assert ZHAXI_CERTNO not in printed.getvalue()


def test_outside_development_the_service_refuses_development_operator_tokens() -> None:
    with pytest.raises(ValueError, match=r"ENROLLMENT_OPERATOR_TOKENS\[dev-operator\]"):
        Settings(environment="production")
    with pytest.raises(ValueError, match="staging refuses"):
        Settings(environment="staging")
    real = {"4f1c-real": {"operator": "desk-07", "roles": ["enrollment_desk"]}}
    assert Settings(environment="production", operator_tokens=real).operator_tokens
