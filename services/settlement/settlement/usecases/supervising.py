"""Fund supervision at settlement: the rule set in force runs over the lines being settled.

The rule's action decides (docs/supervision.md): RECORD changes no money; EXCLUDE takes the
offending amount out of fund payment (the person pays it in full, setl_proc_info names the rule);
REFUSE refuses the settlement naming the rule and the line. A pre-settlement (2206, 2303, 2101)
runs the same engine and so answers exactly what the settlement will do; only a final settlement
stores the violations (and their events, staged by the store in the same unit of work).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from medshared.money import ZERO, money
from settlement.domain import supervision as sv
from settlement.domain.errors import Refused
from settlement.policy import LineResult

from .common import Call
from .ports import Store
from .supervision_review import violation_rows

SCENES = {
    "2206": sv.Scene.OUTPATIENT_PRESETTLEMENT,
    "2207": sv.Scene.OUTPATIENT_SETTLEMENT,
    "2303": sv.Scene.INPATIENT_PRESETTLEMENT,
    "2304": sv.Scene.INPATIENT_SETTLEMENT,
    "2101": sv.Scene.PHARMACY,
    "2102": sv.Scene.PHARMACY,
}
PROC_INFO_LIMIT = 4000  # setl_proc_info C4000


@dataclass(frozen=True)
class Supervised:
    """What the engine found on one settlement, under which rule set."""

    version: str | None = None
    violations: tuple[sv.Violation, ...] = ()
    excluded: dict[str, Decimal] = dataclasses.field(default_factory=dict)

    @property
    def note(self) -> str:
        """The words setl_proc_info adds: each excluding rule with its lines and amount."""
        parts = []
        for v in self.violations:
            if v.action is sv.Action.EXCLUDE:
                lines = "、".join(v.line_keys)
                parts.append(f"{v.rule_id} {v.rule_name}：明细 {lines} 不予基金支付 {money(v.amount)}")
        return ("基金监管 " + "；".join(parts)) if parts else ""


NOTHING = Supervised()


def with_history(
    store: Store,
    rules: sv.RuleSet,
    check: sv.Check,
    psn_no: str,
    *,
    exclude_mdtrt_id: str | None,
    rule_ids: list[str] | None = None,
) -> sv.Check:
    """`check` with what its rules read of the person's history; nothing is read when they read none."""
    need = sv.history_need(rules, check, rule_ids=rule_ids)
    if not need:
        return check
    return dataclasses.replace(
        check, history=store.supervision_history(psn_no, need, exclude_mdtrt_id=exclude_mdtrt_id)
    )


def supervise(
    store: Store, call: Call, psn: Any, row: Any, lines: Sequence[Any], rules: sv.RuleSet | None
) -> Supervised:
    """Run `rules` (the rule set in force today) over `lines` (fee-line rows with feedetl_sn, med_list_codg,
    cnt, pric, det_item_fee_sumamt and fee_ocur_time) of visit `row`; refuse when a REFUSE rule is broken."""
    if rules is None or not rules.rules:
        return NOTHING
    begin = row.begntime
    mdtrt_id = row.mdtrt_id or None
    diagnoses = tuple(d for d in (getattr(row, "dise_codg", None),) if d)
    # Only a payment-scope rule reads diagnoses: no other rule set pays for the visit's diagnosis query.
    if mdtrt_id and any(r.category is sv.Category.PAYMENT_SCOPE for r in rules.rules):
        diagnoses += tuple(d.diag_code for d in store.diagnoses([mdtrt_id]) if d.diag_code not in diagnoses)
    check = sv.Check(
        patient=sv.Patient(psn.psn_no, psn.gend, psn.brdy, row.insutype),
        encounter=sv.Encounter(
            mdtrt_id=row.mdtrt_id or "",
            kind=getattr(row, "kind", "pharmacy"),
            med_type=row.med_type,
            medins_id=call.req.fixmedins_code,
            hosp_lv=call.inst.hosp_lv,
            begin=begin,
            end=getattr(row, "endtime", None),
            diagnoses=diagnoses,
        ),
        lines=[
            sv.Line(
                key=x.feedetl_sn,
                code=x.med_list_codg,
                name=getattr(x, "medins_list_name", None),
                cnt=x.cnt,
                pric=x.pric,
                amount=x.det_item_fee_sumamt,
                when=x.fee_ocur_time or begin,
            )
            for x in lines
        ],
        scene=SCENES.get(call.req.infno, sv.Scene.OUTPATIENT_SETTLEMENT),
    )
    check = with_history(store, rules, check, psn.psn_no, exclude_mdtrt_id=mdtrt_id)
    found = sv.evaluate(rules, check)
    refusal = sv.first_refusal(found)
    if refusal is not None:
        raise Refused(
            f"基金监管规则 {refusal.rule_id}（{refusal.rule_name}）不予结算：{refusal.text}；"
            f"明细 feedetl_sn {'、'.join(refusal.line_keys) or '-'}。"
            "correct or withdraw those fee lines (2205 / 2302) and settle again",
            code="SUPERVISION_REFUSED",
        )
    return Supervised(rules.version, tuple(found), sv.excluded_amounts(found))


def exclude(classified: list[LineResult], excluded: dict[str, Decimal]) -> list[LineResult]:
    """Move each excluded amount of a line out of fund payment into the person's full own payment.
    The rest of the line keeps its split in proportion (over-limit and pre-self-pay parts scaled,
    half-up to the cent, the in-scope part what remains), as if the line had cost that much less."""
    if not excluded:
        return classified
    out = []
    for line in classified:
        eligible = line.inscp_scp_amt + line.preselfpay_amt + line.overlmt_amt
        amount = min(excluded.get(line.feedetl_sn, ZERO), eligible)
        if amount <= ZERO or eligible <= ZERO:
            out.append(line)
            continue
        ratio = (eligible - amount) / eligible
        overlmt, pre = money(line.overlmt_amt * ratio), money(line.preselfpay_amt * ratio)
        out.append(
            dataclasses.replace(
                line,
                overlmt_amt=overlmt,
                preselfpay_amt=pre,
                inscp_scp_amt=eligible - amount - overlmt - pre,
                fulamt_ownpay_amt=line.fulamt_ownpay_amt + amount,
            )
        )
    return out


def annotate(details: list[dict[str, Any]], supervised: Supervised) -> list[dict[str, Any]]:
    """setldetail[] with the excluding rules named in each row's setl_proc_info."""
    note = supervised.note
    if not note:
        return details
    return [
        dict(
            d, setl_proc_info=(f"{d['setl_proc_info']}；{note}" if d.get("setl_proc_info") else note)[:PROC_INFO_LIMIT]
        )
        for d in details
    ]


def store_found(store: Store, call: Call, row: Any, supervised: Supervised, setl_id: str) -> None:
    """At a final settlement: store what the engine found (the store stages each event)."""
    if not supervised.violations or supervised.version is None:
        return
    store.add_violations(
        violation_rows(
            supervised.violations,
            rule_set_version=supervised.version,
            setl_id=setl_id,
            mdtrt_id=row.mdtrt_id,
            psn_no=row.psn_no,
            fixmedins_code=call.req.fixmedins_code,
            admdvs=call.inst.admdvs,
            found_at=call.now,
        )
    )
