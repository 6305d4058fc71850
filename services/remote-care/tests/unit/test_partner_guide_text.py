"""docs/partner-integration.md says what the code does: its code is the reference client's, its
signing examples are what the client and the service compute, and its route table is the app's."""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from remote_care.api import partner
from remote_care.api.auth import partner_signature
from remote_care.config import Settings
from remote_care.examples import partner_client

ROOT = Path(__file__).resolve().parents[4]
GUIDE = (ROOT / "docs" / "partner-integration.md").read_text(encoding="utf-8")
CLIENT_PATH = Path(partner_client.__file__)
CLIENT = CLIENT_PATH.read_text(encoding="utf-8")
_MARKED_BLOCK = re.compile(r"<!-- (?P<marker>[^>]+?) -->\n```(?P<lang>\w*)\n(?P<body>.*?)\n```", re.DOTALL)


def _blocks(marker: str) -> list[str]:
    return [m["body"] for m in _MARKED_BLOCK.finditer(GUIDE) if m["marker"] == marker]


def _appears_in_client(block: str) -> bool:
    """The block is a run of the client's lines (indentation removed from both alike)."""
    wanted = textwrap.dedent(block).splitlines()
    lines = CLIENT.splitlines()
    return any(
        textwrap.dedent("\n".join(lines[i : i + len(wanted)])).splitlines() == wanted
        for i in range(len(lines) - len(wanted) + 1)
    )


def test_every_code_block_the_guide_quotes_is_the_reference_clients_code_verbatim() -> None:
    quoted = _blocks("quoted from services/remote-care/remote_care/examples/partner_client.py")
    assert len(quoted) >= 3
    for block in quoted:
        assert _appears_in_client(block), block[:200]


def test_the_guides_signing_examples_are_what_the_client_and_the_service_compute() -> None:
    inputs, strings, signatures = (
        _blocks(f"signing example: {part}") for part in ("inputs", "string to sign", "signature")
    )
    assert len(inputs) == len(strings) == len(signatures) == 2
    for raw, string, signature in zip(inputs, strings, signatures, strict=True):
        given = json.loads(raw)
        body = given["body"].encode("utf-8")
        args = (given["method"], given["path_and_query"], given["timestamp"], given["nonce"], body)
        assert partner_client.string_to_sign(*args) == string
        assert partner_client.signature(given["secret"], string) == signature
        assert partner_signature(given["secret"], *args) == signature
        headers = partner_client.signed_headers(
            given["key_id"], given["secret"], *args[:2], body, timestamp=given["timestamp"], nonce=given["nonce"]
        )
        assert headers["x-partner-signature"] == signature and headers["x-partner-key"] == given["key_id"]
        # The development key the example uses is the service's own default.
        assert Settings().partner_credentials[given["key_id"]].secret == given["secret"]


@pytest.mark.skipif(not (shutil.which("openssl") and shutil.which("sha256sum")), reason="needs openssl and sha256sum")
def test_the_guides_shell_recipe_gives_the_documented_signature() -> None:
    [recipe] = _blocks("signing example: shell")
    out = subprocess.run(["sh", "-c", recipe], capture_output=True, text=True, check=True, timeout=10).stdout
    assert out.strip().split()[-1] == _blocks("signing example: signature")[0]


def test_the_guide_names_the_headers_the_client_sends() -> None:
    for header in (
        partner_client.KEY_HEADER,
        partner_client.TIMESTAMP_HEADER,
        partner_client.NONCE_HEADER,
        partner_client.SIGNATURE_HEADER,
    ):
        assert f"| `{header}` |" in GUIDE


def test_the_guides_route_table_is_every_partner_route_of_the_app() -> None:
    routes = {
        f"{method} {route.path.removeprefix('/partner/v1')}"
        for route in partner.router.routes
        for method in getattr(route, "methods", ())
    }
    table = GUIDE.split("## Every route", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `((?:GET|POST) [^`]+)` \|", table, re.MULTILINE))
    assert documented == routes


def test_the_reference_client_needs_only_httpx_and_the_standard_library() -> None:
    imported = set()
    for node in ast.walk(ast.parse(CLIENT)):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert imported - sys.stdlib_module_names == {"httpx"}
