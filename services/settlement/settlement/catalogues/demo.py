"""The demo's national catalogue records, so a HIS starting from nothing downloads what it will bill.

1301 (drugs), 1305 (services) and 1306 (consumables) are the demo payment catalogue's items, with the
columns demo_data/national_catalogues.json adds; 1307, 1308 and 1309 are the diagnoses, the operation
and the chronic disease the demo visits use. Published once, as release 202601010001 of each family.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from medshared.national import INF_TIME_FORMAT
from settlement.domain import catalogues as cat
from settlement.store import SqlStore
from settlement.usecases import catalogues

DEMO = Path(__file__).resolve().parents[1] / "demo_data"


def family_of(code: str) -> str:
    """Where a payment-catalogue item is listed nationally: X 西药 1301, C 耗材 1306, else 1305 服务项目."""
    return {"X": "1301", "C": "1306"}.get(code[:1].upper(), "1305")


def demo_rows() -> dict[str, list[dict[str, str]]]:
    """The demo records of each family, as column -> value."""
    data = json.loads((DEMO / "national_catalogues.json").read_text(encoding="utf-8"))
    payment = json.loads((DEMO / "catalogue.json").read_text(encoding="utf-8"))
    rows: dict[str, list[dict[str, str]]] = {"1301": [], "1305": [], "1306": []}
    for item in payment["items"]:
        code = item["med_list_codg"]
        infno = family_of(code)
        row = {"med_list_codg": code, "begndate": payment["effective_from"], "vali_flag": "1"}
        if infno == "1301":
            row |= {"drug_prodname": item["name"], "drug_genname": item["name"], "reg_name": item["name"]}
            row |= {
                "bas_medn_flag": item.get("bas_medn_flag", "0"),
                "hi_nego_drug_flag": item.get("hi_nego_drug_flag", "0"),
                "nat_hi_druglist_chrgitm_lv": {"01": "甲", "02": "乙"}.get(item["chrgitm_lv"], "丙"),
            }
        elif infno == "1306":
            row |= {"mcs_name": item["name"]}
        else:
            row |= {"servitem_name": item["name"]}
        rows[infno].append(row | data["items"].get(code, {}))
    for infno in ("1307", "1308", "1309"):
        rows[infno] = [row | {"vali_flag": "1"} for row in data[infno]]
    return rows


def _table(family: cat.Family, rows: list[dict[str, str]]) -> Iterator[tuple[int, list[str]]]:
    yield 1, list(family.columns)
    for number, row in enumerate(rows, start=2):
        yield number, [row.get(name, "") for name in family.columns]


def load(session: Session) -> dict[str, Any]:
    """Publish each family's demo release unless the family has a release already."""
    data = json.loads((DEMO / "national_catalogues.json").read_text(encoding="utf-8"))
    store = SqlStore(session)
    published: dict[str, Any] = {}
    for infno, rows in demo_rows().items():
        if store.latest_catalogue_release(infno) is not None:
            continue
        report = catalogues.publish(
            store,
            infno,
            _table(cat.FAMILIES[infno], rows),
            now=dt.datetime.strptime(data["published_at"], INF_TIME_FORMAT),
            operator="settlement-demo",
            source="demo",
            ver=data["ver"],
            ver_name=data["ver_name"],
        )
        published[infno] = report.accepted
    return published
