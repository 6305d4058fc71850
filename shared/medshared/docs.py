"""API docs that open on a machine without internet: Swagger UI and ReDoc served by the service.

FastAPI's own /docs and /redoc pages load the UI from a CDN, so on an offline machine (a
hospital network, a province's integration lab) they are a blank page. `install(app)` serves
both pages from the UI's distribution packaged with the service (the fastapi-offline wheel
ships swagger-ui-bundle.js, swagger-ui.css and redoc.standalone.js), so everything either
page loads comes from the service itself:

- GET /docs: Swagger UI on the service's /openapi.json ("Try it out" included);
- GET /docs/oauth2-redirect: Swagger UI's OAuth2 redirect page;
- GET /redoc: ReDoc on the same document, without web fonts;
- GET /docs/assets/...: the UI's files.

The app is created with `FastAPI(docs_url=None, redoc_url=None)`, so FastAPI adds no CDN pages.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

DOCS_PATH = "/docs"
REDOC_PATH = "/redoc"
OAUTH2_REDIRECT_PATH = "/docs/oauth2-redirect"
ASSETS_PATH = "/docs/assets"
SWAGGER_JS = "swagger-ui-bundle.js"
SWAGGER_CSS = "swagger-ui.css"
REDOC_JS = "redoc.standalone.js"
FAVICON = "favicon.png"
# Swagger UI asks an online validator for a badge unless told not to: nothing leaves the service.
SWAGGER_UI_PARAMETERS = {"validatorUrl": None}


def assets_directory() -> Path:
    """Where the packaged UI files are on this machine (inside the installed wheel)."""
    return Path(str(files("fastapi_offline") / "static"))


def install(app: FastAPI) -> None:
    """Serve /docs, its OAuth2 redirect and /redoc from the packaged UI (see the module docstring)."""
    if app.docs_url is not None or app.redoc_url is not None:
        raise ValueError(
            "create the app with FastAPI(docs_url=None, redoc_url=None): medshared.docs serves /docs and "
            "/redoc from the packaged UI, and FastAPI's own pages would load it from a CDN"
        )
    openapi_url = app.openapi_url or "/openapi.json"
    app.mount(ASSETS_PATH, StaticFiles(directory=assets_directory()), name="docs-assets")

    @app.get(DOCS_PATH, include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=root + openapi_url,
            title=f"{app.title} - Swagger UI",
            oauth2_redirect_url=root + OAUTH2_REDIRECT_PATH,
            swagger_js_url=f"{root}{ASSETS_PATH}/{SWAGGER_JS}",
            swagger_css_url=f"{root}{ASSETS_PATH}/{SWAGGER_CSS}",
            swagger_favicon_url=f"{root}{ASSETS_PATH}/{FAVICON}",
            swagger_ui_parameters={**SWAGGER_UI_PARAMETERS, **(app.swagger_ui_parameters or {})},
        )

    @app.get(OAUTH2_REDIRECT_PATH, include_in_schema=False)
    async def swagger_ui_oauth2_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get(REDOC_PATH, include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_redoc_html(
            openapi_url=root + openapi_url,
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{root}{ASSETS_PATH}/{REDOC_JS}",
            redoc_favicon_url=f"{root}{ASSETS_PATH}/{FAVICON}",
            with_google_fonts=False,
        )
