"""What every service puts at its HTTP edge, installed in one call from create_app."""

from __future__ import annotations

from fastapi import FastAPI

from medshared import limits, observability, problems
from medshared.runtime import Runtime, health_router


def install(app: FastAPI, runtime: Runtime) -> None:
    """Problem details for every error, and the operations endpoints (/healthz, /readyz)."""
    problems.install(app)
    app.include_router(health_router(lambda: runtime))
    limits.install(app)
    # Last, so it wraps the others: refused requests are timed and logged with their request id too.
    observability.install(app, runtime)
