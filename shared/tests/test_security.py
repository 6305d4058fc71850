"""Operator roles, the token-bucket limiter and the gateway nonce store."""

import datetime as dt

import pytest
from sqlalchemy import insert, select

from medshared.db import make_engine, make_session_factory, new_metadata, statement_at_a_time, transaction
from medshared.problems import Problem
from medshared.security import (
    Operator,
    OperatorCredential,
    RateLimiter,
    Role,
    authenticate_operator,
    development_operator_tokens,
    first_use_of_nonce,
    gateway_nonce_table,
    permitted_roles,
)
from medshared.settings import ServiceSettings

DESK = Operator("desk-01", frozenset({Role.ENROLLMENT_DESK}))
AUDITOR = Operator("audit-01", frozenset({Role.AUDIT}))
BOTH = Operator("lead-01", frozenset({Role.FILING_REVIEW, Role.CLEARING}))


@pytest.mark.parametrize(
    ("operator", "method", "needs", "allowed"),
    [
        (DESK, "POST", (Role.ENROLLMENT_DESK,), {Role.ENROLLMENT_DESK}),
        (DESK, "GET", (Role.ENROLLMENT_DESK,), {Role.ENROLLMENT_DESK}),
        (DESK, "GET", (Role.CLEARING,), set()),
        (AUDITOR, "GET", (Role.CLEARING,), {Role.AUDIT}),
        (AUDITOR, "HEAD", (Role.POLICY,), {Role.AUDIT}),
        (AUDITOR, "POST", (Role.CLEARING,), set()),
        (AUDITOR, "DELETE", (Role.ENROLLMENT_DESK,), set()),
        (AUDITOR, "PATCH", (Role.ENROLLMENT_DESK,), set()),
        (BOTH, "POST", (Role.CLEARING,), {Role.CLEARING}),
        (BOTH, "POST", (Role.POLICY,), set()),
    ],
)
def test_a_role_allows_what_it_is_for_and_the_audit_role_only_reads(operator, method, needs, allowed) -> None:
    assert permitted_roles(operator, method, needs) == allowed


@pytest.mark.parametrize("given", [None, "", "dev-operator-tokenx", "DEV-OPERATOR-TOKEN"])
def test_a_missing_or_unknown_operator_token_is_401(given) -> None:
    with pytest.raises(Problem) as refused:
        authenticate_operator(development_operator_tokens(), given)
    assert refused.value.status == 401


def test_a_known_operator_token_names_its_operator_and_roles() -> None:
    tokens = {"t-1": OperatorCredential(operator="review-03", roles=[Role.FILING_REVIEW])}
    assert authenticate_operator(tokens, "t-1") == Operator("review-03", frozenset({Role.FILING_REVIEW}))


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_limiter_allows_a_burst_then_refills_at_its_rate_per_key() -> None:
    clock = Clock()
    limiter = RateLimiter(per_second=2, burst=3, clock=clock)
    assert [limiter.retry_after("H1") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.retry_after("H1") == pytest.approx(0.5)
    assert limiter.retry_after("H2") == 0.0
    clock.now = 0.5
    assert limiter.retry_after("H1") == 0.0
    assert limiter.retry_after("H1") > 0


def test_the_limiter_forgets_idle_callers_so_memory_stays_bounded() -> None:
    clock = Clock()
    limiter = RateLimiter(per_second=1, burst=1, clock=clock, max_keys=2)
    for key in ("a", "b"):
        limiter.retry_after(key)
    clock.now = 5
    limiter.retry_after("c")
    assert len(limiter._buckets) == 1


def test_a_limiter_without_a_rate_is_refused() -> None:
    with pytest.raises(ValueError):
        RateLimiter(per_second=0, burst=1)


@pytest.mark.parametrize(
    ("environment", "secret", "refused"),
    [
        ("development", "dev-token", False),
        ("test", "", False),
        ("production", "dev-token", True),
        ("production", "", True),
        ("staging", "dev-token", True),
        ("production", "k8s-secret", False),
    ],
)
def test_only_development_and_test_accept_development_or_empty_secrets(environment, secret, refused) -> None:
    class Settings(ServiceSettings):
        token: str = "dev-token"

        def secrets_with_development_defaults(self) -> dict[str, str]:
            return {"SERVICE_TOKEN": self.token}

    if refused:
        with pytest.raises(ValueError, match="SERVICE_TOKEN"):
            Settings(environment=environment, token=secret)
    else:
        assert Settings(environment=environment, token=secret).token == secret


@pytest.fixture
def nonces(database_url):
    metadata = new_metadata()
    table = gateway_nonce_table(metadata)
    engine = make_engine(database_url)
    metadata.create_all(engine)
    yield make_session_factory(engine), table
    engine.dispose()


def test_a_gateway_nonce_serves_once_per_caller_and_expires_after_twice_the_window(nonces) -> None:
    factory, table = nonces
    with transaction(factory) as s:
        assert first_use_of_nonce(s, table, "H1", "n-1", 300) is True
    with transaction(factory) as s:
        assert first_use_of_nonce(s, table, "H1", "n-1", 300) is False
        assert first_use_of_nonce(s, table, "H2", "n-1", 300) is True
    with transaction(factory) as s:
        old = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=601)
        s.execute(insert(table).values(paasid="H1", nonce="n-old", seen_at=old))
    with transaction(factory) as s:
        assert first_use_of_nonce(s, table, "H1", "n-old", 300) is True
    with transaction(factory) as s:  # taken over once: the row is fresh again, so a second use is a replay
        assert first_use_of_nonce(s, table, "H1", "n-old", 300) is False
        seen = s.execute(select(table.c.seen_at).where(table.c.nonce == "n-old")).scalar_one()
        assert _utc(seen) > old + dt.timedelta(seconds=600)


def test_statement_at_a_time_spends_a_nonce_without_a_commit_on_postgresql(nonces) -> None:
    factory, table = nonces
    with factory() as s:
        postgresql = s.get_bind().dialect.name == "postgresql"
        assert statement_at_a_time(s) is postgresql
        assert first_use_of_nonce(s, table, "H1", "n-auto", 300) is True
    # Closed without a commit: on PostgreSQL the statement stood on its own and the nonce is spent;
    # SQLite keeps its transaction (the write lock), so there nothing was kept.
    with factory() as s:
        assert first_use_of_nonce(s, table, "H1", "n-auto", 300) is not postgresql


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
