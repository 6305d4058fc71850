"""An integrator on a machine without internet opens each service's /docs and /redoc and reads every
operation: Swagger UI and ReDoc come from the service itself (medshared.docs), nothing from a CDN.

A real headless Chromium (tests/e2e/browser.py) that can reach nothing but loopback renders the
pages of the running services; the test reads the rendered page, checks that every address the
page loaded is the service's own, that the browser really cannot reach the CDN FastAPI's stock
page loads the UI from, and keeps a screenshot of each page (and ChromeDriver's log) in .artifacts/docs/.
"""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import httpx
import pytest
from browser import OfflineBrowser
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html

ROOT = Path(__file__).resolve().parents[2]
ARTEFACTS = ROOT / ".artifacts" / "docs"
SERVICES = ["settlement", "enrollment", "remote-care", "e-voucher"]
METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
PNG = b"\x89PNG\r\n\x1a\n"
# Where FastAPI's own pages load the UI from: what a blank offline /docs was waiting for.
STOCK_SWAGGER_JS = inspect.signature(get_swagger_ui_html).parameters["swagger_js_url"].default
STOCK_REDOC_JS = inspect.signature(get_redoc_html).parameters["redoc_js_url"].default
# ReDoc's one outside address, built into its bundle: the sidebar's "API docs by Redocly" logo,
# which ReDoc drops from the page when it cannot load (the text stays). Nothing else may be asked for.
REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"

REACH = """
const done = arguments[arguments.length - 1];
fetch(arguments[0], {mode: "no-cors", cache: "no-store"}).then(() => done("reached"), () => done("refused"));
"""
LOADED = "return performance.getEntriesByType('resource').map(e => e.name);"
SWAGGER_PAGE = """
return {
  title: document.title,
  heading: (document.querySelector('.swagger-ui .info .title') || {}).textContent || '',
  operations: document.querySelectorAll('.swagger-ui .opblock').length,
  paths: [...document.querySelectorAll('.swagger-ui .opblock-summary-path')].map(e => e.dataset.path),
  errors: [...document.querySelectorAll('.swagger-ui .errors-wrapper')].map(e => e.textContent),
};
"""
REDOC_PAGE = """
return {
  title: document.title,
  heading: (document.querySelector('.api-info h1') || {}).textContent || '',
  operations: document.querySelectorAll('[data-section-id^="operation/"]').length,
  outside_images: [...document.querySelectorAll('img')].map(e => e.src).filter(src => !src.startsWith(location.origin)),
};
"""


def operations(spec: dict) -> list[tuple[str, str]]:
    return [(path, method) for path, item in spec["paths"].items() for method in item if method in METHODS]


def swagger_blocks(spec: dict) -> int:
    """Swagger UI lists an operation once under each of its tags (untagged ones under "default")."""
    return sum(max(1, len(spec["paths"][path][method].get("tags") or [])) for path, method in operations(spec))


@pytest.fixture(scope="module")
def browser():
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    chromium = OfflineBrowser(ARTEFACTS / "chromedriver.log")
    try:
        yield chromium
    finally:
        chromium.close()


def _spec(stack, service: str) -> dict:
    answer = httpx.get(stack.urls[service] + "/openapi.json", timeout=30)
    answer.raise_for_status()
    return answer.json()


def _loaded_only_from(browser: OfflineBrowser, base: str) -> list[str]:
    loaded = browser.run(LOADED)
    assert loaded, "the page loaded nothing"
    return [address for address in loaded if not address.startswith(base + "/")]


@pytest.mark.parametrize("service", SERVICES)
def test_swagger_ui_shows_every_operation_with_no_network(stack, browser, service):
    base = stack.urls[service]
    spec = _spec(stack, service)
    expected = operations(spec)
    assert expected, f"{service} publishes no operation"
    title = spec["info"]["title"]

    blocks = swagger_blocks(spec)
    browser.open(base + "/docs")
    browser.wait_for(f"return document.querySelectorAll('.swagger-ui .opblock').length >= {blocks};")
    page = browser.run(SWAGGER_PAGE)
    shot = browser.screenshot(ARTEFACTS / f"{service}-swagger-ui.png")
    (ARTEFACTS / f"{service}-swagger-ui.json").write_text(json.dumps(page, ensure_ascii=False, indent=2))
    print(f"{service}: {page['operations']} operations rendered, screenshot {ARTEFACTS / f'{service}-swagger-ui.png'}")

    assert page["title"] == f"{title} - Swagger UI"
    assert title in page["heading"], page["heading"]
    assert page["errors"] == [], page["errors"]
    assert page["operations"] == blocks, page
    assert set(page["paths"]) == {path for path, _ in expected}
    assert _loaded_only_from(browser, base) == []
    # The same browser, on the same page, cannot fetch the UI the way FastAPI's stock page does.
    assert browser.run_async(REACH, STOCK_SWAGGER_JS) == "refused"
    assert browser.run_async(REACH, base + "/openapi.json") == "reached"
    assert shot.startswith(PNG) and len(shot) > 20_000, "the screenshot is empty"


@pytest.mark.parametrize("service", SERVICES)
def test_redoc_shows_every_operation_with_no_network(stack, browser, service):
    base = stack.urls[service]
    spec = _spec(stack, service)
    expected = operations(spec)
    title = spec["info"]["title"]

    browser.open(base + "/redoc")
    selector = '[data-section-id^="operation/"]'
    browser.wait_for(f"return document.querySelectorAll('{selector}').length >= {len(expected)};")
    page = browser.run(REDOC_PAGE)
    shot = browser.screenshot(ARTEFACTS / f"{service}-redoc.png")

    assert page["title"] == f"{title} - ReDoc"
    assert title in page["heading"], page["heading"]
    assert page["operations"] == len(expected), page
    assert set(_loaded_only_from(browser, base)) <= {REDOC_LOGO}
    assert page["outside_images"] == [], "an outside image is shown on the page"
    assert browser.run_async(REACH, STOCK_REDOC_JS) == "refused"
    assert shot.startswith(PNG) and len(shot) > 20_000, "the screenshot is empty"
