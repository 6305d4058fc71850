"""3202 对明细账, 3203 清算申请, 3204 清算申请撤销, and the institution's monthly statement.

3202: the HIS uploads its detail file (9101), names it by file_qury_no; the platform compares its
lines with the institution's settlements of the period and offers the result file for 9102. 3203
applies for a closed month's clearing of one clr_type, checked against the statement a bureau
operator generated for that month; 3204 withdraws the application until the bureau confirms the
statement. The rules and the choices behind them: settlement.domain.statements.

Every state change (a statement issued or confirmed, an application made or withdrawn) stages its
event on settlement.settlements.v1 in the same unit of work, keyed by the statement_id so one
statement's story stays in order (docs/events.md).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from medshared import jsonutil
from medshared.errors import Conflict, Invalid, NotFound
from medshared.events import Event
from medshared.money import money
from settlement.domain import statement_files as sf
from settlement.domain import statements as st
from settlement.domain.errors import Refused
from settlement.domain.files import UPLOAD
from settlement.messaging.contracts import PRODUCER, SETTLEMENTS_TOPIC

from .common import Call, Outcome, new_id
from .files import offer_download
from .ports import Store

FILE_LIMITS = sf.FileLimits()
ISSUED, CONFIRMED = "issued", "confirmed"
APPLIED, REVOKED = "applied", "revoked"  # an application's status; "confirmed" with its statement
LOOKUP_MAX = 2_000  # file lines not in the period whose setl_id is looked up to say where it is


def statement_id(fixmedins_code: str, month: str) -> str:
    return f"ST-{fixmedins_code}-{month}"


def _iso(moment: dt.datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


# ---------------------------------------------------------------- 3202


def reconcile_details(store: Store, call: Call, data: st.DetailReconciliation) -> Outcome:
    """3202: the result of comparing the uploaded detail file with the platform, as a file for 9102."""
    own = call.req.fixmedins_code
    st.check_period(data.stmt_begndate, data.stmt_enddate)
    if data.setl_optins != call.inst.admdvs:
        raise Refused(
            f"setl_optins {data.setl_optins} is not the settlement agency of {own}'s settlements: send "
            f"{call.inst.admdvs}",
            code="INPUT_INVALID",
        )
    content = _uploaded(store, call, data.file_qury_no)
    try:
        his_rows = sf.read_detail_file(content, FILE_LIMITS)
    except Refused as exc:
        raise _in_file(data.file_qury_no, exc) from None
    begin = dt.datetime.combine(data.stmt_begndate, dt.time.min)
    end = dt.datetime.combine(data.stmt_enddate + dt.timedelta(days=1), dt.time.min)
    rows = store.period_settlements(
        own,
        begin,
        end,
        clr_optins=data.setl_optins,
        clr_type=data.clr_type,
        insutype=data.insutype,
        limit=FILE_LIMITS.max_rows + 1,
    )
    if len(rows) > FILE_LIMITS.max_rows:
        raise Refused(
            f"{own} has more than {FILE_LIMITS.max_rows:,} settlements from {data.stmt_begndate} to "
            f"{data.stmt_enddate}; reconcile a shorter period in each call",
            code="PERIOD_TOO_LARGE",
        )
    platform = [_platform(r) for r in rows]
    if data.refd_setl_flag == "1":  # the HIS lists only settlements no reversal touched
        platform = [p for p in platform if p.refd_setl_flag == "0"]
    try:
        his_rows = sf.unique(sf.oriented(his_rows, [p.setl_id for p in platform]))
    except Refused as exc:
        raise _in_file(data.file_qury_no, exc) from None
    known = {p.setl_id for p in platform}
    unknown = [r.setl_id for r in his_rows if r.setl_id not in known][:LOOKUP_MAX]
    elsewhere = {r.setl_id: _platform(r) for r in store.settlements_by_id(own, unknown)} if unknown else {}
    period = f"{data.stmt_begndate} to {data.stmt_enddate}"
    results = st.compare(his_rows, platform, period=period, elsewhere=elsewhere)
    sent = st.SentTotals(data.medfee_sumamt, data.fund_pay_sumamt, data.cash_payamt, data.fixmedins_setl_cnt)
    stmt_rslt, dscr = st.summary(sent, platform, results)
    result = sf.result_zip(sf.result_text(r.cells() for r in results))
    filename = f"{own}_{data.stmt_begndate:%Y%m%d}_{data.stmt_enddate:%Y%m%d}_result.zip"
    offered = offer_download(store, call, result, filename=filename)
    fileinfo = {
        "file_qury_no": offered["file_qury_no"],
        "filename": offered["filename"],
        "dld_endtime": offered["dld_endtime"],
        "stmt_rslt": stmt_rslt,
        "stmt_rslt_dscr": dscr,
    }
    return Outcome({"fileinfo": fileinfo}, ref_id=offered["file_qury_no"])


def _in_file(file_qury_no: str, exc: Refused) -> Refused:
    return Refused(f"file_qury_no {file_qury_no}: {exc.message}", code=exc.code)


def _uploaded(store: Store, call: Call, file_qury_no: str) -> bytes:
    """The bytes of a file the calling institution uploaded with 9101; a stranger's reads as unknown."""
    own = call.req.fixmedins_code
    row = store.file(file_qury_no)
    if row is None or row.fixmedins_code != own or row.origin != UPLOAD:
        raise Refused(
            f"file_qury_no {file_qury_no} is not a file {own} uploaded: upload the detail file with 9101 and "
            "send the file_qury_no it answered",
            code="FILE_UNKNOWN",
        )
    content = store.file_content(file_qury_no) if row.dld_endtime > call.now else None
    if content is None:
        raise Refused(
            f"file_qury_no {file_qury_no} expired at {row.dld_endtime:%Y-%m-%d %H:%M:%S}: upload the detail "
            "file again with 9101",
            code="FILE_EXPIRED",
        )
    return content


def _platform(row: Any) -> st.PlatformSettlement:
    return st.PlatformSettlement(
        setl_id=row.setl_id,
        mdtrt_id=row.mdtrt_id,
        psn_no=row.psn_no,
        msgid=row.medins_setl_id,
        setl_time=row.setl_time,
        medfee_sumamt=row.medfee_sumamt,
        fund_pay_sumamt=row.fund_pay_sumamt,
        acct_pay=row.acct_pay,
        psn_cash_pay=row.psn_cash_pay,
        init_setl_id=row.init_setl_id,
        reversed_by=row.reversed_by,
    )


# ---------------------------------------------------------------- 3203 / 3204


def apply_for_clearing(store: Store, call: Call, data: st.ClearingApplication) -> Outcome:
    """3203: record the institution's clearing application for one clr_type of a closed month."""
    own = call.req.fixmedins_code
    month = st.application_month(data)
    if not st.month_closed(month, call.now):
        closes = st.month_bounds(month)[1] + st.CLOSE_GRACE
        raise Refused(
            f"setlym {month.replace('-', '')} is not closed yet: apply from {closes:%Y-%m-%d %H:%M}, once the "
            "bureau has issued the month's statement",
            code="MONTH_OPEN",
        )
    sid = statement_id(own, month)
    statement = store.statement(sid, lock=True)
    if statement is None:
        raise Refused(
            f"the bureau has not issued {own}'s statement of {month} yet: apply once it is issued",
            code="STATEMENT_NOT_ISSUED",
        )
    if statement.status == CONFIRMED:
        raise Refused(
            f"statement {sid} was confirmed by the bureau at {statement.confirmed_at:%Y-%m-%d %H:%M:%S}; "
            "its clearing is closed",
            code="STATEMENT_CONFIRMED",
        )
    for other in store.clearing_applications(sid):
        if other.status == APPLIED and other.clr_type == data.clr_type:
            raise Refused(
                f"clr_appy_evt_id {other.clr_appy_evt_id} already applies for clr_type {data.clr_type} of "
                f"{month}; withdraw it with 3204 before applying again",
                code="ALREADY_APPLIED",
            )
    lines = jsonutil.loads(statement.by_clr_type)
    line = st.Figures.from_dict(lines[data.clr_type]) if data.clr_type in lines else st.Figures()
    found = st.application_differences(data, line)
    if found:
        raise Refused(
            f"the application differs from statement {sid} (clr_type {data.clr_type}): {'; '.join(found)}. "
            "Reconcile the month (3201 / 3202) and apply with the statement's amounts",
            code="APPLICATION_MISMATCH",
        )
    evt_id = new_id(call.inst.admdvs, call.now)
    values = {
        "clr_appy_evt_id": evt_id,
        "statement_id": sid,
        "fixmedins_code": own,
        "month": month,
        "clr_type": data.clr_type,
        "clr_way": data.clr_way,
        "setlym": data.setlym,
        "psntime": data.psntime,
        "medfee_sumamt": data.medfee_sumamt,
        "med_sumfee": data.med_sumfee,
        "fund_appy_sum": data.fund_appy_sum,
        "cash_payamt": data.cash_payamt,
        "acct_pay": data.acct_pay,
        "begndate": data.begndate,
        "enddate": data.enddate,
        "status": APPLIED,
        "msgid": call.req.msgid,
        "applied_at": call.now,
        "revoked_at": None,
        "revoke_msgid": None,
        "version": 1,
    }
    store.add_clearing_application(values)
    store.stage(SETTLEMENTS_TOPIC, Event("ClearingApplied", sid, {"application": application_view(values)}, PRODUCER))
    return Outcome({"clr_appy_evt_id": evt_id, "result": {"clr_appy_evt_id": evt_id}}, ref_id=evt_id)


def revoke_clearing(store: Store, call: Call, data: st.ClearingRevocation) -> Outcome:
    """3204: withdraw a clearing application while the bureau has not confirmed its statement."""
    own = call.req.fixmedins_code
    app = store.clearing_application(data.clr_appy_evt_id, lock=True)
    if app is None or app.fixmedins_code != own:
        raise Refused(
            f"clr_appy_evt_id {data.clr_appy_evt_id} is not a clearing application of {own}: send the "
            "clr_appy_evt_id 3203 answered",
            code="APPLICATION_UNKNOWN",
        )
    statement = store.statement(app.statement_id, lock=True)
    if app.status == REVOKED:
        raise Refused(
            f"clr_appy_evt_id {app.clr_appy_evt_id} was already withdrawn at {app.revoked_at:%Y-%m-%d %H:%M:%S}",
            code="ALREADY_REVOKED",
        )
    if app.status == CONFIRMED or (statement is not None and statement.status == CONFIRMED):
        when = f" at {statement.confirmed_at:%Y-%m-%d %H:%M:%S}" if statement is not None else ""
        raise Refused(
            f"the bureau confirmed statement {app.statement_id}{when}: clr_appy_evt_id {app.clr_appy_evt_id} "
            "can no longer be withdrawn",
            code="STATEMENT_CONFIRMED",
        )
    change = {"status": REVOKED, "revoked_at": call.now, "revoke_msgid": call.req.msgid, "version": app.version + 1}
    store.update_clearing_application(app.clr_appy_evt_id, **change)
    view = application_view(store.clearing_application(app.clr_appy_evt_id))
    store.stage(
        SETTLEMENTS_TOPIC, Event("ClearingApplicationRevoked", app.statement_id, {"application": view}, PRODUCER)
    )
    return Outcome(None, ref_id=app.clr_appy_evt_id)


def application_view(row: Any) -> dict[str, Any]:
    """An application as the operator API and the events show it."""

    def get(name: str) -> Any:
        return row[name] if isinstance(row, dict) else getattr(row, name)

    return {
        "clr_appy_evt_id": get("clr_appy_evt_id"),
        "statement_id": get("statement_id"),
        "fixmedins_code": get("fixmedins_code"),
        "month": get("month"),
        "clr_type": get("clr_type"),
        "clr_way": get("clr_way"),
        "setlym": get("setlym"),
        "psntime": get("psntime"),
        **{
            name: money(get(name))
            for name in ("medfee_sumamt", "med_sumfee", "fund_appy_sum", "cash_payamt", "acct_pay")
        },
        "begndate": get("begndate").isoformat(),
        "enddate": get("enddate").isoformat(),
        "status": get("status"),
        "msgid": get("msgid"),
        "applied_at": _iso(get("applied_at")),
        "revoked_at": _iso(get("revoked_at")),
        "version": get("version"),
    }


# ---------------------------------------------------------------- the monthly statement (bureau operators)


def _month(month: str) -> str:
    parsed = st.parse_month(month)
    if parsed is None:
        raise Invalid("invalid_month", f"month {month!r} must be yyyy-MM, e.g. 2026-11", field="month")
    return parsed


def _institution(store: Store, fixmedins_code: str) -> Any:
    inst = store.statement_institution(fixmedins_code)
    if inst is None:
        raise NotFound("institution_unknown", f"no institution {fixmedins_code}", field="fixmedins_code")
    return inst


def _funds(setldetail: str) -> tuple[tuple[str, Decimal], ...]:
    return tuple((d["fund_pay_type"], Decimal(str(d["fund_payamt"]))) for d in jsonutil.loads(setldetail) or ())


def month_figures(store: Store, fixmedins_code: str, month: str) -> tuple[st.Figures, dict[str, st.Figures]]:
    begin, end = st.month_bounds(month)
    sources = (
        st.MonthSource(
            clr_type=r.clr_type,
            reversal=r.init_setl_id is not None,
            medfee_sumamt=r.medfee_sumamt,
            fund_pay_sumamt=r.fund_pay_sumamt,
            acct_pay=r.acct_pay,
            psn_cash_pay=r.psn_cash_pay,
            funds=_funds(r.setldetail),
        )
        for r in store.month_settlements(fixmedins_code, begin, end)
    )
    return st.month_figures(sources)


def _figures_view(total: st.Figures, lines: dict[str, st.Figures]) -> dict[str, Any]:
    shown = total.to_dict()
    return {**shown, "by_clr_type": {k: v.to_dict() for k, v in lines.items()}}


def preview_statement(store: Store, fixmedins_code: str, month: str, now: dt.datetime) -> dict[str, Any]:
    """The month's figures as they stand, stored nowhere and never confirmable (an open month's may change)."""
    month = _month(month)
    inst = _institution(store, fixmedins_code)
    closed = st.month_closed(month, now)
    issued = store.statement(statement_id(fixmedins_code, month))
    note = (
        f"{month} is still open: its figures change until {st.month_bounds(month)[1]:%Y-%m-%d}; a statement "
        "is generated once the month is closed"
        if not closed
        else "the month is closed; generate the statement to confirm it"
        if issued is None
        else f"statement {issued.statement_id} is {issued.status}"
    )
    return {
        "statement_id": None if issued is None else issued.statement_id,
        "fixmedins_code": fixmedins_code,
        "fixmedins_name": inst.fixmedins_name,
        "clr_optins": inst.admdvs,
        "month": month,
        "status": "preview",
        "month_closed": closed,
        "confirmable": False,
        "note": note,
        **_figures_view(*month_figures(store, fixmedins_code, month)),
    }


def generate_statement(
    store: Store, fixmedins_code: str, month: str, now: dt.datetime, operator: str
) -> tuple[dict[str, Any], bool]:
    """Issue an institution's statement of a closed month; answers (statement, created). Asking again
    answers the statement issued: a closed month does not change."""
    month = _month(month)
    inst = _institution(store, fixmedins_code)
    if not st.month_closed(month, now):
        closes = st.month_bounds(month)[1] + st.CLOSE_GRACE
        raise Conflict(
            "month_open",
            f"{month} is not closed: its statement can be generated from {closes:%Y-%m-%d %H:%M}; preview it "
            "meanwhile (GET /admin/v1/statements/preview)",
        )
    sid = statement_id(fixmedins_code, month)
    existing = store.statement(sid)
    if existing is not None:
        return statement_view(store, existing), False
    total, lines = month_figures(store, fixmedins_code, month)
    figures = total.to_dict()
    values = {
        "statement_id": sid,
        "fixmedins_code": fixmedins_code,
        "fixmedins_name": inst.fixmedins_name,
        "month": month,
        "clr_optins": inst.admdvs,
        "status": ISSUED,
        "setl_cnt": total.setl_cnt,
        "settlements": total.settlements,
        **{
            name: figures[name] for name in ("medfee_sumamt", "fund_pay_sumamt", "acct_pay", "psn_cash_pay", "owed_amt")
        },
        "by_fund": jsonutil.dumps(figures["by_fund"]),
        "by_clr_type": jsonutil.dumps({k: v.to_dict() for k, v in lines.items()}),
        "generated_at": now,
        "generated_by": operator,
        "confirmed_at": None,
        "confirmed_by": None,
        "version": 1,
    }
    store.add_statement(values)
    row = store.statement(sid)
    view = statement_view(store, row)
    store.stage(SETTLEMENTS_TOPIC, Event("InstitutionStatementIssued", sid, {"statement": view}, PRODUCER))
    return view, True


def confirm_statement(store: Store, sid: str, now: dt.datetime, operator: str) -> dict[str, Any]:
    """The bureau confirms what it owes: the statement and the applications standing become final."""
    row = store.statement(sid, lock=True)
    if row is None:
        raise NotFound("statement_unknown", f"no statement {sid}")
    if row.status == CONFIRMED:
        raise Conflict(
            "already_confirmed",
            f"statement {sid} was confirmed by {row.confirmed_by} at {row.confirmed_at:%Y-%m-%d %H:%M:%S}",
        )
    for app in store.clearing_applications(sid):
        if app.status == APPLIED:
            store.update_clearing_application(app.clr_appy_evt_id, status=CONFIRMED, version=app.version + 1)
    store.update_statement(sid, status=CONFIRMED, confirmed_at=now, confirmed_by=operator, version=row.version + 1)
    view = statement_view(store, store.statement(sid))
    store.stage(SETTLEMENTS_TOPIC, Event("InstitutionStatementConfirmed", sid, {"statement": view}, PRODUCER))
    return view


def list_statements(
    store: Store, *, month: str | None = None, fixmedins_code: str | None = None, status: str | None = None
) -> list[dict[str, Any]]:
    month = _month(month) if month else None
    return [
        statement_view(store, row, with_applications=False)
        for row in store.statements(month=month, fixmedins_code=fixmedins_code, status=status)
    ]


def read_statement(store: Store, sid: str) -> dict[str, Any]:
    row = store.statement(sid)
    if row is None:
        raise NotFound("statement_unknown", f"no statement {sid}")
    return statement_view(store, row)


def statement_view(store: Store, row: Any, *, with_applications: bool = True) -> dict[str, Any]:
    """A statement as the operator API and the events show it."""
    view = {
        "statement_id": row.statement_id,
        "fixmedins_code": row.fixmedins_code,
        "fixmedins_name": row.fixmedins_name,
        "clr_optins": row.clr_optins,
        "month": row.month,
        "status": row.status,
        "confirmable": row.status == ISSUED,
        "setl_cnt": row.setl_cnt,
        "settlements": row.settlements,
        **{
            name: money(getattr(row, name))
            for name in ("medfee_sumamt", "fund_pay_sumamt", "acct_pay", "psn_cash_pay", "owed_amt")
        },
        "by_fund": jsonutil.loads(row.by_fund),
        "by_clr_type": jsonutil.loads(row.by_clr_type),
        "generated_at": _iso(row.generated_at),
        "generated_by": row.generated_by,
        "confirmed_at": _iso(row.confirmed_at),
        "confirmed_by": row.confirmed_by,
        "version": row.version,
    }
    if with_applications:
        view["applications"] = [application_view(a) for a in store.clearing_applications(row.statement_id)]
    return view
