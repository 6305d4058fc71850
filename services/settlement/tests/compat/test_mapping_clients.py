"""Real HIS software's item mapping calls (3301, 3302, 1316, 1317) in the shapes its public code sends.

Facts and field names only, from:
- newtouch-cloud/openhis at b4fe7065ca75723f38d5f09ca6e2a55681c6e87a (Inner Mongolia, C#, Newtonsoft.Json
  defaults: a string property left unset is sent as null; answers read into string properties)
  WinServiceAPI/NeiMengGuYiBaoApp/Models/Input/YiBao/Input_3301.cs (data3301: 14 string fields),
  WinServiceAPI/NeiMengGuYiBaoApp/Models/Input/YiBao/Input_3302.cs (catalogcompin3302 under data),
  WinServiceAPI/NeiMengGuYiBaoApp/Models/Input/YiBao/Input_1316.cs and Input_1317.cs (page_num, page_size
  and the dates as strings), WinServiceAPI/NeiMengGuYiBaoApp/Models/Output/YiBao/Output_1316.cs and
  Output_1317.cs (the paging fields and data[] it reads)
- binzhe12123/Medical at b351f2b600934983157a93b139f4311093c4db36 (Shenzhen, C#)
  SY.Com.Medical.Model/SYB/JBXX/ML1316.cs and ML1317.cs (query_date, begndate, updt_time are DateTime and
  page_num, page_size int: an unset DateTime is sent as 0001-01-01T00:00:00; Out1316 reads begndate,
  enddate, updt_time, crte_time and opt_time into non-nullable DateTime)
- S-117-John/nhis-web at 35007830b7834b02410d57730503f6d1c5d39fce (Zhongshan, Java, json-lib)
  src/main/java/com/zebone/nhis/pro/zsba/compay/ins/qgyb/vo/TransferClass/Input3301.java (the mappings are a
  List whose accessors are getCatalogcompin/setCatalogcompin, so json-lib writes input.catalogcompin),
  .../qgyb/vo/BottomClass/Input3301Catalogcompin.java (14 String fields; json-lib writes an unset String
  as ""), .../qgyb/utils/YbFunUtils.java (fun3301: JSONObject.fromObject of the bean)
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from clients import Read, reads
from compat_support import problems
from support import His

CONSULT = "001102000010000"
METFORMIN = "XA10BAA059A001010100001"

# ---------------------------------------------------------------- Inner Mongolia (openhis, C#)

NM_FIELDS_3301 = ("fixmedins_hilist_id", "fixmedins_hilist_name", "list_type", "med_list_codg", "begndate", "enddate",
                  "aprvno", "dosform", "exct_cont", "item_cont", "prcunt", "spec", "pacspec", "memo")  # fmt: skip


def nm_3301(**values: str) -> dict[str, Any]:
    return {"data": {name: values.get(name) for name in NM_FIELDS_3301}}


def nm_3302(fixmedins_code: str, own: str, list_type: str, code: str) -> dict[str, Any]:
    data = {"fixmedins_hilist_id": own, "fixmedins_code": fixmedins_code, "list_type": list_type, "med_list_codg": code}
    return {"data": data}


def nm_1317(**values: str) -> dict[str, Any]:
    fields = ("query_date", "fixmedins_code", "medins_list_codg", "medins_list_name", "insu_admdvs", "list_type",
              "med_list_codg", "begndate", "vali_flag", "updt_time", "page_num", "page_size")  # fmt: skip
    return {"data": {name: values.get(name) for name in fields}}


def nm_1316(**values: str) -> dict[str, Any]:
    fields = ("query_date", "medins_list_codg", "hilist_code", "list_type", "insu_admdvs", "begndate", "vali_flag",
              "updt_time", "page_num", "page_size")  # fmt: skip
    return {"data": {name: values.get(name) for name in fields}}


NM_READS_PAGE = reads(
    "text", "firstPage", "lastPage", "size", "startRow", "pageSize", "pageNum", "recordCounts", "pages"
)
NM_READS_ROW = reads("text", "data[].begndate", "data[].list_type", "data[].insu_admdvs", "data[].med_list_codg",
                     "data[].opt_time", "data[].vali_flag", "data[].rid", "data[].updt_time")  # fmt: skip
NM_READS_1316 = (*NM_READS_PAGE, *NM_READS_ROW, Read("data[].hilist_code", "text"), Read("data[].memo", "text?"))


def test_the_inner_mongolia_client_maps_lists_and_revokes_in_its_own_shapes(lhasa: His) -> None:
    assert lhasa.ok("3301", nm_3301(fixmedins_hilist_id="110200001", fixmedins_hilist_name="普通门诊诊查费",
                                    list_type="201", med_list_codg=CONSULT, begndate="2026-01-01",
                                    enddate="2099-12-31", prcunt="次")) is None  # fmt: skip
    query = nm_1317(fixmedins_code=lhasa.code, medins_list_codg="110200001", insu_admdvs="540100", vali_flag="1",
                    updt_time="2026-01-01", page_num="1", page_size="50")  # fmt: skip
    listed = lhasa.ok("1317", query)
    assert not problems(listed, (*NM_READS_PAGE, *NM_READS_ROW))
    (row,) = listed["data"]
    assert (row["med_list_codg"], row["begndate"], row["enddate"], row["prcunt"]) == (CONSULT, "2026-01-01",
                                                                                       "2099-12-31", "次")  # fmt: skip

    matched = lhasa.ok("1316", nm_1316(hilist_code=CONSULT, insu_admdvs="540100", vali_flag="1",
                                       updt_time="2026-01-01", page_num="1", page_size="50"))  # fmt: skip
    assert not problems(matched, NM_READS_1316) and matched["data"][0]["hilist_code"] == CONSULT

    lhasa.ok("3302", nm_3302(lhasa.code, "110200001", "201", CONSULT))
    assert lhasa.ok("1317", {**query, "data": {**query["data"], "vali_flag": "0"}})["data"][0]["vali_flag"] == "0"


# ---------------------------------------------------------------- Shenzhen (binzhe12123/Medical, C#)

UNSET_DATETIME = "0001-01-01T00:00:00"  # default(DateTime), as Newtonsoft writes it


def sz_1317(fixmedins_code: str) -> dict[str, Any]:
    data = {"query_date": UNSET_DATETIME, "fixmedins_code": fixmedins_code, "medins_list_codg": None,
            "medins_list_name": None, "insu_admdvs": "540100", "list_type": None, "med_list_codg": None,
            "begndate": UNSET_DATETIME, "vali_flag": "1", "updt_time": "2026-01-01T00:00:00", "page_num": 1,
            "page_size": 100}  # fmt: skip
    return {"data": data}


def sz_1316(hilist_code: str) -> dict[str, Any]:
    data = {"query_date": UNSET_DATETIME, "medins_list_codg": None, "hilist_code": hilist_code, "list_type": None,
            "insu_admdvs": "540100", "begndate": UNSET_DATETIME, "vali_flag": "1",
            "updt_time": "2026-01-01T00:00:00", "page_num": 1, "page_size": 100}  # fmt: skip
    return {"data": data}


SZ_DATETIMES_1316 = ("begndate", "enddate", "updt_time", "crte_time", "opt_time")  # Out1316: non-nullable DateTime


def _datetime_problem(value: Any) -> str | None:
    if not isinstance(value, str):
        return f"is {value!r}; a non-nullable DateTime needs a date text"
    for fmt in ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S"):
        try:
            dt.datetime.strptime(value, fmt)
            return None
        except ValueError:
            continue
    return f"is {value!r}; not a date DateTime.Parse reads"


def test_the_shenzhen_client_queries_with_unset_datetimes_and_reads_dates_into_datetime(lhasa: His) -> None:
    lhasa.ok("3301", {"data": [{"fixmedins_hilist_id": "SZ-1", "fixmedins_hilist_name": "诊查费", "list_type": "201",
                                "med_list_codg": CONSULT, "begndate": "2026-01-01", "enddate": "2026-12-31"}]})  # fmt: skip
    listed = lhasa.ok("1317", sz_1317(lhasa.code))
    assert [row["medins_list_codg"] for row in listed["data"]] == ["SZ-1"]  # unset DateTimes filter nothing

    matched = lhasa.ok("1316", sz_1316(CONSULT))
    (row,) = matched["data"]
    found = {name: _datetime_problem(row.get(name)) for name in SZ_DATETIMES_1316}
    assert not any(found.values()), found
    assert not problems(matched, reads("text", "data[].med_list_codg", "data[].hilist_code", "data[].rid"))


# ---------------------------------------------------------------- Zhongshan (nhis-web, Java json-lib)


def zs_mapping(own: str, code: str) -> dict[str, str]:
    fields = {"fixmedins_hilist_id": own, "fixmedins_hilist_name": "一次性使用输液器", "list_type": "301",
              "med_list_codg": code, "begndate": "2026-01-01", "enddate": "2026-12-31"}  # fmt: skip
    unset = ("aprvno", "dosform", "exct_cont", "item_cont", "prcunt", "spec", "pacspec", "memo")
    return {**fields, **dict.fromkeys(unset, "")}


def test_the_zhongshan_client_sends_its_mappings_as_a_list_named_catalogcompin(lhasa: His) -> None:
    # json-lib names the list after its accessors: input.catalogcompin is read as 3301's data node.
    lhasa.ok("3301", {"catalogcompin": [zs_mapping("ZS-C1", "C01010100001000")]})
    mapped = lhasa.ok("1317", {"data": {"page_num": 1, "page_size": 10, "fixmedins_hilist_id": "ZS-C1"}})
    assert [row["med_list_codg"] for row in mapped["data"]] == ["C01010100001000"]


def test_the_zhongshan_clients_mapping_objects_with_empty_unset_fields_are_read_as_sent(lhasa: His) -> None:
    # Deviation: sent under input.data (the spec's node) rather than input.catalogcompin, to show the objects
    # themselves, with "" for every unset field, are accepted.
    lhasa.ok("3301", {"data": [zs_mapping("ZS-C1", "C01010100001000"), zs_mapping("ZS-C2", "C01010100001000")]})
    rows = lhasa.ok("1317", {"data": {"page_num": "1", "page_size": "10", "updt_time": ""}})["data"]
    assert [(r["medins_list_codg"], r["aprvno"]) for r in rows] == [("ZS-C1", None), ("ZS-C2", None)]
