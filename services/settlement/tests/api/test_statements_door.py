"""The money loop over HTTP on SQLite and PostgreSQL: a day's 200 settlements reconciled line by line
(9101 upload, 3202, 9102 download), a month's statement previewed, generated and confirmed by the
bureau, and the institution's clearing application (3203) made and withdrawn (3204), each state change
published; a stranger reads and changes nothing of it."""

from __future__ import annotations

import base64
import datetime as dt
import io
import zipfile
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update
from support import CLEARING, POLICY, WANGQIANG, ZHAXI, His, line, open_outpatient, settle_input

from medshared import jsonutil
from settlement.db import outbox, settlement
from settlement.domain.statement_files import read_result_zip
from settlement.store import SqlStore

POOL = "540100"
TODAY = dt.date.today()
LAST_MONTH = TODAY.replace(day=1) - dt.timedelta(days=1)
MONTH, OPEN_MONTH = f"{LAST_MONTH:%Y-%m}", f"{TODAY:%Y-%m}"


def visit(his: His, psn_no: str, price: str = "15.00", *, acct: str = "0") -> dict[str, Any]:
    """An outpatient visit settled through the door (2201, 2203, 2204, 2207): its setlinfo."""
    mdtrt_id = open_outpatient(his, psn_no)
    his.ok("2204", {"feedetail": [line("1", "001102000010000", "1", price, mdtrt_id, psn_no)]}, insuplc=POOL)
    return dict(his.ok("2207", settle_input(psn_no, mdtrt_id, price, acct=acct), insuplc=POOL)["setlinfo"])


def seed_day(his: His, template: dict[str, Any], count: int) -> None:
    """`count` more outpatient settlements of today written through the store, in the shape the door
    writes them (a day's worth through the door would take minutes)."""
    now = dt.datetime.now()
    with his.client.app.state.runtime.unit_of_work() as session:
        store = SqlStore(session)
        original = store.settlement(template["setl_id"])
        for i in range(count):
            values = dict(original._asdict())
            medfee = Decimal(10 + i % 50)
            values.update(
                setl_id=f"{POOL}{now:%Y%m%d%H%M%S}S{i:09d}",
                mdtrt_id=f"{POOL}{now:%Y%m%d%H%M%S}M{i:09d}",
                medins_setl_id=f"{his.code}SEED{i:08d}",
                setl_time=now - dt.timedelta(seconds=i),
                medfee_sumamt=medfee,
                fund_pay_sumamt=medfee * Decimal("0.5"),
                acct_pay=Decimal("0.00"),
                psn_cash_pay=medfee * Decimal("0.5"),
                reversed_by=None,
                init_setl_id=None,
            )
            store.add_settlement(values)


def his_file(lines: list[tuple[Any, ...]]) -> bytes:
    """The detail file as Zhongshan's client writes it: one .txt in a zip, tab-separated, UTF-8."""
    text = "\n".join("\t".join(str(v) for v in row) for row in lines)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{dt.datetime.now():%Y%m%d%H%M%S}.txt", text.encode("utf-8"))
    return buffer.getvalue()


def upload(his: His, content: bytes) -> str:
    node = {
        "fsUploadIn": {"in": base64.b64encode(content).decode(), "filename": "detail.zip", "fixmedins_code": his.code}
    }
    return str(his.ok("9101", node)["file_qury_no"])


def published(his: His, *types: str) -> list[tuple[str, str, dict[str, Any]]]:
    with his.client.app.state.runtime.factory() as session:
        rows = session.execute(select(outbox.c.topic, outbox.c.event_type, outbox.c.body).order_by(outbox.c.id)).all()
    return [(r.topic, r.event_type, jsonutil.loads(r.body)) for r in rows if r.event_type in types]


def test_a_days_200_settlements_with_one_altered_amount_and_one_missing_line_come_back_with_those_two_flagged(
    lhasa: His,
) -> None:
    door = [visit(lhasa, ZHAXI, "15.00"), visit(lhasa, ZHAXI, "20.00"), visit(lhasa, WANGQIANG, "30.00", acct="1")]
    door += [visit(lhasa, ZHAXI, "25.00"), visit(lhasa, WANGQIANG, "40.00")]
    seed_day(lhasa, door[0], 195)
    with lhasa.client.app.state.runtime.factory() as session:
        begin = dt.datetime.combine(TODAY, dt.time.min)
        day = SqlStore(session).period_settlements(
            lhasa.code, begin, begin + dt.timedelta(days=1), clr_optins=POOL, limit=1000
        )
    assert len(day) == 200
    rows = [[r.setl_id, r.mdtrt_id, r.psn_no, r.medfee_sumamt, r.fund_pay_sumamt, r.acct_pay, "0"] for r in day]
    altered, missing = rows[7], rows.pop(42)
    altered[3] = altered[3] + Decimal("1.00")
    file_qury_no = upload(lhasa, his_file([tuple(r) for r in rows]))

    totals = {
        "medfee_sumamt": sum(r[3] for r in rows),
        "fund_pay_sumamt": sum(r[4] for r in rows),
        "cash_payamt": sum(r[3] - r[4] - r[5] for r in rows),
        "fixmedins_setl_cnt": len(rows),
    }
    data = {"setl_optins": POOL, "file_qury_no": file_qury_no, "stmt_begndate": f"{TODAY}", "stmt_enddate": f"{TODAY}",
            "clr_type": "11", "refd_setl_flag": "0", **totals}  # fmt: skip
    info = lhasa.ok("3202", {"data": data})["fileinfo"]
    assert info["stmt_rslt"] == "1" and "198 对平, 1 中心多, 1 数据不一致" in info["stmt_rslt_dscr"]
    dt.datetime.strptime(info["dld_endtime"], "%Y-%m-%d %H:%M:%S")

    download = {"file_qury_no": info["file_qury_no"], "filename": info["filename"], "fixmedins_code": lhasa.code}
    result = read_result_zip(lhasa.ok("9102", {"fsDownloadIn": download})["file"])
    assert len(result) == 200 and all(len(fields) == 10 for fields in result)
    flagged = {fields[2]: fields for fields in result if fields[4] != "0"}
    assert set(flagged) == {altered[0], missing[0]}
    amount = f"medfee_sumamt: platform {altered[3] - Decimal('1.00')}, HIS {altered[3]}"
    assert flagged[altered[0]][4] == "3" and amount in flagged[altered[0]][6]
    assert flagged[missing[0]][4] == "1" and flagged[missing[0]][7] == f"{missing[3]}"
    by_setl = {r.setl_id: r for r in day}
    for fields in result:
        assert fields[3] == by_setl[fields[2]].medins_setl_id  # the msgid that settled it, for 2601


def test_a_strangers_detail_file_and_a_strangers_result_are_unknown_to_them(lhasa: His, clinic: His) -> None:
    mine = visit(lhasa, ZHAXI)
    file_qury_no = upload(lhasa, his_file([(mine["setl_id"], mine["mdtrt_id"], ZHAXI, "15.00", "3.00", "0.00", "0")]))
    data = {"setl_optins": POOL, "file_qury_no": file_qury_no, "stmt_begndate": f"{TODAY}", "stmt_enddate": f"{TODAY}",
            "medfee_sumamt": "15.00", "fund_pay_sumamt": "3.00", "cash_payamt": "12.00", "fixmedins_setl_cnt": 1}  # fmt: skip
    refused = clinic.call("3202", {"data": data})
    assert (
        refused["infcode"] == -1
        and f"file_qury_no {file_qury_no} is not a file H54010000002 uploaded" in refused["err_msg"]
    )
    result = lhasa.ok("3202", {"data": data})["fileinfo"]
    fetched = clinic.call("9102", {"fsDownloadIn": {"file_qury_no": result["file_qury_no"], "filename": "plc"}})
    assert fetched["infcode"] == -1
    # the clinic's own file listing lhasa's settlement learns only that it has no such settlement
    theirs = upload(clinic, his_file([(mine["setl_id"], mine["mdtrt_id"], ZHAXI, "15.00", "3.00", "0.00", "0")]))
    info = clinic.ok("3202", {"data": {**data, "file_qury_no": theirs}})["fileinfo"]
    (fields,) = read_result_zip(clinic.ok("9102", {"fsDownloadIn": {"file_qury_no": info["file_qury_no"],
                                                                      "filename": info["filename"]}})["file"])  # fmt: skip
    assert fields[4] == "2" and "no settlement setl_id" in fields[6] and fields[7] == "null"


def to_last_month(his: His, *setl_ids: str) -> None:
    """These settlements were made last month (the door settles at the platform's clock)."""
    when = dt.datetime.combine(LAST_MONTH, dt.time(9, 0))
    with his.client.app.state.runtime.engine.begin() as conn:
        conn.execute(update(settlement).where(settlement.c.setl_id.in_(setl_ids)).values(setl_time=when))


def admin(his: His, method: str, path: str, **kw: Any) -> Any:
    return his.client.request(method, "/admin/v1" + path, headers=kw.pop("headers", CLEARING), **kw)


def application(statement: dict[str, Any], **over: Any) -> dict[str, Any]:
    line_ = statement["by_clr_type"]["11"]
    data = {"clr_type": "11", "clr_way": "", "setlym": MONTH.replace("-", ""), "psntime": line_["setl_cnt"],
            "medfee_sumamt": line_["medfee_sumamt"], "med_sumfee": line_["medfee_sumamt"],
            "fund_appy_sum": line_["fund_pay_sumamt"], "cash_payamt": line_["psn_cash_pay"],
            "acct_pay": line_["acct_pay"], "begndate": f"{LAST_MONTH:%Y-%m}-01", "enddate": f"{LAST_MONTH}", **over}  # fmt: skip
    return {"data": data}


def test_the_bureau_issues_and_confirms_a_closed_months_statement_and_the_institution_applies_against_it(
    lhasa: His, clinic: His
) -> None:
    a = visit(lhasa, WANGQIANG, "30.00", acct="1")  # the account pays too: fund 310200
    b = visit(lhasa, ZHAXI, "20.00")
    lhasa.ok("2208", {"data": {"setl_id": b["setl_id"], "mdtrt_id": b["mdtrt_id"], "psn_no": ZHAXI}}, insuplc=POOL)
    c = visit(lhasa, ZHAXI, "25.00")
    to_last_month(lhasa, a["setl_id"], b["setl_id"])  # b's reversal happened this month: it nets this month

    preview = admin(lhasa, "GET", "/statements/preview", params={"fixmedins_code": lhasa.code, "month": OPEN_MONTH})
    assert preview.status_code == 200
    opened = preview.json()
    assert (opened["status"], opened["confirmable"], opened["month_closed"]) == ("preview", False, False)
    assert (opened["setl_cnt"], opened["settlements"]) == (0, 2)  # c, and b's reversal
    assert Decimal(opened["medfee_sumamt"]) == Decimal(c["medfee_sumamt"]) - Decimal(b["medfee_sumamt"])
    not_yet = admin(lhasa, "POST", "/statements", json={"fixmedins_code": lhasa.code, "month": OPEN_MONTH})
    assert not_yet.status_code == 409 and not_yet.json()["code"] == "month_open"

    made = admin(lhasa, "POST", "/statements", json={"fixmedins_code": lhasa.code, "month": MONTH})
    assert made.status_code == 201, made.text
    statement = made.json()
    owed = sum(Decimal(x["fund_pay_sumamt"]) + Decimal(x["acct_pay"]) for x in (a, b))
    assert (statement["status"], statement["setl_cnt"], Decimal(statement["owed_amt"])) == ("issued", 2, owed)
    assert Decimal(statement["by_fund"]["310200"]) == Decimal(a["acct_pay"]) > 0
    again = admin(lhasa, "POST", "/statements", json={"fixmedins_code": lhasa.code, "month": MONTH})
    assert again.status_code == 200 and again.json()["statement_id"] == statement["statement_id"]
    assert admin(lhasa, "GET", "/statements", headers=POLICY).status_code == 403

    wrong = lhasa.call("3203", application(statement, medfee_sumamt="1.00"))
    assert wrong["infcode"] == -1 and f"medfee_sumamt 1.00, statement {statement['medfee_sumamt']}" in wrong["err_msg"]
    evt_id = lhasa.ok("3203", application(statement))["clr_appy_evt_id"]
    stranger = clinic.call("3204", {"data": {"clr_appy_evt_id": evt_id}})
    assert stranger["infcode"] == -1 and "is not a clearing application of H54010000002" in stranger["err_msg"]
    assert clinic.call("3203", application(statement))["infcode"] == -1  # the clinic has no such statement
    lhasa.ok("3204", {"data": {"clr_appy_evt_id": evt_id}})
    final_id = lhasa.ok("3203", application(statement))["result"]["clr_appy_evt_id"]

    confirmed = admin(lhasa, "POST", f"/statements/{statement['statement_id']}/confirm")
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
    late = lhasa.call("3204", {"data": {"clr_appy_evt_id": final_id}})
    assert late["infcode"] == -1 and "can no longer be withdrawn" in late["err_msg"]
    read = admin(lhasa, "GET", f"/statements/{statement['statement_id']}").json()
    assert [(x["clr_appy_evt_id"], x["status"]) for x in read["applications"]] == [
        (evt_id, "revoked"),
        (final_id, "confirmed"),
    ]
    listed = admin(lhasa, "GET", "/statements", params={"month": MONTH, "status": "confirmed"}).json()
    assert [x["statement_id"] for x in listed] == [statement["statement_id"]]

    events = published(lhasa, "InstitutionStatementIssued", "ClearingApplied", "ClearingApplicationRevoked",
                       "InstitutionStatementConfirmed")  # fmt: skip
    assert [(topic, kind) for topic, kind, _ in events] == [
        ("settlement.settlements.v1", "InstitutionStatementIssued"),
        ("settlement.settlements.v1", "ClearingApplied"),
        ("settlement.settlements.v1", "ClearingApplicationRevoked"),
        ("settlement.settlements.v1", "ClearingApplied"),
        ("settlement.settlements.v1", "InstitutionStatementConfirmed"),
    ]
    assert {body["key"] for _, _, body in events} == {statement["statement_id"]}
    assert events[-1][2]["payload"]["statement"]["applications"][-1]["status"] == "confirmed"
