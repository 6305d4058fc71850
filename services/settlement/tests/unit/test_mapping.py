"""Item mapping on an in-memory store: which mapping is in force, which uploads overlap, and how a fee
line's national code follows from the institution's mappings (3301/3302, 1316/1317, 2204/2301)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from fakes import FakeStore

from medshared.national import parse_request
from settlement.domain import inputs as inp
from settlement.domain import mapping as mp
from settlement.domain.errors import Refused
from settlement.usecases import fees, mapping, settling, visits
from settlement.usecases.common import Call

HOSPITAL = SimpleNamespace(fixmedins_code="H54010000001", admdvs="540100", hosp_lv="3")
CLINIC = SimpleNamespace(fixmedins_code="H54010000002", admdvs="540100", hosp_lv="1")
WANGQIANG = "54010000000000000004"
NOW = dt.datetime(2026, 11, 24, 10, 0, 0)
CONSULT = "001102000010000"  # 普通门诊诊查费, capped at 20.00
METFORMIN = "XA10BAA059A001010100001"  # 二甲双胍片, no cap


def call(infno: str, inst: SimpleNamespace = HOSPITAL, now: dt.datetime = NOW) -> Call:
    envelope = {
        "infno": infno,
        "msgid": f"{inst.fixmedins_code}20261124100000{infno}",
        "mdtrtarea_admvs": inst.admdvs,
        "insuplc_admdvs": "540100",
        "recer_sys_code": "YBXT",
        "infver": "V1.0",
        "opter_type": "1",
        "opter": "001",
        "opter_name": "收费员",
        "inf_time": "2026-11-24 10:00:00",
        "fixmedins_code": inst.fixmedins_code,
        "fixmedins_name": "演示机构",
        "input": {},
    }
    return Call(req=parse_request(envelope), inst=inst, received=now, sender=inst.fixmedins_code)


def sent(
    own: str, code: str, begin: str = "2026-01-01", end: str | None = "2026-12-31", **more: Any
) -> mp.MappingUpload:
    return mp.MappingUpload.model_validate(
        {
            "fixmedins_hilist_id": own,
            "fixmedins_hilist_name": "诊查费(院内)",
            "list_type": "201",
            "med_list_codg": code,
            "begndate": begin,
            "enddate": end,
            **more,
        }
    )


def stored(own: str, code: str, begin: str, end: str, rid: str = "R1", vali_flag: str = mp.VALID) -> mp.ItemMapping:
    return mp.ItemMapping(
        rid=rid,
        fixmedins_code=HOSPITAL.fixmedins_code,
        fixmedins_hilist_id=own,
        fixmedins_hilist_name="诊查费(院内)",
        list_type="201",
        med_list_codg=code,
        begndate=dt.date.fromisoformat(begin),
        enddate=dt.date.fromisoformat(end),
        crte_time=NOW,
        updt_time=NOW,
        vali_flag=vali_flag,
    )


def revoke(own: str, code: str, **more: Any) -> mp.MappingRevoke:
    return mp.MappingRevoke.model_validate(
        {"fixmedins_hilist_id": own, "med_list_codg": code, "list_type": "201", **more}
    )


def query(**filters: Any) -> mp.MappingQuery:
    return mp.MappingQuery.model_validate({"updt_time": "2026-01-01 00:00:00", **filters})


def open_visit(store: FakeStore, inst: SimpleNamespace = HOSPITAL) -> str:
    person = store.people[WANGQIANG]
    register = inp.Register(
        psn_no=WANGQIANG,
        insutype="310",
        begntime=NOW,
        mdtrt_cert_type="02",
        mdtrt_cert_no=person.certno,
        ipt_otp_no="OP1",
        atddr_no="D",
        dr_name="D",
        dept_code="D",
        dept_name="D",
        caty="A03",
    )
    mdtrt_id = visits.register(store, call("2201", inst), register).ref_id
    assert mdtrt_id is not None
    info = inp.VisitInfo(mdtrt_id=mdtrt_id, psn_no=WANGQIANG, med_type="11", begntime=NOW)
    visits.visit_info(store, call("2203", inst), info)
    return mdtrt_id


def fee(sn: str, mdtrt_id: str, own: str, code: str | None, cnt: str, pric: str) -> inp.FeeDetail:
    return inp.FeeDetail.model_validate(
        {
            "feedetl_sn": sn,
            "mdtrt_id": mdtrt_id,
            "psn_no": WANGQIANG,
            "chrg_bchno": "B1",
            "med_list_codg": code,
            "medins_list_codg": own,
            "det_item_fee_sumamt": (Decimal(cnt) * Decimal(pric)).quantize(Decimal("0.01")),
            "cnt": Decimal(cnt),
            "pric": Decimal(pric),
            "fee_ocur_time": NOW,
        }
    )


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


# ---------------------------------------------------------------- the mapping in force, a line's code


JAN_JUN = stored("ZC01", CONSULT, "2026-01-01", "2026-06-30", rid="R-JAN")
JUL_DEC = stored("ZC01", METFORMIN, "2026-07-01", "2026-12-31", rid="R-JUL")
GONE = stored("ZC01", CONSULT, "2026-01-01", "2026-12-31", rid="R-GONE", vali_flag=mp.REVOKED)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2026-01-01", "R-JAN"),
        ("2026-06-30", "R-JAN"),
        ("2026-07-01", "R-JUL"),
        ("2026-12-31", "R-JUL"),
        ("2027-01-01", None),
        ("2025-12-31", None),
    ],
)
def test_the_mapping_in_force_on_a_day_is_the_valid_one_whose_period_holds_it(day, expected):
    found = mp.in_force([GONE, JAN_JUN, JUL_DEC], dt.date.fromisoformat(day))
    assert (found.rid if found else None) == expected


@pytest.mark.parametrize(
    ("sent_code", "day", "priced"),
    [
        (None, "2026-03-01", CONSULT),  # mapped, no national code sent: the mapping's
        (CONSULT, "2026-03-01", CONSULT),  # mapped and agreeing
        (METFORMIN, "2026-08-01", METFORMIN),  # the later mapping on a later day
        ("ZZ9999999999000", "2027-02-01", "ZZ9999999999000"),  # no mapping that day: as sent
    ],
)
def test_a_line_is_priced_with_its_mapping_or_as_sent_where_none_is_in_force(sent_code, day, priced):
    code = mp.national_code("7", "ZC01", sent_code, dt.date.fromisoformat(day), [GONE, JAN_JUN, JUL_DEC])
    assert code == priced


def test_a_line_whose_code_differs_from_its_mapping_is_refused_naming_the_line_both_codes_and_the_fix():
    with pytest.raises(Refused) as refused:
        mp.national_code("7", "ZC01", METFORMIN, dt.date(2026, 3, 1), [JAN_JUN, JUL_DEC])
    message = str(refused.value)
    assert refused.value.code == "MAPPING_MISMATCH"
    assert all(part in message for part in ("fee line 7", "ZC01", CONSULT, METFORMIN, "3301", "3302", "R-JAN"))


def test_a_line_without_a_national_code_and_without_a_mapping_is_refused_saying_what_to_send():
    with pytest.raises(Refused, match=r"fee line 7: med_list_codg is required.*not mapped.*3301"):
        mp.national_code("7", "ZC01", None, dt.date(2027, 1, 5), [GONE, JAN_JUN, JUL_DEC])


# ---------------------------------------------------------------- overlap rules


def test_the_same_mapping_sent_again_repeats_the_stored_one():
    assert mp.repeated([JAN_JUN], sent("ZC01", CONSULT, "2026-01-01", "2026-06-30"), "data") is JAN_JUN


def test_a_mapping_next_to_another_is_new_history_not_a_conflict():
    assert mp.repeated([JAN_JUN], sent("ZC01", METFORMIN, "2026-07-01", "2026-12-31"), "data") is None


def test_a_mapping_to_another_code_overlapping_a_valid_one_is_refused_naming_it_and_3302():
    with pytest.raises(Refused) as refused:
        mp.repeated([JAN_JUN], sent("ZC01", METFORMIN, "2026-06-01", "2026-12-31"), "data[3]")
    message = str(refused.value)
    assert refused.value.code == "MAPPING_CONFLICT"
    assert all(part in message for part in ("data[3]", "ZC01", CONSULT, "2026-01-01 to 2026-06-30", "R-JAN", "3302"))


def test_the_same_code_over_a_shifted_period_is_refused_saying_to_keep_its_begndate():
    with pytest.raises(Refused, match="send it again with begndate 2026-01-01"):
        mp.repeated([JAN_JUN], sent("ZC01", CONSULT, "2026-02-01", "2026-06-30"), "data")


def test_a_revoked_mapping_does_not_block_a_new_one(store):
    store.item_mapping_rows.append(GONE)
    mapping.upload(store, call("3301"), [sent("ZC01", METFORMIN)])
    assert [m.med_list_codg for m in store.item_mapping_rows if m.vali_flag == mp.VALID] == [METFORMIN]


def test_an_enddate_before_the_begndate_is_refused():
    with pytest.raises(Refused, match="enddate 2026-01-01 is before begndate 2026-02-01"):
        mp.repeated([], sent("ZC01", CONSULT, "2026-02-01", "2026-01-01"), "data")


def test_a_mapping_without_an_enddate_stays_open():
    assert sent("ZC01", CONSULT, end=None).end == mp.OPEN_END


# ---------------------------------------------------------------- 3301 / 3302 on the store


def test_an_upload_sent_twice_stores_one_mapping_and_a_corrected_one_is_written_over_it(store):
    mapping.upload(store, call("3301"), [sent("ZC01", CONSULT)])
    mapping.upload(store, call("3301"), [sent("ZC01", CONSULT)])
    assert len(store.item_mapping_rows) == 1
    first = store.item_mapping_rows[0]

    later = NOW + dt.timedelta(hours=1)
    mapping.upload(store, call("3301", now=later), [sent("ZC01", CONSULT, end="2026-11-30", spec="次")])
    (only,) = store.item_mapping_rows
    assert (only.rid, only.enddate, only.spec, only.updt_time) == (first.rid, dt.date(2026, 11, 30), "次", later)


def test_a_list_holding_the_same_mapping_twice_stores_it_once(store):
    mapping.upload(store, call("3301"), [sent("ZC01", CONSULT), sent("ZC01", CONSULT), sent("ZC02", METFORMIN)])
    assert sorted(m.fixmedins_hilist_id for m in store.item_mapping_rows) == ["ZC01", "ZC02"]


def test_one_conflicting_mapping_in_a_list_stores_none_of_it(store):
    mapping.upload(store, call("3301"), [sent("ZC01", CONSULT)])
    batch = [sent("ZC02", CONSULT), sent("ZC01", METFORMIN)]
    with pytest.raises(Refused, match=r"data\[1\]: fixmedins_hilist_id ZC01 is already mapped"):
        mapping.upload(store, call("3301"), batch)
    assert [m.fixmedins_hilist_id for m in store.item_mapping_rows] == ["ZC01"]


def test_a_national_code_the_payment_catalogue_does_not_list_is_refused_naming_it(store):
    with pytest.raises(Refused) as refused:
        mapping.upload(store, call("3301"), [sent("ZC01", "NOT-A-NATIONAL-CODE")])
    assert refused.value.code == "CODE_UNKNOWN" and "NOT-A-NATIONAL-CODE" in str(refused.value)
    assert store.item_mapping_rows == []


def test_a_remap_after_a_catalogue_change_ends_the_old_mapping_and_keeps_both_in_history(store):
    mapping.upload(store, call("3301"), [sent("ZC01", CONSULT, end=None)])
    # the old mapping sent again with an end, then the new one from the next day
    mapping.upload(
        store, call("3301"), [sent("ZC01", CONSULT, end="2026-06-30"), sent("ZC01", METFORMIN, "2026-07-01")]
    )
    mappings = store.item_mappings(HOSPITAL.fixmedins_code, ["ZC01"])
    assert [(m.med_list_codg, m.enddate) for m in mappings] == [
        (CONSULT, dt.date(2026, 6, 30)),
        (METFORMIN, dt.date(2026, 12, 31)),
    ]
    assert mp.in_force(mappings, dt.date(2026, 5, 1)).med_list_codg == CONSULT
    assert mp.in_force(mappings, dt.date(2026, 9, 1)).med_list_codg == METFORMIN


def test_3302_revokes_the_mapping_and_keeps_it_on_record(store):
    mapping.upload(store, call("3301"), [sent("ZC01", CONSULT)])
    mapping.revoke(store, call("3302"), [revoke("ZC01", CONSULT)])
    (row,) = store.item_mapping_rows
    assert row.vali_flag == mp.REVOKED
    assert store.item_mappings(HOSPITAL.fixmedins_code, ["ZC01"]) == []
    with pytest.raises(Refused, match="no valid mapping of fixmedins_hilist_id ZC01"):
        mapping.revoke(store, call("3302"), [revoke("ZC01", CONSULT)])


def test_a_stranger_cannot_revoke_and_learns_nothing_of_the_mapping(store):
    mapping.upload(store, call("3301"), [sent("ZC01", CONSULT)])
    for attempt in (revoke("ZC01", CONSULT), revoke("ZC01", CONSULT, fixmedins_code=HOSPITAL.fixmedins_code)):
        with pytest.raises(Refused) as refused:
            mapping.revoke(store, call("3302", CLINIC), [attempt])
        assert refused.value.code == "MAPPING_UNKNOWN" and HOSPITAL.fixmedins_code not in str(refused.value)
    with pytest.raises(Refused, match="no valid mapping of fixmedins_hilist_id ZC01"):
        mapping.revoke(store, call("3302"), [revoke("ZC01", CONSULT, fixmedins_code=CLINIC.fixmedins_code)])
    assert store.item_mapping_rows[0].vali_flag == mp.VALID


def test_writes_to_one_institutions_mappings_take_its_lock(store):
    mapping.upload(store, call("3301"), [sent("ZC01", CONSULT)])
    mapping.revoke(store, call("3302"), [revoke("ZC01", CONSULT)])
    assert store.item_mapping_locks == [HOSPITAL.fixmedins_code] * 2


def test_ten_thousand_uploads_one_mapping_each_read_only_their_own_code(store):
    seen: list[int] = []
    lookup = store.item_mappings

    def counting(fixmedins_code: str, own_codes: Any) -> list[mp.ItemMapping]:
        found = lookup(fixmedins_code, own_codes)
        seen.append(len(found))
        return found

    store.item_mappings = counting
    for i in range(10_000):
        mapping.upload(store, call("3301"), [sent(f"OWN{i:05d}", CONSULT if i % 2 else METFORMIN)])
    assert len(store.item_mapping_rows) == 10_000 and set(seen) == {0}


# ---------------------------------------------------------------- fee lines priced by the mappings


def test_a_line_with_only_its_own_code_is_priced_and_stored_with_the_mapped_code(store):
    mapping.upload(store, call("3301"), [sent("ZC01", CONSULT)])
    mdtrt_id = open_visit(store)
    result = fees.outpatient_fees(store, call("2204"), [fee("1", mdtrt_id, "ZC01", None, "1", "25.00")]).output
    (row,) = result["result"]
    assert (row["med_list_codg"], row["pric_uplmt_amt"], row["overlmt_amt"]) == (
        CONSULT,
        Decimal("20.00"),
        Decimal("5.00"),
    )
    (line,) = store.fee_lines(mdtrt_id)
    assert (line.med_list_codg, line.medins_list_codg) == (CONSULT, "ZC01")

    settle = inp.Settle(
        psn_no=WANGQIANG,
        mdtrt_cert_type="02",
        mdtrt_cert_no=store.people[WANGQIANG].certno,
        medfee_sumamt=Decimal("25.00"),
        psn_setlway="01",
        mdtrt_id=mdtrt_id,
        insutype="310",
        acct_used_flag="0",
    )
    info = settling.settle_visit(store, call("2206"), settle).output["setlinfo"]
    assert info["medfee_sumamt"] == Decimal("25.00") and info["overlmt_selfpay"] == Decimal("5.00")


def test_a_mismatching_line_refuses_the_upload_and_stores_no_line(store):
    mapping.upload(store, call("3301"), [sent("ZC01", CONSULT)])
    mdtrt_id = open_visit(store)
    lines = [fee("1", mdtrt_id, "ZC02", METFORMIN, "1", "3.50"), fee("2", mdtrt_id, "ZC01", METFORMIN, "1", "3.50")]
    with pytest.raises(Refused, match=f"fee line 2: medins_list_codg ZC01 is mapped to med_list_codg {CONSULT}"):
        fees.outpatient_fees(store, call("2204"), lines)
    assert store.fee_lines(mdtrt_id) == []


def test_after_3302_the_own_code_alone_no_longer_prices_a_line(store):
    mapping.upload(store, call("3301"), [sent("ZC01", CONSULT)])
    mapping.revoke(store, call("3302"), [revoke("ZC01", CONSULT)])
    mdtrt_id = open_visit(store)
    with pytest.raises(Refused, match="fee line 1: med_list_codg is required"):
        fees.outpatient_fees(store, call("2204"), [fee("1", mdtrt_id, "ZC01", None, "1", "15")])
    # sent with a national code, the line is accepted as software that never maps sends it
    fees.outpatient_fees(store, call("2204"), [fee("1", mdtrt_id, "ZC01", METFORMIN, "1", "3.50")])
    assert [x.med_list_codg for x in store.fee_lines(mdtrt_id)] == [METFORMIN]


def test_another_institutions_mapping_does_not_price_my_lines(store):
    mapping.upload(store, call("3301", CLINIC), [sent("ZC01", METFORMIN)])
    mdtrt_id = open_visit(store)
    fees.outpatient_fees(store, call("2204"), [fee("1", mdtrt_id, "ZC01", CONSULT, "1", "15")])
    with pytest.raises(Refused, match="not mapped"):
        fees.outpatient_fees(store, call("2204"), [fee("2", mdtrt_id, "ZC01", None, "1", "15")])


# ---------------------------------------------------------------- 1316 / 1317


def test_1317_pages_through_the_callers_mappings_only(store):
    mapping.upload(store, call("3301"), [sent(f"ZC{i:02d}", CONSULT) for i in range(25)])
    mapping.upload(store, call("3301", CLINIC), [sent("CLINIC-ONLY", CONSULT)])
    pages = [
        mapping.institution_mappings(store, call("1317"), query(page_num=n, page_size=10)).output for n in (1, 3, 4)
    ]
    assert [len(p["data"]) for p in pages] == [10, 5, 0]
    assert (pages[0]["recordCounts"], pages[0]["pages"], pages[0]["firstPage"], pages[0]["lastPage"]) == (
        25,
        3,
        True,
        False,
    )
    assert (pages[1]["startRow"], pages[1]["endRow"], pages[1]["lastPage"]) == (21, 25, True)
    assert all(row["fixmedins_code"] == HOSPITAL.fixmedins_code for p in pages for row in p["data"])
    clinic = mapping.institution_mappings(store, call("1317", CLINIC), query()).output
    assert [row["medins_list_codg"] for row in clinic["data"]] == ["CLINIC-ONLY"]


def test_1317_refuses_to_list_another_institution(store):
    with pytest.raises(Refused, match="lists the calling institution's own mappings"):
        mapping.institution_mappings(store, call("1317", CLINIC), query(fixmedins_code=HOSPITAL.fixmedins_code))


def test_1317_filters_by_own_code_validity_update_time_and_the_day_in_force(store):
    mapping.upload(store, call("3301"), [sent("ZC01", CONSULT, end="2026-06-30"), sent("ZC02", METFORMIN)])
    mapping.revoke(store, call("3302", now=NOW + dt.timedelta(days=1)), [revoke("ZC02", METFORMIN)])

    def own_codes(**filters: Any) -> list[str]:
        rows = mapping.institution_mappings(store, call("1317"), query(**filters)).output["data"]
        return [row["medins_list_codg"] for row in rows]

    assert own_codes(medins_list_codg="ZC02") == ["ZC02"]
    assert own_codes(vali_flag="1") == ["ZC01"]
    assert own_codes(updt_time="2026-11-25 00:00:00") == ["ZC02"]
    assert own_codes(query_date="2026-08-01") == ["ZC02"]
    assert own_codes(query_date="0001-01-01T00:00:00") == ["ZC01", "ZC02"]  # a C# DateTime left unset


def test_1316_matches_each_mapping_with_the_payment_catalogue_item(store):
    mapping.upload(store, call("3301"), [sent("ZC01", CONSULT)])
    row = mapping.catalogue_matches(store, call("1316"), query(hilist_code=CONSULT)).output["data"][0]
    assert (row["med_list_codg"], row["hilist_code"], row["hilist_name"], row["medins_list_codg"]) == (
        CONSULT,
        CONSULT,
        "普通门诊诊查费",
        "ZC01",
    )
    assert row["begndate"] == "2026-01-01" and row["updt_time"] == "2026-11-24 10:00:00"
    assert mapping.catalogue_matches(store, call("1316"), query(hilist_code=METFORMIN)).output["data"] == []


@pytest.mark.parametrize(("page_num", "page_size"), [(0, 10), (1, 0), (1, mp.MAX_PAGE_SIZE + 1)])
def test_a_page_out_of_bounds_is_refused(page_num, page_size):
    with pytest.raises(ValueError):
        query(page_num=page_num, page_size=page_size)
