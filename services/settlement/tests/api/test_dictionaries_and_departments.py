"""1901 dictionaries, 1201 institutions and 3401-3403 departments through the front door, over SQLite
and PostgreSQL: versions an operator publishes, the filters, the bound, one institution's departments
being its own, and fee lines checked against them once they exist."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select
from support import AUDIT, POLICY, WANGQIANG, His, line, open_outpatient

from settlement.db import department, dictionary_version, institution

LINES = [("1", "001102000010000", "1", "15.00")]


def dictionary(his: His, **data: Any) -> list[dict[str, Any]]:
    return his.ok("1901", {"data": data})["list"]


def dept(code: str, name: str, **more: Any) -> dict[str, Any]:
    return {"hosp_dept_codg": code, "hosp_dept_name": name, "begntime": "2026-01-01 00:00:00", "caty": "A03",
            "itro": "", "dept_resper_name": "", "dept_resper_tel": "", "aprv_bed_cnt": 30, "dr_psncnt": 8,
            "phar_psncnt": 2, "nurs_psncnt": 12, "tecn_psncnt": 3, "poolarea_no": "540100", **more}  # fmt: skip


def stored(client: Any, fixmedins_code: str) -> dict[str, Any]:
    with client.app.state.runtime.factory() as session:
        rows = session.execute(select(department).where(department.c.fixmedins_code == fixmedins_code))
        return {r.hosp_dept_codg: r for r in rows}


def published(client: Any) -> list[int]:
    with client.app.state.runtime.factory() as session:
        return list(
            session.execute(select(dictionary_version.c.version).order_by(dictionary_version.c.version)).scalars()
        )


def version_two() -> dict[str, Any]:
    return {
        "version": 2,
        "effective_from": "2027-01-01",
        "memo": "2027 年版",
        "entries": [
            {"type": "insutype", "value": "310", "label": "职工基本医疗保险"},
            {"type": "insutype", "value": "390", "label": "城乡居民基本医疗保险"},
            {"type": "insutype", "value": "380", "label": "新型农村合作医疗", "vali_flag": "0"},
            {"type": "psn_type", "value": "11", "label": "在职"},
            {"type": "psn_type", "value": "1101", "label": "职工在职", "parent_value": "11"},
        ],
    }


# ------------------------------------------------------------------ 1901


def test_1901_answers_one_type_of_the_demo_version_with_its_filters(lhasa: His) -> None:
    insutypes = dictionary(lhasa, type="insutype", parentValue="", admdvs="", date="2026-11-24", vali_flag="1")
    assert [r["value"] for r in insutypes][:2] == ["310", "320"] and len(insutypes) == 14
    assert set(insutypes[0]) == {"type", "label", "value", "parent_value", "sort", "vali_flag", "create_user",
                                 "create_date", "version"}  # fmt: skip
    assert [r["value"] for r in dictionary(lhasa, type="PSN_TYPE", parentValue="12")] == [
        "1201",
        "1202",
        "1203",
        "1204",
    ]
    assert "310400" not in [r["value"] for r in dictionary(lhasa, type="fund_pay_type")]
    assert "310400" in [r["value"] for r in dictionary(lhasa, type="fund_pay_type", admdvs="430600")]
    unknown = lhasa.call("1901", {"data": {"type": "insu_type"}})
    assert unknown["infcode"] == -1 and "type insu_type is not a dictionary of version 1" in unknown["err_msg"]
    empty = lhasa.call("1901", {"data": {"type": ""}})
    assert empty["infcode"] == -1 and "input.data.type" in empty["err_msg"]


def test_a_local_value_is_answered_to_the_institutions_of_its_area(client: Any) -> None:
    yueyang = His(client, "H43060000001", "430600")
    yueyang.sign_in()
    assert "310400" in [r["value"] for r in dictionary(yueyang, type="fund_pay_type")]


def test_an_operator_publishes_a_version_and_each_version_answers_on_its_dates(client: Any, lhasa: His) -> None:
    published = client.post("/admin/v1/dictionaries", json=version_two(), headers=POLICY)
    assert published.status_code == 201, published.text
    assert published.json() | {"published_at": None} == {"version": 2, "effective_from": "2027-01-01",
        "memo": "2027 年版", "published_by": "policy-01", "published_at": None, "types": 2, "entries": 5}  # fmt: skip
    listed = client.get("/admin/v1/dictionaries", headers=AUDIT).json()
    assert [v["version"] for v in listed] == [1, 2]
    one = client.get("/admin/v1/dictionaries/2", headers=POLICY).json()
    assert one["entries"][2] == {"type": "insutype", "value": "380", "label": "新型农村合作医疗", "parent_value": "",
                                 "admdvs": "", "sort": 3, "vali_flag": "0"}  # fmt: skip

    assert len(dictionary(lhasa, type="insutype", date="2026-12-31 23:59:59")) == 14  # version 1 still
    in_2027 = dictionary(lhasa, type="insutype", date="2027-01-01")
    assert [(r["value"], r["version"], r["create_user"]) for r in in_2027] == [
        ("310", 2, "policy-01"),
        ("390", 2, "policy-01"),
        ("380", 2, "policy-01"),
    ]
    assert [r["value"] for r in dictionary(lhasa, type="insutype", date="2027-03-01", valiFlag="0")] == ["380"]
    gone = lhasa.call("1901", {"data": {"type": "med_type", "date": "2027-03-01"}})
    assert "med_type is not a dictionary of version 2" in gone["err_msg"]


def test_publishing_is_for_the_policy_role_and_refuses_a_malformed_or_existing_version(client: Any) -> None:
    before = published(client)
    assert client.post("/admin/v1/dictionaries", json=version_two()).status_code == 401
    denied = client.post("/admin/v1/dictionaries", json=version_two(), headers=AUDIT)
    assert denied.status_code == 403 and denied.headers["content-type"] == "application/problem+json"
    assert client.get("/admin/v1/dictionaries", headers={"x-operator-token": "test-clearing"}).status_code == 403
    duplicate = client.post("/admin/v1/dictionaries", json=version_two() | {"version": 1}, headers=POLICY)
    assert duplicate.status_code == 409 and duplicate.json()["code"] == "version_exists"
    orphan = version_two()
    orphan["entries"] = [{"type": "psn_type", "value": "1101", "label": "职工在职", "parent_value": "11"}]
    malformed = client.post("/admin/v1/dictionaries", json=orphan, headers=POLICY)
    assert malformed.status_code == 422
    assert malformed.json()["detail"] == "entries[0]: parent_value 11 is not a value of psn_type in this version"
    assert client.get("/admin/v1/dictionaries/7", headers=POLICY).status_code == 404
    assert published(client) == before == [1]


# ------------------------------------------------------------------ 1201


def test_1201_finds_institutions_by_type_code_and_part_of_the_name(lhasa: His) -> None:
    def find(**medinsinfo: str) -> list[dict[str, Any]]:
        return lhasa.ok("1201", {"medinsinfo": medinsinfo})["medinsinfo"]

    assert find(fixmedins_type="2", fixmedins_code="", fixmedins_name="") == [
        {
            "fixmedins_code": "P54010000001",
            "fixmedins_name": "拉萨市民生药房(演示)",
            "uscc": "",
            "fixmedins_type": "2",
            "hosp_lv": "",
        }
    ]
    assert [r["fixmedins_code"] for r in find(fixmedins_type="1", fixmedins_name="宿州")] == [
        "H34130000001",
        "H34130000002",
    ]
    assert find(fixmedins_code="H43060000001")[0] | {"fixmedins_name": ""} == {"fixmedins_code": "H43060000001",
        "fixmedins_name": "", "uscc": "", "fixmedins_type": "1", "hosp_lv": "3"}  # fmt: skip
    assert find(fixmedins_name="100%_") == []  # the name is matched as text, not as a pattern


def test_1201_answers_at_most_one_hundred_institutions(client: Any, lhasa: His) -> None:
    with client.app.state.runtime.unit_of_work() as session:
        session.execute(
            insert(institution),
            [
                {
                    "fixmedins_code": f"H5401009{i:04d}",
                    "fixmedins_name": f"拉萨诊所{i}",
                    "admdvs": "540100",
                    "hosp_lv": "1",
                }
                for i in range(130)
            ],
        )
    found = lhasa.ok("1201", {"medinsinfo": {"fixmedins_type": "1", "fixmedins_name": "拉萨"}})["medinsinfo"]
    assert len(found) == 100 and found[0]["fixmedins_code"] == "H54010000001"


# ------------------------------------------------------------------ 3401-3403


def test_departments_are_uploaded_sent_again_changed_and_revoked(client: Any, lhasa: His) -> None:
    assert lhasa.ok("3401", {"deptinfo": dept("D01", "内科")}) is None
    lhasa.ok("3401", {"deptinfo": dept("D01", "内科")})  # a HIS re-sending its list: nothing changes
    lhasa.ok("3401A", {"deptinfo": [dept("D02", "外科"), dept("D03", "儿科"), dept("D01", "内科")]})
    lhasa.ok("3402", {"deptinfo": dept("D02", "普外科", aprv_bed_cnt=45)})
    lhasa.ok("3403", {"data": {"hosp_dept_codg": "D03", "hosp_dept_name": "儿科", "begntime": "2026-01-01 00:00:00"}})
    rows = stored(client, "H54010000001")
    assert (rows["D02"].hosp_dept_name, rows["D02"].aprv_bed_cnt) == ("普外科", 45)
    assert rows["D03"].revoked_at is not None and rows["D01"].revoked_at is None

    unknown = lhasa.call("3402", {"deptinfo": dept("D09", "眼科")})
    assert unknown["infcode"] == -1
    assert unknown["err_msg"] == "hosp_dept_codg D09 is not a department of H54010000001; upload it with 3401 first"
    revoked = lhasa.call("3402", {"deptinfo": dept("D03", "儿科")})
    assert "was revoked; upload it again with 3401" in revoked["err_msg"]
    nothing = lhasa.call("3403", {"data": {"hosp_dept_codg": "D77", "hosp_dept_name": "", "begntime": ""}})
    assert "hosp_dept_codg D77 is not a department of H54010000001" in nothing["err_msg"]
    lhasa.ok("3401", {"deptinfo": [dept("D03", "儿科")]})  # uploaded again
    assert stored(client, "H54010000001")["D03"].revoked_at is None


def test_another_institution_cannot_change_or_revoke_a_department_of_yours(
    client: Any, lhasa: His, clinic: His
) -> None:
    lhasa.ok("3401", {"deptinfo": dept("D01", "内科")})
    before = stored(client, "H54010000001")["D01"]
    changed = clinic.call("3402", {"deptinfo": dept("D01", "改名")})
    assert changed["infcode"] == -1 and "D01 is not a department of H54010000002" in changed["err_msg"]
    revoked = clinic.call("3403", {"data": {"hosp_dept_codg": "D01", "hosp_dept_name": "内科"}})
    assert revoked["infcode"] == -1 and "D01 is not a department of H54010000002" in revoked["err_msg"]
    clinic.ok("3401", {"deptinfo": dept("D01", "全科")})  # the clinic's own D01
    after = stored(client, "H54010000001")["D01"]
    assert (after.hosp_dept_name, after.revoked_at, after.changed_at) == ("内科", None, before.changed_at)
    assert stored(client, "H54010000002")["D01"].hosp_dept_name == "全科"


def test_a_fee_line_of_an_unknown_department_is_refused_only_once_departments_exist(
    client: Any, lhasa: His, clinic: His
) -> None:
    mdtrt_id = open_outpatient(lhasa, WANGQIANG)

    def upload(sn: str, bilg_dept_codg: str) -> Any:
        fee = line(sn, "001102000010000", "1", "15.00", mdtrt_id, WANGQIANG, bilg_dept_codg=bilg_dept_codg)
        return lhasa.call("2204", {"feedetail": [fee]}, insuplc="540100")

    assert upload("1", "ANY")["infcode"] == 0  # no departments uploaded: not checked
    lhasa.ok("3401A", {"deptinfo": [dept("D01", "内科"), dept("D02", "外科")]})
    assert upload("2", "D02")["infcode"] == 0
    refused = upload("3", "D09")
    assert refused["infcode"] == -1
    assert refused["err_msg"].startswith("fee line 3: bilg_dept_codg D09 is not a department of H54010000001")
    lhasa.ok("3403", {"data": {"hosp_dept_codg": "D02", "hosp_dept_name": "外科"}})
    assert "D02 is not an active department" in upload("4", "D02")["err_msg"]

    other = open_outpatient(clinic, WANGQIANG)
    fee = line("1", "001102000010000", "1", "15.00", other, WANGQIANG, bilg_dept_codg="D09")
    assert clinic.call("2204", {"feedetail": [fee]}, insuplc="540100")["infcode"] == 0  # the clinic has none
