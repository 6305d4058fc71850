"""Real HIS software's dictionary (1901), institution (1201) and department (3401-3403) calls, in the
shapes its public code sends, answered with what its parsers read back.

Facts and field names only, from:
- newtouch-cloud/openhis at ffa7e660be5c295f4788d4f0870e2b4b10c015d4 (C#, Newtonsoft.Json defaults: a string
  property left unset is sent as null; answers read into string properties)
  WinServiceAPI/YiBaoInterface/Models/Input/Input_1901.cs (data1901: type, parentValue, admdvs, date, vali_Flag
  and three fields of its own: tradiNumber, operatorId, operatorName),
  WinServiceAPI/YiBaoInterface/Models/Output/Output_1901.cs (list[]: type, label, value, parent_value, sort,
  vali_flag, create_user, create_date, version), WinServiceAPI/YiBaoInterface/Models/Input/Input_1201.cs
  (medinsinfo: fixmedins_type, fixmedins_code, fixmedins_name), .../Models/Output/Output_1201.cs (medinsinfo[]:
  fixmedins_code, fixmedins_name, uscc, fixmedins_type, hosp_lv)
- binzhe12123/Medical at b351f2b600934983157a93b139f4311093c4db36 and b65bbc64d261f664e08b8c385319734d14ebc2fb
  (Shenzhen, C#) SY.Com.Medical.Model/SYB/JBXX/Dic1901.cs (In1901: date a DateTime, valiFlag; Out1901 reads
  type, label, value, sort into int), SY.Com.Medical.Model/SYB/JBXX/JG1201.cs (In1201data.medinsinfo),
  SY.Com.Medical.Model/SYB/YYJGFW/KS3401.cs (deptinfo an object; begntime, endtime, dept_estbdat DateTime,
  an unset one sent as 0001-01-01T00:00:00; the counts C# decimals, sent as 30.0), KS3402.cs (the counts
  int), KS3403.cs (In3403data.data: hosp_dept_codg, hosp_dept_name, begntime)
- fengzaiqishi11/hsa-his at 1fcd557940391a10c84c139f1e65846eef69a664 (Java, fastjson defaults: a java.util.Date
  is sent as milliseconds since 1970) hsa-insure/hsa-insure-biz/src/main/java/cn/hsa/insure/unifiedpay/bo/impl/
  InsureUnifiedPayRestBOImpl.java (insertUnifiedDict: 1901 data type, date yyyy-MM-dd HH:mm:ss, admdvs "",
  vali_flag "1", reads list[].type, value, label and treats an empty list as an error; getMedisnInfo: 1201
  reads medinsinfo[0].fixmedins_code (its characters 2-7 as the admdvs) and hosp_lv),
  .../InsureUnifiedBaseBOImpl.java (updateUnifiedDept: 3401 deptinfo a list, or an object in Hunan, Gansu and
  Hainan, 3401A for more than one; begntime and dept_estbdat a Date, endtime, dept_med_serv_scp and
  hi_crtf_bed_cnt null, the counts Integer.parseInt; updateUnifiedDeptInfo: 3402 deptinfo an object without
  endtime; deleteUnifiedDeptInfo: 3403 data with begntime a Date), hsa-insure/hsa-insure-biz/src/main/java/
  cn/hsa/insure/util/InsureUnifiedCommonUtil.java (commonInsureUnified: JSONObject.toJSONString of the input)
- S-117-John/nhis-web at 35007830b7834b02410d57730503f6d1c5d39fce (Zhongshan, Java)
  src/main/java/com/zebone/nhis/compay/pub/service/NationalInsuranceService.java (downloadDictionary: data
  type, parentValue, admdvs, date, valiFlag, sent through transLine, which turns camel case into snake case;
  the answer through lineToHump into InsDictionaryVo.java, which reads value and label; qryOrgInfo: 1201
  medinsinfo fixmedinsName, fixmedinsCode, fixmedinsType "1", the same way),
  src/main/java/com/zebone/nhis/pro/zsba/mz/ins/zsba/service/qgyb/ZsbaQgBaseService.java (downLoadInsDict,
  marked as reserved: 1901 with type "" for every dictionary at once)
"""

from __future__ import annotations

from typing import Any

from clients import Read, reads
from compat_support import problems
from sqlalchemy import select
from support import His

from settlement.db import department

OPENHIS_1901_READS = reads(
    "text",
    "list[].type",
    "list[].label",
    "list[].value",
    "list[].parent_value",
    "list[].sort",
    "list[].vali_flag",
    "list[].create_user",
    "list[].create_date",
    "list[].version",
)
INSTITUTION_READS = reads(
    "text",
    "medinsinfo[].fixmedins_code",
    "medinsinfo[].fixmedins_name",
    "medinsinfo[].uscc",
    "medinsinfo[].fixmedins_type",
    "medinsinfo[].hosp_lv",
)


def _departments(his: His) -> dict[str, Any]:
    with his.client.app.state.runtime.factory() as session:
        rows = session.execute(select(department).where(department.c.fixmedins_code == his.code))
        return {r.hosp_dept_codg: r for r in rows}


# ---------------------------------------------------------------- 1901


def test_the_openhis_client_downloads_a_dictionary_in_its_own_shape(lhasa: His) -> None:
    data = {"type": "psn_type", "parentValue": "11", "admdvs": "540100", "date": "2026-11-24", "vali_Flag": "1",
            "tradiNumber": None, "operatorId": "001", "operatorName": "收费员"}  # fmt: skip
    output = lhasa.ok("1901", {"data": data})
    assert not problems(output, OPENHIS_1901_READS)
    assert [(r["value"], r["label"], r["parent_value"]) for r in output["list"]] == [
        ("1101", "职工在职", "11"),
        ("1102", "公务员在职", "11"),
        ("1103", "灵活就业在职", "11"),
    ]


def test_the_shenzhen_client_sends_its_date_as_a_csharp_datetime(lhasa: His) -> None:
    data = {"type": "mdtrt_cert_type", "parentValue": None, "admdvs": None, "date": "2026-11-24T00:00:00",
            "valiFlag": "1"}  # fmt: skip
    output = lhasa.ok("1901", {"data": data})
    assert not problems(output, (*reads("text", "list[].type", "list[].label", "list[].value"),
                                 Read("list[].sort", "number")))  # fmt: skip
    assert [r["value"] for r in output["list"]] == ["01", "02", "03"]


def test_the_powersi_client_downloads_a_dictionary_and_needs_it_not_empty(lhasa: His) -> None:
    data = {"type": "MED_TYPE", "date": "2026-11-24 10:00:00", "admdvs": "", "vali_flag": "1"}
    output = lhasa.ok("1901", {"data": data})
    assert not problems(output, reads("text", "list[0].type", "list[].value", "list[].label"))
    assert {"11", "14", "21", "41"} <= {r["value"] for r in output["list"]}


def test_the_zhongshan_client_sends_its_camel_case_turned_into_snake_case(lhasa: His) -> None:
    data = {"type": "naty", "parent_value": None, "admdvs": None, "date": None, "vali_flag": None}
    output = lhasa.ok("1901", {"data": data})
    assert not problems(output, reads("text", "list[].value", "list[].label"))
    assert (len(output["list"]), output["list"][0]["label"], output["list"][3]["label"]) == (58, "汉族", "藏族")


def test_the_reserved_every_dictionary_at_once_call_is_refused_naming_the_type(lhasa: His) -> None:
    # One answer holding every code table would not fit the national answer's 40,000 characters.
    answer = lhasa.call("1901", {"data": {"type": "", "parentValue": None, "admdvs": None}})
    assert answer["infcode"] == -1 and answer["err_msg"].startswith("input.data.type")


# ---------------------------------------------------------------- 1201


def test_each_client_looks_up_institutions_in_its_own_shape(lhasa: His) -> None:
    openhis = lhasa.ok(
        "1201", {"medinsinfo": {"fixmedins_type": "1", "fixmedins_code": None, "fixmedins_name": "拉萨"}}
    )
    assert not problems(openhis, INSTITUTION_READS) and len(openhis["medinsinfo"]) == 2
    powersi = lhasa.ok("1201", {"medinsinfo": {"fixmedins_type": None, "fixmedins_name": None,
                                               "fixmedins_code": "H43060000001"}})  # fmt: skip
    first = powersi["medinsinfo"][0]
    assert (first["fixmedins_code"][1:7], first["hosp_lv"]) == ("430600", "3")
    zhongshan = lhasa.ok("1201", {"medinsinfo": {"fixmedins_name": "拉萨市第一人民医院(演示)",
                                                 "fixmedins_code": "H54010000001", "fixmedins_type": "1"}})  # fmt: skip
    assert [r["fixmedins_code"] for r in zhongshan["medinsinfo"]] == ["H54010000001"]


# ---------------------------------------------------------------- 3401-3403


def test_the_powersi_client_uploads_changes_and_revokes_departments_with_java_dates(lhasa: His) -> None:
    created = 1767225600000  # a java.util.Date: 2026-01-01 08:00:00 in China

    def powersi(code: str, name: str, **more: Any) -> dict[str, Any]:
        return {"hosp_dept_codg": code, "caty": "A03", "hosp_dept_name": name, "begntime": created, "endtime": None,
                "itro": None, "dept_resper_name": "李四", "dept_resper_tel": "0891-6000000", "dept_med_serv_scp": None,
                "dept_estbdat": created, "aprv_bed_cnt": 40, "hi_crtf_bed_cnt": None, "poolarea_no": "540100",
                "dr_psncnt": 10, "phar_psncnt": 2, "nurs_psncnt": 16, "tecn_psncnt": 3, "memo": None, **more}  # fmt: skip

    lhasa.ok("3401", {"deptinfo": [powersi("0101", "内科")]})  # one department: 3401 with a list of one
    lhasa.ok("3401", {"deptinfo": powersi("0102", "外科")})  # Hunan, Gansu, Hainan: one object
    lhasa.ok("3401A", {"deptinfo": [powersi("0103", "儿科"), powersi("0104", "妇产科")]})
    change = powersi("0101", "心血管内科", aprv_bed_cnt=48)
    del change["endtime"], change["dept_med_serv_scp"], change["hi_crtf_bed_cnt"]
    lhasa.ok("3402", {"deptinfo": change})
    lhasa.ok("3403", {"data": {"hosp_dept_codg": "0104", "hosp_dept_name": "妇产科", "begntime": created}})
    rows = _departments(lhasa)
    assert str(rows["0102"].begntime) == "2026-01-01 08:00:00"
    assert (rows["0101"].hosp_dept_name, rows["0101"].aprv_bed_cnt) == ("心血管内科", 48)
    assert rows["0104"].revoked_at is not None and rows["0103"].revoked_at is None


def test_the_shenzhen_client_uploads_changes_and_revokes_departments_with_csharp_values(lhasa: His) -> None:
    def shenzhen(**more: Any) -> dict[str, Any]:
        return {"hosp_dept_codg": "KS01", "caty": "A07", "hosp_dept_name": "儿科", "begntime": "2026-01-01T00:00:00",
                "endtime": "0001-01-01T00:00:00", "itro": "儿科门诊", "dept_resper_name": "王五",
                "dept_resper_tel": "0755-8000000", "dept_med_serv_scp": None, "dept_estbdat": "2010-05-01T00:00:00",
                "aprv_bed_cnt": "30.0", "hi_crtf_bed_cnt": "0.0", "poolarea_no": "540100", "dr_psncnt": "6.0",
                "phar_psncnt": "1.0", "nurs_psncnt": "9.0", "tecn_psncnt": "2.0", "memo": None, **more}  # fmt: skip

    lhasa.ok("3401", {"deptinfo": shenzhen()})
    lhasa.ok("3402", {"deptinfo": shenzhen(aprv_bed_cnt=32, dr_psncnt=7, phar_psncnt=1, nurs_psncnt=9,
                                           tecn_psncnt=2, hi_crtf_bed_cnt=0)})  # fmt: skip
    row = _departments(lhasa)["KS01"]
    assert (row.endtime, row.aprv_bed_cnt, row.dr_psncnt, str(row.dept_estbdat)) == (None, 32, 7, "2010-05-01 00:00:00")
    lhasa.ok("3403", {"data": {"hosp_dept_codg": "KS01", "hosp_dept_name": "儿科", "begntime": "2026-01-01T00:00:00"}})
    assert _departments(lhasa)["KS01"].revoked_at is not None
