"""One source of institution reference data: settlement's.

Settlement answers 1201 (医药机构信息获取) and prices by each institution's level, so its
institution records are the reference. E-voucher keeps the institutions that may decode codes
and take mobile payments (with its own gateway tokens and callback origins) and shows their names
to the person on the phone; its demo data must name each institution as the reference does, in
the same area. Both demo datasets are read here as the services load them.
"""

from __future__ import annotations

import json
from pathlib import Path

import settlement.demo
from evoucher.demo import DEMO_INSTITUTIONS

REFERENCE = Path(settlement.demo.__file__).parent / "demo_data" / "institutions.json"


def reference() -> dict[str, tuple[str, str]]:
    rows = json.loads(REFERENCE.read_text(encoding="utf-8"))
    return {row["fixmedins_code"]: (row["fixmedins_name"], row["admdvs"]) for row in rows}


def test_every_demo_institution_at_e_voucher_has_the_name_and_area_settlement_gives_it() -> None:
    known = reference()
    differing = {
        code: {"e-voucher": (name, admdvs), "settlement": known.get(code)}
        for code, name, admdvs in DEMO_INSTITUTIONS
        if known.get(code) != (name, admdvs)
    }
    assert not differing, f"copy the names and admdvs of {REFERENCE} into evoucher.demo: {differing}"


def test_every_institution_of_the_reference_can_decode_codes_and_take_mobile_payments() -> None:
    assert sorted(code for code, _, _ in DEMO_INSTITUTIONS) == sorted(reference())
