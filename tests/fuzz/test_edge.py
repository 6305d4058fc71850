"""The REST edge every service shares (medshared.limits), shown on enrollment's operator API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from enrollment.config import Settings
from enrollment.demo import load_demo
from enrollment.domain.gb11643 import check_character
from enrollment.main import create_app
from medshared.db import upgrade

from .conftest import OPERATOR, OPERATOR_TOKENS, ROOT, Service

AUTH = {"x-operator-token": OPERATOR}
INJECTIONS = [
    "Robert'); DROP TABLE person;--",
    "' OR '1'='1",
    "<script>alert(1)</script>",
    '"; SELECT pg_sleep(5); --',
]


def _people(url: str) -> Iterator[Service]:
    upgrade(ROOT / "services" / "enrollment" / "alembic.ini", url)
    app = create_app(Settings(database_url=url, environment="test", operator_tokens=OPERATOR_TOKENS))
    load_demo(app.state.runtime)
    yield Service("enrollment", app, TestClient(app, raise_server_exceptions=False, headers=AUTH), AUTH)
    app.state.runtime.stop()


@pytest.fixture(scope="module")
def people(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    yield from _people(f"sqlite:///{tmp_path_factory.mktemp('edge') / 'enrollment.db'}")


@pytest.fixture
def people_on_each_database(database_url: str) -> Iterator[Service]:
    """PostgreSQL is the stricter store (NUL, lengths), so injection is tried on both."""
    yield from _people(database_url)


def certno(serial: int) -> str:
    first17 = f"54010219900101{serial:03d}"
    return first17 + check_character(first17)


@pytest.mark.parametrize(
    ("raw", "content_type", "status", "code"),
    [
        (b'{"psn_name": "' + b"x" * (2 * 1024 * 1024) + b'"}', "application/json", 413, "body_too_large"),
        (b'{"psn_name": "\xe6\x89\x8e\xff"}', "application/json", 400, "bad_encoding"),
        (b'{"a":' * 200 + b"1" + b"}" * 200, "application/json", 400, "too_deep"),
        (b'{"admdvs": "540100", "certno": "x", "psn_name": "a\\u0000b"}', "application/json", 422, "bad_text"),
        (b'{"admdvs": "540100", "certno": "x", "psn_name": "\\udc00"}', "application/json", 422, "bad_text"),
        (b"admdvs=540100&psn_name=x", "application/x-www-form-urlencoded", 422, "invalid_request"),
    ],
    ids=["two megabytes", "latin-1 byte", "200 levels deep", "NUL escape", "lone surrogate", "form instead of JSON"],
)
def test_a_hostile_body_is_refused_with_problem_details_and_changes_nothing(
    people: Service, raw: bytes, content_type: str, status: int, code: str
) -> None:
    before = people.row_counts()
    response = people.client.post("/admin/v1/people", content=raw, headers={"content-type": content_type})
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert response.headers["content-type"] == "application/problem+json"
    assert people.row_counts() == before


def test_a_nul_in_the_address_is_refused_before_any_lookup(people: Service) -> None:
    response = people.client.get("/admin/v1/people/5401%000000", params={"certno": "a\x00b"})
    assert (response.status_code, response.json()["code"]) == (400, "bad_text")


def test_a_bulk_csv_upload_may_be_larger_than_a_json_body(people: Service) -> None:
    csv = ("header\n" + "x," * 700_000).encode()
    assert len(csv) > 1024 * 1024
    response = people.client.post("/admin/v1/imports", content=csv, headers={"content-type": "text/csv"})
    assert response.status_code != 413 and response.status_code < 500


def test_sql_and_script_in_names_and_lookups_are_stored_and_matched_as_plain_text(
    people_on_each_database: Service,
) -> None:
    client = people_on_each_database.client
    for serial, name in enumerate(INJECTIONS, start=100):
        created = client.post("/admin/v1/people", json={"admdvs": "540100", "certno": certno(serial), "psn_name": name})
        assert created.status_code == 201, created.text
        found = client.get("/admin/v1/people", params={"certno": certno(serial)}).json()["items"]
        assert [p["psn_name"] for p in found] == [name]
        assert client.get("/admin/v1/people", params={"certno": name}).status_code < 500
    assert client.get("/admin/v1/people", params={"certno": "540102198005010110"}).json()["items"], (
        "the demo people are still there"
    )
