"""1901 dictionaries and 1201 institutions on the in-memory store: versions by date, the filters,
local values in their area, the operator's publication and what it refuses."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from fakes import FakeStore

from medshared.errors import Conflict, Invalid
from medshared.national import parse_request
from settlement.domain import dictionaries as dic
from settlement.domain.errors import Refused
from settlement.usecases import dictionaries
from settlement.usecases.common import Call

LHASA = SimpleNamespace(fixmedins_code="H54010000001", admdvs="540100", hosp_lv="3")
YUEYANG = SimpleNamespace(fixmedins_code="H43060000001", admdvs="430600", hosp_lv="3")
NOW = dt.datetime(2026, 11, 24, 10, 0, 0)


def call(inst: SimpleNamespace = LHASA, infno: str = "1901") -> Call:
    envelope = {
        "infno": infno,
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
    return Call(req=parse_request(envelope), inst=inst, received=NOW, sender=inst.fixmedins_code)


def ask(store: FakeStore, inst: SimpleNamespace = LHASA, **data: object) -> list[dict]:
    query = dic.DictionaryQuery.model_validate(data)
    return dictionaries.query_dictionary(store, call(inst), query).output["list"]


def values(rows: list[dict]) -> list[str]:
    return [r["value"] for r in rows]


def version_two(**change: object) -> dict:
    body = {
        "version": 2,
        "effective_from": "2027-01-01",
        "entries": [
            {"type": "insutype", "value": "310", "label": "职工基本医疗保险"},
            {"type": "insutype", "value": "380", "label": "新型农村合作医疗", "vali_flag": "0"},
            {"type": "insutype", "value": "390", "label": "城乡居民基本医疗保险"},
        ],
    }
    return body | change


def test_a_type_answers_every_value_of_the_version_in_force_in_its_order_with_the_fields_clients_read() -> None:
    rows = ask(FakeStore(), type="insutype")
    assert values(rows)[:3] == ["310", "320", "330"] and len(rows) == 14
    assert rows[0] == {
        "type": "insutype",
        "label": "职工基本医疗保险",
        "value": "310",
        "parent_value": "",
        "sort": 1,
        "vali_flag": "1",
        "create_user": "settlement-demo",
        "create_date": "2026-01-01",
        "version": 1,
    }


def test_the_type_is_read_in_any_case_and_parent_value_narrows_to_one_level() -> None:
    store = FakeStore()
    assert values(ask(store, type="PSN_TYPE", parentValue="11")) == ["1101", "1102", "1103"]
    assert values(ask(store, type="psn_type", parent_value="14"))[0] == "1401"
    everything = values(ask(store, type="psn_type"))
    assert {"11", "1101", "15", "1501"} <= set(everything)
    assert ask(store, type="psn_type", parentValue="1101") == []  # a known type, nothing below it


def test_a_local_value_is_answered_in_its_area_only_and_admdvs_names_another_area() -> None:
    store = FakeStore()
    assert "310400" in values(ask(store, YUEYANG, type="fund_pay_type"))  # Hunan's own fund, in Yueyang
    assert "310400" not in values(ask(store, LHASA, type="fund_pay_type"))
    assert "310400" in values(ask(store, LHASA, type="fund_pay_type", admdvs="430600"))
    assert "0201" in values(ask(store, LHASA, type="psn_setlway", admdvs="130100"))  # a Hebei city
    assert values(ask(store, LHASA, type="psn_setlway")) == ["01", "02"]


def test_a_local_value_replaces_the_national_one_of_the_same_code_in_its_area() -> None:
    version = dic.DictionaryVersion.from_dict(
        {
            "version": 5,
            "effective_from": "2026-01-01",
            "entries": [
                {"type": "med_type", "value": "15", "label": "特药"},
                {"type": "med_type", "value": "15", "label": "门诊统筹", "admdvs": "540000"},
            ],
        }
    )
    assert [e.label for e in version.query("med_type", admdvs="540100")] == ["门诊统筹"]
    assert [e.label for e in version.query("med_type", admdvs="341300")] == ["特药"]


def test_each_version_stays_queryable_by_date_and_vali_flag_selects_valid_or_withdrawn_values() -> None:
    store = FakeStore()
    dictionaries.publish_dictionary(store, version_two(), "policy-01", NOW)
    assert len(ask(store, type="insutype", date="2026-11-24")) == 14
    later = ask(store, type="insutype", date="2027-02-01 08:00:00")
    assert values(later) == ["310", "380", "390"] and later[0]["version"] == 2
    assert later[0]["create_user"] == "policy-01" and later[0]["create_date"] == "2027-01-01"
    assert values(ask(store, type="insutype", date="2027-02-01", vali_flag="1")) == ["310", "390"]
    assert values(ask(store, type="insutype", date="2027-02-01", valiFlag="0")) == ["380"]
    with pytest.raises(Refused, match="med_type is not a dictionary of version 2"):
        ask(store, type="med_type", date="2027-02-01")


def test_an_unknown_type_is_refused_naming_it_and_a_date_before_every_version_too() -> None:
    store = FakeStore()
    with pytest.raises(Refused, match=r"type insu_type is not a dictionary of version 1.*send one of: acct_used_flag"):
        ask(store, type="insu_type")
    with pytest.raises(Refused, match="no dictionary version is in force on 2025-06-01"):
        ask(store, type="insutype", date="2025-06-01")


def test_the_input_is_read_as_deployed_clients_send_it() -> None:
    # hsa-his: date with a time, admdvs "", vali_flag "1"; nhis-web: camel case turned to snake case.
    query = dic.DictionaryQuery.model_validate(
        {"type": "MED_TYPE", "date": "2026-11-24 10:00:00", "admdvs": "", "vali_flag": "1"}
    )
    assert (query.type, query.admdvs, query.vali_flag, query.date.date()) == ("med_type", None, "1", NOW.date())
    camel = dic.DictionaryQuery.model_validate({"type": "gend", "parentValue": "", "valiFlag": "", "date": ""})
    assert (camel.parent_value, camel.vali_flag, camel.date) == (None, None, None)
    openhis = dic.DictionaryQuery.model_validate({"type": "naty", "vali_Flag": "1", "date": "2026-11-24T00:00:00"})
    assert openhis.vali_flag == "1"
    with pytest.raises(ValueError):
        dic.DictionaryQuery.model_validate({"type": ""})


def test_a_published_version_is_checked_whole_and_never_replaced() -> None:
    store = FakeStore()
    broken = version_two(entries=[{"type": "psn_type", "value": "1101", "label": "职工在职", "parent_value": "11"}])
    with pytest.raises(Invalid, match=r"entries\[0\]: parent_value 11 is not a value of psn_type"):
        dictionaries.publish_dictionary(store, broken, "policy-01", NOW)
    twice = version_two(
        entries=[{"type": "gend", "value": "1", "label": "男"}, {"type": "gend", "value": "1", "label": "男"}]
    )
    with pytest.raises(Invalid, match=r"entries\[1\]: gend value 1 .* is listed twice"):
        dictionaries.publish_dictionary(store, twice, "policy-01", NOW)
    with pytest.raises(Invalid, match="admdvs: must be 6 digits"):
        dictionaries.publish_dictionary(
            store, version_two(entries=[{"type": "gend", "value": "1", "label": "男", "admdvs": "54"}]), "p", NOW
        )
    with pytest.raises(Invalid, match="effective_from"):
        dictionaries.publish_dictionary(store, version_two(effective_from="01/01/2027"), "p", NOW)
    with pytest.raises(Conflict, match="dictionary version 1 is already published"):
        dictionaries.publish_dictionary(store, version_two(version=1), "p", NOW)
    assert [v["version"] for v in dictionaries.dictionary_versions(store)] == [1]


def test_institutions_are_found_by_type_code_and_part_of_the_name() -> None:
    store = FakeStore()

    def find(**data: object) -> list[dict]:
        query = dic.InstitutionQuery.model_validate(data)
        return dictionaries.query_institutions(store, call(infno="1201"), query).output["medinsinfo"]

    pharmacies = find(fixmedins_type="2")
    assert pharmacies == [
        {
            "fixmedins_code": "P54010000001",
            "fixmedins_name": "拉萨市民生药房(演示)",
            "uscc": "",
            "fixmedins_type": "2",
            "hosp_lv": "",
        }
    ]
    assert [r["fixmedins_code"] for r in find(fixmedins_type="1", fixmedins_name="拉萨")] == [
        "H54010000001",
        "H54010000002",
    ]
    assert find(fixmedins_code="h34130000002")[0]["hosp_lv"] == "2"
    assert find(fixmedins_type="9") == []
    assert len(find()) == 7


def test_institutions_are_bounded_to_one_hundred_by_code() -> None:
    store = FakeStore()
    store.institution_rows += [
        SimpleNamespace(fixmedins_code=f"H5401009{i:04d}", fixmedins_name=f"诊所{i}", admdvs="540100", hosp_lv="1")
        for i in range(150)
    ]
    rows = dictionaries.query_institutions(store, call(infno="1201"), dic.InstitutionQuery()).output["medinsinfo"]
    assert len(rows) == dic.INSTITUTIONS_MAX == 100
    assert rows[0]["fixmedins_code"] == "H11010000001"
