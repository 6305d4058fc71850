"""create_app(settings) -> FastAPI."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from prometheus_client import Counter

from evoucher.adapters.his import HisNotifier
from evoucher.adapters.identity import SignedTicketVerifier, StubFaceCheck
from evoucher.adapters.payment import LocalPaymentProvider, PaymentProvider
from evoucher.adapters.settlement import SettlementClient
from evoucher.adapters.settlement_script import ScriptedSettlement
from evoucher.adapters.wechat import WeChatClient
from evoucher.api import admin, devtools, internal, mobile, national
from evoucher.api.deps import operators
from evoucher.config import Settings
from evoucher.db import inbox, outbox
from evoucher.domain.identity import IdentityVerifier
from evoucher.domain.orders import CallbackPolicy
from evoucher.messaging.consumer import handle, handle_many
from evoucher.messaging.contracts import PEOPLE_TOPIC, SETTLEMENTS_TOPIC, TOPIC
from evoucher.store import SqlUnits
from evoucher.usecases import saga
from evoucher.usecases.ports import Units
from medshared import deadletters, docs, edge, logs
from medshared.events import utcnow
from medshared.problems import Problem, problem_response
from medshared.runtime import build_runtime
from medshared.security import RateLimiter

log = logging.getLogger(__name__)


def payment_provider(settings: Settings) -> PaymentProvider:
    if settings.payment_provider == "local":
        if settings.is_production:
            raise ValueError("production refuses the local payment provider: set EVOUCHER_PAYMENT_PROVIDER")
        return LocalPaymentProvider(
            settings.payment_confirm_seconds, settings.payment_fail_amounts, settings.payment_fail_all
        )
    raise ValueError(f"unknown EVOUCHER_PAYMENT_PROVIDER {settings.payment_provider!r}")


def identity_verifier(settings: Settings) -> IdentityVerifier:
    """The identity-verification provider; production refuses to start without a real one."""
    provider = settings.identity_provider.strip()
    if provider == "stub":
        if settings.is_production:
            raise ValueError(
                "production refuses the development identity stub: set EVOUCHER_IDENTITY_PROVIDER=signed and "
                "EVOUCHER_IDENTITY_TICKET_SECRET to the key the face-check provider signs its tickets with"
            )
        return StubFaceCheck(settings.identity_ticket_secret, settings.identity_ticket_ttl_seconds)
    if provider == "signed":
        return SignedTicketVerifier(settings.identity_ticket_secret)
    raise ValueError(
        f"e-voucher needs an identity-verification provider to activate vouchers (EVOUCHER_IDENTITY_PROVIDER is "
        f"{provider!r}): set it to signed (the face-check provider's signed tickets), or stub in development"
    )


class OrderWorker:
    """Resumes mobile-payment orders left half-way (slow provider, settlement away, a restart)."""

    def __init__(self, units: Units, deps: saga.PaymentDeps, interval: float) -> None:
        self._units = units
        self._deps = deps
        self._interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                saga.resume_in_flight(self._units, self._deps)
            except Exception as exc:
                log.warning("order worker: %s: %s", exc.__class__.__name__, exc)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="order-worker", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=10)


# The national transactions e-voucher answers (ec.query is a path, not an infno).
OFFERED_INFNOS = frozenset({"6201", "6202", "6203", "6301"})


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    identity = identity_verifier(settings)
    runtime = build_runtime(
        settings,
        service="e-voucher",
        outbox=outbox,
        publishes=[TOPIC],
        inbox=inbox,
        consumes=[PEOPLE_TOPIC, SETTLEMENTS_TOPIC],
        handle=handle,
        handle_many=handle_many,
    )
    units = SqlUnits(runtime)
    wechat = WeChatClient(
        settings.wechat_base_url, settings.wechat_appid, settings.wechat_secret, settings.wechat_timeout_seconds
    )
    settlement = SettlementClient(
        settings.settlement_url,
        settings.mobile_pay_paasid,
        settings.mobile_pay_token,
        settings.settlement_timeout_seconds,
    )
    notifier = HisNotifier(settings.callback_timeout_seconds)
    deps = saga.PaymentDeps(
        settlement=ScriptedSettlement(settlement),
        provider=payment_provider(settings),
        notifier=notifier,
        ectoken_ttl=settings.ectoken_ttl_seconds,
        pay_auth_ttl=settings.pay_auth_ttl_seconds,
        wait_seconds=settings.payment_wait_seconds,
        callbacks=CallbackPolicy(
            settings.callback_max_attempts, settings.callback_backoff_seconds, settings.callback_backoff_max_seconds
        ),
    )
    worker = OrderWorker(units, deps, settings.order_worker_interval_seconds)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        runtime.start()
        worker.start()
        yield
        worker.stop()
        runtime.stop()
        wechat.close()
        settlement.close()
        notifier.close()

    app = FastAPI(
        title="E-voucher service (医保电子凭证)", version="1.0", lifespan=lifespan, docs_url=None, redoc_url=None
    )
    app.state.runtime = runtime
    app.state.units = units
    app.state.settings = settings
    app.state.wechat = wechat
    app.state.payment_deps = deps
    app.state.clock = utcnow
    app.state.institution_limiter = RateLimiter(settings.institution_rate_per_second, settings.institution_rate_burst)
    app.state.mobile_limiter = RateLimiter(settings.mobile_rate_per_second, settings.mobile_rate_burst)
    app.state.session_ip_limiter = RateLimiter(settings.session_ip_rate_per_second, settings.session_ip_rate_burst)
    app.state.session_account_limiter = RateLimiter(
        settings.session_account_rate_per_second, settings.session_account_rate_burst
    )
    app.state.identity = identity
    app.state.identity_limiter = RateLimiter(settings.identity_rate_per_second, settings.identity_rate_burst)
    edge.install(app, runtime, offered_infnos=OFFERED_INFNOS)
    docs.install(app)
    _answer_rate_limits_with_retry_after(app)
    failed_callbacks = Counter(
        "his_callbacks_failed",
        "Mobile-payment callbacks to a HIS given up on (tries exhausted or origin unregistered); 6301 shows the order",
        registry=app.state.metrics.registry,
    )
    deps.callback_failed = failed_callbacks.inc
    app.include_router(mobile.router)
    if isinstance(identity, StubFaceCheck):
        app.include_router(devtools.router)
    app.include_router(national.router)
    app.include_router(internal.router)
    app.include_router(admin.router)
    app.include_router(operators.audit_router())
    deadletters.install(app, operators, inbox, handle)
    return app


def _answer_rate_limits_with_retry_after(app: FastAPI) -> None:
    """Problem details as everywhere, plus the Retry-After header when the problem says how long to wait."""

    @app.exception_handler(Problem)
    async def _problem(_: Request, exc: Problem) -> JSONResponse:
        response = problem_response(exc.status, exc.title, exc.detail, code=exc.code, **exc.extra)
        if "retry_after_seconds" in exc.extra:
            response.headers["Retry-After"] = str(exc.extra["retry_after_seconds"])
        return response


def app() -> FastAPI:
    """uvicorn factory entry point: uvicorn --factory evoucher.main:app."""
    settings = Settings()
    logs.configure("e-voucher", json_output=settings.log_json)
    # httpx logs every request line, and WeChat's carries the app secret and the login code.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    return create_app(settings)
