"""What every service puts at its HTTP edge, installed in one call from create_app."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from fastapi import FastAPI, encoders

from medshared import limits, observability, openapi, problems
from medshared.runtime import Runtime, health_router


def install(
    app: FastAPI,
    runtime: Runtime,
    *,
    offered_infnos: observability.OfferedInfnos = None,
    upload_paths: Iterable[str] = (),
    may_upload: limits.MayUpload | None = None,
) -> None:
    """Problem details for every error (and in the OpenAPI), and the operations endpoints (/healthz, /readyz).

    - `offered_infnos`: the national transactions this service answers (a set, or a callable
      returning one); metrics label only those and count every other infno as "unknown".
    - `upload_paths` / `may_upload`: the routes that take bulk bodies (limits.MAX_UPLOAD_BYTES)
      and, optionally, which requests may send them there; every other body is held to 1 MiB.
    """
    _money_as_written()
    problems.install(app)
    openapi.install(app)  # the OpenAPI says so: errors as application/problem+json, schemes sent together
    app.include_router(health_router(lambda: runtime))
    limits.install(app, upload_paths=upload_paths, may_upload=may_upload)
    # Last, so it wraps the others: refused requests are timed and logged with their request id too.
    observability.install(app, runtime, offered_infnos=offered_infnos)


def _decimal_as_text(value: Decimal) -> str:
    return format(value, "f")


def _money_as_written() -> None:
    """REST answers carry a Decimal as its exact text ("700.00"), as pydantic models already do.

    FastAPI's encoder would turn a Decimal in a plain dict into a float (700.0); money never
    passes through float, so every route answers amounts the same way, annotated or not.
    """
    encoders.ENCODERS_BY_TYPE[Decimal] = _decimal_as_text
