"""Who may call, how often, and what operators did: the pieces every service's edge shares.

- Operator tokens carry roles. `OperatorGate(audit_table).require(*roles)` is the dependency
  for an /admin/v1 router: 401 for a missing or unknown token, 403 for a role that may not
  act there. The audit role may read (GET) every operator surface and change nothing. Every
  change an operator attempts is written to the service's `operator_action` table.
- `RateLimiter` is a token bucket per key (institution, partner, openid). It lives in the
  process: with N replicas the effective limit is N times the setting. At provincial scale
  the limit belongs in the API gateway or a shared store (Redis); this one keeps a single
  caller from starving the others on one machine.
- `first_use_of_nonce` remembers gateway nonces in the service's own database for the
  signature skew window, so a captured request is refused when replayed, by any replica and
  after a restart.
"""

from __future__ import annotations

import datetime as dt
import functools
import hmac
import itertools
import math
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Security
from pydantic import BaseModel, Field
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    delete,
    insert,
    select,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from medshared.errors import DomainError
from medshared.events import utcnow
from medshared.hotsql import HotWrite
from medshared.logs import mask_text
from medshared.openapi import OPERATOR_TOKEN, problem_responses
from medshared.problems import Problem

_BIGINT = BigInteger().with_variant(Integer(), "sqlite")
_READING = frozenset({"GET", "HEAD"})


class Role(StrEnum):
    ENROLLMENT_DESK = "enrollment_desk"  # people, employers, enrollments, contributions; voucher desk
    FILING_REVIEW = "filing_review"  # out-of-area filings at the bureau desk
    CLEARING = "clearing"  # inter-region clearing statements
    POLICY = "policy"  # catalogue and policy publishing (the bureau's rule makers)
    OPERATIONS = "operations"  # the platform itself: consumers' dead letters, their replay
    AUDIT = "audit"  # reads every operator surface and the audit trail, changes nothing


class OperatorCredential(BaseModel):
    """What one operator token stands for: who holds it and what they may do."""

    operator: str = Field(min_length=1, max_length=64)
    roles: list[Role] = Field(min_length=1)


def development_operator_tokens() -> dict[str, OperatorCredential]:
    """One token per role and one with every role; refused outside development."""
    tokens = {
        f"dev-{name}-token": OperatorCredential(operator=f"dev-{name}", roles=[role])
        for name, role in (
            ("desk", Role.ENROLLMENT_DESK),
            ("review", Role.FILING_REVIEW),
            ("clearing", Role.CLEARING),
            ("policy", Role.POLICY),
            ("operations", Role.OPERATIONS),
            ("audit", Role.AUDIT),
        )
    }
    tokens["dev-operator-token"] = OperatorCredential(operator="dev-operator", roles=list(Role))
    return tokens


def operator_token_secrets(prefix: str, tokens: dict[str, OperatorCredential]) -> dict[str, str]:
    """For Settings.secrets_with_development_defaults: names the operator, never the token."""
    return {f"{prefix}_OPERATOR_TOKENS[{cred.operator}]": token for token, cred in tokens.items()}


# ------------------------------------------------------------------ operators


class OperatorAction(BaseModel):
    """One line of the audit trail."""

    operator: str = Field(description="who acted (the operator of the token)")
    role: str = Field(description="the roles that allowed it, comma-separated; '-' when refused")
    action: str = Field(description="METHOD and route template, e.g. POST /admin/v1/filings/{filing_id}/revoke")
    target: str = Field(description="the path parameters (key=value, comma-separated; personal data masked), or '-'")
    outcome: str = Field(description="done, denied, or refused <status> <code>")
    acted_at: str = Field(description="ISO 8601 with its offset (UTC)")


@dataclass(frozen=True)
class Operator:
    operator: str
    roles: frozenset[Role]


def operator_action_table(metadata: MetaData) -> Table:
    return Table(
        "operator_action",
        metadata,
        Column("action_id", _BIGINT, primary_key=True, autoincrement=True),
        Column("operator", String(64), nullable=False, index=True),
        Column("role", String(100), nullable=False),
        Column("action", String(200), nullable=False),
        Column("target", String(300), nullable=False),
        Column("outcome", String(100), nullable=False),
        Column("acted_at", DateTime(timezone=True), nullable=False, index=True),
    )


def authenticate_operator(tokens: dict[str, OperatorCredential], given: str | None) -> Operator:
    if not given:
        raise Problem(
            401, "Unauthorized", "send the x-operator-token header with your operator token", code="unauthorized"
        )
    for token, cred in tokens.items():
        if hmac.compare_digest(given.encode(), token.encode()):
            return Operator(operator=cred.operator, roles=frozenset(cred.roles))
    raise Problem(
        401, "Unauthorized", "this x-operator-token is not known; ask the bureau for a token", code="unauthorized"
    )


def permitted_roles(operator: Operator, method: str, roles: tuple[Role, ...]) -> frozenset[Role]:
    """The operator's roles that allow this call; empty when none does."""
    allowed = set(roles) | ({Role.AUDIT} if method in _READING else set())
    return operator.roles & allowed


class OperatorGate:
    """Operator authentication, role checks and the audit trail for one service."""

    def __init__(self, audit: Table) -> None:
        self.audit = audit

    def require(self, *roles: Role) -> Any:
        """A router dependency: the roles that may use it (the audit role may always read)."""

        # Read through the declared scheme (it refuses no one): the OpenAPI names the header on every route.
        def operator(
            request: Request, x_operator_token: Annotated[str | None, Security(OPERATOR_TOKEN)] = None
        ) -> Iterator[Operator]:
            who = authenticate_operator(request.app.state.settings.operator_tokens, x_operator_token)
            acting = permitted_roles(who, request.method, roles)
            if not acting:
                if request.method not in _READING:
                    self._record(request, who, frozenset(), "denied")
                needed = " or ".join(sorted(roles)) or "a role this service does not grant"
                raise Problem(
                    403, "Forbidden", f"{who.operator} may not do this: it needs the role {needed}", code="forbidden"
                )
            if request.method in _READING:
                yield who
                return
            try:
                yield who
            except (Problem, DomainError) as exc:
                self._record(request, who, acting, f"refused {exc.status} {exc.code}".strip())
                raise
            except Exception as exc:
                self._record(request, who, acting, f"refused {type(exc).__name__}")
                raise
            self._record(request, who, acting, "done")

        # The trail is written right after the route returns, before the answer goes out,
        # so an operator who reads the trail next sees their own action.
        return Depends(operator, scope="function")

    def _record(self, request: Request, who: Operator, roles: frozenset[Role], outcome: str) -> None:
        route = request.scope.get("route")
        template = getattr(route, "path", request.url.path)
        target = ",".join(f"{k}={v}" for k, v in request.path_params.items()) or "-"
        with request.app.state.runtime.unit_of_work() as session:
            session.execute(
                insert(self.audit).values(
                    operator=who.operator,
                    role=",".join(sorted(roles)) or "-",
                    action=f"{request.method} {template}"[:200],
                    target=mask_text(target)[:300],
                    outcome=outcome[:100],
                    acted_at=utcnow(),
                )
            )

    def audit_router(self, prefix: str = "/admin/v1") -> APIRouter:
        """GET {prefix}/audit: the operator actions, newest first (audit role only)."""
        api = APIRouter(
            prefix=prefix,
            tags=["audit"],
            dependencies=[self.require(Role.AUDIT)],
            responses=problem_responses(401, 403, 422),
        )
        table = self.audit

        @api.get("/audit")
        def operator_actions(
            request: Request,
            operator: str | None = Query(None, max_length=64),
            since: dt.datetime | None = Query(None, description="ISO 8601; actions at or after this time"),
            limit: int = Query(100, ge=1, le=1000),
        ) -> list[OperatorAction]:
            """Who did what to which record, with which role, when, and how it ended."""
            query = select(table).order_by(table.c.action_id.desc()).limit(limit)
            if operator:
                query = query.where(table.c.operator == operator)
            if since is not None:
                query = query.where(table.c.acted_at >= (since if since.tzinfo else since.replace(tzinfo=dt.UTC)))
            with request.app.state.runtime.factory() as session:
                rows = session.execute(query).all()
            return [
                OperatorAction(
                    operator=r.operator,
                    role=r.role,
                    action=r.action,
                    target=r.target,
                    outcome=r.outcome,
                    acted_at=_aware(r.acted_at).isoformat(),
                )
                for r in rows
            ]

        return api


# ------------------------------------------------------------------ rate limits


def require_token(given: str | None, expected: str, header: str) -> None:
    """A service-to-service credential (x-internal-token): constant-time compare, 401 problem otherwise."""
    if not given or not hmac.compare_digest(given.encode(), expected.encode()):
        raise Problem(
            401, "Unauthenticated", f"send the {header} header with this service's credential", code="credential"
        )


class RateLimiter:
    """A token bucket per key: `per_second` sustained, `burst` at once. Thread-safe."""

    def __init__(
        self, per_second: float, burst: int, *, clock: Callable[[], float] = time.monotonic, max_keys: int = 100_000
    ) -> None:
        if per_second <= 0 or burst < 1:
            raise ValueError("a rate limit needs per_second > 0 and burst >= 1")
        self.per_second = per_second
        self.burst = burst
        self._clock = clock
        self._max_keys = max_keys
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, key: str) -> float:
        """Take one token for `key`: 0 when the call may go ahead, else the seconds to wait."""
        with self._lock:
            now = self._clock()
            tokens, last = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.per_second)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                if len(self._buckets) > self._max_keys:
                    self._forget_full(now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1 - tokens) / self.per_second

    def _forget_full(self, now: float) -> None:
        # A bucket that has refilled is the same as no bucket: dropping it keeps memory bounded.
        full_after = self.burst / self.per_second
        for key in [k for k, (_, last) in self._buckets.items() if now - last >= full_after]:
            del self._buckets[key]


def wait_seconds(retry_after: float) -> int:
    return max(1, math.ceil(retry_after))


def rate_limited(who: str, retry_after: float) -> Problem:
    """429 problem details for REST surfaces."""
    seconds = wait_seconds(retry_after)
    return Problem(
        429,
        "Too many requests",
        f"too many requests from {who}; wait {seconds} s and try again",
        code="rate_limited",
        retry_after_seconds=seconds,
    )


def rate_limited_message(institution: str, retry_after: float) -> str:
    """err_msg for national answers."""
    return (
        f"too many requests from {institution}: the platform is limiting this institution; "
        f"wait {wait_seconds(retry_after)} s and send again with a new msgid"
    )


# ------------------------------------------------------------------ gateway nonces


def gateway_nonce_table(metadata: MetaData) -> Table:
    return Table(
        "gateway_nonce",
        metadata,
        Column("paasid", String(64), primary_key=True),
        Column("nonce", String(64), primary_key=True),
        Column("seen_at", DateTime(timezone=True), nullable=False, index=True),
    )


def first_use_of_nonce(
    session: Session, table: Table, paasid: str, nonce: str, window_seconds: int, *, caller_column: str = "paasid"
) -> bool:
    """Record the nonce; False when it was already used inside the window (a replayed request).

    Kept for twice the window: a nonce must outlive every timestamp the skew check still
    accepts. One statement, so it holds without a transaction around it: INSERT, or on the
    primary key take over a row older than the window (`ON CONFLICT DO UPDATE ... WHERE seen_at <
    cutoff`); a row it neither inserted nor took over is a replay. Concurrent first uses of one
    nonce meet on the primary key: the second waits for the first and then finds its fresh row
    (on SQLite the write lock orders them). `caller_column` names the table's column for who
    signed (a gateway paasid, a partner key).
    """
    now = utcnow()
    cutoff = now - dt.timedelta(seconds=2 * window_seconds)
    spend = _spend_nonce(table, caller_column, session.get_bind().dialect.name)
    if spend.run(session, {caller_column: paasid, "nonce": nonce, "seen_at": now, "cutoff": cutoff}) != 1:
        return False
    # Pruning now and then, not on every call, keeps concurrent callers off the same old rows.
    if next(_nonce_calls) % _PRUNE_EVERY == 0:
        session.execute(delete(table).where(table.c.seen_at < cutoff))
    return True


@functools.lru_cache(maxsize=16)
def _spend_nonce(table: Table, caller_column: str, dialect: str) -> HotWrite:
    """Built once per table and dialect: compiled once, bound each call (every gateway call runs it)."""
    statement = (pg_insert if dialect == "postgresql" else sqlite_insert)(table)
    return HotWrite(
        statement.on_conflict_do_update(
            index_elements=[table.c[caller_column], table.c.nonce],
            set_={"seen_at": statement.excluded.seen_at},
            where=table.c.seen_at < bindparam("cutoff"),
        )
    )


_PRUNE_EVERY = 100
_nonce_calls = itertools.count()


def _aware(moment: dt.datetime) -> dt.datetime:
    # SQLite hands timestamps back without their zone; they were stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
