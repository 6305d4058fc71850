"""Detail reconciliation (3202), clearing applications (3203/3204) and monthly statements, on the rules
and on the in-memory store: the comparison line by line, the netting of reversals, the file's
refusals, the application's check, and each state change with its event."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from fakes import FakeStore

from medshared import jsonutil
from medshared.errors import Conflict
from medshared.national import parse_request
from settlement.domain import statement_files as sf
from settlement.domain import statements as st
from settlement.domain.errors import Refused
from settlement.usecases import statements
from settlement.usecases.common import Call

D = Decimal
HOSPITAL = SimpleNamespace(fixmedins_code="H54010000001", admdvs="540100", hosp_lv="3")
STRANGER = SimpleNamespace(fixmedins_code="H54010000002", admdvs="540100", hosp_lv="1")
NOW = dt.datetime(2026, 12, 2, 10, 0, 0)
NOV = dt.datetime(2026, 11, 20, 9, 0, 0)


def row(
    setl_id: str, medfee: str = "65.00", fund: str = "30.00", acct: str = "0.00", flag: str = "0", **kw: Any
) -> sf.DetailRow:
    values = {"mdtrt_id": f"M{setl_id}", "psn_no": f"P{setl_id}", **kw}
    return sf.DetailRow(1, setl_id, values["mdtrt_id"], values["psn_no"], D(medfee), D(fund), D(acct), flag)


def ours(
    setl_id: str, medfee: str = "65.00", fund: str = "30.00", acct: str = "0.00", **kw: Any
) -> st.PlatformSettlement:
    return st.PlatformSettlement(
        setl_id=setl_id,
        mdtrt_id=kw.get("mdtrt_id", f"M{setl_id}"),
        psn_no=kw.get("psn_no", f"P{setl_id}"),
        msgid=f"MSG{setl_id}",
        setl_time=kw.get("setl_time", NOV),
        medfee_sumamt=D(medfee),
        fund_pay_sumamt=D(fund),
        acct_pay=D(acct),
        psn_cash_pay=D(medfee) - D(fund) - D(acct),
        init_setl_id=kw.get("init_setl_id"),
        reversed_by=kw.get("reversed_by"),
    )


# ---------------------------------------------------------------- the comparison, line by line

CASES = [
    ("both sides agree", [row("S1")], [ours("S1")], "0", "对平"),
    ("an amount differs", [row("S1", medfee="66.00")], [ours("S1")], "3", "medfee_sumamt: platform 65.00, HIS 66.00"),
    ("the file leaves one out", [], [ours("S1")], "1", "中心多"),
    ("the platform has no such settlement", [row("S9")], [], "2", "no settlement setl_id S9 of this institution"),
    (
        "the platform reversed it, the file says not refunded",
        [row("S1")],
        [ours("S1", reversed_by="R1")],
        "3",
        "refd_setl_flag: platform 1 (reversed by setl_id R1), HIS 0",
    ),
    ("both say the original is refunded", [row("S1", flag="1")], [ours("S1", reversed_by="R1")], "0", "对平"),
    (
        "the reversal as stored, amounts negated",
        [row("R1", "-65.00", "-30.00", flag="1")],
        [ours("R1", "-65.00", "-30.00", init_setl_id="S1")],
        "0",
        "对平",
    ),
    (
        "the reversal written with positive amounts",
        [row("R1", "65.00", "30.00", flag="1")],
        [ours("R1", "-65.00", "-30.00", init_setl_id="S1")],
        "0",
        "对平",
    ),
    (
        "the file calls a standing settlement refunded",
        [row("S1", flag="1")],
        [ours("S1")],
        "3",
        "refd_setl_flag: platform 0 (not reversed), HIS 1",
    ),
    ("another visit's id", [row("S1", mdtrt_id="MX")], [ours("S1")], "3", "mdtrt_id: platform MS1, HIS MX"),
    (
        "every differing field is named",
        [row("S1", medfee="60.00", fund="20.00", acct="1.00")],
        [ours("S1")],
        "3",
        "medfee_sumamt: platform 65.00, HIS 60.00; fund_pay_sumamt: platform 30.00, HIS 20.00; "
        "acct_pay: platform 0.00, HIS 1.00",
    ),
]


@pytest.mark.parametrize(("case", "his", "platform", "rslt", "memo"), CASES, ids=[c[0] for c in CASES])
def test_a_line_is_judged_as_the_rules_say(case, his, platform, rslt, memo) -> None:
    (result,) = st.compare(his, platform, period="2026-11-20 to 2026-11-20")
    assert result.stmt_rslt == rslt
    assert memo in result.memo


def test_a_line_the_platform_lacks_carries_no_platform_amount_and_is_written_null() -> None:
    (result,) = st.compare([row("S9")], [], period="p")
    cells = result.cells()
    assert (cells[3], cells[7], cells[8], cells[9]) == (None, None, None, None)
    assert sf.result_text([cells]).split("\t")[3] == "null"


def test_a_settlement_outside_the_period_is_said_to_be_so() -> None:
    elsewhere = {"S9": ours("S9", setl_time=dt.datetime(2026, 10, 3, 8, 0, 0))}
    (result,) = st.compare([row("S9")], [], period="2026-11-20 to 2026-11-20", elsewhere=elsewhere)
    assert result.stmt_rslt == "2"
    assert "settled at 2026-10-03 08:00:00, outside 2026-11-20 to 2026-11-20" in result.memo


def test_the_file_order_comes_first_then_the_platform_only_lines_by_time() -> None:
    late, early = ours("A", setl_time=NOV + dt.timedelta(hours=2)), ours("B", setl_time=NOV)
    results = st.compare([row("S1"), row("S2")], [late, early, ours("S2"), ours("S1")], period="p")
    assert [r.setl_id for r in results] == ["S1", "S2", "B", "A"]


def test_the_totals_agree_as_3201_counts_and_as_clients_count_rows() -> None:
    platform = [ours("S1", "65.00", "30.00", "5.00"), ours("S1R", "-65.00", "-30.00", "-5.00", init_setl_id="S1")]
    results = st.compare([row("S1", "65.00", "30.00", "5.00", flag="1"), row("S1R", "-65.00", "-30.00", "-5.00", flag="1")],
                         [ours("S1", "65.00", "30.00", "5.00", reversed_by="S1R"), platform[1]], period="p")  # fmt: skip
    for count, cash in ((2, "0.00"), (0, "0.00")):
        rslt, dscr = st.summary(st.SentTotals(D("0"), D("0"), D(cash), count), platform, results)
        assert (rslt, dscr) == ("0", "对账一致: 2 对平")
    rslt, dscr = st.summary(st.SentTotals(D("1.00"), D("0"), D("0"), 2), platform, results)
    assert (rslt, dscr) == ("1", "对账不一致: 2 对平; medfee_sumamt: platform 0.00, HIS 1.00")


# ---------------------------------------------------------------- the detail file's refusals


def zipped(text: str, name: str = "detail.txt") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, text.encode("utf-8"))
    return buffer.getvalue()


REFUSED = [
    ("six fields", "S1\tM1\tP1\t65.00\t30.00\t0", "line 1 has 6 fields"),
    ("a word for an amount", "S1\tM1\tP1\tabc\t30.00\t0\t0", "line 1 medfee_sumamt 'abc' is not an amount"),
    ("three decimals", "S1\tM1\tP1\t65.001\t30.00\t0\t0", "more than two decimals"),
    ("a flag of 2", "S1\tM1\tP1\t65.00\t30.00\t0\t2", "refd_setl_flag '2' must be 0"),
    (
        "the same settlement twice",
        "S1\tM1\tP1\t1\t0\t0\t0\nS1\tM1\tP1\t1\t0\t0\t0",
        "setl_id S1 is listed twice (lines 1 and 2)",
    ),
    ("nothing but blank lines", "\n\n", "holds no settlement line"),
    ("no separator", "S1 M1 P1 65 30 0 0", "not tab-separated"),
    ("a header missing a column", "setl_id\tmdtrt_id\tpsn_no\n", "names the columns but not medfee_sumamt"),
]


@pytest.mark.parametrize(("case", "text", "said"), REFUSED, ids=[c[0] for c in REFUSED])
def test_a_malformed_detail_file_is_refused_naming_the_line(case, text, said) -> None:
    with pytest.raises(Refused) as refused:
        sf.unique(sf.read_detail_file(zipped(text)))
    assert said in refused.value.message


def test_a_file_beyond_the_row_limit_or_the_text_limit_is_refused() -> None:
    text = "".join(f"S{i}\tM{i}\tP{i}\t1.00\t0.00\t0.00\t0\n" for i in range(11))
    with pytest.raises(Refused, match="more than 10 settlements"):
        sf.read_detail_file(zipped(text), sf.FileLimits(max_rows=10))
    with pytest.raises(Refused, match="unpacks to more than"):
        sf.read_detail_file(zipped(text), sf.FileLimits(max_text_bytes=100))
    with pytest.raises(Refused, match="cannot be read as one"):
        sf.read_detail_file(b"PK\x03\x04broken")


def test_a_file_written_mdtrt_id_first_is_read_setl_id_first_when_only_that_matches() -> None:
    rows = sf.read_detail_file(zipped("M1\tS1\tP1\t65.00\t30.00\t0\t0"))
    assert sf.oriented(rows, ["S1"])[0].setl_id == "S1"
    assert sf.oriented(rows, ["M1"])[0].setl_id == "M1"  # the first column matches: taken as written


# ---------------------------------------------------------------- a month's figures, reversals netted


def source(clr: str, medfee: str, fund: str, acct: str, *, reversal: bool = False) -> st.MonthSource:
    cash = D(medfee) - D(fund) - D(acct)
    funds = (("390100", D(fund)),) + ((("310200", D(acct)),) if D(acct) else ())
    return st.MonthSource(clr, reversal, D(medfee), D(fund), D(acct), cash, funds)


def test_a_reversal_in_the_same_month_nets_the_count_and_every_amount() -> None:
    total, lines = st.month_figures(
        [
            source("11", "65.00", "30.00", "5.00"),
            source("11", "-65.00", "-30.00", "-5.00", reversal=True),
            source("21", "1000.00", "700.00", "0.00"),
        ]
    )
    assert (total.setl_cnt, total.settlements, total.medfee_sumamt, total.owed_amt) == (1, 3, D("1000.00"), D("700.00"))
    assert lines["11"].to_dict() == {"setl_cnt": 0, "settlements": 2, "medfee_sumamt": D("0.00"),
                                     "fund_pay_sumamt": D("0.00"), "acct_pay": D("0.00"), "psn_cash_pay": D("0.00"),
                                     "owed_amt": D("0.00"), "by_fund": {}}  # fmt: skip
    assert lines["21"].by_fund == {"390100": D("700.00")}


def test_a_reversal_in_a_later_month_nets_in_that_month_and_leaves_the_first_unchanged() -> None:
    november, _ = st.month_figures([source("11", "65.00", "30.00", "5.00")])
    december, _ = st.month_figures([source("11", "-65.00", "-30.00", "-5.00", reversal=True)])
    assert (november.setl_cnt, november.owed_amt, november.by_fund) == (
        1,
        D("35.00"),
        {"390100": D("30.00"), "310200": D("5.00")},
    )
    assert (december.setl_cnt, december.owed_amt) == (-1, D("-35.00"))


def test_a_month_closes_ten_minutes_after_it_ends() -> None:
    assert not st.month_closed("2026-11", dt.datetime(2026, 12, 1, 0, 9, 59))
    assert st.month_closed("2026-11", dt.datetime(2026, 12, 1, 0, 10, 0))
    assert st.month_bounds("2026-12") == (dt.datetime(2026, 12, 1), dt.datetime(2027, 1, 1))


# ---------------------------------------------------------------- use cases on the in-memory store


def call(infno: str, input_: dict[str, Any], *, inst: SimpleNamespace = HOSPITAL, now: dt.datetime = NOW) -> Call:
    envelope = {
        "infno": infno,
        "msgid": f"{inst.fixmedins_code}20261202100000{infno}",
        "mdtrtarea_admvs": "540100",
        "insuplc_admdvs": "",
        "recer_sys_code": "YBXT",
        "infver": "V1.0",
        "opter_type": "1",
        "opter": "001",
        "opter_name": "收费员",
        "inf_time": "2026-12-02 10:00:00",
        "fixmedins_code": inst.fixmedins_code,
        "fixmedins_name": "演示机构",
        "input": input_,
    }
    return Call(req=parse_request(envelope), inst=inst, received=now, sender=inst.fixmedins_code)


def settle(store: FakeStore, setl_id: str, when: dt.datetime, medfee: str, fund: str, acct: str = "0.00", *,
           clr_type: str = "11", code: str = "H54010000001", init: str | None = None) -> None:  # fmt: skip
    details = [{"fund_pay_type": "390100", "fund_payamt": fund}] + (
        [{"fund_pay_type": "310200", "fund_payamt": acct}] if D(acct) else []
    )
    store.add_settlement({
        "setl_id": setl_id, "mdtrt_id": f"M{setl_id}", "psn_no": "54010000000000000001", "medins_setl_id": f"MSG{setl_id}",
        "fixmedins_code": code, "insutype": "390", "clr_type": clr_type, "clr_optins": "540100", "setl_time": when,
        "medfee_sumamt": D(medfee), "fund_pay_sumamt": D(fund), "acct_pay": D(acct),
        "psn_cash_pay": D(medfee) - D(fund) - D(acct), "setldetail": jsonutil.dumps(details), "init_setl_id": init,
    })  # fmt: skip
    if init:
        store.mark_reversed(init, setl_id)


def upload(store: FakeStore, content: bytes, *, code: str = "H54010000001", file_qury_no: str = "F1") -> str:
    store.add_file(
        {
            "file_qury_no": file_qury_no,
            "fixmedins_code": code,
            "filename": "d.zip",
            "origin": "9101",
            "size": len(content),
            "sha256": "",
            "created_at": NOW,
            "dld_endtime": NOW + dt.timedelta(hours=24),
        },
        content,
    )
    return file_qury_no


def detail_input(file_qury_no: str, **over: Any) -> st.DetailReconciliation:
    data = {"setl_optins": "540100", "file_qury_no": file_qury_no, "stmt_begndate": "2026-11-20",
            "stmt_enddate": "2026-11-20", "medfee_sumamt": "130.00", "fund_pay_sumamt": "60.00",
            "cash_payamt": "70.00", "fixmedins_setl_cnt": "2", **over}  # fmt: skip
    return st.DetailReconciliation.model_validate(data)


def test_3202_offers_a_result_file_with_one_line_per_settlement_and_stages_nothing() -> None:
    store = FakeStore()
    settle(store, "S1", NOV, "65.00", "30.00")
    settle(store, "S2", NOV, "65.00", "30.00")
    upload(store, zipped("S1\tMS1\t54010000000000000001\t65.00\t30.00\t0.00\t0\n"
                         "S2\tMS2\t54010000000000000001\t65.00\t30.00\t0.00\t0\n"))  # fmt: skip
    outcome = statements.reconcile_details(store, call("3202", {}), detail_input("F1"))
    info = outcome.output["fileinfo"]
    assert (info["stmt_rslt"], info["stmt_rslt_dscr"]) == ("0", "对账一致: 2 对平")
    lines = sf.read_result_zip(store.file_content(info["file_qury_no"]))
    assert [(x[2], x[4]) for x in lines] == [("S1", "0"), ("S2", "0")]
    assert store.file(info["file_qury_no"]).fixmedins_code == "H54010000001"
    assert store.events == []


def test_3202_refuses_a_strangers_file_as_unknown_and_a_wrong_agency() -> None:
    store = FakeStore()
    upload(store, zipped("S1\tM\tP\t1\t0\t0\t0"), code="H54010000002", file_qury_no="THEIRS")
    with pytest.raises(Refused) as refused:
        statements.reconcile_details(store, call("3202", {}), detail_input("THEIRS"))
    assert refused.value.code == "FILE_UNKNOWN"
    with pytest.raises(Refused) as unknown:
        statements.reconcile_details(store, call("3202", {}), detail_input("NONE"))
    assert unknown.value.message.replace("NONE", "THEIRS") == refused.value.message
    with pytest.raises(Refused, match="setl_optins 440300 is not the settlement agency"):
        statements.reconcile_details(store, call("3202", {}), detail_input("THEIRS", setl_optins="440300"))
    with pytest.raises(Refused, match="is 32 days"):
        statements.reconcile_details(store, call("3202", {}), detail_input("THEIRS", stmt_begndate="2026-10-01",
                                                                            stmt_enddate="2026-11-01"))  # fmt: skip


def test_the_call_level_refund_flag_1_leaves_reversed_settlements_out_of_the_platform_side() -> None:
    store = FakeStore()
    settle(store, "S1", NOV, "65.00", "30.00")
    settle(store, "S2", NOV, "10.00", "5.00")
    settle(store, "R2", NOV + dt.timedelta(minutes=5), "-10.00", "-5.00", init="S2")
    upload(store, zipped("S1\tMS1\t54010000000000000001\t65.00\t30.00\t0.00\t0"))
    data = detail_input("F1", REFD_SETL_FLAG="1", medfee_sumamt="65.00", fund_pay_sumamt="30.00",
                        cash_payamt="35.00", fixmedins_setl_cnt=1)  # fmt: skip
    info = statements.reconcile_details(store, call("3202", {}), data).output["fileinfo"]
    assert info["stmt_rslt"] == "0"


def month_input(**over: Any) -> st.ClearingApplication:
    data = {"clr_type": "11", "clr_way": "", "setlym": "202611", "psntime": 1, "medfee_sumamt": "65.00",
            "med_sumfee": "65.00", "fund_appy_sum": "30.00", "cash_payamt": "30.00", "acct_pay": "5.00",
            "begndate": "2026-11-01", "enddate": "2026-11-30", **over}  # fmt: skip
    return st.ClearingApplication.model_validate(data)


def november(store: FakeStore) -> None:
    settle(store, "S1", NOV, "65.00", "30.00", "5.00")
    settle(store, "S2", NOV, "100.00", "60.00")
    settle(store, "R2", NOV + dt.timedelta(hours=1), "-100.00", "-60.00", init="S2")  # reversed the same month
    settle(store, "S3", NOV, "500.00", "400.00", clr_type="21")
    settle(store, "X1", NOV, "999.00", "900.00", code="H54010000002")  # another institution's


def test_a_statement_of_a_closed_month_nets_its_reversals_and_is_issued_once_with_its_event() -> None:
    store = FakeStore()
    november(store)
    view, created = statements.generate_statement(store, "H54010000001", "2026-11", NOW, "clearing-01")
    assert created and view["status"] == "issued" and view["confirmable"]
    assert (view["setl_cnt"], view["settlements"], view["owed_amt"]) == (2, 4, D("435.00"))
    assert view["by_fund"] == {"310200": D("5.00"), "390100": D("430.00")}
    assert view["by_clr_type"]["11"]["setl_cnt"] == 1 and view["by_clr_type"]["21"]["owed_amt"] == D("400.00")
    again, created_again = statements.generate_statement(store, "H54010000001", "2026-11", NOW, "clearing-02")
    assert not created_again and again["generated_by"] == "clearing-01"
    assert [(t, e.event_type, e.key) for t, e in store.events] == [
        ("settlement.settlements.v1", "InstitutionStatementIssued", "ST-H54010000001-2026-11")
    ]


def test_an_open_month_is_previewed_never_generated() -> None:
    store = FakeStore()
    settle(store, "S1", NOW, "65.00", "30.00")
    preview = statements.preview_statement(store, "H54010000001", "2026-12", NOW)
    assert (preview["status"], preview["confirmable"], preview["month_closed"], preview["setl_cnt"]) == (
        "preview",
        False,
        False,
        1,
    )
    with pytest.raises(Conflict) as refused:
        statements.generate_statement(store, "H54010000001", "2026-12", NOW, "clearing-01")
    assert refused.value.code == "month_open" and "2027-01-01 00:10" in refused.value.message


def issued(store: FakeStore) -> str:
    november(store)
    return statements.generate_statement(store, "H54010000001", "2026-11", NOW, "clearing-01")[0]["statement_id"]


def test_3203_is_checked_against_the_statement_and_refused_naming_the_differing_amount() -> None:
    store = FakeStore()
    issued(store)
    with pytest.raises(Refused) as refused:
        statements.apply_for_clearing(store, call("3203", {}), month_input(medfee_sumamt="66.00"))
    assert refused.value.code == "APPLICATION_MISMATCH"
    assert "medfee_sumamt 66.00, statement 65.00" in refused.value.message
    with pytest.raises(Refused, match="psntime 2, statement 1"):
        statements.apply_for_clearing(store, call("3203", {}), month_input(psntime="2.00"))


def test_3203_records_the_application_and_3204_withdraws_it_each_with_its_event() -> None:
    store = FakeStore()
    sid = issued(store)
    # fund_appy_sum may include the account (fund 30 + account 5), as some clients send it
    outcome = statements.apply_for_clearing(store, call("3203", {}), month_input(fund_appy_sum="35.00"))
    evt_id = outcome.output["clr_appy_evt_id"]
    assert outcome.output["result"] == {"clr_appy_evt_id": evt_id} and len(evt_id) == 30
    with pytest.raises(Refused, match=f"clr_appy_evt_id {evt_id} already applies for clr_type 11"):
        statements.apply_for_clearing(store, call("3203", {}), month_input())
    statements.revoke_clearing(store, call("3204", {}), st.ClearingRevocation(clr_appy_evt_id=evt_id))
    with pytest.raises(Refused, match="already withdrawn"):
        statements.revoke_clearing(store, call("3204", {}), st.ClearingRevocation(clr_appy_evt_id=evt_id))
    types = [e.event_type for _, e in store.events]
    assert types == ["InstitutionStatementIssued", "ClearingApplied", "ClearingApplicationRevoked"]
    assert store.events[2][1].payload["application"]["status"] == "revoked"
    assert statements.read_statement(store, sid)["applications"][0]["status"] == "revoked"


def test_a_stranger_cannot_withdraw_an_application_and_learns_nothing_of_it() -> None:
    store = FakeStore()
    issued(store)
    evt_id = statements.apply_for_clearing(store, call("3203", {}), month_input()).output["clr_appy_evt_id"]
    with pytest.raises(Refused) as refused:
        statements.revoke_clearing(
            store, call("3204", {}, inst=STRANGER), st.ClearingRevocation(clr_appy_evt_id=evt_id)
        )
    assert refused.value.code == "APPLICATION_UNKNOWN"
    assert store.application_rows[evt_id].status == "applied"


def test_after_the_bureau_confirms_nothing_can_be_withdrawn_or_applied() -> None:
    store = FakeStore()
    sid = issued(store)
    evt_id = statements.apply_for_clearing(store, call("3203", {}), month_input()).output["clr_appy_evt_id"]
    confirmed = statements.confirm_statement(store, sid, NOW, "clearing-02")
    assert (confirmed["status"], confirmed["confirmable"], confirmed["applications"][0]["status"]) == (
        "confirmed",
        False,
        "confirmed",
    )
    with pytest.raises(Refused) as refused:
        statements.revoke_clearing(store, call("3204", {}), st.ClearingRevocation(clr_appy_evt_id=evt_id))
    assert refused.value.code == "STATEMENT_CONFIRMED"
    with pytest.raises(Refused) as closed:
        statements.apply_for_clearing(store, call("3203", {}), month_input(clr_type="21", psntime=1))
    assert closed.value.code == "STATEMENT_CONFIRMED"
    with pytest.raises(Conflict):
        statements.confirm_statement(store, sid, NOW, "clearing-02")
    assert store.events[-1][1].event_type == "InstitutionStatementConfirmed"


def test_3203_waits_for_the_month_to_close_and_the_statement_to_be_issued() -> None:
    store = FakeStore()
    november(store)
    with pytest.raises(Refused) as not_issued:
        statements.apply_for_clearing(store, call("3203", {}), month_input())
    assert not_issued.value.code == "STATEMENT_NOT_ISSUED"
    december = month_input(setlym="202612", begndate="2026-12-01", enddate="2026-12-02")
    with pytest.raises(Refused) as still_open:
        statements.apply_for_clearing(store, call("3203", {}), december)
    assert still_open.value.code == "MONTH_OPEN"


def test_setlym_may_be_written_with_a_dash_or_left_to_the_dates() -> None:
    assert st.application_month(month_input(setlym="2026-11")) == "2026-11"
    assert st.application_month(month_input(setlym="Tue Nov")) == "2026-11"  # cut from a date's text form
    with pytest.raises(Refused, match="must lie in setlym 202611"):
        st.application_month(month_input(enddate="2026-12-01"))
