"""Item mapping through the front door: 3301/3302, fee lines priced by the mappings, 1316/1317."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from support import WANGQIANG, His, line, make_client, open_outpatient, seed, settle_input

from settlement.db import fee_line, item_mapping
from settlement.demo import load_demo

CONSULT = "001102000010000"  # 普通门诊诊查费, capped at 20.00
METFORMIN = "XA10BAA059A001010100001"  # 二甲双胍片
POOL = "540100"


def mapped(own: str, code: str, begin: str = "2026-01-01", end: str = "2026-12-31", **more: Any) -> dict[str, Any]:
    return {
        "fixmedins_hilist_id": own,
        "fixmedins_hilist_name": "院内项目 " + own,
        "list_type": "201",
        "med_list_codg": code,
        "begndate": begin,
        "enddate": end,
        **more,
    }


def counts(app: Any) -> dict[str, int]:
    """Rows of the tables these transactions write."""
    with app.state.runtime.factory() as session:
        return {
            t.name: session.execute(select(func.count()).select_from(t)).scalar_one() for t in (item_mapping, fee_line)
        }


def own_line(sn: str, own: str, cnt: str, pric: str, mdtrt_id: str, code: str = "") -> dict[str, Any]:
    """A fee line naming the hospital's own code; med_list_codg empty unless given."""
    return line(sn, code, cnt, pric, mdtrt_id, WANGQIANG, medins_list_codg=own, med_list_codg=code)


def listed(his: Any, infno: str = "1317", **data: Any) -> dict[str, Any]:
    return his.ok(infno, {"data": {"updt_time": "2026-01-01 00:00:00", "page_num": 1, "page_size": 100, **data}})


def test_a_line_with_only_its_own_code_settles_to_the_cent_as_the_mapped_national_code_would(lhasa):
    lhasa.ok("3301", {"data": mapped("ZC-001", CONSULT)})
    by_mapping = open_outpatient(lhasa, WANGQIANG)
    lines = [
        own_line("1", "ZC-001", "1", "25.00", by_mapping),
        own_line("2", "YP-9", "2", "3.50", by_mapping, METFORMIN),
    ]
    result = lhasa.ok("2204", {"feedetail": lines}, insuplc=POOL)["result"]
    assert [row["med_list_codg"] for row in result] == [CONSULT, METFORMIN]
    assert (result[0]["pric_uplmt_amt"], result[0]["overlmt_amt"]) == (Decimal("20.00"), Decimal("5.00"))

    by_code = open_outpatient(lhasa, WANGQIANG)
    plain = [
        line("1", CONSULT, "1", "25.00", by_code, WANGQIANG),
        line("2", METFORMIN, "2", "3.50", by_code, WANGQIANG),
    ]
    lhasa.ok("2204", {"feedetail": plain}, insuplc=POOL)

    trial = lhasa.ok("2206", settle_input(WANGQIANG, by_mapping, "32.00", acct="1"), insuplc=POOL)["setlinfo"]
    same = lhasa.ok("2206", settle_input(WANGQIANG, by_code, "32.00", acct="1"), insuplc=POOL)["setlinfo"]
    answer = lhasa.ok("2207", settle_input(WANGQIANG, by_mapping, "32.00", acct="1"), insuplc=POOL)
    final = answer["setlinfo"]
    amounts = ("medfee_sumamt", "overlmt_selfpay", "inscp_scp_amt", "fund_pay_sumamt", "acct_pay", "psn_cash_pay")
    assert [trial[k] for k in amounts] == [same[k] for k in amounts] == [final[k] for k in amounts]
    # Two consultations of one person on one day: the demo supervision rule SUP-DUP-001 takes the
    # consultation out of fund payment in each visit alike (its cap's 5.00 over-limit included).
    assert (final["medfee_sumamt"], final["overlmt_selfpay"]) == (Decimal("32.00"), Decimal("0.00"))
    assert answer["setldetail"] and all("SUP-DUP-001" in d["setl_proc_info"] for d in answer["setldetail"])
    assert final["fund_pay_sumamt"] + final["acct_pay"] + final["psn_cash_pay"] == Decimal("32.00")


def test_a_line_whose_national_code_contradicts_its_mapping_is_refused_naming_both(lhasa, client):
    lhasa.ok("3301", {"data": mapped("ZC-001", CONSULT)})
    mdtrt_id = open_outpatient(lhasa, WANGQIANG)
    before = counts(client.app)
    answer = lhasa.call(
        "2204", {"feedetail": [own_line("1", "ZC-001", "1", "3.50", mdtrt_id, METFORMIN)]}, insuplc=POOL
    )
    assert answer["infcode"] == -1
    for part in ("fee line 1", "medins_list_codg ZC-001", f"mapped to med_list_codg {CONSULT}", METFORMIN, "3302"):
        assert part in answer["err_msg"]
    assert counts(client.app) == before


def test_after_3302_the_old_mapping_no_longer_prices_a_line(lhasa):
    lhasa.ok("3301", {"data": mapped("ZC-001", CONSULT)})
    lhasa.ok("3302", {"data": {"fixmedins_code": lhasa.code, "fixmedins_hilist_id": "ZC-001", "list_type": "201",
                               "med_list_codg": CONSULT}})  # fmt: skip
    mdtrt_id = open_outpatient(lhasa, WANGQIANG)
    refused = lhasa.call("2204", {"feedetail": [own_line("1", "ZC-001", "1", "15", mdtrt_id)]}, insuplc=POOL)
    assert "med_list_codg is required: medins_list_codg ZC-001 is not mapped" in refused["err_msg"]
    accepted = lhasa.ok(
        "2204", {"feedetail": [own_line("1", "ZC-001", "1", "3.50", mdtrt_id, METFORMIN)]}, insuplc=POOL
    )
    assert accepted["result"][0]["med_list_codg"] == METFORMIN

    (row,) = listed(lhasa, medins_list_codg="ZC-001")["data"]
    assert row["vali_flag"] == "0"  # kept on record


def test_the_same_mapping_sent_again_is_stored_once(lhasa, client):
    lhasa.ok("3301", {"data": mapped("ZC-001", CONSULT)})
    before = counts(client.app)["item_mapping"]
    lhasa.ok("3301", {"data": [mapped("ZC-001", CONSULT)]})
    assert counts(client.app)["item_mapping"] == before == 1


def test_a_remap_to_another_code_over_the_same_days_is_refused_naming_the_mapping_and_3302(lhasa, client):
    lhasa.ok("3301", {"data": mapped("ZC-001", CONSULT)})
    answer = lhasa.call("3301", {"data": mapped("ZC-001", METFORMIN, begin="2026-06-01")})
    assert answer["infcode"] == -1
    assert f"is already mapped to med_list_codg {CONSULT} from 2026-01-01 to 2026-12-31" in answer["err_msg"]
    assert "3302" in answer["err_msg"]
    assert counts(client.app)["item_mapping"] == 1


def test_an_unknown_national_code_is_refused_naming_it(lhasa):
    answer = lhasa.call("3301", {"data": mapped("ZC-001", "XX0000000000")})
    assert "med_list_codg XX0000000000 is not in the payment catalogue" in answer["err_msg"]


def test_a_stranger_can_neither_revoke_nor_see_nor_use_another_institutions_mapping(lhasa, clinic, client):
    lhasa.ok("3301", {"data": mapped("ZC-001", CONSULT)})
    before = counts(client.app)
    revoke = {
        "fixmedins_code": lhasa.code,
        "fixmedins_hilist_id": "ZC-001",
        "list_type": "201",
        "med_list_codg": CONSULT,
    }
    stranger = clinic.call("3302", {"data": revoke})
    unknown = clinic.call("3302", {"data": {**revoke, "fixmedins_hilist_id": "NEVER-MAPPED"}})
    assert stranger["infcode"] == unknown["infcode"] == -1
    assert stranger["err_msg"].replace("ZC-001", "NEVER-MAPPED") == unknown["err_msg"]
    assert lhasa.code not in stranger["err_msg"]
    assert counts(client.app) == before

    assert listed(clinic)["data"] == [] and listed(clinic, "1316")["data"] == []
    assert "own mappings" in clinic.call("1317", {"data": {"fixmedins_code": lhasa.code, "page_num": 1,
                                                           "page_size": 10}})["err_msg"]  # fmt: skip
    mdtrt_id = open_outpatient(clinic, WANGQIANG)
    mine_only = clinic.call("2204", {"feedetail": [own_line("1", "ZC-001", "1", "15", mdtrt_id)]}, insuplc=POOL)
    assert "is not mapped" in mine_only["err_msg"]
    assert listed(lhasa)["data"][0]["vali_flag"] == "1"


def test_1317_and_1316_page_through_the_mappings(lhasa):
    lhasa.ok("3301", {"data": [mapped(f"ZC-{i:03d}", CONSULT if i % 2 else METFORMIN) for i in range(25)]})
    first = listed(lhasa, page_size=10)
    last = listed(lhasa, page_num=3, page_size=10)
    assert (first["recordCounts"], first["pages"], first["size"], first["firstPage"], first["lastPage"]) == (
        25,
        3,
        10,
        True,
        False,
    )
    assert (last["size"], last["startRow"], last["endRow"], last["lastPage"]) == (5, 21, 25, True)
    assert [r["medins_list_codg"] for r in first["data"]][:2] == ["ZC-000", "ZC-001"]
    row = first["data"][1]
    assert (row["fixmedins_code"], row["med_list_codg"], row["begndate"], row["enddate"]) == (
        lhasa.code,
        CONSULT,
        "2026-01-01",
        "2026-12-31",
    )
    assert len(row["rid"]) <= 40 and row["opter_name"] == "收费员"

    matched = listed(lhasa, "1316", hilist_code=CONSULT, page_size=5)
    assert matched["recordCounts"] == 12 and matched["pages"] == 3
    assert {(r["med_list_codg"], r["hilist_code"], r["hilist_name"]) for r in matched["data"]} == {
        (CONSULT, CONSULT, "普通门诊诊查费")
    }
    too_big = lhasa.call("1317", {"data": {"page_num": 1, "page_size": 5000}})
    assert "page_size: must be at most 1000" in too_big["err_msg"]


@pytest.fixture
def unthrottled(migrated_url: str, partners: Any) -> Iterator[His]:
    """The hospital on a platform whose per-institution rate (200 calls/s by default) does not pace the test."""
    with make_client(
        migrated_url, partners, institution_rate_per_second=100_000.0, institution_rate_burst=100_000
    ) as c:
        load_demo(c.app.state.runtime)
        seed(c.app, WANGQIANG)
        his = His(c, "H54010000001", POOL)
        his.sign_in()
        yield his


def test_ten_thousand_mappings_upload_one_per_call_and_in_lists(unthrottled):
    lhasa, singles = unthrottled, 1_000
    for i in range(singles):
        lhasa.ok("3301", {"data": mapped(f"OWN{i:05d}", CONSULT)})
    # lists as long as the national input bound (40,000 characters) takes
    for start in range(singles, 10_000, 150):
        batch = [mapped(f"OWN{i:05d}", METFORMIN) for i in range(start, min(start + 150, 10_000))]
        lhasa.ok("3301", {"data": batch})
    assert listed(lhasa, page_size=1)["recordCounts"] == 10_000
    assert listed(lhasa, medins_list_codg="OWN09999")["data"][0]["med_list_codg"] == METFORMIN

    mdtrt_id = open_outpatient(lhasa, WANGQIANG)
    lines = [own_line("1", "OWN00000", "1", "15", mdtrt_id), own_line("2", "OWN09999", "1", "3.50", mdtrt_id)]
    result = lhasa.ok("2204", {"feedetail": lines}, insuplc=POOL)["result"]
    assert [row["med_list_codg"] for row in result] == [CONSULT, METFORMIN]


def test_a_list_over_the_national_input_bound_is_refused_saying_to_send_less(lhasa, client):
    batch = [mapped(f"OWN{i:05d}", CONSULT) for i in range(1_000)]
    answer = lhasa.call("3301", {"data": batch})
    assert answer["infcode"] == -1 and "at most 40000" in answer["err_msg"]
    assert counts(client.app)["item_mapping"] == 0
