"""What every service's OpenAPI says about errors and credentials, and the check that it says it.

- `ProblemDetails` is the RFC 9457 body every REST error answers (medshared.problems), and
  `problem_responses(401, 403, 422, ...)` the `responses=` of a route or router that may answer
  them, each with a short description.
- The security schemes name the headers each surface really checks. They are FastAPI security
  dependencies that never refuse (auto_error=False): the existing checks (OperatorGate, the
  partner signature, the session tokens, the gateway signature) stay the only judges of who may
  call; these declarations put the schemes in components.securitySchemes and on each operation.
  A route takes them as `dependencies=[*OPERATOR]`, `dependencies=[*PARTNER]` ...
- `install(app)` (medshared.edge.install calls it for every service) finishes the document: the
  headers that are sent together (the four partner headers, the four gateway headers) become one
  requirement, error answers are application/problem+json, and FastAPI's default 422 becomes the
  problem details the service really answers.
- `json_body`, `file_response`, `text_response`, `NationalAnswer` and `national_request_schema`
  describe what a route reads or answers itself (raw national envelopes, files, text).
- `untyped_routes(app)` names every operation whose answer, body, security or error answers
  are not documented; each service's tests assert it is empty.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Security
from fastapi.security import APIKeyHeader, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field

from medshared.problems import PROBLEM_JSON

# ------------------------------------------------------------------ problem details


class FieldProblem(BaseModel):
    """One field to fix: where it is (dotted, e.g. `lines.0.amount`) and what to send."""

    field: str
    message: str


class ProblemDetails(BaseModel):
    """RFC 9457 problem details: `code` is the stable reason to branch on, `detail` the sentence to show."""

    model_config = ConfigDict(extra="allow", title="ProblemDetails")

    type: str = Field(description="urn:problem:<code>, or about:blank", examples=["urn:problem:not_found"])
    title: str = Field(examples=["Not found"])
    status: int = Field(description="the HTTP status", examples=[404])
    detail: str = Field(description="what went wrong and what to do, for a person to read")
    code: str | None = Field(None, description="the stable reason, e.g. unauthorized, forbidden, invalid_request")
    errors: list[FieldProblem] | None = Field(None, description="invalid_request: each field to fix")
    retry_after_seconds: int | None = Field(None, description="rate_limited: seconds to wait (also Retry-After)")


PROBLEM_DESCRIPTIONS: dict[int, str] = {
    400: "the request cannot be read as sent",
    401: "unauthorized: no credential, or one the service does not know; the detail says what to send",
    403: "forbidden: the credential is known but may not do this; the detail names what it needs",
    404: "no such record (or not one the caller may see)",
    409: "conflict: the record as it stands refuses this; `code` says why",
    413: "the body is over the size this route accepts",
    422: "a field to fix: `errors` names each field and what to send",
    429: "too many requests: wait `retry_after_seconds` (the Retry-After header) and try again",
    503: "the service cannot reach its database or broker; retry shortly",
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entries for the problem details a route may answer, with a short description each.

    Merge them with `|` (`problem_responses(401, 403) | problem_responses(404)`); `install(app)` files
    them under application/problem+json, the media type the service answers them with."""
    return {
        status: {
            "model": ProblemDetails,
            "description": PROBLEM_DESCRIPTIONS.get(status) or HTTPStatus(status).phrase,
        }
        for status in statuses
    }


# ------------------------------------------------------------------ security schemes

OPERATOR_TOKEN = APIKeyHeader(
    name="x-operator-token",
    scheme_name="OperatorToken",
    auto_error=False,
    description=(
        "An operator token (bureau desk, review, clearing, policy, operations or audit role). A missing or "
        "unknown token answers 401, a role that may not act on the route 403; the audit role reads "
        "every operator route. Development tokens: dev-operator-token (every role), dev-desk-token, "
        "dev-review-token, dev-clearing-token, dev-policy-token, dev-operations-token, dev-audit-token."
    ),
)

INTERNAL_TOKEN = APIKeyHeader(
    name="x-internal-token",
    scheme_name="InternalToken",
    auto_error=False,
    description="The credential one platform service sends another (service-to-service calls only); 401 otherwise.",
)

_PARTNER_SIGNING = (
    "Partner provinces sign every /partner/v1 request with four headers, all required (docs/partner-integration.md): "
    "x-partner-signature = lowercase hex HMAC-SHA256(secret, METHOD + '\\n' + path?query + '\\n' + timestamp "
    "+ '\\n' + nonce + '\\n' + hex SHA-256(body)). A missing header, an unknown key, a stale timestamp, a reused "
    "nonce or a wrong signature answers 401."
)
PARTNER_KEY = APIKeyHeader(
    name="x-partner-key",
    scheme_name="PartnerKey",
    auto_error=False,
    description="The partner key id. " + _PARTNER_SIGNING,
)
PARTNER_TIMESTAMP = APIKeyHeader(
    name="x-partner-timestamp",
    scheme_name="PartnerTimestamp",
    auto_error=False,
    description="The current Unix time in seconds, ASCII digits (within the service's skew, 300 s by default).",
)
PARTNER_NONCE = APIKeyHeader(
    name="x-partner-nonce",
    scheme_name="PartnerNonce",
    auto_error=False,
    description="A fresh random string per request, at most 64 characters; a nonce serves once.",
)
PARTNER_SIGNATURE = APIKeyHeader(
    name="x-partner-signature", scheme_name="PartnerSignature", auto_error=False, description=_PARTNER_SIGNING
)

_GATEWAY_SIGNING = (
    "Hospitals and pharmacies sign as at the national gateway, four headers, all required: x-tif-paasid (the "
    "institution's credential id, its fixmedins_code), x-tif-timestamp (Unix seconds), x-tif-nonce (fresh per "
    "request) and x-tif-signature = lowercase hex SHA-256(timestamp + token + nonce + timestamp), where token is "
    "the institution's gateway token."
)
GATEWAY_PAASID = APIKeyHeader(
    name="x-tif-paasid", scheme_name="GatewayPaasid", auto_error=False, description=_GATEWAY_SIGNING
)
GATEWAY_TIMESTAMP = APIKeyHeader(
    name="x-tif-timestamp",
    scheme_name="GatewayTimestamp",
    auto_error=False,
    description="The current Unix time in seconds, ASCII digits, within the platform's clock skew.",
)
GATEWAY_NONCE = APIKeyHeader(
    name="x-tif-nonce",
    scheme_name="GatewayNonce",
    auto_error=False,
    description="A fresh random string per request (retries too); a nonce serves once.",
)
GATEWAY_SIGNATURE = APIKeyHeader(
    name="x-tif-signature", scheme_name="GatewaySignature", auto_error=False, description=_GATEWAY_SIGNING
)

PHONE_SESSION = HTTPBearer(
    scheme_name="PhoneSession",
    bearerFormat="session_token",
    auto_error=False,
    description=(
        "Authorization: Bearer <session_token>, the session_token POST /mobile/v1/sessions answers after "
        "WeChat login; a missing, unknown or expired session answers 401 (sign in again)."
    ),
)

REMOTE_CARE_SESSION = HTTPBearer(
    scheme_name="RemoteCareSession",
    bearerFormat="remote_care_token",
    auto_error=False,
    description=(
        "Authorization: Bearer <remote_care_token>, the remote_care_token e-voucher's POST /mobile/v1/sessions "
        "answers beside its session_token (base64url claims + '.' + hex HMAC-SHA256); good while the person's "
        "voucher is active; 401 otherwise (sign in again)."
    ),
)

# Route or router dependencies that declare a scheme and never refuse.
OPERATOR: list[Any] = [Security(OPERATOR_TOKEN)]
INTERNAL: list[Any] = [Security(INTERNAL_TOKEN)]
PARTNER: list[Any] = [Security(s) for s in (PARTNER_KEY, PARTNER_TIMESTAMP, PARTNER_NONCE, PARTNER_SIGNATURE)]
GATEWAY: list[Any] = [Security(s) for s in (GATEWAY_PAASID, GATEWAY_TIMESTAMP, GATEWAY_NONCE, GATEWAY_SIGNATURE)]
PHONE: list[Any] = [Security(PHONE_SESSION)]
REMOTE_CARE: list[Any] = [Security(REMOTE_CARE_SESSION)]

# Schemes that are sent together: one requirement (all of them), not alternatives.
TOGETHER: tuple[frozenset[str], ...] = (
    frozenset({"PartnerKey", "PartnerTimestamp", "PartnerNonce", "PartnerSignature"}),
    frozenset({"GatewayPaasid", "GatewayTimestamp", "GatewayNonce", "GatewaySignature"}),
)

# openapi_extra of a route anyone may call (health, login): an explicit empty security requirement.
PUBLIC: dict[str, Any] = {"security": []}

# Headers that carry a credential: a route that declares one as a parameter is protected.
CREDENTIAL_HEADERS = frozenset(
    {
        "authorization",
        "x-operator-token",
        "x-internal-token",
        "x-partner-key",
        "x-partner-timestamp",
        "x-partner-nonce",
        "x-partner-signature",
        "x-tif-paasid",
        "x-tif-timestamp",
        "x-tif-nonce",
        "x-tif-signature",
    }
)


def refused_in_body(how: str) -> dict[str, Any]:
    """openapi_extra of a route that answers a refused credential in its body (HTTP 200, the national
    infcode -1), not with 401/403: `how` says how a client reads the refusal."""
    return {"x-refused-in-body": how}


# ------------------------------------------------------------------ request bodies and file answers


def json_body(
    model: type[BaseModel] | dict[str, Any],
    *,
    description: str = "",
    media_types: Iterable[str] = ("application/json",),
) -> dict[str, Any]:
    """openapi_extra declaring the JSON request body of a route that reads it itself (raw bytes, so amounts
    never pass through float, and a national refusal instead of a 422) or as a plain dict its use case
    checks: the schema of `model` inlined (or `model` itself when it is a JSON Schema)."""
    schema = model if isinstance(model, dict) else inline_schema(model)
    body: dict[str, Any] = {"required": True, "content": {m: {"schema": schema} for m in media_types}}
    if description:
        body["description"] = description
    return {"requestBody": body}


def inline_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The JSON Schema of `model` with its $defs resolved in place (self-contained, for openapi_extra)."""
    schema = model.model_json_schema(mode="validation")
    defs = schema.pop("$defs", {})

    def resolve(node: Any, seen: frozenset[str]) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                name = ref.removeprefix("#/$defs/")
                if name in seen:  # a recursive model: leave the reference for a reader to follow
                    return {"type": "object", "title": name}
                rest = {k: v for k, v in node.items() if k != "$ref"}
                return resolve({**defs[name], **rest}, seen | {name})
            return {k: resolve(v, seen) for k, v in node.items()}
        if isinstance(node, list):
            return [resolve(v, seen) for v in node]
        return node

    resolved: dict[str, Any] = resolve(schema, frozenset())
    return resolved


def file_response(media_type: str, description: str) -> dict[str, Any]:
    """A `responses=` entry value for an answer that is a file (bytes of `media_type`)."""
    return {"description": description, "content": {media_type: {"schema": {"type": "string", "format": "binary"}}}}


def text_response(media_type: str, description: str) -> dict[str, Any]:
    """A `responses=` entry value for an answer that is text of `media_type` (e.g. the Prometheus format)."""
    return {"description": description, "content": {media_type: {"schema": {"type": "string"}}}}


# ------------------------------------------------------------------ the national envelope


class NationalAnswer(BaseModel):
    """出参公共报文: infcode 0 with the transaction's output, or -1 with err_msg saying what to fix."""

    infcode: int = Field(description="0 success, -1 refused (err_msg says why and what to send)")
    inf_refmsgid: str = Field(description="the platform's message id: admdvs + yyyyMMddHHmmss + sequence")
    refmsg_time: str = Field(description="when the request arrived, yyyyMMddHHmmssSSS")
    respond_time: str = Field(description="when the answer left, yyyyMMddHHmmssSSS")
    err_msg: str | None
    warn_msg: str | None
    cainfo: str | None
    signtype: str | None
    output: Any = Field(description="the transaction's output node (its shape is the infno's); null when refused")


def national_request_schema(input_schema: dict[str, Any] | None = None, description: str = "") -> dict[str, Any]:
    """入参公共报文 (medshared.national.NationalRequest) as a JSON Schema, its `input` described by
    `input_schema` (e.g. a oneOf per infno) or by `description`."""
    from medshared.national import NationalRequest

    schema = inline_schema(NationalRequest)
    schema["properties"]["input"] = input_schema or {
        "type": "object",
        "description": description or 'the transaction\'s input node, e.g. {"data": {...}}',
    }
    return schema


# ------------------------------------------------------------------ the finished document


def install(app: FastAPI) -> None:
    """Finish the app's OpenAPI once, when first asked for: the headers sent together as one
    requirement, error answers as application/problem+json, and FastAPI's default 422 as the
    problem details the service answers (medshared.problems)."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def documented() -> dict[str, Any]:
        if app.openapi_schema is None:
            refine(generate())
        return app.openapi_schema or {}

    app.openapi = documented  # type: ignore[method-assign]


def refine(spec: dict[str, Any]) -> dict[str, Any]:
    """The changes `install` makes, on a generated document (in place; applying them twice changes nothing)."""
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    problem_ref = _problem_ref(schemas)
    for _, _, operation in operations(spec):
        requirements = operation.get("security")
        if requirements:
            operation["security"] = _together(requirements)
        for status, answer in operation.get("responses", {}).items():
            if str(status)[:1] not in {"4", "5"} or not isinstance(answer, dict):
                continue
            content = answer.get("content", {})
            schema = content.get("application/json", {}).get("schema", {})
            if str(status) == "422" and schema.get("$ref") == "#/components/schemas/HTTPValidationError":
                answer["description"] = PROBLEM_DESCRIPTIONS[422]
                schema = {"$ref": problem_ref}
            elif not _is_problem(schema, schemas):
                continue
            answer["content"] = {PROBLEM_JSON: {"schema": schema}}
    used = _refs(spec.get("paths", {}))
    for name in ("HTTPValidationError", "ValidationError"):
        if f"#/components/schemas/{name}" not in used and name in schemas:
            # Still referenced by each other, not by an operation: the service never answers them.
            if name == "ValidationError" and "#/components/schemas/HTTPValidationError" in used:
                continue
            del schemas[name]
    return spec


def _problem_ref(schemas: dict[str, Any]) -> str:
    for name, schema in schemas.items():
        if schema.get("title") == "ProblemDetails":
            return f"#/components/schemas/{name}"
    schema = ProblemDetails.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(schema.pop("$defs", {}))
    schemas["ProblemDetails"] = schema
    return "#/components/schemas/ProblemDetails"


def _is_problem(schema: dict[str, Any], schemas: dict[str, Any]) -> bool:
    ref = schema.get("$ref", "")
    target = schemas.get(ref.removeprefix("#/components/schemas/"), {}) if ref else schema
    return bool(target.get("title") == "ProblemDetails")


def _together(requirements: list[dict[str, list[str]]]) -> list[dict[str, list[str]]]:
    merged: list[dict[str, list[str]]] = []
    groups: dict[frozenset[str], dict[str, list[str]]] = {}
    for requirement in requirements:
        group = next((g for g in TOGETHER if set(requirement) <= g), None)
        if group is None:
            merged.append(requirement)
        elif group in groups:
            groups[group].update(requirement)
        else:
            groups[group] = dict(requirement)
            merged.append(groups[group])
    return merged


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        for value in node.values():
            found |= _refs(value)
        return found
    if isinstance(node, list):
        return set().union(*(_refs(v) for v in node)) if node else set()
    return set()


# ------------------------------------------------------------------ the check

_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


def operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(METHOD, path, operation) for every operation of an OpenAPI document."""
    for path, item in spec.get("paths", {}).items():
        for method in _METHODS:
            if method in item:
                yield method.upper(), path, item[method]


def untyped_routes(app: FastAPI) -> list[str]:
    """Every operation of the app's OpenAPI that an integrator could not use from the document alone,
    each as "METHOD path: what is missing":

    - a 2xx answer without a schema, or whose JSON schema is an untyped object (`{}`, or an object with
      neither properties nor typed additionalProperties; nested ones too, unless described);
    - a request body without a schema, or whose JSON schema is untyped;
    - no security requirement at all (a public route says so with openapi_extra=PUBLIC), a protected
      route (one that takes a credential header) without one, or one naming an undeclared scheme;
    - a protected route that declares neither 401 nor 403 (unless it answers refusals in its body,
      refused_in_body(...)).
    """
    spec = app.openapi()
    schemas: dict[str, Any] = spec.get("components", {}).get("schemas", {})
    declared = set(spec.get("components", {}).get("securitySchemes", {}))
    found: list[str] = []
    for method, path, operation in operations(spec):
        name = f"{method} {path}"
        found += [f"{name}: {problem}" for problem in _operation_problems(operation, schemas, declared)]
    return found


def _operation_problems(operation: dict[str, Any], schemas: dict[str, Any], declared: set[str]) -> Iterator[str]:
    responses: dict[str, Any] = operation.get("responses", {})
    successes = {status: answer for status, answer in responses.items() if str(status).startswith("2")}
    if not successes:
        yield "declares no 2xx answer"
    for status, answer in successes.items():
        if str(status) == "204":
            continue
        content = answer.get("content") or {}
        if not content:
            yield f"{status} answer has no content schema"
        for media_type, entry in content.items():
            yield from (f"{status} answer ({media_type}) {p}" for p in _schema_problems(entry, media_type, schemas))
    body = operation.get("requestBody")
    if body is not None:
        content = body.get("content") or {}
        if not content:
            yield "request body has no content schema"
        for media_type, entry in content.items():
            yield from (f"request body ({media_type}) {p}" for p in _schema_problems(entry, media_type, schemas))
    yield from _security_problems(operation, responses, declared)


def _schema_problems(entry: dict[str, Any], media_type: str, schemas: dict[str, Any]) -> Iterator[str]:
    if "schema" not in entry:
        yield "has no schema"
        return
    if _is_json(media_type):
        yield from _untyped(entry["schema"], schemas, "", frozenset(), top=True)


def _is_json(media_type: str) -> bool:
    kind = media_type.split(";")[0].strip().lower()
    return kind == "application/json" or kind.endswith("+json")


def _untyped(node: Any, schemas: dict[str, Any], where: str, seen: frozenset[str], *, top: bool) -> Iterator[str]:
    at = f" at {where}" if where else ""
    if not isinstance(node, dict):
        return
    ref = node.get("$ref")
    if isinstance(ref, str):
        name = ref.removeprefix("#/components/schemas/")
        if name not in schemas:
            yield f"refers to {ref}, which the document does not define"
            return
        if name in seen:
            return
        yield from _untyped(schemas[name], schemas, where, seen | {name}, top=top)
        return
    described = bool(node.get("description")) and not top
    for key in ("anyOf", "oneOf", "allOf"):
        for option in node.get(key, []):
            yield from _untyped(option, schemas, where, seen, top=top)
    if any(key in node for key in ("anyOf", "oneOf", "allOf", "const", "enum")):
        return
    kind = node.get("type")
    if kind is None and not node.get("properties"):
        if not described:
            yield f"is untyped{at} (an empty schema)"
        return
    kinds = kind if isinstance(kind, list) else [kind]
    if "object" in kinds or (kind is None and node.get("properties")):
        properties: dict[str, Any] = node.get("properties") or {}
        extra = node.get("additionalProperties")
        typed_extra = isinstance(extra, dict) and bool(extra)
        if not properties and not typed_extra and not node.get("patternProperties"):
            if not described:
                yield f"is an untyped object{at}"
            return
        for field, sub in properties.items():
            yield from _untyped(sub, schemas, f"{where}.{field}" if where else field, seen, top=False)
        if typed_extra:
            yield from _untyped(extra, schemas, f"{where}.*" if where else "*", seen, top=False)
    if "array" in kinds:
        items = node.get("items")
        if not items:
            if not described:
                yield f"is an array of untyped items{at}"
            return
        yield from _untyped(items, schemas, f"{where}[]" if where else "[]", seen, top=top)


def _security_problems(operation: dict[str, Any], responses: dict[str, Any], declared: set[str]) -> Iterator[str]:
    credential_headers = sorted(
        p["name"]
        for p in operation.get("parameters", [])
        if p.get("in") == "header" and str(p.get("name", "")).lower() in CREDENTIAL_HEADERS
    )
    if "security" not in operation:
        if credential_headers:
            yield f"takes {', '.join(credential_headers)} but declares no security scheme"
        else:
            yield "declares no security requirement (a public route says so: openapi_extra=PUBLIC)"
        return
    requirements: list[dict[str, Any]] = operation["security"]
    if not requirements:
        if credential_headers:
            yield f"takes {', '.join(credential_headers)} but is declared public"
        return
    for requirement in requirements:
        for scheme in requirement:
            if scheme not in declared:
                yield f"names security scheme {scheme}, which components.securitySchemes does not declare"
    if "401" not in responses and "403" not in responses and "x-refused-in-body" not in operation:
        yield "is protected but declares neither 401 nor 403"


def answer_schema(
    spec: dict[str, Any], method: str, path: str, status: int | str, media_type: str = ""
) -> dict[str, Any]:
    """The schema an operation declares for one answer, self-contained (its references resolve inside it),
    for a test to validate a real answer against (jsonschema's Draft202012Validator)."""
    answer = spec["paths"][path][method.lower()]["responses"][str(status)]
    content: dict[str, Any] = answer["content"]
    entry = content[media_type] if media_type else next(iter(content.values()))
    return {**entry["schema"], "components": spec.get("components", {})}
