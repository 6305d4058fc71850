"""Real HIS software's detail reconciliation (3202), clearing application (3203) and withdrawal (3204) in the
shapes its public code writes and sends, and the result file read back as that code reads it.

Facts and field names only, from:
- S-117-John/nhis-web at 35007830b7834b02410d57730503f6d1c5d39fce (Zebone, Java)
  - src/main/java/com/zebone/nhis/pro/zsba/compay/ins/qgyb/service/InsQgRecService.java (Zhongshan Boai):
    uploadDetailedFile writes <yyyyMMddHHmmss>.txt into a zip, UTF-8: setl_id, mdtrt_id, psn_no, medfee_sumamt,
    fund_pay_sumamt, acct_pay, refd_setl_flag, each but the last followed by a tab, lines joined by \\n, none after
    the last; its query writes acct_pay '0' and refd_setl_flag '0' when medfee_sumamt > 0, else '1'; 9101 `in` is
    the zip's byte[] through json-lib (a list of signed byte values). saveDetailedCheck sends 3202 with every value
    a string (Input3202Data: REFD_SETL_FLAG in capitals, fixmedins_setl_cnt = count(*), cash_payamt = the person's
    whole share psn_part_amt, clr_type 21). saveDownloadDetailed unzips, reads result.txt as UTF-8 lines,
    String.split on tabs (trailing empty fields dropped), ten columns, "null" meaning empty.
  - src/main/java/com/zebone/nhis/compay/pub/service/NationalInsuranceUpDownService.java: doZip writes
    acd_<yyyyMMddHHmmss>_<5 digits>.txt, every field followed by a tab (String.valueOf: a missing one is "null"),
    lines joined by \\r\\n; `in` a byte[] through fastjson (base64); getZipContent reads every entry's lines with
    StringTokenizer on tabs (empty fields skipped, so the columns after one would shift), "null" -> null.
  - src/main/java/com/zebone/nhis/compay/ins/qgyb/dao/NationalInsuChkMapper.xml qryAccDetail: a standing
    settlement 0; a reversal its own line, amounts negative, 1; a reversed original its own amounts, 1.
  - src/main/java/com/zebone/nhis/compay/pub/service/NationalInsuranceChkHandler.java checkAccDetail: 3202 data
    as a map (amounts Double, fixmedins_setl_cnt Integer, clr_type), reads output.fileinfo and its stmt_rslt;
    .../compay/pub/support/NationalTool.java getRsltDes (0 对平, 1 中心多, 2 医药机构多, 3 数据不一致);
    .../compay/pub/support/NationalDict.java ACC_DETAIL (the ten result columns).
- liutao2019/IBORN_HIS_ALL at d64c67dd55922b96276e30da14ddef8c2dd916c3 (Foshan, C#)
  MEDICAL/顺德医保/佛山新医保接口/API.GZSI/UI/ucGDSITool.cs: file.txt in file.zip, every field followed by a tab,
  lines joined by \\n, StreamWriter.WriteLine ending the file with \\r\\n, acct_pay and refd_setl_flag written
  "0", the first two columns labelled 就诊ID then 结算ID; `in` a List<int> of signed bytes; CheckDetail3202 sends
  every value a string, stmt dates yyyy-MM-dd HH:mm:ss (the end 23:59:59), REFD_SETL_FLAG "0", cash_payamt the
  account total; reads output.fileinfo.file_qury_no; the result's first file split on tabs, stmt_rslt "0" as
  agreed. Models/Request/RequestGzsiModel3202.cs.
- newtouch-cloud/openhis-itaii at 6f846f5410912a16eba4a95259579b1e1839ad26 (Java, fastjson2)
  openhis-server/openhis-application/src/main/java/com/openhis/web/ybmanage/controller/YbController.java
  reconcileGeneralLedgerDetailTxt: a bare .txt (not zipped) through FileWriter (the platform's charset, GBK on a
  Chinese Windows) and BufferedWriter.newLine (\\r\\n) after every line, refd_setl_flag of the first line sent with
  the call; openhis-server/openhis-domain/src/main/java/com/openhis/yb/dto/FinancialSettlement3202Param.java (Date
  stmt dates, written yyyy-MM-dd HH:mm:ss, BigDecimal amounts, Integer count), Financial3203Param.java (Date
  begndate/enddate, setlym cut from a Date's toString, psntime Long), Financial3204Param.java (clr_appy_evt_id,
  clr_optins); .../yb/util/YbParamBuilderUtil.java getFinancial3203Param.
- binzhe12123/Medical at 57b1455fc1bc42cd9bbc81455a297f005b96ac8d (Shenzhen, C#, Newtonsoft)
  SY.Com.Medical.Model/SYB/YYJGFW/JGDZ3202.cs: stmt dates DateTime (2026-12-02T00:00:00), amounts and
  fixmedins_setl_cnt decimal, no clr_type.
- fengzaiqishi11/hsa-his at 07cc0c5a2198d50c4b39728e1d846370087e3c5b (Powersi, Java)
  hsa-insure/hsa-insure-biz/src/main/java/cn/hsa/insure/unifiedpay/bo/impl/InsureReckonBOImpl.java
  updateToInsureReckon (3203: setlym yyyyMM, psntime Integer, med_sumfee = medfee_sumamt, fund_appy_sum =
  fund_pay_sumamt) and updateToRevokeInsureReckon (3204: clr_appy_evt_id alone).
- newtouch-cloud/openhis at 1f9b5713a7d21cfbe005ddf9825df6a1793fed59 (C#)
  Newtouch.HIS.Sett/Newtouch.Web/Areas/DaySettleManage/Views/DaySettle/ApplicationApply.cshtml (3203 with
  clr_way "", psntime, the month's amounts per clr_type).
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import zipfile
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import update
from support import CLEARING, ZHAXI, His, line, open_outpatient, settle_input

from medshared import jsonutil
from settlement.db import settlement
from settlement.domain import statement_files as sf
from settlement.store import SqlStore

POOL = "540100"
TODAY = dt.date.today()
Row = Sequence[Any]  # setl_id, mdtrt_id, psn_no, medfee_sumamt, fund_pay_sumamt, acct_pay, refd_setl_flag


def zipped(name: str, text: str, encoding: str = "utf-8") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, text.encode(encoding))
    return buffer.getvalue()


# ---------------------------------------------------------------- each client's detail file


def zsba_file(rows: list[Row]) -> bytes:
    text = "\n".join("\t".join(str(v) for v in r) for r in rows)
    return zipped("20261202103000.txt", text)


def nhis_pub_file(rows: list[Row]) -> bytes:
    text = "\r\n".join("".join(f"{v}\t" for v in r) for r in rows)
    return zipped("acd_20261202103000_48213.txt", text)


def foshan_file(rows: list[Row], *, labels_order: bool = False) -> bytes:
    ordered = [(r[1], r[0], *r[2:]) for r in rows] if labels_order else rows
    text = "\n".join("".join(f"{v}\t" for v in r) for r in ordered) + "\r\n"
    return zipped("file.txt", text)


def itaii_file(rows: list[Row]) -> bytes:
    return "".join("\t".join(str(v) for v in r) + "\r\n" for r in rows).encode("gbk")


SHAPES: dict[str, Callable[[list[Row]], bytes]] = {
    "zhongshan-boai": zsba_file,
    "zebone-pub": nhis_pub_file,
    "foshan": foshan_file,
    "foshan-labels-order": lambda rows: foshan_file(rows, labels_order=True),
    "openhis-itaii": itaii_file,
}
ROWS: list[Row] = [
    ("540100202612021030001234567890", "540100202612021029591234567890", ZHAXI, "15.00", "3.00", "0.00", "0"),
    ("540100202612021031001234567891", "540100202612021030591234567891", ZHAXI, "-20.00", "-4.00", "0", "1"),
]


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_every_clients_detail_file_reads_as_the_same_settlement_lines(shape: str) -> None:
    rows = sf.read_detail_file(SHAPES[shape](ROWS))
    read = [
        (r.setl_id, r.mdtrt_id, r.psn_no, r.medfee_sumamt, r.fund_pay_sumamt, r.acct_pay, r.refd_setl_flag)
        for r in rows
    ]
    if shape == "foshan-labels-order":
        read = [(r[1], r[0], *r[2:]) for r in read]  # oriented against the platform's ids at the door
    assert read == [
        (s, m, p, Decimal(a), Decimal(b), Decimal(c).quantize(Decimal("0.01")), f) for s, m, p, a, b, c, f in ROWS
    ]


# ---------------------------------------------------------------- how each client reads result.txt


def java_split(line_: str) -> list[str]:
    fields = line_.split("\t")
    while fields and fields[-1] == "":
        fields.pop()
    return fields


def string_tokenizer(line_: str) -> list[str]:
    return [f for f in line_.split("\t") if f]


def result_lines(content: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return archive.read("result.txt").decode("utf-8").splitlines()


# ---------------------------------------------------------------- over the door


def day_of_settlements(his: His) -> list[Any]:
    """Today's settlements of the hospital: one standing, one reversed (original and reversal lines)."""
    for price, reverse in (("15.00", False), ("20.00", True)):
        mdtrt_id = open_outpatient(his, ZHAXI)
        his.ok("2204", {"feedetail": [line("1", "001102000010000", "1", price, mdtrt_id, ZHAXI)]}, insuplc=POOL)
        info = his.ok("2207", settle_input(ZHAXI, mdtrt_id, price), insuplc=POOL)["setlinfo"]
        if reverse:
            his.ok("2208", {"data": {"setl_id": info["setl_id"], "mdtrt_id": mdtrt_id, "psn_no": ZHAXI}}, insuplc=POOL)
    begin = dt.datetime.combine(TODAY, dt.time.min)
    with his.client.app.state.runtime.factory() as session:
        return SqlStore(session).period_settlements(
            his.code, begin, begin + dt.timedelta(days=1), clr_optins=POOL, limit=99
        )


def signed(content: bytes) -> list[int]:
    return [b - 256 if b > 127 else b for b in content]


def reconcile(his: His, content: bytes, in_: Any, data: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    uploaded = his.ok("9101", {"fsUploadIn": {"in": in_, "filename": "detail.zip", "fixmedins_code": his.code}})
    info = his.ok("3202", {"data": {"file_qury_no": uploaded["file_qury_no"], **data}})["fileinfo"]
    download = {"file_qury_no": info["file_qury_no"], "filename": info["filename"], "fixmedins_code": his.code}
    return info, result_lines(his.ok("9102", {"fsDownloadIn": download})["file"])


def totals(day: list[Any]) -> tuple[Decimal, Decimal, Decimal]:
    return (sum(r.medfee_sumamt for r in day), sum(r.fund_pay_sumamt for r in day),
            sum(r.psn_cash_pay for r in day))  # fmt: skip


def test_zhongshan_boai_reconciles_in_its_own_shapes_and_reads_every_line_with_ten_columns(lhasa: His) -> None:
    day = day_of_settlements(lhasa)
    rows = [(r.setl_id, r.mdtrt_id, r.psn_no, r.medfee_sumamt, r.fund_pay_sumamt, "0",
             "0" if r.medfee_sumamt > 0 else "1") for r in day]  # fmt: skip
    content = zsba_file(rows)
    medfee, fund, cash = totals(day)
    data = {"setl_optins": POOL, "stmt_begndate": f"{TODAY}", "stmt_enddate": f"{TODAY}", "medfee_sumamt": f"{medfee}",
            "fund_pay_sumamt": f"{fund}", "cash_payamt": f"{cash}", "fixmedins_setl_cnt": f"{len(rows)}",
            "REFD_SETL_FLAG": "0", "clr_type": "11"}  # fmt: skip
    info, lines = reconcile(lhasa, content, signed(content), data)
    assert all(len(java_split(x)) == 10 for x in lines)
    results = {java_split(x)[2]: java_split(x) for x in lines}
    reversed_original = next(r for r in day if r.reversed_by)
    # its query writes 0 on a reversed original (medfee_sumamt > 0): the one line the platform flags
    assert {s: f[4] for s, f in results.items()} == {r.setl_id: "3" if r.reversed_by else "0" for r in day}
    assert "refd_setl_flag: platform 1 (reversed by setl_id" in results[reversed_original.setl_id][6]
    assert info["stmt_rslt"] == "1" and info["stmt_rslt_dscr"].startswith("对账不一致: 2 对平, 1 数据不一致")


def java_double(amount: Decimal) -> Decimal:
    """A Java Double as Jackson writes it: 15.0, -4.0."""
    return Decimal(repr(float(amount)))


def test_zebones_national_module_reconciles_every_line_and_its_tokenizer_keeps_the_columns(lhasa: His) -> None:
    day = day_of_settlements(lhasa)
    rows = [(r.setl_id, r.mdtrt_id, r.psn_no, r.medfee_sumamt, r.fund_pay_sumamt, r.acct_pay,
             "1" if r.reversed_by or r.init_setl_id else "0") for r in day]  # fmt: skip
    content = nhis_pub_file(rows)
    medfee, fund, cash = totals(day)
    data = {"setl_optins": POOL, "stmt_begndate": f"{TODAY}", "stmt_enddate": f"{TODAY}",
            "medfee_sumamt": java_double(medfee), "fund_pay_sumamt": java_double(fund), "cash_payamt": java_double(cash),
            "fixmedins_setl_cnt": len(rows), "clr_type": "11"}  # fmt: skip
    info, lines = reconcile(lhasa, content, base64.b64encode(content).decode(), data)
    assert (info["stmt_rslt"], info["stmt_rslt_dscr"]) == ("0", "对账一致: 3 对平")
    assert all(len(string_tokenizer(x)) == 10 for x in lines)
    assert {string_tokenizer(x)[4] for x in lines} == {"0"}


def test_foshans_file_in_either_column_order_reconciles_the_same(lhasa: His) -> None:
    day = day_of_settlements(lhasa)
    rows = [(r.setl_id, r.mdtrt_id, r.psn_no, r.medfee_sumamt, r.fund_pay_sumamt, "0", "0") for r in day]
    medfee, fund, _ = totals(day)
    data = {"setl_optins": POOL, "stmt_begndate": f"{TODAY} 00:00:00", "stmt_enddate": f"{TODAY} 23:59:59",
            "medfee_sumamt": f"{medfee:.2f}", "fund_pay_sumamt": f"{fund:.2f}", "cash_payamt": "0.00",
            "fixmedins_setl_cnt": f"{len(rows)}", "REFD_SETL_FLAG": "0", "clr_type": "11"}  # fmt: skip
    answers = []
    for labels_order in (False, True):
        content = foshan_file(rows, labels_order=labels_order)
        _, lines = reconcile(lhasa, content, signed(content), data)
        answers.append(sorted((f[2], f[4]) for f in (x.split("\t") for x in lines)))
    assert answers[0] == answers[1]
    # it writes refd_setl_flag 0 on every line: the reversed pair is flagged, the standing one agrees
    assert sorted(code for _, code in answers[0]) == ["0", "3", "3"]


def test_openhis_itaii_s_bare_gbk_text_file_and_its_dates_reconcile(lhasa: His) -> None:
    day = day_of_settlements(lhasa)
    rows = [(r.setl_id, r.mdtrt_id, r.psn_no, r.medfee_sumamt, r.fund_pay_sumamt, r.acct_pay,
             "1" if r.reversed_by or r.init_setl_id else "0") for r in day]  # fmt: skip
    content = itaii_file(rows)
    medfee, fund, cash = totals(day)
    data = {"setl_optins": POOL, "stmt_begndate": f"{TODAY} 00:00:00", "stmt_enddate": f"{TODAY} 00:00:00",
            "medfee_sumamt": medfee, "fund_pay_sumamt": fund, "cash_payamt": cash, "fixmedins_setl_cnt": len(rows),
            "clr_type": "11", "refd_setl_flag": rows[0][6]}  # fmt: skip
    info, lines = reconcile(lhasa, content, base64.b64encode(content).decode(), data)
    assert info["stmt_rslt"] == "0" and len(lines) == 3


def test_shenzhens_datetimes_and_decimal_count_are_read_as_the_period_and_the_count(lhasa: His) -> None:
    day = day_of_settlements(lhasa)
    rows = [(r.setl_id, r.mdtrt_id, r.psn_no, r.medfee_sumamt, r.fund_pay_sumamt, r.acct_pay,
             "1" if r.reversed_by or r.init_setl_id else "0") for r in day]  # fmt: skip
    content = nhis_pub_file(rows)
    medfee, fund, cash = totals(day)
    data = {"setl_optins": POOL, "stmt_begndate": f"{TODAY}T00:00:00", "stmt_enddate": f"{TODAY}T00:00:00",
            "medfee_sumamt": medfee, "fund_pay_sumamt": fund, "cash_payamt": cash,
            "fixmedins_setl_cnt": Decimal(f"{len(rows)}.0")}  # fmt: skip
    info, _ = reconcile(lhasa, content, base64.b64encode(content).decode(), data)
    assert info["stmt_rslt"] == "0"


# ---------------------------------------------------------------- 3203 / 3204


def issued_statement(his: His) -> dict[str, Any]:
    """Last month's statement with one settlement in it, issued by the bureau."""
    mdtrt_id = open_outpatient(his, ZHAXI)
    his.ok("2204", {"feedetail": [line("1", "001102000010000", "1", "15.00", mdtrt_id, ZHAXI)]}, insuplc=POOL)
    setl_id = his.ok("2207", settle_input(ZHAXI, mdtrt_id, "15.00"), insuplc=POOL)["setlinfo"]["setl_id"]
    last = TODAY.replace(day=1) - dt.timedelta(days=1)
    with his.client.app.state.runtime.engine.begin() as conn:
        conn.execute(
            update(settlement)
            .where(settlement.c.setl_id == setl_id)
            .values(setl_time=dt.datetime.combine(last, dt.time(9)))
        )
    answer = his.client.post(
        "/admin/v1/statements", json={"fixmedins_code": his.code, "month": f"{last:%Y-%m}"}, headers=CLEARING
    )
    assert answer.status_code == 201, answer.text
    return dict(jsonutil.loads(answer.content))


def test_each_clients_clearing_application_is_recorded_and_withdrawn_in_its_own_shape(lhasa: His) -> None:
    statement = issued_statement(lhasa)
    month = statement["month"]
    first, last = (
        f"{month}-01",
        (dt.date.fromisoformat(f"{month}-01") + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1),
    )
    figures = statement["by_clr_type"]["11"]
    medfee, fund, acct = (Decimal(str(figures[k])) for k in ("medfee_sumamt", "fund_pay_sumamt", "acct_pay"))
    cash = Decimal(str(figures["psn_cash_pay"]))
    powersi = {"clr_type": "11", "clr_way": "1", "setlym": month.replace("-", ""), "psntime": 1,
               "medfee_sumamt": medfee, "med_sumfee": medfee, "fund_appy_sum": fund, "cash_payamt": cash,
               "acct_pay": acct, "begndate": first, "enddate": f"{last}"}  # fmt: skip
    newtouch = {**powersi, "clr_way": "", "setlym": month.replace("-", ""), "psntime": "1"}
    itaii = {**powersi, "clr_way": "1", "setlym": f"{last:%a %b}", "psntime": 1,
             "begndate": f"{first} 00:00:00", "enddate": f"{last} 00:00:00"}  # fmt: skip
    for data, withdraw in (
        (powersi, lambda evt: {"clr_appy_evt_id": evt}),
        (newtouch, lambda evt: {"clr_appy_evt_id": evt}),
        (itaii, lambda evt: {"clr_appy_evt_id": evt, "clr_optins": POOL}),
    ):
        output = lhasa.ok("3203", {"data": data})
        evt_id = output["result"]["clr_appy_evt_id"]  # Powersi reads result.clr_appy_evt_id
        assert output["clr_appy_evt_id"] == evt_id
        assert lhasa.ok("3204", {"data": withdraw(evt_id)}) is None
