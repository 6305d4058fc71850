"""Every operation of every service's OpenAPI, fed generated and mutated requests.

Whatever arrives, no service answers 5xx, and a request it refuses (4xx) leaves every
table exactly as it was: no half-written row, no outbox event for a change that never was.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.python import asgi

from .conftest import EXAMPLES, Service

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
    # The explain phase traces every line and makes a failing run take minutes.
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
)


def _openapi(make: Callable[[], FastAPI]) -> schemathesis.BaseSchema:
    # The document only; the app that answers is bound per test module (see `bound`).
    return schemathesis.openapi.from_dict(make().openapi())


def _enrollment() -> FastAPI:
    from enrollment.config import Settings
    from enrollment.main import create_app

    return create_app(Settings(database_url="sqlite://", environment="test"))


def _settlement() -> FastAPI:
    from settlement.config import Settings
    from settlement.main import create_app

    return create_app(Settings(database_url="sqlite://", environment="test"))


def _remote_care() -> FastAPI:
    from remote_care.config import Settings
    from remote_care.main import create_app

    return create_app(Settings(database_url="sqlite://", environment="test"))


def _evoucher() -> FastAPI:
    from evoucher.config import Settings
    from evoucher.main import create_app

    return create_app(Settings(database_url="sqlite://", environment="test"))


SCHEMAS = {
    "enrollment": _openapi(_enrollment),
    "settlement": _openapi(_settlement),
    "remote-care": _openapi(_remote_care),
    "e-voucher": _openapi(_evoucher),
}


def _operations(name: str) -> list[Any]:
    ops = [result.ok() for result in SCHEMAS[name].get_all_operations()]
    return [pytest.param(op, id=f"{op.method.upper()} {op.path}") for op in ops]


def fuzz(service: Service, operation: Any) -> None:
    operation.schema.app = operation.app = service.app
    # Never entered, so schemathesis does not run the app's lifespan (see conftest._start).
    session = asgi.ASGIClient(service.app)
    cases = st.one_of(operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE))

    @FUZZ
    @given(case=cases)
    def one(case: schemathesis.Case) -> None:
        before = service.row_counts()
        response = case.call(headers=service.auth, session=session)
        where = f"{case.method} {case.formatted_path}"
        # 503 with a reason is the clean answer when a dependency (WeChat here) is away; anything else 5xx is a bug.
        unavailable = response.status_code == 503 and str(response.json().get("type", "")).startswith("urn:problem:")
        assert response.status_code < 500 or unavailable, f"{where}: {response.status_code} {response.text[:300]}"
        if response.status_code >= 400:
            assert service.row_counts() == before, f"{where} refused with {response.status_code} but changed rows"

    one()


@pytest.mark.parametrize("operation", _operations("enrollment"))
def test_enrollment_answers_any_request_without_failing_or_changing_on_refusal(
    enrollment_service: Service, operation: Any
) -> None:
    fuzz(enrollment_service, operation)


@pytest.mark.parametrize("operation", _operations("settlement"))
def test_settlement_answers_any_request_without_failing_or_changing_on_refusal(
    settlement_service: Service, operation: Any
) -> None:
    fuzz(settlement_service, operation)


@pytest.mark.parametrize("operation", _operations("remote-care"))
def test_remote_care_answers_any_request_without_failing_or_changing_on_refusal(
    remote_care_service: Service, operation: Any
) -> None:
    fuzz(remote_care_service, operation)


@pytest.mark.parametrize("operation", _operations("e-voucher"))
def test_evoucher_answers_any_request_without_failing_or_changing_on_refusal(
    evoucher_service: Service, operation: Any
) -> None:
    fuzz(evoucher_service, operation)
