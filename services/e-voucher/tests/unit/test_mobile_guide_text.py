"""docs/mobile-integration.md says what the code does: its code is the reference client's, its
examples are what the client and the service compute and accept, and its tables are the app's
routes, settings and demo institutions."""

from __future__ import annotations

import ast
import base64
import datetime as dt
import hashlib
import hmac
import json
import re
import sys
import textwrap
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from types import SimpleNamespace

import httpx
from fastapi.testclient import TestClient

from evoucher.adapters.his import SIGNATURE_HEADER, HisNotifier
from evoucher.api import devtools, mobile
from evoucher.config import Settings
from evoucher.demo import DEMO_INSTITUTIONS
from evoucher.devtools.wechat_stub import build_app
from evoucher.domain import identity
from evoucher.domain.orders import parse_6201
from evoucher.domain.tokens import callback_signature
from evoucher.examples import mobile_client
from evoucher.usecases import saga
from medshared.national import gateway_signature
from tests.unit.fakes import FakeStore, FakeUnits

ROOT = Path(__file__).resolve().parents[4]
GUIDE = (ROOT / "docs" / "mobile-integration.md").read_text(encoding="utf-8")
CLIENT = Path(mobile_client.__file__).read_text(encoding="utf-8")
_MARKED_BLOCK = re.compile(r"<!-- (?P<marker>[^>]+?) -->\n```(?P<lang>\w*)\n(?P<body>.*?)\n```", re.DOTALL)


def _blocks(marker: str) -> list[str]:
    return [m["body"] for m in _MARKED_BLOCK.finditer(GUIDE) if m["marker"] == marker]


def _section(heading: str) -> str:
    return GUIDE.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]


def _appears_in_client(block: str) -> bool:
    """The block is a run of the client's lines (indentation removed from both alike)."""
    wanted = textwrap.dedent(block).splitlines()
    lines = CLIENT.splitlines()
    return any(
        textwrap.dedent("\n".join(lines[i : i + len(wanted)])).splitlines() == wanted
        for i in range(len(lines) - len(wanted) + 1)
    )


def test_every_code_block_the_guide_quotes_is_the_reference_clients_code_verbatim() -> None:
    quoted = _blocks("quoted from services/e-voucher/evoucher/examples/mobile_client.py")
    assert len(quoted) >= 10
    for block in quoted:
        assert _appears_in_client(block), block[:200]


def test_the_guides_gateway_signature_is_what_the_client_and_the_national_library_compute() -> None:
    [raw] = _blocks("gateway signature example: inputs")
    [documented] = _blocks("gateway signature example: signature")
    given = json.loads(raw)
    args = (given["timestamp"], given["token"], given["nonce"])
    assert mobile_client.gateway_signature(*args) == gateway_signature(*args) == documented
    headers = mobile_client.gateway_headers(given["paasid"], given["token"], timestamp=args[0], nonce=args[2])
    assert headers["x-tif-signature"] == documented and headers["x-tif-paasid"] == given["paasid"]


def test_the_guides_callback_is_the_body_and_signature_the_platform_sends_for_such_an_order() -> None:
    [body] = _blocks("callback example: body")
    [documented] = _blocks("callback example: signature")
    shown = json.loads(body, parse_float=Decimal)
    token = "demo-ec-H54010000001"
    store = FakeStore()
    store.add_institution(shown["orgCode"], "拉萨市第一人民医院(演示)", token=token)
    row = SimpleNamespace(
        status="paid",
        pay_ord_id=shown["payOrdId"],
        med_org_ord=shown["medOrgOrd"],
        medfee_sumamt=shown["feeSumamt"],
        psn_cash_pay=shown["ownPayAmt"],
        acct_pay=shown["psnAcctPay"],
        fund_pay_sumamt=shown["fundPay"],
        mdtrt_id=shown["mdtrtId"],
        setl_id=shown["setlId"],
        fail_reason=None,
        updated_at=dt.datetime.strptime(shown["traceTime"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=dt.UTC),
        fixmedins_code=shown["orgCode"],
        ec_token=shown["ecCode"],
        callback_url="http://127.0.0.1:18090/his/mobile-pay/notify",
    )
    sent: list[httpx.Request] = []
    notifier = HisNotifier(5)
    notifier._http = httpx.Client(transport=httpx.MockTransport(lambda r: sent.append(r) or httpx.Response(200)))
    assert saga._notify(FakeUnits(store), SimpleNamespace(notifier=notifier), row)
    [request] = sent
    assert request.content == body.encode("utf-8")
    assert request.headers[SIGNATURE_HEADER] == documented == callback_signature(token, request.content)
    assert request.headers["content-type"] == "application/json"
    assert mobile_client.callback_signature(token, request.content) == documented
    assert mobile_client.callback_is_genuine(token, request.content, documented.upper())
    assert not mobile_client.callback_is_genuine("demo-ec-H54010000002", request.content, documented)


def test_the_guides_identity_ticket_is_one_the_platform_accepts_and_the_stand_in_would_issue() -> None:
    [raw] = _blocks("identity ticket example: inputs")
    [ticket] = _blocks("identity ticket example: ticket")
    given = json.loads(raw)
    claims = given["claims"]
    assert given["secret"] == Settings().identity_ticket_secret
    verified = identity.read(given["secret"], ticket, claims["exp"] - 300)
    assert (verified.ticket_id, verified.certno, verified.psn_name, verified.openid, verified.expires_at) == (
        claims["tid"], claims["certno"], claims["psn_name"], claims["openid"], claims["exp"]
    )  # fmt: skip
    # The recipe of the text: compact sorted UTF-8 JSON, base64url without padding, hex HMAC-SHA256.
    text = json.dumps(claims, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    first = base64.urlsafe_b64encode(text).decode().rstrip("=")
    assert ticket == f"{first}.{hmac.new(given['secret'].encode(), first.encode(), hashlib.sha256).hexdigest()}"


def test_the_wechat_stand_in_answers_as_the_guide_says() -> None:
    [raw] = _blocks("wechat stand-in: answers")
    settings = Settings()
    with TestClient(build_app()) as stub:
        for case in json.loads(raw):
            if case["query"]["grant_type"] == "authorization_code":
                assert (case["query"]["appid"], case["query"]["secret"]) == (
                    settings.wechat_appid,
                    settings.wechat_secret,
                )
            answer = stub.get("/sns/jscode2session", params=case["query"]).json()
            assert case["answer"].items() <= answer.items(), (case, answer)


def test_the_guides_6201_example_is_an_order_the_platform_accepts() -> None:
    section = GUIDE.split("### 6201: upload the order", 1)[1].split("### ", 1)[0]
    example = re.search(r"```json\n(\{\"medOrgOrd\".*?)\n```", section, re.DOTALL)
    assert example
    order = parse_6201(json.loads(example[1]))
    assert (order.medfee_sumamt, order.insutype, order.acct_used_flag) == (Decimal("339.83"), "310", "0")
    # Every field of the example is a row of the guide's 6201 table.
    field_cells = [line.split(" | ", 1)[0] for line in section.splitlines() if line.startswith("| `")]
    documented = {name for cell in field_cells for name in re.findall(r"`(\w+)(?:\[\])?`", cell)}
    assert set(json.loads(example[1])) <= documented


def test_the_guides_route_table_is_every_phone_route_of_the_app() -> None:
    routes = {
        f"{method} {route.path}"
        for router in (mobile.router, devtools.router)
        for route in router.routes
        for method in getattr(route, "methods", ())
    }
    table = _section("Every route").split("At remote-care", 1)[0]
    assert set(re.findall(r"^\| `((?:GET|POST) [^`]+)` \|", table, re.MULTILINE)) == routes


def test_the_guides_settings_are_the_services_defaults() -> None:
    settings = Settings()
    rows = re.findall(r"^\| `EVOUCHER_(\w+)` \| `([^`]+)` \|", _section("Settings"), re.MULTILINE)
    assert len(rows) >= 25
    for name, documented in rows:
        value = getattr(settings, name.lower())
        if isinstance(value, (int, float)):
            assert float(Fraction(documented)) == float(value), name
        else:
            assert documented == str(value), name


def test_the_guides_demo_institutions_are_the_ones_e_voucher_loads() -> None:
    table = GUIDE.split("| fixmedins_code | name | admdvs | level |", 1)[1].split("\n\n", 1)[0]
    rows = re.findall(r"^\| (\w{12}) \| ([^|]+) \| (\d{6}) \|", table, re.MULTILINE)
    assert [(code, name.strip(), admdvs) for code, name, admdvs in rows] == list(DEMO_INSTITUTIONS)


def test_the_reference_client_needs_only_httpx_and_the_standard_library() -> None:
    imported = set()
    for node in ast.walk(ast.parse(CLIENT)):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert imported - sys.stdlib_module_names - {"__future__"} == {"httpx"}
