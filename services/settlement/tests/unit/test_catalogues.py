"""National catalogues on an in-memory store: the column orders clients read by position, versions and
increments, rejected rows, the HI list a payment catalogue version writes, and the paged answer."""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
import zipfile
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from fakes import FakeStore

from medshared.national import parse_request
from settlement.domain import catalogues as cat
from settlement.domain.errors import Refused
from settlement.policy import Catalogue
from settlement.usecases import catalogues
from settlement.usecases.common import Call
from settlement.usecases.ports.catalogues import HilistFilter

NOW = dt.datetime(2026, 12, 1, 9, 30, 0)
LHASA = SimpleNamespace(fixmedins_code="H54010000001", admdvs="540100", hosp_lv="3")
DEMO = Path(__file__).resolve().parents[2] / "settlement" / "demo_data"


def call(infno: str, input_: dict) -> Call:
    envelope = {
        "infno": infno,
        "msgid": f"H5401000000120261201093000{infno}",
        "mdtrtarea_admvs": "540100",
        "insuplc_admdvs": "",
        "recer_sys_code": "YBXT",
        "infver": "V1.0",
        "opter_type": "1",
        "opter": "001",
        "opter_name": "收费员",
        "inf_time": "2026-12-01 09:30:00",
        "fixmedins_code": LHASA.fixmedins_code,
        "fixmedins_name": "演示机构",
        "input": input_,
    }
    return Call(req=parse_request(envelope), inst=LHASA, received=NOW, sender=LHASA.fixmedins_code)


def table(family: cat.Family, rows: list[dict[str, str]]) -> list[tuple[int, list[str]]]:
    """An operator's CSV as rows: a header naming the columns, then one row per record."""
    return [(1, list(family.columns))] + [
        (i, [row.get(c, "") for c in family.columns]) for i, row in enumerate(rows, start=2)
    ]


def publish(store: FakeStore, infno: str, rows: list[dict[str, str]], ver: str, now: dt.datetime = NOW):
    return catalogues.publish(
        store, infno, table(cat.FAMILIES[infno], rows), now=now, operator="policy-01", source="csv", ver=ver
    )


def unzip(content: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        (name,) = archive.namelist()
        return archive.read(name).decode("utf-8").splitlines()


# ---------------------------------------------------------------- column orders


@pytest.mark.parametrize(
    ("infno", "count", "where"),
    [
        # liutao2019/IBORN_HIS_ALL MEDICAL/广州医保/API.GZSI/UI/frmGoodUpload.cs reads values[0..n-1]
        ("1301", 92, {"vali_flag": 78, "rid": 79, "crte_time": 80, "updt_time": 81, "ver": 82, "ver_name": 83}),
        ("1302", 29, {"begndate": 11, "vali_flag": 13, "ver": 17, "std_elecacs": 28}),
        ("1303", 78, {"vali_flag": 64, "begntime": 65, "rid": 67, "ver": 70, "selfprep_pmtno_elecacs": 77}),
        ("1305", 16, {"vali_flag": 6, "servitem_name": 9, "rid": 13, "ver": 14, "ver_name": 15}),
        ("1306", 71, {"begndate": 46, "vali_flag": 67, "rid": 68, "ver": 69}),
        ("1307", 24, {"diag_code": 10, "diag_name": 11, "vali_flag": 18, "ver": 22}),
        ("1308", 24, {"oprn_oprt_code": 10, "vali_flag": 18, "ver": 22, "ver_name": 23}),
        ("1309", 16, {"admdvs": 3, "ver": 9, "dise_cont": 10, "ver_name": 11, "opsp_dise_name": 14}),
        ("1310", 15, {"ver": 9, "dise_cont": 10, "ver_name": 12}),
        ("1311", 15, {"ver": 7, "ver_name": 8, "qua_oprn_oprt_code": 14}),
        ("1313", 11, {"vali_flag": 5, "ver": 9, "ver_name": 10}),
        ("1314", 14, {"memo": 7, "ver": 12, "ver_name": 13}),
        ("1315", 14, {"memo": 7, "ver": 12, "ver_name": 13}),
        ("1304", 54, {"vali_flag": 42, "ver": 53}),  # newtouch-cloud/openhis Output_1304.cs
    ],
)
def test_each_family_has_its_columns_where_clients_read_them(infno: str, count: int, where: dict[str, int]) -> None:
    columns = cat.FAMILIES[infno].columns
    assert len(columns) == count == len(set(columns))
    assert {name: columns.index(name) for name in where} == where


def test_the_hi_list_answers_have_the_fields_clients_map() -> None:
    # newtouch-cloud/openhis WinServiceAPI/NeiMengGuYiBaoApp/Models/Output/YiBao/Output_1312/1318/1319.cs
    assert len(cat.HILIST_COLUMNS) == 28 and cat.HILIST_COLUMNS[:3] == ("hilist_code", "hilist_name", "insu_admdvs")
    assert len(cat.LMTPRC_COLUMNS) == 20 and "hilist_pric_uplmt_amt" in cat.LMTPRC_COLUMNS
    assert len(cat.SELFPAY_COLUMNS) == 20 and "selfpay_prop_psn_type" in cat.SELFPAY_COLUMNS


# ---------------------------------------------------------------- versions and dates


@pytest.mark.parametrize(("sent", "held"), [("0", None), ("", None), (None, None), (" 7 ", "7"), ("V2", "V2")])
def test_a_his_holding_nothing_sends_zero_or_nothing(sent: str | None, held: str | None) -> None:
    assert cat.since(sent) == held


def test_a_new_ver_must_sort_after_the_latest_and_have_the_national_shape() -> None:
    assert cat.check_new_ver("1301", "202612010001", "202601010001") == "202612010001"
    for ver, latest in (("202601010001", "202601010001"), ("20260101", "202601010001"), ("bad ver", None)):
        with pytest.raises(Refused):
            cat.check_new_ver("1301", ver, latest)
    assert cat.next_ver(dt.date(2026, 12, 1), "202612010007") == "202612010008"
    assert cat.next_ver(dt.date(2026, 12, 1), "202601010001") == "202612010001"


def test_dates_are_written_as_java_writes_them_and_read_in_any_common_form() -> None:
    assert cat.java_time(dt.datetime(2006, 11, 30)) == "Thu Nov 30 00:00:00 CST 2006"
    assert cat.java_time(dt.date(9999, 12, 31)) == "Fri Dec 31 00:00:00 CST 9999"
    for text in ("Thu Nov 30 08:01:02 CST 2006", "2006-11-30 08:01:02", "2006-11-30T08:01:02"):
        assert cat.parse_time(text) == dt.datetime(2006, 11, 30, 8, 1, 2)
    assert cat.parse_time("20061130") == cat.parse_time("2006/11/30") == dt.datetime(2006, 11, 30)
    with pytest.raises(ValueError):
        cat.parse_time("30.11.2006")


# ---------------------------------------------------------------- rows an operator sends


def test_a_row_is_read_by_position_or_by_header_and_each_problem_is_named() -> None:
    family = cat.FAMILIES["1313"]
    row = ["M80000", "800", "肿瘤", "8000/0", "良性", "", "null", "", "", "", ""]
    values = cat.read_record(family, [*row, ""], None)  # a trailing tab is no column
    assert values["tmor_mpy_id"] == "M80000" and values["vali_flag"] == "1" and values["rid"] == ""
    header = cat.header_of(family, ["\ufefftmor_mpy_id", "MPY_TYPE", "vali_flag"])
    assert header == ("tmor_mpy_id", "mpy_type", "vali_flag")
    assert cat.read_record(family, ["M1", "良性", "0"], header)["vali_flag"] == "0"
    assert cat.header_of(family, row) is None
    problems = {
        "has 3 values; 1313 肿瘤形态学目录 has 11 columns": ["M1", "2", "3"],
        "tmor_mpy_id is empty": ["", *row[1:]],
        "vali_flag must be 1 (valid) or 0": [*row[:5], "Y", *row[6:]],
    }
    for reason, cells in problems.items():
        with pytest.raises(cat.RowProblem, match=reason.replace("(", r"\(").replace(")", r"\)")):
            cat.read_record(family, cells, None)
    drug = cat.FAMILIES["1302"]
    with pytest.raises(cat.RowProblem, match="begndate must be a date"):
        cat.read_record(drug, ["T1", "name", *[""] * 9, "soon", *[""] * 17], None)
    assert cat.read_record(drug, ["T1", "a\tb", *[""] * 27], None)["tcmherb_name"] == "a b"


def test_files_are_read_from_the_national_zip_csv_and_gb18030_text() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("x.txt", "a\tb\n\nc\td\n")
    assert list(cat.rows_of(io.BytesIO(buffer.getvalue()))) == [(1, ["a", "b"]), (3, ["c", "d"])]
    assert list(cat.rows_of(io.BytesIO('\ufeffcode,name\nX1,"甲,乙"\n'.encode()))) == [
        (1, ["code", "name"]),
        (2, ["X1", "甲,乙"]),
    ]
    assert list(cat.rows_of(io.BytesIO("X1,阿司匹林\n".encode("gb18030")))) == [(1, ["X1", "阿司匹林"])]
    with pytest.raises(cat.UnreadableFile):
        list(cat.rows_of(io.BytesIO(b"PK\x03\x04 not a zip")))


# ---------------------------------------------------------------- releases and increments


DRUG = {"med_list_codg": "XA10BAA059A001010100001", "drug_genname": "二甲双胍片", "begndate": "2026-01-01"}
OTHER = {"med_list_codg": "XB01ACA056A001010100002", "drug_genname": "阿司匹林肠溶片"}


def test_a_release_publishes_new_and_changed_records_and_an_increment_holds_only_those() -> None:
    store = FakeStore()
    first = publish(store, "1301", [DRUG, OTHER], "202601010001", dt.datetime(2026, 1, 1, 8))
    assert (first.received, first.accepted, first.unchanged, first.published) == (2, 2, 0, True)
    changed = DRUG | {"drug_spec": "0.5g"}
    second = publish(store, "1301", [changed, OTHER], "202612010001")
    assert (second.accepted, second.unchanged) == (1, 1)

    columns = cat.FAMILIES["1301"].columns
    increment = [
        dict(zip(columns, line.split("\t"), strict=True)) for line in store.catalogue_lines("1301", "202601010001")
    ]
    assert [(r["med_list_codg"], r["drug_spec"], r["ver"]) for r in increment] == [
        (DRUG["med_list_codg"], "0.5g", "202612010001")
    ]
    assert increment[0]["crte_time"] == "Thu Jan 01 08:00:00 CST 2026"  # first published then
    assert increment[0]["updt_time"] == "Tue Dec 01 09:30:00 CST 2026"
    assert increment[0]["begndate"] == "Thu Jan 01 00:00:00 CST 2026"
    assert len(list(store.catalogue_lines("1301", None))) == 2
    assert list(store.catalogue_lines("1301", "202612010001")) == []
    assert store.release_records("1301", "202601010001", 0, 10)[0] == 2  # every version stays readable

    with pytest.raises(catalogues.NothingPublished) as nothing:
        publish(store, "1301", [changed], "202612020001")
    assert nothing.value.report.unchanged == 1 and store.catalogue_release("1301", "202612020001") is None


def test_rejected_rows_are_reported_with_their_row_numbers_and_the_rest_is_published() -> None:
    store = FakeStore()
    rows = [DRUG, {"drug_genname": "no code"}, DRUG, OTHER | {"vali_flag": "9"}, OTHER]
    report = publish(store, "1301", rows, "202601010001")
    assert (report.received, report.accepted, report.rejected_count) == (5, 2, 3)
    assert [r["row"] for r in report.rejected] == [3, 4, 5]
    assert "on row 2 too" in report.rejected[1]["reason"]
    release = store.catalogue_release("1301", "202601010001")
    assert (release.received, release.accepted, release.rejected) == (5, 2, 3)


def test_a_download_answers_a_zip_whose_txt_is_named_as_the_zip_without_its_suffix() -> None:
    store = FakeStore()
    publish(store, "1307", [{"diag_list_id": "C34.900", "diag_code": "C34.900", "diag_name": "肺恶性肿瘤"}], "1")
    outcome = catalogues.download(store, call("1307", {}), cat.CatalogueDownload(ver="0"))
    offered = outcome.output
    assert offered["filename"].endswith(".txt.zip") and offered["fixmedins_code"] == LHASA.fixmedins_code
    content = store.file_contents[offered["file_qury_no"]]
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert archive.namelist() == [offered["filename"].removesuffix(".zip")]
    (line,) = unzip(content)
    assert line.split("\t")[10] == "C34.900" and len(line.split("\t")) == 24
    for held in ("1", "F001_0000_A", "0"):  # up to date; a ver never issued (everything); nothing held
        offered = catalogues.download(store, call("1307", {}), cat.CatalogueDownload(ver=held)).output
        assert len(unzip(store.file_contents[offered["file_qury_no"]])) == (0 if held == "1" else 1)


# ---------------------------------------------------------------- the HI list from the payment catalogue


def demo_catalogue() -> dict:
    return json.loads((DEMO / "catalogue.json").read_text(encoding="utf-8"))


def test_a_payment_catalogue_version_writes_only_the_hi_list_rows_it_changes() -> None:
    store = FakeStore()
    body = demo_catalogue()
    assert catalogues.publish_hilist(store, Catalogue.from_dict(body), NOW) == {
        "written": 10,
        "unchanged": 0,
        "ended": 0,
    }
    again = copy.deepcopy(body) | {"version": "2", "effective_from": "2026-06-01"}
    assert catalogues.publish_hilist(store, Catalogue.from_dict(again), NOW)["written"] == 0
    later = copy.deepcopy(again) | {"version": "3", "effective_from": "2026-12-01"}
    later["items"][2]["pric_uplmt_amt"] = "2300.00"
    del later["items"][0]
    later["overrides"] = {}
    counts = catalogues.publish_hilist(store, Catalogue.from_dict(later), NOW + dt.timedelta(days=1))
    assert counts == {"written": 1, "unchanged": 7, "ended": 3}
    _, rows = store.hilist_page(HilistFilter(updt_since=NOW + dt.timedelta(hours=1)), 0, 100)
    assert sorted((r.hilist_code, r.insu_admdvs, str(r.begndate), str(r.enddate), r.vali_flag) for r in rows) == [
        ("XA10BAA059A001010100001", "000000", "2026-01-01", "2026-11-30", "1"),  # dropped: ends
        ("XJ01DCC041B002010100002", "110100", "2026-01-01", "2026-11-30", "1"),  # its override dropped
        ("XL01XCT022B001010100003", "000000", "2026-01-01", "2026-11-30", "1"),  # changed: the old row ends
        ("XL01XCT022B001010100003", "000000", "2026-12-01", "None", "1"),  # and the new one applies
    ]
    capped = store.hilist_page(HilistFilter(capped_only=True, hilist_code="XL01XCT022B001010100003"), 0, 10)[1]
    assert [(r.begndate.isoformat(), r.pric_uplmt_amt, r.is_current) for r in capped] == [
        ("2026-01-01", Decimal("2400.00"), False),
        ("2026-12-01", Decimal("2300.00"), True),
    ]
    # back in a later version: a new row, not the ended one revived
    readded = copy.deepcopy(body) | {"version": "4", "effective_from": "2027-01-01", "overrides": {}}
    counts = catalogues.publish_hilist(store, Catalogue.from_dict(readded), NOW + dt.timedelta(days=2))
    assert counts["written"] == 2 and len([r for r in store.hilist_rows if r.is_current]) == 10


def test_a_version_effective_no_later_than_a_row_replaces_it() -> None:
    store = FakeStore()
    body = demo_catalogue()
    catalogues.publish_hilist(store, Catalogue.from_dict(body), NOW)
    fixed = copy.deepcopy(body) | {"version": "1b"}
    fixed["items"][1]["selfpay_prop"] = "0.12"
    catalogues.publish_hilist(store, Catalogue.from_dict(fixed), NOW + dt.timedelta(hours=1))
    rows = [r for r in store.hilist_rows if r.hilist_code == "XJ01DCC041B002010100002" and r.insu_admdvs == "000000"]
    assert [(r.selfpay_prop, r.vali_flag, r.enddate, r.is_current) for r in rows] == [
        (Decimal("0.10"), "0", None, False),
        (Decimal("0.12"), "1", None, True),
    ]


def test_a_region_reads_its_own_rows_its_provinces_and_those_without_an_override() -> None:
    assert catalogues.regions_of("110100") == ("110100", "110000", "000000")
    assert catalogues.regions_of("540000") == ("540000", "000000")
    assert catalogues.regions_of(None) == ()


def test_hi_list_rows_say_what_kind_of_item_they_are() -> None:
    store = FakeStore()
    catalogues.publish_hilist(store, Catalogue.from_dict(demo_catalogue()), NOW)
    kinds = {r.hilist_code: (r.list_type, r.med_chrgitm_type) for r in store.hilist_rows}
    assert kinds["XA10BAA059A001010100001"] == ("101", "09")
    assert kinds["C01010100001000"] == ("301", "08")
    assert kinds["ZZ9999999999000"] == ("201", "14")
    outcome = catalogues.hilist(store, call("1319", {}), cat.HilistQuery(hilist_code="C01010100001000"))
    (row,) = outcome.output["data"]
    assert set(row) == set(cat.SELFPAY_COLUMNS) and row["selfpay_prop"] == Decimal("0.30")


# ---------------------------------------------------------------- the paged answer


def test_a_page_says_where_it_is_in_the_whole() -> None:
    query = cat.PageQuery(page_num=3, page_size=10)
    shape = cat.page([{}] * 5, 25, query)
    assert (shape["startRow"], shape["endRow"], shape["pages"], shape["lastPage"], shape["firstPage"]) == (
        21,
        25,
        3,
        True,
        False,
    )
    empty = cat.page([], 0, cat.PageQuery())
    assert (empty["startRow"], empty["endRow"], empty["pages"], empty["recordCounts"]) == (0, 0, 0, 0)
    for bad in ({"page_size": 1001}, {"page_size": 0}, {"page_num": 0}):
        with pytest.raises(ValueError):
            cat.PageQuery(**bad)
    assert cat.PageQuery(page_num="2", page_size="50").page_size == 50  # numbers sent as text
