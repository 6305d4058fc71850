"""Institution-facing endpoints in the national style: ec.query decode and 6201/6202/6203/6301.

Both answer HTTP 200 with their own status field (code / infcode), as the national gateway
does, so a HIS reads every outcome the same way.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from evoucher.api.deps import NowDep, SettingsDep, StateDep, UnitsDep
from evoucher.api.national_models import (
    MOBILE_PAYMENT_ENVELOPE,
    EcQueryAnswer,
    EcQueryRequest,
    HisCallback,
    MobilePaymentAnswer,
)
from evoucher.config import Settings
from evoucher.domain.errors import DomainError, RateLimited
from evoucher.usecases import codes, institutions, orders
from evoucher.usecases.ports import Units
from medshared import jsonutil
from medshared.national import EnvelopeError, parse_request, refusal, response
from medshared.openapi import GATEWAY, json_body, refused_in_body
from medshared.security import rate_limited_message

router = APIRouter(tags=["institutions"], dependencies=GATEWAY)

# Every refusal, a credential's too, is answered in the body (HTTP 200), as the national gateway does.
_EC_REFUSED = refused_in_body("code -1 with a message naming the header or field to fix (HTTP 200)")
_NATIONAL_REFUSED = refused_in_body("infcode -1 with an err_msg naming the header or field to fix (HTTP 200)")

his_callbacks = APIRouter()


@his_callbacks.post(
    "{$request.body#/input/data/callbackUrl}",
    response_model=None,
    responses={200: {"description": "any 2xx acknowledges the callback; anything else is tried again later"}},
)
def his_callback(body: HisCallback) -> None:
    """The platform posts the order's final state (paid, or refunded) to the HIS, signed with x-evoucher-signature."""


def _json(body: Any) -> Response:
    return Response(jsonutil.dumps(body), media_type="application/json")


async def raw_json(request: Request) -> Any:
    """The body decoded by us: amounts must reach Decimal without passing through float."""
    raw = await request.body()
    try:
        return jsonutil.loads(raw) if raw else None
    except ValueError:
        return None


BodyDep = Annotated[Any, Depends(raw_json)]


def _institution(request: Request, units: Units, settings: Settings, code: str, now: Any) -> Any:
    """The signed-in institution, within its rate."""
    inst = institutions.authenticate_institution(
        units,
        dict(request.headers),
        code,
        production=settings.is_production,
        skew=settings.gateway_clock_skew_seconds,
        now=now,
    )
    wait = request.app.state.institution_limiter.retry_after(code)
    if wait:
        raise RateLimited("rate_limited", rate_limited_message(code, wait))
    return inst


@router.post(
    "/fsi/api/hsecfc/localQrCodeQuery",
    response_model=None,
    responses={200: {"model": EcQueryAnswer, "description": "code 0 with the identity and an ecToken, or -1"}},
    openapi_extra={**json_body(EcQueryRequest), **_EC_REFUSED},
)
async def ec_query(request: Request) -> Response:
    """ec.query: decode a patient's dynamic QR code into identity fields and an ecToken for this institution."""
    # The whole call in one worker thread: its statements wait on the database, the event loop does not.
    # The body and the app's state are read here rather than through one dependency each: the busiest
    # call of the counter pays for no resolution it does not need.
    body, state = await raw_json(request), request.app.state
    return await run_in_threadpool(_ec_query, request, body, state.units, state.settings, state.clock())


def _ec_query(request: Request, body: Any, units: Units, settings: Settings, now: Any) -> Response:
    org_id = str(body.get("orgId", "")) if isinstance(body, dict) else ""

    def refuse(message: str) -> Response:
        return _json({"orgId": org_id, "code": -1, "message": message, "data": None})

    if not isinstance(body, dict) or body.get("transType") != "ec.query" or not isinstance(body.get("data"), dict):
        return refuse("the body must be {orgId, transType: 'ec.query', data: {qrCode, businessType, operatorId, ...}}")
    data = body["data"]
    if not data.get("qrCode"):
        return refuse("data.qrCode is required: scan the patient's e-voucher QR code")
    try:
        _institution(request, units, settings, org_id, now)
        identity = codes.decode_qr(
            units,
            org_id,
            codes.DecodeRequest(
                qr_code=str(data["qrCode"]),
                business_type=str(data.get("businessType", "")),
                operator_id=str(data.get("operatorId", "")),
                operator_name=str(data.get("operatorName", "")),
                office_id=str(data.get("officeId", "")),
                office_name=str(data.get("officeName", "")),
            ),
            secret=settings.qr_signing_secret,
            ectoken_ttl=settings.ectoken_ttl_seconds,
            now=now,
        )
    except DomainError as exc:  # every refusal of the decode, in its own envelope
        return refuse(exc.message)
    return _json({"orgId": org_id, "code": 0, "message": "success", "data": identity})


@router.post(
    "/fsi/api/rsfComIfsService/callService",
    response_model=None,
    responses={
        200: {"model": MobilePaymentAnswer, "description": "the national envelope: infcode 0 with output, or -1"}
    },
    openapi_extra={
        **json_body(MOBILE_PAYMENT_ENVELOPE, description="the national envelope, infno 6201, 6202, 6203 or 6301"),
        **_NATIONAL_REFUSED,
    },
    callbacks=his_callbacks.routes,
)
async def call_service(
    request: Request, body: BodyDep, units: UnitsDep, settings: SettingsDep, state: StateDep, now: NowDep
) -> Response:
    """Mobile payment for the HIS: 6201 upload order, 6202 place, 6203 refund, 6301 query."""
    return await run_in_threadpool(_call_service, request, body, units, settings, state, now)


def _call_service(request: Request, body: Any, units: Units, settings: Settings, state: Any, now: Any) -> Response:
    try:
        envelope = parse_request(body)
    except EnvelopeError as exc:
        return _json(response(admdvs=settings.admdvs, received=now.replace(tzinfo=None), err_msg=str(exc)))

    received = now.replace(tzinfo=None)
    data = envelope.input.get("data")
    try:
        inst = _institution(request, units, settings, envelope.fixmedins_code, now)
        if envelope.infno == "6201":
            output = orders.upload_order(units, inst, data, now)
        elif envelope.infno == "6202":
            output = orders.place(units, state.payment_deps, inst, data, now)
        elif envelope.infno == "6203":
            output = orders.refund(units, state.payment_deps, inst, data, now)
        elif envelope.infno == "6301":
            output = orders.query(units, inst, data)
        else:
            raise DomainError(
                "infno", f"infno {envelope.infno} is not served here; this endpoint answers 6201, 6202, 6203 and 6301"
            )
    except DomainError as exc:  # every refusal of the transaction: infcode -1 with its sentence
        return _json(refusal(exc, admdvs=settings.admdvs, received=received))
    return _json(response(admdvs=settings.admdvs, received=received, output=output))
