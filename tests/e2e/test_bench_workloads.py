"""The benchmark's workloads, run briefly against the running system: they must settle, decode
and observe events for real, or `make bench` would be timing refusals."""

from __future__ import annotations

from bench.lag import LagProbe
from bench.runner import drive
from clients import PEOPLE, His, wait_for

LHASA = [{"code": "H54010000001", "admdvs": "540100"}]
ZHAXI = {"psn_no": PEOPLE["扎西"]["psn_no"], "certno": PEOPLE["扎西"]["certno"], "pool": "540100", "insutype": "390"}


def test_the_visit_chain_settles_every_visit_it_starts_and_each_settlement_reaches_a_consumer(stack):
    wait_for(lambda: His(stack.urls["settlement"], "H54010000001", "540100").sign_in().knows(ZHAXI["certno"]))
    probe = LagProbe(stack.bootstrap)
    try:
        result = drive(
            "visits",
            url=stack.urls["settlement"],
            hospitals=LHASA,
            people=[ZHAXI],
            concurrency=2,
            duration=2.0,
            warmup=0.0,
        )
        assert result["errors"] == 0, result["error_messages"]
        assert result["completed"] > 0
        assert set(result["latency_ms"]) == {"2201", "2203", "2204", "2206", "2207"}
        lags = wait_for(probe.take, timeout=15)
        assert all(0 <= lag < 15 for lag in lags)
    finally:
        probe.close()


def test_the_call_count_settles_its_visits_through_the_front_door_and_counts_each_transaction(stack):
    from bench import call_count, his

    wait_for(lambda: His(stack.urls["settlement"], "H54010000001", "540100").sign_in().knows(ZHAXI["certno"]))
    hospitals, people = [his.Hospital(**h) for h in LHASA], [his.Person(**ZHAXI)]
    result = call_count.run(stack.env["SETTLEMENT_DATABASE_URL"], hospitals, people, visits=2, warm=1)
    # run() raises unless every call answered infcode 0: the counted visits were settled for real
    assert set(result["per_infno"]) == set(call_count.CHAIN)
    assert all(n > 100 for n in result["per_infno"].values()), result
    assert result["per_visit"] == sum(result["per_infno"].values())
    assert result["per_infno"]["2207"] > result["per_infno"]["2203"]  # settling does more than a visit read
    assert call_count.section(result)[0].startswith("## What a national call does")


def test_resolving_id_numbers_finds_the_settleable_person_and_their_pool(stack):
    result = drive("resolve", url=stack.urls["settlement"], hospitals=LHASA, certnos=[ZHAXI["certno"]], timeout=30)
    assert (result["people"], result["missing"]) == ([ZHAXI], 0)


def test_settling_prepared_visits_alone_times_only_2207(stack):
    wait_for(lambda: His(stack.urls["settlement"], "H54010000001", "540100").sign_in().knows(ZHAXI["certno"]))
    result = drive("settle", url=stack.urls["settlement"], hospitals=LHASA, people=[ZHAXI], concurrency=2, count=4)
    assert (result["prepared"], result["completed"], result["errors"]) == (4, 4, 0)
    assert list(result["latency_ms"]) == ["2207"]


def test_minted_qr_codes_are_each_decoded_once_by_the_counter(stack):
    zhuoma = ("卓玛", "54010219750312022X")
    minted = wait_for(lambda: drive("mint", url=stack.urls["e-voucher"], phones=[zhuoma], per_phone=3)["codes"] or None)
    decoded = drive("decode", url=stack.urls["e-voucher"], hospitals=LHASA, codes=minted, concurrency=2)
    assert (decoded["completed"], decoded["errors"]) == (3, 0)
    again = drive("decode", url=stack.urls["e-voucher"], hospitals=LHASA, codes=minted[:1], concurrency=1)
    assert (again["completed"], again["errors"]) == (0, 1)
