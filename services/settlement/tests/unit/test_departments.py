"""3401-3403 departments on the in-memory store: upload, re-send, change, revoke, one institution's
own only, and the billing department of fee lines once an institution has departments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from fakes import FakeStore

from medshared.national import parse_request
from settlement.domain import departments as dep
from settlement.domain import inputs as inp
from settlement.domain.errors import Refused
from settlement.usecases import departments
from settlement.usecases.common import Call

LHASA = SimpleNamespace(fixmedins_code="H54010000001", admdvs="540100", hosp_lv="3")
CLINIC = SimpleNamespace(fixmedins_code="H54010000002", admdvs="540100", hosp_lv="1")
NOW = dt.datetime(2026, 11, 24, 10, 0, 0)


def call(inst: SimpleNamespace = LHASA, now: dt.datetime = NOW) -> Call:
    envelope = {
        "infno": "3401",
        "msgid": f"{inst.fixmedins_code}202611241000000001",
        "mdtrtarea_admvs": inst.admdvs,
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


def info(code: str = "D01", name: str = "内科", **more: Any) -> dep.DepartmentInfo:
    return dep.DepartmentInfo.model_validate(
        {"hosp_dept_codg": code, "hosp_dept_name": name, "begntime": "2026-01-01 00:00:00", "caty": "A03", **more}
    )


def revoke(code: str) -> dep.DepartmentRevoke:
    return dep.DepartmentRevoke.model_validate({"hosp_dept_codg": code, "hosp_dept_name": "", "begntime": ""})


def fee(sn: str, dept: str | None, when: str = "2026-11-24 09:30:00") -> inp.FeeDetail:
    return inp.FeeDetail.model_validate(
        {
            "feedetl_sn": sn,
            "mdtrt_id": "M1",
            "psn_no": "P1",
            "chrg_bchno": "B1",
            "med_list_codg": "001102000010000",
            "medins_list_codg": "H-1",
            "det_item_fee_sumamt": Decimal("15.00"),
            "cnt": Decimal("1"),
            "pric": Decimal("15.00"),
            "fee_ocur_time": when,
            "bilg_dept_codg": dept,
        }
    )


def test_an_upload_adds_a_department_and_the_same_upload_again_changes_nothing() -> None:
    store = FakeStore()
    departments.upload_departments(store, call(), [info(aprv_bed_cnt="40.0", dr_psncnt=12)])
    row = store.department("H54010000001", "D01")
    assert (row.hosp_dept_name, row.aprv_bed_cnt, row.dr_psncnt, row.revoked_at) == ("内科", 40, 12, None)
    later = NOW + dt.timedelta(hours=1)
    departments.upload_departments(store, call(now=later), [info(aprv_bed_cnt=40, dr_psncnt="12")])
    assert store.department("H54010000001", "D01").changed_at == NOW  # nothing changed


def test_an_upload_of_an_active_code_with_other_content_is_its_change_and_a_revoked_one_comes_back() -> None:
    store = FakeStore()
    departments.upload_departments(store, call(), [info(), info("D02", "外科")])
    later = NOW + dt.timedelta(hours=1)
    departments.upload_departments(store, call(now=later), [info(name="内科一病区")])
    row = store.department("H54010000001", "D01")
    assert (row.hosp_dept_name, row.changed_at, row.uploaded_at) == ("内科一病区", later, NOW)
    departments.revoke_department(store, call(now=later), revoke("D02"))
    assert store.department("H54010000001", "D02").revoked_at == later
    departments.upload_departments(store, call(now=later), [info("D02", "外科")])
    assert store.department("H54010000001", "D02").revoked_at is None


def test_the_same_code_twice_in_one_upload_must_say_the_same_thing_and_nothing_is_stored_otherwise() -> None:
    store = FakeStore()
    departments.upload_departments(store, call(), [info(), info()])
    with pytest.raises(Refused, match=r"deptinfo\[1\]: hosp_dept_codg D05 is sent twice with different content"):
        departments.upload_departments(store, call(), [info("D05"), info("D05", "别的")])
    assert store.department("H54010000001", "D05") is None


def test_a_change_needs_an_active_department_and_names_the_code_it_does_not_know() -> None:
    store = FakeStore()
    departments.upload_departments(store, call(), [info()])
    departments.change_departments(store, call(), [info(dept_resper_name="张医生", dept_resper_tel="0891-1234567")])
    assert store.department("H54010000001", "D01").dept_resper_name == "张医生"
    with pytest.raises(Refused, match="hosp_dept_codg D09 is not a department of H54010000001; upload it with 3401"):
        departments.change_departments(store, call(), [info("D09")])
    departments.revoke_department(store, call(), revoke("D01"))
    with pytest.raises(Refused, match="department D01 of H54010000001 was revoked; upload it again with 3401"):
        departments.change_departments(store, call(), [info()])


def test_a_revocation_names_an_unknown_code_and_a_second_one_changes_nothing() -> None:
    store = FakeStore()
    departments.upload_departments(store, call(), [info()])
    departments.revoke_department(store, call(), revoke("D01"))
    departments.revoke_department(store, call(now=NOW + dt.timedelta(hours=2)), revoke("D01"))
    assert store.department("H54010000001", "D01").revoked_at == NOW
    with pytest.raises(Refused, match="hosp_dept_codg D77 is not a department of H54010000001; nothing to revoke"):
        departments.revoke_department(store, call(), revoke("D77"))


def test_another_institution_cannot_change_or_revoke_a_department_and_keeps_its_own_codes() -> None:
    store = FakeStore()
    departments.upload_departments(store, call(LHASA), [info()])
    with pytest.raises(Refused, match="D01 is not a department of H54010000002"):
        departments.change_departments(store, call(CLINIC), [info(name="被改")])
    with pytest.raises(Refused, match="D01 is not a department of H54010000002"):
        departments.revoke_department(store, call(CLINIC), revoke("D01"))
    departments.upload_departments(store, call(CLINIC), [info(name="全科")])  # its own D01
    lhasa, clinic = store.department("H54010000001", "D01"), store.department("H54010000002", "D01")
    assert (lhasa.hosp_dept_name, lhasa.revoked_at, clinic.hosp_dept_name) == ("内科", None, "全科")


def test_fee_lines_are_checked_only_once_the_institution_has_departments() -> None:
    store = FakeStore()
    departments.check_billing_departments(store, call(), [fee("1", "ANY")])  # never uploaded: not checked
    departments.upload_departments(store, call(), [info(), info("D02", "外科")])
    departments.check_billing_departments(store, call(), [fee("1", "D01"), fee("2", "D02"), fee("3", None)])
    with pytest.raises(
        Refused, match=r"fee line 2: bilg_dept_codg D09 is not a department of H54010000001.*\(D01, D02\)"
    ):
        departments.check_billing_departments(store, call(), [fee("1", "D01"), fee("2", "D09")])
    departments.revoke_department(store, call(), revoke("D02"))
    with pytest.raises(Refused, match=r"fee line 7: bilg_dept_codg D02 is not an active department .*\(D01\)"):
        departments.check_billing_departments(store, call(), [fee("7", "D02")])
    departments.check_billing_departments(store, call(CLINIC), [fee("1", "D02")])  # the clinic has none


def test_a_department_that_ended_bills_no_fee_after_its_end() -> None:
    store = FakeStore()
    departments.upload_departments(store, call(), [info("D03", "旧科室", endtime="2026-11-01 00:00:00")])
    departments.check_billing_departments(store, call(), [fee("1", "D03", "2026-10-31 10:00:00")])
    with pytest.raises(Refused, match="bilg_dept_codg D03 is not an active department"):
        departments.check_billing_departments(store, call(), [fee("2", "D03", "2026-11-24 09:30:00")])


def test_deptinfo_is_read_as_deployed_clients_send_it() -> None:
    # hsa-his (fastjson): java.util.Date as milliseconds since 1970, counts as numbers, empty fields as null.
    java = dep.DepartmentInfo.model_validate(
        {
            "hosp_dept_codg": "0101",
            "hosp_dept_name": "内科",
            "caty": "A03",
            "begntime": 1623310123000,
            "endtime": None,
            "dept_estbdat": 1623310123000,
            "aprv_bed_cnt": 30,
            "poolarea_no": None,
        }
    )
    assert java.begntime == dt.datetime(2021, 6, 10, 15, 28, 43)  # China's time of that instant
    # binzhe12123/Medical (C#): DateTime as ISO text, an unset DateTime as 0001-01-01, decimals as 12.0.
    csharp = dep.DepartmentInfo.model_validate(
        {
            "hosp_dept_codg": 101,
            "hosp_dept_name": "内科",
            "begntime": "2021-06-01T08:00:00",
            "endtime": "0001-01-01T00:00:00",
            "aprv_bed_cnt": Decimal("12.0"),
            "hi_crtf_bed_cnt": 0,
        }
    )
    assert (csharp.hosp_dept_codg, csharp.endtime, csharp.aprv_bed_cnt) == ("101", None, 12)
    for bad, field in (({"aprv_bed_cnt": "12.5"}, "aprv_bed_cnt"), ({"dr_psncnt": -1}, "dr_psncnt")):
        with pytest.raises(ValueError, match=field):
            dep.DepartmentInfo.model_validate({"hosp_dept_codg": "D", "hosp_dept_name": "N", "begntime": NOW, **bad})
    with pytest.raises(ValueError, match="hosp_dept_codg"):
        dep.DepartmentInfo.model_validate({"hosp_dept_codg": "D" * 31, "hosp_dept_name": "N", "begntime": NOW})
