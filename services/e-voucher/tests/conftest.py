from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from evoucher.config import Settings
from evoucher.db import inbox
from evoucher.demo import load_demo
from evoucher.devtools.wechat_stub import ThreadedServer, build_app
from evoucher.main import create_app
from evoucher.messaging.consumer import handle
from medshared.broker import free_port
from medshared.db import upgrade
from medshared.events import Event
from medshared.inbox import record_once
from medshared.national import gateway_headers
from tests.doubles import EdgeState, build_edge_app

ALEMBIC_INI = Path(__file__).resolve().parents[1] / "alembic.ini"
MOBILE_PAY_TOKEN = "test-mobile-pay"

TASHI = {"psn_no": "54010000000000000001", "psn_name": "扎西", "certno": "540102198005010110"}
DROLMA = {"psn_no": "54010000000000000002", "psn_name": "卓玛", "certno": "540102201003040021"}
WANG = {"psn_no": "34130000000000000003", "psn_name": "王芳", "certno": "341302197702020022"}


@pytest.fixture
def migrated_url(database_url: str) -> str:
    upgrade(ALEMBIC_INI, database_url)
    return database_url


@pytest.fixture(scope="session")
def wechat_stub() -> Iterator[str]:
    server = ThreadedServer(build_app(), free_port()).start()
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def edge_server() -> Iterator[tuple[str, EdgeState]]:
    state = EdgeState()
    server = ThreadedServer(build_edge_app(state, MOBILE_PAY_TOKEN), free_port()).start()
    yield server.url, state
    server.stop()


@pytest.fixture
def edge(edge_server: tuple[str, EdgeState]) -> EdgeState:
    edge_server[1].reset()
    edge_server[1].url = edge_server[0]
    return edge_server[1]


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime.now(dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


def make_settings(url: str, wechat_url: str, settlement_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": url,
        "kafka_bootstrap_servers": "",
        "environment": "test",
        "wechat_base_url": wechat_url,
        "settlement_url": settlement_url,
        "mobile_pay_token": MOBILE_PAY_TOKEN,
        "payment_confirm_seconds": 0.05,
        "order_worker_interval_seconds": 60,
        **overrides,
    }
    return Settings(**values)


@pytest.fixture
def app_settings(migrated_url: str, wechat_stub: str, edge_server: tuple[str, EdgeState]) -> Settings:
    return make_settings(migrated_url, wechat_stub, edge_server[0])


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def client(app_settings: Settings, clock: Clock, edge: EdgeState) -> Iterator[TestClient]:
    app = create_app(app_settings)
    app.state.clock = clock
    load_demo(app.state.runtime)
    for code in ("H54010000001", "H54010000002"):
        register_callback_origin(app, code, edge.url)
    with TestClient(app) as c:
        for who, pool in ((TASHI, "540100"), (DROLMA, "540100"), (WANG, "341300")):
            enroll(c, who, pool)
        yield c


def deliver(app: Any, topic: str, event: Event) -> None:
    """What the inbox consumer does with one message, without a broker."""
    runtime = app.state.runtime
    with runtime.unit_of_work() as session:
        if record_once(session, inbox, topic, event):
            handle(session, event)


def person_payload(who: dict[str, str], version: int = 1, death_date: str | None = None) -> dict[str, Any]:
    return {
        "psn_no": who["psn_no"], "psn_cert_type": "01", "certno": who["certno"], "psn_name": who["psn_name"],
        "gend": "1", "naty": "01", "brdy": "1980-05-01", "tel": "", "addr": "", "death_date": death_date,
        "version": version,
    }  # fmt: skip


def enroll(client: TestClient, who: dict[str, str], pool: str) -> None:
    deliver(
        client.app,
        "enrollment.people.v1",
        Event("PersonRegistered", who["psn_no"], {"person": person_payload(who)}, "enrollment"),
    )
    enrollment = {
        "enrollment_id": f"E-{who['psn_no']}", "psn_no": who["psn_no"], "insutype": "390", "insuplc_admdvs": pool,
        "psn_type": "1501", "emp_no": None, "emp_name": None, "cvlserv_flag": "0", "tier": "320",
        "begndate": "2026-01-01", "enddate": None, "status": "active", "periods": [], "version": 1,
    }  # fmt: skip
    deliver(
        client.app,
        "enrollment.people.v1",
        Event("PersonEnrolled", who["psn_no"], {"person": person_payload(who), "enrollment": enrollment}, "enrollment"),
    )


def login(client: TestClient, suffix: str) -> dict[str, str]:
    response = client.post("/mobile/v1/sessions", json={"code": f"code-{suffix}"})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['session_token']}"}


def face_check(client: TestClient, headers: dict[str, str], who: dict[str, str]) -> str:
    """The identity ticket the development face check issues to this phone for this person."""
    response = client.post(
        "/dev/v1/face-checks", json={"psn_name": who["psn_name"], "certno": who["certno"]}, headers=headers
    )
    assert response.status_code == 201, response.text
    return str(response.json()["identity_ticket"])


def activation_body(client: TestClient, headers: dict[str, str], who: dict[str, str]) -> dict[str, str]:
    return {"psn_name": who["psn_name"], "certno": who["certno"], "identity_ticket": face_check(client, headers, who)}


def activate(client: TestClient, who: dict[str, str], suffix: str) -> dict[str, str]:
    headers = login(client, suffix)
    response = client.post("/mobile/v1/voucher/activation", json=activation_body(client, headers, who), headers=headers)
    assert response.status_code == 201, response.text
    return headers


def request_family(
    client: TestClient,
    headers: dict[str, str],
    guardian: dict[str, str],
    dependant: dict[str, str],
    relation: str = "child",
) -> Any:
    """A guardian, verified on their own phone, asks to add a family member."""
    body = {
        "psn_name": dependant["psn_name"], "certno": dependant["certno"], "relation": relation,
        "identity_ticket": face_check(client, headers, guardian),
    }  # fmt: skip
    return client.post("/mobile/v1/family", json=body, headers=headers)


def register_callback_origin(app: Any, fixmedins_code: str, url: str) -> None:
    """The bureau registers an institution's HIS callback origin."""
    from evoucher.usecases import institutions

    institutions.register_callback_origins(app.state.units, fixmedins_code, [url])


def show_code(client: TestClient, headers: dict[str, str], psn_no: str | None = None) -> str:
    response = client.post("/mobile/v1/qrcodes", json={"psn_no": psn_no}, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["qr_code"])


def ec_query(client: TestClient, org: str, qr_code: str, token: str | None = None) -> dict[str, Any]:
    body = {
        "orgId": org,
        "transType": "ec.query",
        "data": {
            "qrCode": qr_code, "businessType": "01101", "operatorId": "op01", "operatorName": "收费员",
            "officeId": "W01", "officeName": "挂号处",
        },
    }  # fmt: skip
    headers = gateway_headers(org, token or f"demo-ec-{org}")
    response = client.post("/fsi/api/hsecfc/localQrCodeQuery", json=body, headers=headers)
    assert response.status_code == 200
    return dict(response.json())
