"""What the fund-supervision tests share (test_supervision_engine.py, test_supervision_rule_sets.py): the
demo catalogue's codes, the demo people, visits, lines and history built the way the settlement builds
them, and one rule of each category as the demo rule set has it."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from medshared.money import money
from settlement.domain import supervision as sv

D = Decimal
DEMO_FILE = Path(sv.__file__).parents[1] / "demo_data" / "supervision_rules.json"
DEMO_JSON: dict[str, Any] = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
DEMO = sv.parse_rule_set(DEMO_JSON)

# demo catalogue codes (settlement/demo_data/catalogue.json)
TRASTUZUMAB = "XL01XCT022B001010100003"  # 注射用曲妥珠单抗, lmt_usescp 限HER2阳性的乳腺癌
METFORMIN = "XA10BAA059A001010100001"  # 二甲双胍片
EXAM = "001102000010000"  # 普通门诊诊查费
BLOOD = "002501010010000"  # 血细胞分析
APPENDECTOMY = "003301000010000"  # 阑尾切除术
BED = "001101000010000"  # 床位费(普通病房)
INFUSION = "C01010100001000"  # 一次性使用输液器
CEFUROXIME = "XJ01DCC041B002010100002"  # 注射用头孢呋辛钠

# demo people (settlement/demo_data/people.json): psn_no, gend, brdy, insutype
ZHAXI = sv.Patient("54010000000000000001", "1", dt.date(1980, 5, 1), "390")
ZHUOMA = sv.Patient("54010000000000000002", "2", dt.date(1975, 3, 12), "390")
WANGQIANG = sv.Patient("54010000000000000004", "1", dt.date(1985, 1, 15), "310")
ZHANGJIANGUO = sv.Patient("54010000000000000006", "1", dt.date(1955, 4, 4), "310")
LIUFANG = sv.Patient("34130000000000000001", "2", dt.date(1950, 2, 2), "390")

HOSPITAL, CLINIC, PHARMACY, SUZHOU = "H54010000001", "H54010000002", "P54010000001", "H34130000001"
LEVELS = {HOSPITAL: "3", CLINIC: "1", PHARMACY: "pharmacy", SUZHOU: "3"}
MARCH = dt.datetime(2026, 3, 2, 9, 0)


def at(day: int, hour: int = 9, month: int = 3) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, 0)


def visit(
    kind: str = "outpatient",
    *,
    medins: str = CLINIC,
    mdtrt_id: str = "MDT-NOW",
    begin: dt.datetime = MARCH,
    end: dt.datetime | None = None,
    diagnoses: tuple[str, ...] = (),
    med_type: str | None = None,
) -> sv.Encounter:
    med = med_type or {"outpatient": "11", "inpatient": "21", "pharmacy": "41"}[kind]
    return sv.Encounter(mdtrt_id, kind, med, medins, LEVELS[medins], begin, end, diagnoses)


def line(key: str, code: str, cnt: str, pric: str, when: dt.datetime = MARCH, name: str | None = None) -> sv.Line:
    return sv.Line(key, code, name, D(cnt), D(pric), money(D(cnt) * D(pric)), when)


def past(mdtrt_id: str, code: str, cnt: str, when: dt.datetime, key: str = "") -> sv.PastLine:
    return sv.PastLine(mdtrt_id, code, D(cnt), when, key)


def check(
    patient: sv.Patient,
    encounter: sv.Encounter,
    *lines: sv.Line,
    history: sv.History | None = None,
    scene: sv.Scene = sv.Scene.OUTPATIENT_SETTLEMENT,
) -> sv.Check:
    return sv.Check(patient, encounter, list(lines), history or sv.History(), scene)


def one_rule(category: str, params: dict[str, Any], *, action: str = "exclude", message: str = "") -> sv.RuleSet:
    return sv.parse_rule_set(
        {
            "version": "T-1",
            "valid_from": "2026-01-01",
            "rules": [
                {
                    "rule_id": "R1",
                    "category": category,
                    "name": f"a {category} rule",
                    "message": message,
                    "severity": "3",
                    "action": action,
                    "params": params,
                }
            ],
        }
    )


def found(rules: sv.RuleSet, c: sv.Check, **kw: Any) -> list[tuple[str, tuple[str, ...], Decimal]]:
    return [(v.rule_id, v.line_keys, v.amount) for v in sv.evaluate(rules, c, **kw)]


# one rule of each category, as the demo rule set has it
GENDER = ("gender", {"codes": [TRASTUZUMAB], "gend": "2"})
AGE = ("age", {"codes": [METFORMIN], "min_age": 10, "max_age": 75})
SCOPE = ("payment_scope", {"codes": [TRASTUZUMAB], "diagnoses": ["C50"], "hosp_lvs": ["2", "3"]})
DUPLICATE = ("duplicate_charge", {"pairs": [[EXAM, EXAM]], "window_days": 1})
FREQUENCY = ("frequency", {"codes": [METFORMIN], "max_per_period": "360", "period_days": 90})
PRICE = ("price_cap", {"codes": [INFUSION], "max_price": "10.00"})
CONFLICT = ("conflict", {"codes": [BED, EXAM]})
READMISSION = ("readmission", {"window_days": 15})
EARLIER_STAY = sv.History(stays=(sv.PastStay("MDT-STAY-1", HOSPITAL, at(1), at(10, 11)),))
