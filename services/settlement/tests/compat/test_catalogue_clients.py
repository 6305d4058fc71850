"""Real HIS software's 13xx catalogue downloads and queries, in the shapes its public code sends, and what
it reads back. Facts and field names only, from:

- newtouch-cloud/openhis at 68c8c623 (C#):
  WinServiceAPI/NeiMengGuYiBaoApp/Models/Input/YiBao/Input_13.cs (1301..1315: input.data.ver);
  WinServiceAPI/NeiMengGuYiBaoApp/Controllers/YiBaoController.cs (DownloadIndex: 1305 from nothing sends
  ver "F001_0000_A"; 9102 with fsDownloadIn.filename the answered filename and fixmedins_code "plc";
  InsertData9102: the zip extracted, the file opened by the answered filename without ".zip");
  WinServiceAPI/NeiMengGuYiBaoApp/Service/ClassSqlHelper.cs (Insert9102: every non-empty line split by tab,
  its first columnNum cells inserted by position; a cell holding "CST" parsed as "ddd MMM dd HH:mm:ss CST
  yyyy", "null" read as empty);
  Newtouch.HIS.Sett/Newtouch.Web/Areas/PatientManage/Views/HospiterRes/MedicalInsuranceCatalogue.cshtml
  (columnNum: 1301 92, 1302 29, 1303 78, 1305 16, 1306 71, 1307 24, 1308 24, 1309 16, 1310 15, 1311 15,
  1313 11, 1314 14, 1315 14); Newtouch.HIS.Base/Newtouch.HIS.DomainServices/GzybBaseInfo/
  GzybBaseInfoDmnService.cs (Header: the ver sent next is the stored VER that sorts last);
  Newtouch.HIS.Sett/.../HospiterRes (GetCatalogData: the 1312/1318/1319 inputs below, insu_admdvs the
  institution's area, hilist_name the name typed in); Models/Output/YiBao/Output_1312.cs (firstPage,
  lastPage, size, startRow, pageSize, pageNum, recordCounts, pages and data[] read as strings).
- liutao2019/IBORN_HIS_ALL (Guangzhou, C#): MEDICAL/广州医保/API.GZSI/UI/frmGoodUpload.cs (InsertYB1301:
  a line is a record when it has more than 5 tab-separated values; values[80] crte_time and values[81]
  updt_time through DateTime.ParseExact "ddd MMM dd HH:mm:ss CST yyyy", values[82] ver; InsertYB1309
  values[9] ver).
- binzhe12123/Medical (Shenzhen, JS): SZSI_Smart/YBTest/js/YBSYB.js (SYB1301 data.ver and
  output.file_qury_no / output.filename read; SYB1312, SYB1318, SYB1319 and SYB1304 with every filter
  sent as "", page_num 10 and page_size 1, updt_time the day).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from support import His

from medshared import jsonutil
from medshared.national import gateway_headers
from settlement.domain import catalogues as cat

DOOR = "/fsi/api/rsfComIfsService/callService"
COLUMN_NUM = {
    "1301": 92, "1302": 29, "1303": 78, "1305": 16, "1306": 71, "1307": 24, "1308": 24, "1309": 16,
    "1310": 15, "1311": 15, "1313": 11, "1314": 14, "1315": 14,
}  # fmt: skip
JAVA_DATE = "%a %b %d %H:%M:%S CST %Y"  # .NET "ddd MMM dd HH:mm:ss CST yyyy"


def openhis_download(his: His, infno: str, ver: str) -> list[list[str]]:
    """DownloadIndex, then 9102 and InsertData9102/Insert9102 as openhis reads the file."""
    offered = his.ok(infno, {"data": {"ver": ver}})
    fs_download_in = {"filename": offered["filename"], "fixmedins_code": "plc", "file_qury_no": offered["file_qury_no"]}
    envelope = his.envelope("9102", {"fsDownloadIn": fs_download_in})
    raw = his.client.post(DOOR, content=jsonutil.dumps(envelope), headers=gateway_headers(his.paasid, his.token))
    assert raw.headers["content-type"] == "application/octet-stream"
    with zipfile.ZipFile(io.BytesIO(raw.content)) as archive:
        text = archive.read(offered["filename"].replace(".zip", "")).decode("utf-8")
    records = []
    for line in text.splitlines():
        if len(line) < 1:
            continue
        cells = line.split("\t")[: COLUMN_NUM[infno]]
        assert len(cells) == COLUMN_NUM[infno], f"{infno}: {len(cells)} cells"
        for cell in cells:
            if "CST" in cell:
                dt.datetime.strptime(cell, JAVA_DATE)  # ParseExact would throw
        records.append(["" if cell == "null" else cell for cell in cells])
    return records


def test_openhis_downloads_every_family_reads_it_by_position_and_asks_for_what_follows(lhasa: His) -> None:
    for infno, count in COLUMN_NUM.items():
        assert len(cat.FAMILIES[infno].columns) == count
        ver_at = cat.FAMILIES[infno].columns.index("ver")
        records = openhis_download(lhasa, infno, "0")
        if not records:
            continue
        held = max(r[ver_at] for r in records)  # Header: ORDER BY VER DESC, the first
        assert held == "202601010001"
        assert openhis_download(lhasa, infno, held) == []


def test_openhis_asking_1305_from_nothing_with_its_own_start_ver_gets_every_service(lhasa: His) -> None:
    codes = {r[0] for r in openhis_download(lhasa, "1305", "F001_0000_A")}
    assert codes == {r[0] for r in openhis_download(lhasa, "1305", "0")} and "001102000010000" in codes


def test_the_guangzhou_reader_parses_the_times_and_the_ver_where_it_reads_them(lhasa: His) -> None:
    for line in openhis_download(lhasa, "1301", "0"):
        assert len(line) > 5
        created, updated = (dt.datetime.strptime(line[i], JAVA_DATE) for i in (80, 81))
        assert created <= updated and line[82] == "202601010001" and line[78] == "1"
    (chronic,) = openhis_download(lhasa, "1309", "0")
    assert chronic[0] == "M03900" and chronic[9] == "202601010001"


def test_shenzhen_reads_the_file_it_is_offered_from_the_output(lhasa: His) -> None:
    answer = lhasa.call("1301", {"data": {"ver": ""}})
    assert answer["infcode"] == 0
    assert answer["output"]["file_qury_no"] and answer["output"]["filename"].endswith(".zip")


SZ_1312 = {
    "query_date": "", "hilist_code": "", "insu_admdvs": "", "begndate": "", "hilist_name": "", "wubi": "",
    "pinyin": "", "med_chrgitm_type": "", "chrgitm_lv": "", "lmt_used_flag": "", "list_type": "", "med_use_flag": "",
    "matn_used_flag": "", "hilist_use_type": "", "lmt_cpnd_type": "", "vali_flag": "", "page_num": 10, "page_size": 1,
}  # fmt: skip
SZ_1318 = {
    "query_date": "", "hilist_code": "", "hilist_lmtpric_type": "", "overlmt_dspo_way": "", "insu_admdvs": "",
    "begndate": "", "enddate": "", "vali_flag": "", "rid": "", "tabname": "", "poolarea_no": "", "page_num": 1,
    "page_size": 10,
}  # fmt: skip
SZ_1319 = SZ_1318 | {"selfpay_prop_psn_type": "", "selfpay_prop_type": "", "page_num": 10, "page_size": 1}
SZ_1304 = {
    "med_list_codg": "", "genname_codg": "", "drug_genname": "", "drug_prodname": "", "reg_name": "",
    "tcmherb_name": "", "mlms_name": "", "vali_flag": "", "rid": "", "ver": "", "ver_name": "", "opt_begn_time": "",
    "opt_end_time": "", "page_num": 10, "page_size": 1,
}  # fmt: skip


def test_shenzhen_pages_the_hi_list_with_every_filter_empty(lhasa: His) -> None:
    today = dt.date.today().isoformat()
    tenth = lhasa.ok("1312", {"data": SZ_1312 | {"updt_time": "2000-01-01"}})
    assert (tenth["pageNum"], tenth["size"], tenth["startRow"], tenth["recordCounts"]) == (10, 1, 10, 10)
    assert set(tenth["data"][0]) == set(cat.HILIST_COLUMNS)
    caps = lhasa.ok("1318", {"data": SZ_1318 | {"updt_time": "2000-01-01"}})
    assert caps["recordCounts"] == 5 and all(r["hilist_pric_uplmt_amt"] is not None for r in caps["data"])
    shares = lhasa.ok("1319", {"data": SZ_1319 | {"updt_time": "2000-01-01"}})
    assert shares["pages"] == 10 and set(shares["data"][0]) == set(cat.SELFPAY_COLUMNS)
    assert lhasa.ok("1312", {"data": SZ_1312 | {"updt_time": "2100-01-01"}})["data"] == []
    assert lhasa.ok("1304", {"data": SZ_1304 | {"updt_time": today}})["recordCounts"] == 0


def test_openhis_looks_up_the_hi_list_by_name_in_its_own_area(lhasa: His) -> None:
    data = SZ_1312 | {"insu_admdvs": "540100", "hilist_name": "头孢", "vali_flag": "1"}
    page = lhasa.ok("1312", {"data": data | {"page_num": "1", "page_size": "20", "updt_time": "2000-01-01"}})
    assert {k: page[k] for k in ("firstPage", "lastPage", "pageNum", "pageSize", "recordCounts", "pages")} == {
        "firstPage": True,
        "lastPage": True,
        "pageNum": 1,
        "pageSize": 20,
        "recordCounts": 1,
        "pages": 1,
    }
    (row,) = page["data"]
    assert (row["hilist_code"], row["insu_admdvs"], row["chrgitm_lv"]) == ("XJ01DCC041B002010100002", "000000", "02")
    assert row["begndate"] == "2026-01-01" and isinstance(row["updt_time"], str)
