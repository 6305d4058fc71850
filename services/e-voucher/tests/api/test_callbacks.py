"""6201 callbackUrl: only an origin registered for the institution, and a bounded number of tries with backoff."""

from __future__ import annotations

import itertools

from fastapi.testclient import TestClient

from evoucher.usecases import saga
from tests.api.test_mobile_payment import ORG, national, order_data, upload_and_authorise
from tests.conftest import TASHI, Clock, activate
from tests.doubles import EdgeState


def test_a_callback_url_on_an_origin_not_registered_for_the_institution_is_refused(
    client: TestClient, edge: EdgeState
) -> None:
    activate(client, TASHI, "tashi")
    for url in (
        "http://127.0.0.1:8003/admin/v1/filings",  # the platform's own remote-care service
        "http://169.254.169.254/latest/meta-data/",
        f"https://{edge.url.removeprefix('http://')}/his/callback",  # registered host and port, other scheme
    ):
        refused = national(client, "6201", {**order_data(edge.url, "ORD-CB-1"), "callbackUrl": url})
        assert refused["infcode"] == -1, url
        assert "callbackUrl" in refused["err_msg"] and f"not registered for {ORG}" in refused["err_msg"]
    # Nothing was stored: the same order number goes through once the URL is on a registered origin.
    assert national(client, "6201", order_data(edge.url, "ORD-CB-1"))["infcode"] == 0


def test_a_callback_url_on_another_institutions_origin_is_refused(client: TestClient, edge: EdgeState) -> None:
    from tests.conftest import register_callback_origin

    register_callback_origin(client.app, "H54010000002", "https://his.h54010000002.example")
    activate(client, TASHI, "tashi")
    data = {**order_data(edge.url, "ORD-CB-2"), "callbackUrl": "https://his.h54010000002.example/notify"}
    assert national(client, "6201", data)["infcode"] == -1
    assert national(client, "6201", data, org="H54010000002")["infcode"] == 0


def _sweep(client: TestClient) -> None:
    saga.resume_in_flight(client.app.state.units, client.app.state.payment_deps, older_than_seconds=0)


def test_a_callback_the_his_never_acknowledges_is_retried_with_backoff_and_then_marked_failed(
    client: TestClient, edge: EdgeState
) -> None:
    # The worker's clock moves on its own, so the gateway's (the app's) stays within its skew.
    clock = Clock()
    client.app.state.payment_deps.clock = clock
    order = upload_and_authorise(client, edge.url, "ORD-CB-3", callback_url=f"{edge.url}/his/down")
    placed = national(client, "6202", order)
    assert placed["output"]["ordStas"] == "6"
    assert edge.unanswered_callbacks == 1

    tried_at: list[float] = [0.0]
    for second in range(1, 400):
        clock.advance(1)
        before = edge.unanswered_callbacks
        _sweep(client)
        if edge.unanswered_callbacks > before:
            tried_at.append(float(second))
    gaps = [later - earlier for earlier, later in itertools.pairwise(tried_at)]
    assert len(tried_at) == 8, tried_at
    assert gaps == [2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0]

    seen = national(client, "6301", {"payOrdId": order["payOrdId"], "payToken": order["payToken"]})["output"]
    assert (seen["ordStas"], seen["callbackStas"], seen["callbackAttempts"]) == ("6", "failed", 8)
    metrics = client.get("/metrics").text
    assert "his_callbacks_failed_total 1.0" in metrics


def test_a_callback_that_succeeds_on_a_retry_is_delivered_once(client: TestClient, edge: EdgeState) -> None:
    clock = Clock()
    client.app.state.payment_deps.clock = clock
    order = upload_and_authorise(client, edge.url, "ORD-CB-4")
    edge.down_callbacks = True
    assert national(client, "6202", order)["output"]["ordStas"] == "6"
    assert edge.callbacks == []
    edge.down_callbacks = False
    for _ in range(10):
        clock.advance(1)
        _sweep(client)
    assert len(edge.callbacks) == 1
    seen = national(client, "6301", {"payOrdId": order["payOrdId"], "payToken": order["payToken"]})["output"]
    assert seen["callbackStas"] == "delivered"
