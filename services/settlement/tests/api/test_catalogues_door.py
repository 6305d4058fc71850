"""13xx over HTTP: a HIS downloads a catalogue (1301..) and fetches it with 9102 as a client does, asks for
what changed after the ver it holds, pages the HI list (1312/1318/1319) in agreement with the payment
catalogue; operators publish releases from CSV and from the national zip, with a report of rejected rows."""

from __future__ import annotations

import copy
import io
import zipfile
from typing import Any

from support import AUDIT, POLICY, His

from medshared import jsonutil
from medshared.national import gateway_headers
from settlement.domain import catalogues as cat

DOOR = "/fsi/api/rsfComIfsService/callService"
ADMIN = "/admin/v1/national-catalogues"
DEMO_VER = "202601010001"
DRUGS = ["XA10BAA059A001010100001", "XJ01DCC041B002010100002", "XL01XCT022B001010100003"]


def download(his: His, infno: str, ver: Any = "0") -> tuple[dict[str, Any], list[list[str]]]:
    """1301..: the answer, then 9102 with the answered file_qury_no and filename, unzipped as clients do."""
    offered = his.ok(infno, {"data": {"ver": ver}})
    envelope = his.envelope(
        "9102",
        {
            "fsDownloadIn": {
                "file_qury_no": offered["file_qury_no"],
                "filename": offered["filename"],
                "fixmedins_code": "plc",
            }
        },
    )
    raw = his.client.post(DOOR, content=jsonutil.dumps(envelope), headers=gateway_headers(his.paasid, his.token))
    assert raw.status_code == 200 and raw.headers["content-type"] == "application/octet-stream", raw.text[:300]
    with zipfile.ZipFile(io.BytesIO(raw.content)) as archive:
        # openhis unzips and opens the answered filename without ".zip"
        assert archive.namelist() == [offered["filename"].removesuffix(".zip")]
        text = archive.read(archive.namelist()[0]).decode("utf-8")
    return offered, [line.split("\t") for line in text.splitlines() if line]


def publish(client: Any, infno: str, body: bytes, content_type: str, **params: str) -> Any:
    return client.post(
        f"{ADMIN}/{infno}/releases", content=body, params=params, headers={**POLICY, "content-type": content_type}
    )


def csv_of(rows: list[dict[str, str]], columns: tuple[str, ...]) -> bytes:
    lines = [",".join(columns)] + [",".join(row.get(c, "") for c in columns) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_a_his_starting_from_nothing_downloads_the_drugs_it_will_bill(lhasa: His) -> None:
    offered, lines = download(lhasa, "1301")
    assert set(offered) >= {"file_qury_no", "filename", "dld_endtime"} and offered["filename"].endswith(".txt.zip")
    columns = cat.FAMILIES["1301"].columns
    assert len(columns) == 92 and all(len(line) == 92 for line in lines)
    records = [dict(zip(columns, line, strict=True)) for line in lines]
    assert [r["med_list_codg"] for r in records] == sorted(DRUGS)
    first = records[0]
    assert first["drug_genname"] == "二甲双胍片" and first["vali_flag"] == "1" and first["ver"] == DEMO_VER
    assert first["updt_time"] == "Thu Jan 01 08:00:00 CST 2026" and first["begndate"] == "Thu Jan 01 00:00:00 CST 2026"
    # and the services, the consumable, the diagnoses and the chronic disease of the demo visits
    assert {line[0] for line in download(lhasa, "1305")[1]} >= {"001102000010000", "ZZ9999999999000"}
    assert [line[0] for line in download(lhasa, "1306")[1]] == ["C01010100001000"]
    assert {line[10] for line in download(lhasa, "1307")[1]} >= {"C34.900", "K35.800"}
    assert [line[0] for line in download(lhasa, "1309")[1]] == ["M03900"]
    assert download(lhasa, "1313")[1] == []  # a family nobody published: an empty file


def test_after_a_new_release_a_his_gets_only_what_changed_after_the_ver_it_holds(client: Any, lhasa: His) -> None:
    columns = cat.FAMILIES["1301"].columns
    changed = {"med_list_codg": DRUGS[1], "drug_genname": "注射用头孢呋辛钠", "drug_spec": "1.5g", "vali_flag": "1"}
    new = {"med_list_codg": "XN02BEA001A001010100009", "drug_genname": "对乙酰氨基酚片", "begndate": "2026-12-01"}
    ended = {"med_list_codg": DRUGS[2], "drug_genname": "注射用曲妥珠单抗", "vali_flag": "0"}
    answer = publish(client, "1301", csv_of([changed, new, ended], columns), "text/csv", ver="202612010001")
    assert answer.status_code == 201, answer.text
    report = answer.json()
    assert (report["received"], report["accepted"], report["unchanged"], report["rejected_count"]) == (3, 3, 0, 0)

    _, since_demo = download(lhasa, "1301", DEMO_VER)
    assert [line[0] for line in since_demo] == sorted([DRUGS[1], DRUGS[2], new["med_list_codg"]])
    by_code = {line[0]: dict(zip(columns, line, strict=True)) for line in since_demo}
    assert by_code[DRUGS[2]]["vali_flag"] == "0" and by_code[DRUGS[1]]["drug_spec"] == "1.5g"
    assert by_code[DRUGS[1]]["crte_time"] == "Thu Jan 01 08:00:00 CST 2026"  # created by the demo release
    assert {r["ver"] for r in by_code.values()} == {"202612010001"}
    assert len(download(lhasa, "1301", "0")[1]) == 4  # everything, each record in its latest version
    assert download(lhasa, "1301", "202612010001")[1] == []  # up to date
    assert len(download(lhasa, "1301", 0)[1]) == 4  # ver sent as the number 0

    same = publish(client, "1301", csv_of([new], columns), "text/csv", ver="202612020001")
    assert same.status_code == 422 and same.json()["code"] == "NOTHING_PUBLISHED"
    assert same.json()["report"]["unchanged"] == 1
    older = publish(client, "1301", csv_of([changed], columns), "text/csv", ver="202601010002")
    assert older.status_code == 422 and "must sort after" in older.json()["detail"]

    releases = client.get(f"{ADMIN}/releases", params={"family": "1301"}, headers=AUDIT).json()
    assert [(r["ver"], r["accepted"]) for r in releases] == [(DEMO_VER, 3), ("202612010001", 3)]
    demo = client.get(f"{ADMIN}/1301/releases/{DEMO_VER}/records", headers=POLICY).json()
    assert demo["total"] == 3 and [r["current"] for r in demo["records"]] == [True, False, False]
    assert demo["records"][0]["updt_time"] == "2026-01-01 08:00:00"


def test_an_operator_publishes_the_national_zip_and_learns_which_rows_were_rejected(client: Any) -> None:
    family = cat.FAMILIES["1307"]
    good = dict.fromkeys(family.columns, "")
    good |= {
        "diag_list_id": "J18.900",
        "diag_code": "J18.900",
        "diag_name": "肺炎",
        "vali_flag": "1",
        "crte_time": "Mon Jan 04 10:00:00 CST 2021",
        "updt_time": "null",
        "ver": "X",
        "ver_name": "国家",
    }
    lines = [
        cat.render(family, good),
        cat.render(family, good | {"diag_list_id": "", "diag_code": "J20.900"}),  # no key
        cat.render(family, good | {"diag_list_id": "J20.900", "vali_flag": "2"}),
        "\t".join(["J21.900", "too", "short"]),
        cat.render(family, good),  # the same record twice
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("20261202000001.txt", "\n".join(lines) + "\n")
    answer = publish(client, "1307", buffer.getvalue(), "application/zip", ver_name="国家疾病诊断 2026")
    assert answer.status_code == 201, answer.text
    report = answer.json()
    assert (report["received"], report["accepted"], report["rejected_count"]) == (5, 1, 4)
    reasons = {r["row"]: r["reason"] for r in report["rejected"]}
    assert "diag_list_id is empty" in reasons[2] and "vali_flag must be 1" in reasons[3]
    assert "has 3 values; 1307 疾病与诊断目录 has 24 columns" in reasons[4] and "on row 1 too" in reasons[5]
    releases = client.get(f"{ADMIN}/releases", params={"family": "1307"}, headers=POLICY).json()
    assert releases[-1]["source"] == "zip" and releases[-1]["ver"] == report["ver"] > DEMO_VER


def test_only_the_bureau_publishes_and_nothing_is_stored_for_a_refused_file(client: Any) -> None:
    body = csv_of([{"med_list_codg": "X1"}], ("med_list_codg",))
    assert client.post(f"{ADMIN}/1301/releases", content=body, headers={"content-type": "text/csv"}).status_code == 401
    audit = client.post(f"{ADMIN}/1301/releases", content=body, headers={**AUDIT, "content-type": "text/csv"})
    assert audit.status_code == 403 and audit.headers["content-type"] == "application/problem+json"
    assert publish(client, "1399", body, "text/csv").status_code == 404
    assert publish(client, "1301", b"PK\x03\x04broken", "application/zip").json()["code"] == "unreadable_file"
    assert len(client.get(f"{ADMIN}/releases", params={"family": "1301"}, headers=POLICY).json()) == 1


def test_a_stranger_cannot_fetch_another_institutions_catalogue_file(lhasa: His, clinic: His) -> None:
    offered = lhasa.ok("1301", {"data": {"ver": "0"}})
    theirs = clinic.call("9102", {"fsDownloadIn": {"file_qury_no": offered["file_qury_no"], "filename": "plc"}})
    assert theirs["infcode"] == -1 and offered["file_qury_no"] in theirs["err_msg"]


def _page(his: His, infno: str, **data: Any) -> dict[str, Any]:
    return dict(his.ok(infno, {"data": {"page_num": 1, "page_size": 100, "updt_time": "2000-01-01", **data}}))


def test_the_hi_list_pages_agree_with_the_payment_catalogue_settlement_prices_with(client: Any, lhasa: His) -> None:
    everything = _page(lhasa, "1312")
    assert everything["recordCounts"] == 10 and everything["pages"] == 1 and everything["lastPage"] is True
    first = _page(lhasa, "1312", page_num=2, page_size=4)
    assert (first["size"], first["startRow"], first["endRow"], first["pages"], first["firstPage"]) == (
        4,
        5,
        8,
        3,
        False,
    )
    cefuroxime = [r for r in everything["data"] if r["hilist_code"] == DRUGS[1]]
    assert {(r["insu_admdvs"], r["chrgitm_lv"]) for r in cefuroxime} == {("000000", "02"), ("110100", "02")}
    # a region reads its own rows, its province's and those without an override, as settlement resolves
    assert _page(lhasa, "1312", insu_admdvs="540100")["recordCounts"] == 9
    assert _page(lhasa, "1312", insu_admdvs="110100", hilist_code=DRUGS[1])["recordCounts"] == 2
    caps = {(r["hilist_code"], r["insu_admdvs"]): str(r["hilist_pric_uplmt_amt"]) for r in _page(lhasa, "1318")["data"]}
    assert caps[(DRUGS[1], "000000")].startswith("12.00") and caps[(DRUGS[1], "110100")].startswith("10.00")
    assert len(caps) == 5  # only the capped items
    shares = {r["hilist_code"]: str(r["selfpay_prop"]) for r in _page(lhasa, "1319", insu_admdvs="540100")["data"]}
    assert shares["C01010100001000"].startswith("0.3") and shares["ZZ9999999999000"].startswith("1")

    catalogue = json_catalogue()
    catalogue.update(version="2", effective_from="2026-12-01")
    catalogue["items"][1]["selfpay_prop"] = "0.15"
    del catalogue["items"][0]
    assert client.post("/admin/v1/catalogues", json=catalogue, headers=POLICY).status_code == 201
    later = _page(lhasa, "1319", hilist_code=DRUGS[1], insu_admdvs="540100")["data"]
    assert [(r["begndate"], r["enddate"], str(r["selfpay_prop"])[:4]) for r in later] == [
        ("2026-01-01", "2026-11-30", "0.10"),  # ends the day before the new version applies
        ("2026-12-01", None, "0.15"),
    ]
    dropped = _page(lhasa, "1312", hilist_code=DRUGS[0])["data"]
    assert [(r["begndate"], r["enddate"], r["vali_flag"]) for r in dropped] == [("2026-01-01", "2026-11-30", "1")]
    assert _page(lhasa, "1312")["recordCounts"] == 11  # one row more: nothing else changed
    since = _page(lhasa, "1312", updt_time=later[1]["updt_time"])  # what a HIS polling updt_time gets
    assert {(r["hilist_code"], r["begndate"]) for r in since["data"]} >= {
        (DRUGS[0], "2026-01-01"),
        (DRUGS[1], "2026-01-01"),
        (DRUGS[1], "2026-12-01"),
    }
    assert _page(lhasa, "1312", updt_time="2100-01-01")["recordCounts"] == 0


def json_catalogue() -> dict[str, Any]:
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "settlement" / "demo_data" / "catalogue.json"
    return copy.deepcopy(jsonutil.loads(path.read_bytes()))


def test_a_page_larger_than_a_thousand_rows_is_refused_naming_the_field(lhasa: His) -> None:
    answer = lhasa.call("1312", {"data": {"page_num": 1, "page_size": 5000, "updt_time": "2000-01-01"}})
    assert answer["infcode"] == -1 and "page_size" in answer["err_msg"] and "1000" in answer["err_msg"]
    assert lhasa.call("1304", {"data": {"page_num": 0, "page_size": 10}})["infcode"] == -1


def test_the_ethnic_drug_list_pages_the_records_an_operator_published(client: Any, lhasa: His) -> None:
    columns = cat.FAMILIES["1304"].columns
    rows = [{"med_list_codg": f"ZM{i:05d}", "drug_genname": f"藏药{i}", "ethdrug_type": "1"} for i in range(7)]
    assert publish(client, "1304", csv_of(rows, columns), "text/csv").status_code == 201
    second = _page(lhasa, "1304", page_num=2, page_size=5)
    assert (second["recordCounts"], second["size"], second["data"][0]["med_list_codg"]) == (7, 2, "ZM00005")
    assert second["data"][0]["crte_time"] is not None and second["data"][0]["chemname"] is None
    one = _page(lhasa, "1304", med_list_codg="ZM00003")
    assert one["recordCounts"] == 1 and one["data"][0]["drug_genname"] == "藏药3"


def test_a_generated_catalogue_of_ten_thousand_drugs_downloads_whole_and_by_increment(client: Any, lhasa: His) -> None:
    import datetime as dt

    from settlement.catalogues import generate
    from settlement.store import SqlStore
    from settlement.usecases import catalogues

    lines = list(generate.national_lines(10_000))
    runtime = client.app.state.runtime
    with runtime.unit_of_work() as session:
        report = catalogues.publish(
            SqlStore(session),
            "1301",
            ((i, line.split("\t")) for i, line in enumerate(lines, start=1)),
            now=dt.datetime(2026, 12, 1, 8),
            operator="policy-01",
            source="txt",
            ver="202612010001",
        )
    assert report.accepted == 10_000
    changed = [line.replace("一日三次", "一日两次") for line in lines[:50]]
    with runtime.unit_of_work() as session:
        again = catalogues.publish(
            SqlStore(session),
            "1301",
            ((i, line.split("\t")) for i, line in enumerate(changed + lines[50:], start=1)),
            now=dt.datetime(2026, 12, 2, 8),
            operator="policy-01",
            source="txt",
            ver="202612020001",
        )
    assert (again.accepted, again.unchanged) == (50, 9_950)
    increment = download(lhasa, "1301", "202612010001")[1]
    assert len(increment) == 50 and {line[19] for line in increment} == {"一日两次"}
    assert len(download(lhasa, "1301", "0")[1]) == 10_003  # and the three demo drugs
