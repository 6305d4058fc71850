"""4101 / 4101A 医疗保障基金结算清单信息上传, 4102 状态修改, 4103 查询, 4104 质控结果查询, and the operator's
quality-control rule versions.

A list belongs to one settled, not reversed, settlement of the calling institution; there is one per
settlement. An upload stores the list and the quality-control result of the rule version in force
(answered at once and by 4104); it is refused only when the input is malformed or does not belong to
the caller. While the list is 未提交 (stas_type 0) an upload replaces it; 4102 submits it (stas_type 1,
only once it passes quality control), which locks it, and withdraws it (stas_type 0) to correct it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from medshared import jsonutil
from medshared.errors import Conflict, NotFound
from medshared.events import utcnow
from medshared.money import ZERO, money
from medshared.national import INF_TIME_FORMAT, page_frame
from settlement import outputs
from settlement.domain import setllist_nodes as nd
from settlement.domain import setllists as qc
from settlement.domain.errors import Refused

from . import setllist_answers as answers
from .common import Call, Outcome, new_id
from .ports import Store

# --------------------------------------------------------------------------- 4101 / 4101A


def upload(store: Store, call: Call, data: nd.SetlInfo) -> Outcome:
    """4101 / 4101A: store the list of a settlement and its quality-control result."""
    infno = call.req.infno
    sent = nd.read_list(data, call.req.input)
    setl = _own_settlement(store, call, data.setl_id, data.mdtrt_id, data.psn_no)
    if data.fixmedins_code and data.fixmedins_code != call.req.fixmedins_code:
        raise Refused(
            f"setlinfo.fixmedins_code {data.fixmedins_code} is not the calling institution {call.req.fixmedins_code}",
            code="INPUT_INVALID",
        )
    # The visit's row lock orders two uploads of the same settlement's list (the first inserts it).
    visit = store.visit(setl.mdtrt_id, lock=True)
    assert visit is not None  # a settlement is of a visit
    existing = store.setl_list(setl.setl_id, lock=True)
    if existing is not None and existing.stas_type == nd.SUBMITTED:
        raise Refused(
            f"the list of setl_id {setl.setl_id} is submitted (stas_type 1) and locked; withdraw it with 4102 "
            "(stas_type 0) before uploading it again",
            code="LIST_LOCKED",
        )
    settled = _settled(store, setl, visit)
    rules = _rules_on(store, call.now.date())
    if infno == nd.UPLOAD_A:
        sent = sent.with_rows(**nd.derived_rows(settled, rules.account_funds))
    columns = _qc_columns(_check(store, rules, sent, infno, visit.kind, settled, call.now.date()))
    setl_list_id = existing.setl_list_id if existing is not None else new_id(call.inst.admdvs, call.now)
    values = {
        "infno": infno,
        "stas_type": nd.DRAFT,
        "body": jsonutil.dumps(_body(sent, infno)),
        **columns,
        "uploaded_at": call.now,
        "submitted_at": None,
    }
    if existing is None:
        store.add_setl_list(
            {
                "setl_list_id": setl_list_id,
                "setl_id": setl.setl_id,
                "mdtrt_id": setl.mdtrt_id,
                "psn_no": setl.psn_no,
                "fixmedins_code": setl.fixmedins_code,
                "setl_ym": f"{setl.setl_time:%Y%m}",
                "revision": 1,
                **values,
            }
        )
    else:
        store.update_setl_list(setl.setl_id, revision=existing.revision + 1, **values)
    output = {
        "setl_list_id": setl_list_id,
        "data": {"setl_list_id": setl_list_id},  # the Powersi client reads output.data.setl_list_id
        "stas_type": nd.DRAFT,
        **_qc_answer(columns),
    }
    return Outcome(output, psn_no=setl.psn_no, ref_id=setl_list_id)


def _own_settlement(store: Store, call: Call, setl_id: str, mdtrt_id: str | None, psn_no: str | None) -> Any:
    row = store.settlement(setl_id)
    if row is None or row.fixmedins_code != call.req.fixmedins_code:
        raise Refused(f"setl_id {setl_id} is not a settlement of {call.req.fixmedins_code}", code="SETTLEMENT_UNKNOWN")
    if row.init_setl_id is not None:
        raise Refused(
            f"setl_id {setl_id} is the reversal of {row.init_setl_id}; a settlement list belongs to a settlement",
            code="SETTLEMENT_REVERSED",
        )
    if row.reversed_by is not None:
        raise Refused(
            f"setl_id {setl_id} was reversed (by {row.reversed_by}); upload the list of the settlement that "
            "replaced it",
            code="SETTLEMENT_REVERSED",
        )
    if mdtrt_id and mdtrt_id != row.mdtrt_id:
        raise Refused(f"setl_id {setl_id} settled mdtrt_id {row.mdtrt_id}, not {mdtrt_id}", code="INPUT_INVALID")
    if psn_no and psn_no != row.psn_no:
        raise Refused(f"setl_id {setl_id} is a settlement of psn_no {row.psn_no}, not {psn_no}", code="INPUT_INVALID")
    return row


def _settled(store: Store, setl: Any, visit: Any) -> nd.Settled:
    """The settlement's own fee summary, fund payments and amounts, which the list must equal."""
    catalogue = store.catalogue_on(setl.setl_time.date())
    lines = [
        nd.SettledLine(
            outputs.chrgitm_type(x.med_list_codg, catalogue.lookup(x.med_list_codg, visit.mdtrtarea_admvs)),
            x.chrgitm_lv,
            x.det_item_fee_sumamt,
            x.fulamt_ownpay_amt,
        )
        for x in store.fee_lines(setl.mdtrt_id)
        if x.setl_id == setl.setl_id
    ]
    funds: dict[str, Any] = {}
    for detail in jsonutil.loads(setl.setldetail):
        funds[detail["fund_pay_type"]] = money(funds.get(detail["fund_pay_type"], ZERO) + detail["fund_payamt"])
    info = jsonutil.loads(setl.setlinfo)
    ownpay = money(info.get("fulamt_ownpay_amt", ZERO) + info.get("overlmt_selfpay", ZERO))
    amounts = {
        "medfee_sumamt": money(setl.medfee_sumamt),
        "fund_pay_sumamt": money(setl.fund_pay_sumamt),
        "acct_pay": money(setl.acct_pay),
        "psn_cash_pay": money(setl.psn_cash_pay),
        "psn_ownpay": ownpay,
        "psn_selfpay": money(setl.medfee_sumamt - setl.fund_pay_sumamt - ownpay),
    }
    return nd.Settled(nd.fee_summary(lines), funds, amounts)


def _rules_on(store: Store, day: dt.date) -> qc.RuleSet:
    row = store.setl_qc_rules_on(day)
    return qc.NO_RULES if row is None else qc.parse_rules(jsonutil.loads(row.body))


def _check(
    store: Store, rules: qc.RuleSet, sent: nd.SetlList, infno: str, kind: str, settled: nd.Settled, day: dt.date
) -> qc.QcResult:
    lookups = qc.catalogue_lookups(rules, sent, infno, kind)
    known = {name: store.setl_list_catalogue_codes(name, codes, day) for name, codes in lookups.items()}
    return qc.check(rules, qc.Facts(sent, infno, kind, settled, known))


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.strftime(INF_TIME_FORMAT)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _node_dict(model: Any) -> dict[str, Any]:
    return {k: _plain(v) for k, v in model.model_dump(exclude_none=True).items()}


def _body(sent: nd.SetlList, infno: str) -> dict[str, Any]:
    body: dict[str, Any] = {"setlinfo": _node_dict(sent.setlinfo)}
    body.update({name: [_node_dict(row) for row in sent.node(name)] for name in nd.ROW_MODELS})
    if infno == nd.UPLOAD_A:
        body["derived"] = list(nd.DERIVED)
    return body


def _qc_columns(result: qc.QcResult) -> dict[str, Any]:
    """The stored result: its outcome and one row per problem (qc_detail)."""
    detail = [
        {"rule_id": p.rule_id, "node": p.node, "row": p.row, "field": p.field, "err_lv": p.err_lv,
         "message": p.message, "value": p.value}
        for p in result.problems
    ]  # fmt: skip
    return {
        "qltctrl_rslt": nd.PASSED if result.passed else nd.FAILED,
        "err_lv": result.err_lv,
        "retn_flag": "0" if result.passed else "1",
        "qltctrl_ver": result.version,
        "qc_detail": jsonutil.dumps(detail),
    }


def _detl_list(qc_detail: str) -> list[dict[str, Any]]:
    """One detl_list row per stored problem: the national fields, then where it is and which rule found it."""
    return [
        {
            "exam_data_fld": qc.field_path(p["node"], p["row"], p["field"]),
            "qltctrl_chkrslt": p["message"],
            "err_lv": p["err_lv"],
            "retn_flag": "1" if p["err_lv"] == nd.ERROR else "0",
            "init_val": p["value"],
            "rule_id": p["rule_id"],
            "node": p["node"],
            "row": p["row"],
            "field": p["field"],
        }
        for p in jsonutil.loads(qc_detail)
    ]


def _qc_answer(columns: dict[str, Any]) -> dict[str, Any]:
    names = ("qltctrl_rslt", "err_lv", "retn_flag", "qltctrl_ver")
    return {**{k: columns[k] for k in names}, "detl_list": _detl_list(columns["qc_detail"])}


# --------------------------------------------------------------------------- 4102, 4103, 4104


def _own_list(store: Store, call: Call, setl_id: str, psn_no: str | None, *, lock: bool = False) -> Any:
    row = store.setl_list(setl_id, lock=lock)
    if row is None or row.fixmedins_code != call.req.fixmedins_code:
        raise Refused(
            f"no settlement list of setl_id {setl_id} at {call.req.fixmedins_code}; upload it with 4101 first",
            code="LIST_UNKNOWN",
        )
    if psn_no and psn_no != row.psn_no:
        raise Refused(f"the list of setl_id {setl_id} is of psn_no {row.psn_no}, not {psn_no}", code="INPUT_INVALID")
    return row


def change_status(store: Store, call: Call, data: nd.StatusChange) -> Outcome:
    """4102: submit (stas_type 1: locked, only a list that passed quality control) or withdraw (0)."""
    answered = []
    for row in data.stastinfo:
        found = _own_list(store, call, row.setl_id, row.psn_no, lock=True)
        if row.stas_type == nd.SUBMITTED and found.stas_type != nd.SUBMITTED:
            if found.qltctrl_rslt != nd.PASSED:
                raise Refused(
                    f"the list of setl_id {row.setl_id} failed quality control; correct the fields 4104 names and "
                    "upload it again (4101) before submitting it",
                    code="LIST_FAILED_QC",
                )
            setl = store.settlement(row.setl_id)
            if setl is None or setl.reversed_by is not None:
                raise Refused(
                    f"setl_id {row.setl_id} was reversed; its list cannot be submitted", code="SETTLEMENT_REVERSED"
                )
            store.update_setl_list(row.setl_id, stas_type=nd.SUBMITTED, submitted_at=call.now)
        elif row.stas_type == nd.DRAFT and found.stas_type != nd.DRAFT:
            store.update_setl_list(row.setl_id, stas_type=nd.DRAFT, submitted_at=None)
        answered.append(
            {
                "setl_id": row.setl_id,
                "psn_no": row.psn_no,
                "setl_list_id": found.setl_list_id,
                "stas_type": row.stas_type,
            }
        )
    return Outcome({"stastinfo": answered}, psn_no=data.stastinfo[0].psn_no)


def query(store: Store, call: Call, data: nd.ListQuery) -> Outcome:
    """4103: the stored list, in the query's field names, with the platform's values where the list is silent."""
    found = _own_list(store, call, data.setl_id, data.psn_no)
    setl = store.settlement(found.setl_id)
    body = jsonutil.loads(found.body)
    person = store.person(found.psn_no)
    visit = store.visit(found.mdtrt_id)
    return Outcome(answers.list_4103(found, body, setl, person, visit, call.inst), psn_no=found.psn_no)


def qc_results(store: Store, call: Call, data: nd.QcQuery) -> Outcome:
    """4104: the quality-control result of one settlement's list (setl_id) or of a month's (setl_ym)."""
    if data.setl_id:
        found = _own_list(store, call, data.setl_id, data.psn_no)
        total, rows = 1, [found]
    elif data.setl_ym:
        filters = {k: v for k in ("setl_ym", "psn_no", "err_lv", "retn_flag") if (v := getattr(data, k))}
        total, rows = store.setl_lists_page(
            call.req.fixmedins_code, filters, (data.page_num - 1) * data.page_size, data.page_size
        )
    else:
        raise Refused("input.data: send setl_id (one list) or setl_ym (yyyyMM, a month's lists)", code="INPUT_INVALID")
    records = [_qc_record(store, call, row) for row in rows]
    first = records[0] if data.setl_id else {}
    frame = page_frame(total, len(records), data.page_num if not data.setl_id else 1, data.page_size)
    return Outcome({**first, "data": records, **frame}, psn_no=rows[0].psn_no if data.setl_id else None)


def _qc_record(store: Store, call: Call, row: Any) -> dict[str, Any]:
    person = store.person(row.psn_no)
    return {
        "fixmedins_code": row.fixmedins_code,
        "fixmedins_name": getattr(call.inst, "fixmedins_name", None),
        "setl_ym": row.setl_ym,
        "setl_id": row.setl_id,
        "setl_list_id": row.setl_list_id,
        "psn_no": row.psn_no,
        "psn_name": person.psn_name,
        "psn_cert_type": person.psn_cert_type,
        "cert_no": person.certno,
        "qltctrl_rslt": row.qltctrl_rslt,
        "err_lv": row.err_lv,
        "retn_flag": row.retn_flag,
        "qltctrl_ver": row.qltctrl_ver,
        "grp_stas": None,  # DRG/DIP grouping is not run here
        "stas_type": row.stas_type,
        "detl_list": _detl_list(row.qc_detail),
    }


# --------------------------------------------------------------------------- operators: rule versions


def publish_qc_rules(store: Store, body: Any) -> dict[str, Any]:
    """A new quality-control rule version; it applies to lists uploaded from its effective_from date."""
    rules = qc.parse_rules(body)
    if store.setl_qc_rules(rules.version) is not None:
        raise Conflict("version_exists", f"rule version {rules.version} is already published; publish a new version")
    published = utcnow()
    store.add_setl_qc_rules(
        {
            "version": rules.version,
            "effective_from": rules.effective_from,
            "body": jsonutil.dumps(body),
            "published_at": published,
        }
    )
    return _summary(rules.version, rules.effective_from, published, len(rules.rules))


def load_qc_rules(store: Store, body: Any) -> None:
    """Publish a rule version unless it is published already (the demo data, loaded twice, changes nothing)."""
    if store.setl_qc_rules(str(body.get("version"))) is None:
        publish_qc_rules(store, body)


def qc_rule_versions(store: Store) -> list[dict[str, Any]]:
    rows = store.setl_qc_versions()
    return [_summary(r.version, r.effective_from, r.published_at, len(jsonutil.loads(r.body)["rules"])) for r in rows]


def qc_rule_version(store: Store, version: str) -> dict[str, Any]:
    row = store.setl_qc_rules(version)
    if row is None:
        raise NotFound("version_unknown", f"no quality-control rule version {version}; GET the list of versions")
    body: dict[str, Any] = jsonutil.loads(row.body)
    return body


def _summary(version: str, effective_from: dt.date, published_at: dt.datetime, count: int) -> dict[str, Any]:
    return {
        "version": version,
        "effective_from": effective_from.isoformat(),
        "published_at": published_at.isoformat(),
        "rules": count,
    }
