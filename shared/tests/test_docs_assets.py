"""/docs and /redoc load nothing from outside the service: every address they name is the service's
own, and each of those answers 200 with the type a browser needs (tests/e2e/test_offline_docs.py
renders the four services' pages in a browser with no network)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.testclient import TestClient

from medshared import docs

CONTENT_TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png", ".json": "application/json"}
# The addresses Swagger UI's start-up script is given (the spec and the OAuth2 redirect).
SCRIPT_URLS = re.compile(r"""(?:url|oauth2RedirectUrl):\s*(?:window\.location\.origin \+ )?'([^']*)'""")


class _Addresses(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [value for name, value in attrs if name in {"src", "href", "spec-url"} and value]


def addresses(page: str) -> list[str]:
    parser = _Addresses()
    parser.feed(page)
    return parser.found + SCRIPT_URLS.findall(page)


def toy_app() -> FastAPI:
    app = FastAPI(title="Toy service (演示)", docs_url=None, redoc_url=None)

    @app.get("/things/{thing_id}")
    def thing(thing_id: int) -> dict[str, int]:
        return {"thing_id": thing_id}

    docs.install(app)
    return app


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_docs_pages_name_only_the_services_own_addresses(page):
    client = TestClient(toy_app())
    answer = client.get(page)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    assert "Toy service (演示)" in answer.text
    found = addresses(answer.text)
    assert found, "the page names no asset"
    assert "://" not in answer.text, "the page names an address outside the service"
    for address in found:
        assert address.startswith("/") and not address.startswith("//"), address


def test_the_stock_fastapi_page_would_load_the_ui_from_elsewhere():
    # What the check above refuses: FastAPI's own /docs page, which is blank without internet.
    stock = get_swagger_ui_html(openapi_url="/openapi.json", title="Toy").body.decode()
    assert [a for a in addresses(stock) if "://" in a], "FastAPI's stock page now loads nothing from a CDN"


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_every_address_the_docs_pages_name_answers_with_the_type_a_browser_needs(page):
    client = TestClient(toy_app())
    found = addresses(client.get(page).text)
    assert {a.rsplit(".", 1)[-1] for a in found} >= ({"js", "png", "json"} | ({"css"} if page == "/docs" else set()))
    for address in found:
        answer = client.get(address)
        assert answer.status_code == 200, address
        suffix = "." + address.rsplit(".", 1)[-1]
        if suffix in CONTENT_TYPES:
            assert answer.headers["content-type"].startswith(CONTENT_TYPES[suffix]), address
        else:  # the OAuth2 redirect page
            assert answer.headers["content-type"].startswith("text/html"), address
        assert answer.content, address


def test_the_swagger_ui_asset_is_the_ui_that_reads_openapi_3_1():
    # FastAPI writes OpenAPI 3.1, which Swagger UI 4 refuses to render ("Unable to render this definition").
    client = TestClient(toy_app())
    assert client.get("/openapi.json").json()["openapi"].startswith("3.1")
    bundle = client.get(f"{docs.ASSETS_PATH}/{docs.SWAGGER_JS}").text
    assert "SwaggerUIBundle" in bundle
    assert "isOAS31" in bundle, "the packaged Swagger UI has no OpenAPI 3.1 support (Swagger UI 5 has)"


def test_behind_a_path_prefix_the_pages_name_the_prefixed_addresses():
    client = TestClient(toy_app(), root_path="/gateway/toy")
    page = client.get("/docs").text
    found = addresses(page)
    assert found and all(a.startswith("/gateway/toy/") for a in found), found
    assert client.get(f"/gateway/toy{docs.ASSETS_PATH}/{docs.SWAGGER_CSS}").status_code == 200


def test_validator_badge_is_off_so_swagger_ui_asks_no_outside_service():
    page = TestClient(toy_app()).get("/docs").text
    assert '"validatorUrl": null' in page


def test_an_app_that_still_has_fastapis_own_docs_pages_is_refused():
    with pytest.raises(ValueError, match="docs_url=None, redoc_url=None"):
        docs.install(FastAPI(title="Toy"))
