"""3101 / 3102: the fund-supervision engine over a HIS's orders, before and during care. They
advise and never settle: nothing is stored, the answer names each violation and what settlement
would do (its rule's action)."""

from __future__ import annotations

from settlement.domain import supervision as sv
from settlement.domain import supervision_door as sd
from settlement.domain.errors import Refused

from .common import Call, Outcome
from .ports import Store
from .supervising import with_history


def analyze(store: Store, call: Call, data: sd.Analysis) -> Outcome:
    rules = store.supervision_rules_on(call.now.date())
    try:
        checks = sd.checks(
            data, medins_id=call.req.fixmedins_code, hosp_lv=call.inst.hosp_lv, now=call.now, infno=call.req.infno
        )
    except ValueError as exc:
        raise Refused(str(exc), code="INPUT_INVALID") from None
    ids = sd.rule_ids(data)
    if rules is None:
        return Outcome({"result": []})
    if ids:
        # Deployed clients send placeholders here (the infno "3101", a hospital's own rule numbers):
        # ids the rule set does not have are ignored, and with no known id left every rule runs.
        unknown = set(sv.unknown_rule_ids(rules, ids))
        ids = [i for i in ids if i not in unknown] or None
    result = []
    for check in checks:
        full = with_history(
            store, rules, check, check.patient.patn_id, exclude_mdtrt_id=check.encounter.mdtrt_id, rule_ids=ids
        )
        result += [sd.result_row(v, full, data.task_id) for v in sv.evaluate(rules, full, rule_ids=ids)]
    return Outcome({"result": result})
