"""The supervision store on SQLite and PostgreSQL: the person's history read by index, violations added
and withdrawn with their events in the same transaction, a stale change refused, the operator's
filters and pages, and monthly sums exact to the cent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select

from medshared import jsonutil
from medshared.db import make_engine, make_session_factory, transaction
from settlement.db import outbox
from settlement.domain import supervision as sv
from settlement.domain import supervision_review as rv
from settlement.messaging.supervision_contracts import SUPERVISION_TOPIC
from settlement.store import SqlStore
from settlement.usecases import supervision_review

D = Decimal
ZHAXI, ZHUOMA = "54010000000000000001", "54010000000000000002"
HOSPITAL, CLINIC = "H54010000001", "H54010000002"
SINCE = dt.datetime(2026, 11, 1)
EVERY_CODE = sv.HistoryNeed(lines=((SINCE, ("A", "B", "C")),), stays_since=SINCE)


def _visit(store: SqlStore, mdtrt_id: str, psn_no: str, kind: str, begin: dt.datetime, **kw: Any) -> None:
    store.add_visit(
        {
            "mdtrt_id": mdtrt_id,
            "psn_no": psn_no,
            "insutype": "310",
            "kind": kind,
            "status": kw.get("status", "settled"),
            "fixmedins_code": kw.get("fixmedins_code", HOSPITAL),
            "mdtrtarea_admvs": "540100",
            "insuplc_admdvs": "540100",
            "ipt_otp_no": "OP1",
            "mdtrt_cert_type": "02",
            "begntime": begin,
            "endtime": kw.get("endtime"),
        }
    )


def _lines(store: SqlStore, mdtrt_id: str, *lines: tuple[str, str, str, dt.datetime]) -> None:
    store.add_fee_lines(
        [
            {
                "mdtrt_id": mdtrt_id,
                "feedetl_sn": sn,
                "med_list_codg": code,
                "cnt": D(cnt),
                "pric": D("10"),
                "det_item_fee_sumamt": D(cnt) * 10,
                "fulamt_ownpay_amt": D(0),
                "overlmt_amt": D(0),
                "preselfpay_amt": D(0),
                "inscp_scp_amt": D(cnt) * 10,
                "chrgitm_lv": "01",
                "selfpay_prop": D(0),
                "fee_ocur_time": when,
            }
            for sn, code, cnt, when in lines
        ]
    )


def _violation(n: int, amount: str, **kw: Any) -> dict[str, Any]:
    return {
        "setl_id": kw.get("setl_id", f"S{n:04d}"),
        "mdtrt_id": f"M{n:04d}",
        "psn_no": ZHAXI,
        "fixmedins_code": kw.get("fixmedins_code", HOSPITAL),
        "admdvs": "540100",
        "rule_set_version": "SUP-2026-01",
        "rule_id": kw.get("rule_id", "R-DUP-01"),
        "rule_name": "重复收费",
        "category": "duplicate_charge",
        "severity": "3",
        "action": "exclude",
        "vola_cont": "一般诊疗费与挂号费同日重复收取",
        "vola_amt": D(amount),
        "line_keys": ["1", "2"],
        "evidence": "line 1",
        "found_at": kw.get("found_at", dt.datetime(2026, 11, 1, 8) + dt.timedelta(hours=n)),
    }


def test_the_history_reads_the_persons_other_visits_lines_and_stays_by_index(migrated_url):
    factory = make_session_factory(make_engine(migrated_url))
    with transaction(factory) as session:
        store = SqlStore(session)
        _visit(store, "NOW", ZHAXI, "outpatient", dt.datetime(2026, 11, 24, 9), status="info_uploaded")
        _visit(store, "EARLIER", ZHAXI, "outpatient", dt.datetime(2026, 11, 20, 9))
        _visit(store, "GONE", ZHAXI, "outpatient", dt.datetime(2026, 11, 21, 9), status="cancelled")
        _visit(store, "HERS", ZHUOMA, "outpatient", dt.datetime(2026, 11, 20, 9))
        _visit(store, "STAY", ZHAXI, "inpatient", dt.datetime(2026, 11, 2, 8), endtime=dt.datetime(2026, 11, 9, 10))
        _visit(store, "OLDSTAY", ZHAXI, "inpatient", dt.datetime(2026, 9, 2), endtime=dt.datetime(2026, 9, 9))
        _visit(store, "STILL_IN", ZHAXI, "inpatient", dt.datetime(2026, 10, 25), status="admitted")
        _lines(store, "NOW", ("1", "A", "1", dt.datetime(2026, 11, 24, 9, 30)))
        _lines(
            store,
            "EARLIER",
            ("1", "A", "2", dt.datetime(2026, 11, 20, 9, 30)),
            ("2", "B", "1", dt.datetime(2026, 10, 31, 23, 59, 59)),
        )
        _lines(store, "GONE", ("1", "A", "1", dt.datetime(2026, 11, 21, 9, 30)))
        _lines(store, "HERS", ("1", "A", "1", dt.datetime(2026, 11, 20, 9, 30)))
        _lines(store, "STAY", ("1", "C", "3", dt.datetime(2026, 11, 1)))
    with factory() as session:
        store = SqlStore(session)
        history = store.supervision_history(ZHAXI, EVERY_CODE, exclude_mdtrt_id="NOW")
        assert [(x.mdtrt_id, x.code, x.cnt, x.when) for x in history.lines] == [
            ("STAY", "C", D(3), dt.datetime(2026, 11, 1)),
            ("EARLIER", "A", D(2), dt.datetime(2026, 11, 20, 9, 30)),
        ]
        assert [(s.mdtrt_id, s.medins_id, s.end) for s in history.stays] == [
            ("STILL_IN", HOSPITAL, None),
            ("STAY", HOSPITAL, dt.datetime(2026, 11, 9, 10)),
        ]
        assert {x.mdtrt_id for x in store.supervision_history(ZHAXI, EVERY_CODE, exclude_mdtrt_id=None).lines} == {
            "NOW",
            "EARLIER",
            "STAY",
        }
        # only the codes a window names, each from its own moment; a prefix matches by its stem only
        # (the _ of a stem is no wildcard: "_*" names no code here); no stays unless asked for
        narrow = sv.HistoryNeed(lines=((SINCE, ("C",)), (dt.datetime(2026, 11, 20), ("A*",))))
        history = store.supervision_history(ZHAXI, narrow, exclude_mdtrt_id="NOW")
        assert [(x.mdtrt_id, x.code) for x in history.lines] == [("STAY", "C"), ("EARLIER", "A")]
        assert history.stays == ()
        wildcard = sv.HistoryNeed(lines=((SINCE, ("_*", "%*")),))
        assert store.supervision_history(ZHAXI, wildcard, exclude_mdtrt_id="NOW").lines == ()
        later = sv.HistoryNeed(lines=((dt.datetime(2026, 11, 21), ("A", "B", "C")),))
        assert store.supervision_history(ZHAXI, later, exclude_mdtrt_id="NOW").lines == ()
        if session.get_bind().dialect.name == "sqlite":
            assert "ix_fee_line_visit_time" in _history_plan(session) and "ix_visit_psn_no" in _history_plan(session)


def _history_plan(session: Any) -> str:
    """SQLite's plan for the history's line query: the person's visits by index, then their lines by index."""
    from settlement.store.supervision import _history_lines

    since = {f"since_{n}": moment for n, (moment, _) in enumerate(EVERY_CODE.lines)}
    read = _history_lines(tuple(patterns for _, patterns in EVERY_CODE.lines))
    statement = read.statement.params(psn_no=ZHAXI, exclude="NOW", **since)
    state = statement.compile(dialect=session.get_bind().dialect).construct_expanded_state()
    positional = tuple(state.parameters[name] for name in state.positiontup or [])
    plan = session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {state.statement}", positional)
    return " ".join(str(r[-1]) for r in plan)


def test_violations_are_added_and_withdrawn_with_their_events_in_the_same_transaction(migrated_url):
    factory = make_session_factory(make_engine(migrated_url))
    with transaction(factory) as session:
        store = SqlStore(session)
        store.add_violations([_violation(1, "10.10", setl_id="S-REV"), _violation(2, "20.20", setl_id="S-REV")])
        store.add_violations([_violation(3, "5.00", setl_id="S-KEEP")])
    with transaction(factory) as session:
        store = SqlStore(session)
        rows, total = store.violations()
        assert total == 3
        first = next(r for r in rows if r.mdtrt_id == "M0001")
        assert (first.status, first.month, first.vola_amt, first.version) == ("open", "2026-11", D("10.10"), 1)
        assert jsonutil.loads(first.line_keys) == ["1", "2"]
        confirmed = next(r for r in rows if r.mdtrt_id == "M0002")
        assert store.update_violation(confirmed.jr_id, 1, status="confirmed", reviewer="clearing-01") is True
        assert store.update_violation(confirmed.jr_id, 1, status="dismissed") is False  # stale
    with transaction(factory) as session:
        withdrawn = SqlStore(session).withdraw_violations("S-REV", by_setl_id="S-REVERSAL", at=dt.datetime(2026, 12, 1))
        assert [w.mdtrt_id for w in withdrawn] == ["M0001"]
        assert (withdrawn[0].status, withdrawn[0].withdrawn_by, withdrawn[0].version) == ("withdrawn", "S-REVERSAL", 2)
    try:
        with transaction(factory) as session:
            SqlStore(session).add_violations([_violation(9, "1.00")])
            raise RuntimeError("the settlement failed after its violations were written")
    except RuntimeError:
        pass
    with factory() as session:
        store = SqlStore(session)
        assert store.violations()[1] == 3  # the failed settlement left neither rows nor events
        assert store.violation(confirmed.jr_id).status == "confirmed"
        [step] = store.violation_reviews(first.jr_id)
        assert (step.step, step.actor, step.status_before, step.status_after) == (
            "withdraw",
            "settlement S-REVERSAL",
            "open",
            "withdrawn",
        )
        published = session.execute(
            select(outbox.c.event_type, outbox.c.key).where(outbox.c.topic == SUPERVISION_TOPIC).order_by(outbox.c.id)
        ).all()
        assert [e for e, _ in published] == ["ViolationFound"] * 3 + ["ViolationWithdrawn"]
        assert published[-1].key == first.jr_id


def test_filters_pages_and_monthly_sums_exact_to_the_cent(migrated_url):
    factory = make_session_factory(make_engine(migrated_url))
    with transaction(factory) as session:
        store = SqlStore(session)
        store.add_violations(
            [_violation(n, "0.10", fixmedins_code=HOSPITAL if n % 3 else CLINIC) for n in range(1, 31)]
            + [_violation(40, "0.20", rule_id="R-AGE-01"), _violation(41, "7.77", found_at=dt.datetime(2026, 12, 3))]
        )
    with transaction(factory) as session:
        store = SqlStore(session)
        rows, _ = store.violations(fixmedins_code=CLINIC)
        for row in rows[:4]:
            assert store.update_violation(row.jr_id, row.version, status=rv.CONFIRMED, recovered_amt=D("0.05"))
    with factory() as session:
        store = SqlStore(session)
        page, total = store.violations(fixmedins_code=HOSPITAL, month="2026-11", offset=5, limit=5)
        everything, _ = store.violations(fixmedins_code=HOSPITAL, month="2026-11", limit=100)
        assert total == 21 == len(everything)
        assert [r.jr_id for r in page] == [r.jr_id for r in everything[5:10]]
        assert [r.found_at for r in everything] == sorted((r.found_at for r in everything), reverse=True)
        assert [r.mdtrt_id for r in store.violations(rule_id="R-AGE-01")[0]] == ["M0040"]
        assert store.violations(status="confirmed")[1] == 4
        assert store.violations(month="2026-12")[1] == 1
        groups = {(g.fixmedins_code, g.status): g for g in store.violation_figures("2026-11")}
        assert {k: (g.violations, D(g.vola_amt), D(g.recovered_amt)) for k, g in groups.items()} == {
            (HOSPITAL, "open"): (21, D("2.20"), D("0.00")),
            (CLINIC, "open"): (6, D("0.60"), D("0.00")),
            (CLINIC, "confirmed"): (4, D("0.40"), D("0.20")),
        }
        by_institution, total_figures = rv.monthly_figures(store.violation_figures("2026-11"))
        assert (total_figures.violations, total_figures.vola_amt, total_figures.recovered_amt) == (
            31,
            D("3.20"),
            D("0.20"),
        )
        assert list(by_institution) == [HOSPITAL, CLINIC]
        assert by_institution[CLINIC].outstanding_amt == D("0.20")
        assert [g.fixmedins_code for g in store.violation_figures("2026-11", fixmedins_code=CLINIC)] == [CLINIC, CLINIC]


def test_the_rule_set_in_force_is_the_latest_published_on_or_before_the_day(migrated_url):
    demo = jsonutil.loads(
        (Path(__file__).resolve().parents[2] / "settlement" / "demo_data" / "supervision_rules.json").read_text("utf-8")
    )
    factory = make_session_factory(make_engine(migrated_url))
    with transaction(factory) as session:
        store = SqlStore(session)
        supervision_review.publish_rule_set(store, demo, operator="policy-01", at=dt.datetime(2026, 11, 1, 8))
        later = demo | {"version": "SUP-2026-12", "valid_from": "2026-12-01", "rules": demo["rules"][:1]}
        supervision_review.publish_rule_set(store, later, operator="policy-01", at=dt.datetime(2026, 11, 2, 8))
    first = dt.date.fromisoformat(demo["valid_from"])
    with factory() as session:
        store = SqlStore(session)
        assert store.supervision_rules_on(first - dt.timedelta(days=1)) is None
        in_november = store.supervision_rules_on(dt.date(2026, 11, 30))
        assert in_november is not None and in_november.version == demo["version"]
        assert [r.rule_id for r in in_november.rules] == [r["rule_id"] for r in demo["rules"]]
        assert store.supervision_rules_on(dt.date(2026, 11, 30)) is in_november  # parsed once, then kept
        december = store.supervision_rules_on(dt.date(2026, 12, 1))
        assert december is not None and [r.rule_id for r in december.rules] == [demo["rules"][0]["rule_id"]]
        assert [r.version for r in store.supervision_rule_sets()] == [demo["version"], "SUP-2026-12"]
