"""Protocol code the four services share, written once: the error protocol, versioned read-model
upserts, the service-to-service credential."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Column, Integer, String, Table, create_engine, select
from sqlalchemy.orm import Session

from medshared import problems
from medshared.db import new_metadata, upsert_newer, upsert_newer_many
from medshared.errors import Conflict, Forbidden, Invalid, NotFound, RateLimited, Unauthenticated
from medshared.national import refusal
from medshared.problems import Problem
from medshared.security import require_token


@pytest.mark.parametrize(
    ("error", "status", "title"),
    [
        (Invalid("invalid_field", "amount: must be below 10^14", field="amount"), 422, "Invalid request"),
        (NotFound("person_unknown", "no such person"), 404, "Not found"),
        (Conflict("already_reversed", "it was reversed"), 409, "Conflict"),
        (Forbidden("paying_side_only", "only the paying side confirms"), 403, "Forbidden"),
        (Unauthenticated("credential", "send the token"), 401, "Unauthenticated"),
    ],
)
def test_a_domain_error_answers_problem_details_with_its_kinds_status_and_its_code(error, status, title):
    app = FastAPI()
    problems.install(app)

    @app.get("/x")
    def refuse() -> None:
        raise error

    answer = TestClient(app).get("/x")
    assert answer.status_code == status
    assert answer.headers["content-type"] == "application/problem+json"
    body = answer.json()
    assert (body["title"], body["code"], body["detail"]) == (title, error.code, error.message)
    assert body.get("field") == error.extra.get("field")


def test_a_rate_limit_says_when_to_come_back():
    app = FastAPI()
    problems.install(app)

    @app.get("/x")
    def refuse() -> None:
        raise RateLimited("rate_limited", "too many logins; wait and try again", retry_after=2.2)

    answer = TestClient(app).get("/x")
    assert answer.status_code == 429 and answer.headers["retry-after"] == "3"


def test_a_domain_error_on_the_national_door_is_infcode_minus_one_with_its_sentence():
    answer = refusal(
        Conflict("already_settled", "mdtrt_id X is already settled"), admdvs="540100", received=dt.datetime(2026, 12, 1)
    )
    assert (answer["infcode"], answer["err_msg"], answer["output"]) == (-1, "mdtrt_id X is already settled", None)


def _person_read_model() -> tuple[Table, Any]:
    metadata = new_metadata()
    person = Table(
        "person",
        metadata,
        Column("psn_no", String, primary_key=True),
        Column("name", String),
        Column("version", Integer),
    )
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    return person, engine


def test_a_read_model_keeps_the_newest_snapshot_whatever_order_they_arrive_in():
    person, engine = _person_read_model()
    with Session(engine) as session:
        assert upsert_newer(session, person, "psn_no", {"psn_no": "1", "name": "v2", "version": 2})
        assert not upsert_newer(session, person, "psn_no", {"psn_no": "1", "name": "v1", "version": 1})
        assert not upsert_newer(session, person, "psn_no", {"psn_no": "1", "name": "v2 again", "version": 2})
        assert upsert_newer(session, person, "psn_no", {"psn_no": "1", "name": "v3", "version": 3})
        assert session.execute(select(person.c.name)).scalar_one() == "v3"


def test_a_poll_of_snapshots_is_one_upsert_that_keeps_the_newest_of_each_and_says_which_changed():
    person, engine = _person_read_model()
    with Session(engine) as session:
        upsert_newer(session, person, "psn_no", {"psn_no": "held", "name": "held v5", "version": 5})
        poll = [
            {"psn_no": "new", "name": "new v2", "version": 2},
            {"psn_no": "new", "name": "new v1", "version": 1},  # older, arrives second
            {"psn_no": "held", "name": "held v4", "version": 4},  # older than what is held
            {"psn_no": "held", "name": "held v5 again", "version": 5},  # a redelivery
            *({"psn_no": f"p{i}", "name": "bulk", "version": 1} for i in range(2500)),  # beyond one statement
        ]
        changed = upsert_newer_many(session, person, "psn_no", poll)
        assert set(changed) == {"new"} | {f"p{i}" for i in range(2500)}
        assert changed["new"]["name"] == "new v2"  # the row applied: the newest of the poll, not the last
        names = dict(session.execute(select(person.c.psn_no, person.c.name)).all())
        assert (names["new"], names["held"], len(names)) == ("new v2", "held v5", 2502)
        assert set(upsert_newer_many(session, person, "psn_no", [{"psn_no": "held", "name": "v6", "version": 6}])) == {
            "held"
        }
        assert upsert_newer_many(session, person, "psn_no", []) == {}


def test_snapshots_with_dates_amounts_and_moments_read_back_the_same_on_each_backend(database_url):
    import datetime as dt
    from decimal import Decimal

    from sqlalchemy import Boolean, Date, DateTime, Numeric, Text

    from medshared.db import make_engine

    metadata = new_metadata()
    snapshot = Table(
        "snapshot",
        metadata,
        Column("snapshot_id", String(20), primary_key=True),
        Column("brdy", Date),
        Column("amount", Numeric(16, 2)),
        Column("memo", Text),
        Column("revoked", Boolean),
        Column("version", Integer),
    )
    stamped = Table(
        "stamped",
        metadata,
        Column("stamped_id", String(20), primary_key=True),
        Column("begntime", DateTime),
        Column("version", Integer),
    )
    engine = make_engine(database_url)
    metadata.create_all(engine)
    rows = [
        {
            "snapshot_id": f"S{i}",
            "brdy": dt.date(1980, 5, 1 + i),
            "amount": Decimal("12.30") * i,
            "memo": '["周期", "a\\"b"]',
            "revoked": i % 2 == 0,
            "version": 1,
        }
        for i in range(1, 4)
    ] + [{"snapshot_id": "S9", "brdy": None, "amount": None, "memo": None, "revoked": None, "version": 1}]
    moment = dt.datetime(2026, 12, 2, 9, 30, 15)
    with Session(engine) as session, session.begin():
        assert set(upsert_newer_many(session, snapshot, "snapshot_id", rows)) == {"S1", "S2", "S3", "S9"}
        newer = dict(rows[0], amount=Decimal("99.99"), version=2)
        assert set(upsert_newer_many(session, snapshot, "snapshot_id", [newer, dict(rows[1])])) == {"S1"}
        assert upsert_newer_many(
            session, stamped, "stamped_id", [{"stamped_id": "T", "begntime": moment, "version": 1}]
        )
    with Session(engine) as session:
        held = {r.snapshot_id: r for r in session.execute(select(snapshot))}
        assert (held["S1"].amount, held["S2"].amount, held["S3"].brdy) == (
            Decimal("99.99"),
            Decimal("24.60"),
            dt.date(1980, 5, 4),
        )
        assert (held["S2"].memo, held["S2"].revoked, held["S3"].revoked) == ('["周期", "a\\"b"]', True, False)
        assert (held["S9"].brdy, held["S9"].amount, held["S9"].memo) == (None, None, None)
        assert session.execute(select(stamped.c.begntime)).scalar_one() == moment
    engine.dispose()


@pytest.mark.parametrize("given", [None, "", "wrong", "secret-but-longer"])
def test_a_service_credential_must_match_exactly(given):
    with pytest.raises(Problem) as refused:
        require_token(given, "secret", "x-internal-token")
    assert refused.value.status == 401 and "x-internal-token" in refused.value.detail
    require_token("secret", "secret", "x-internal-token")


def test_a_phone_token_minted_by_one_door_is_read_by_the_other_and_nothing_else_is():
    from medshared import mobiletoken

    token = mobiletoken.mint("s3cret", "openid-1", "P1", exp=2_000_000_000, iat=1_999_992_800)
    claims = mobiletoken.read(token, "s3cret", now=1_999_999_000)
    assert (claims.openid, claims.psn_no, claims.issued_at(7200)) == ("openid-1", "P1", 1_999_992_800)
    for forged in (token + "0", token.replace(".", ".x", 1), "not-a-token", ""):
        with pytest.raises(mobiletoken.InvalidToken, match="not valid"):
            mobiletoken.read(forged, "s3cret", now=1_999_999_000)
    with pytest.raises(mobiletoken.InvalidToken, match="expired"):
        mobiletoken.read(token, "s3cret", now=2_000_000_001)
    with pytest.raises(mobiletoken.InvalidToken, match="not valid"):
        mobiletoken.read(token, "other secret", now=1_999_999_000)


def test_money_in_a_rest_answer_is_its_exact_text_whether_the_route_is_annotated_or_not():
    from decimal import Decimal

    from pydantic import BaseModel

    from medshared import edge

    class Amount(BaseModel):
        amount: Decimal

    app = FastAPI()
    edge._money_as_written()

    @app.get("/plain")
    def plain() -> dict[str, object]:
        return {"amount": Decimal("700.00"), "rate": Decimal("0.0500")}

    @app.get("/annotated", response_model=Amount)
    def annotated() -> Amount:
        return Amount(amount=Decimal("700.00"))

    client = TestClient(app)
    assert client.get("/plain").json() == {"amount": "700.00", "rate": "0.0500"}
    assert client.get("/annotated").json() == {"amount": "700.00"}
