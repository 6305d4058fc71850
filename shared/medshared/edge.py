"""What every service puts at its HTTP edge, installed in one call from create_app."""

from __future__ import annotations

from fastapi import FastAPI

from medshared import problems
from medshared.runtime import Runtime, health_router


def install(app: FastAPI, runtime: Runtime) -> None:
    """Problem details for every error, and the operations endpoints (/healthz, /readyz)."""
    problems.install(app)
    app.include_router(health_router(lambda: runtime))
