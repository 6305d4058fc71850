"""The bureau's side of fund supervision (基金监管): rule sets published by an operator, the violations
found at settlement listed and read, reviewed (confirmed or dismissed), money recovered (追回), the
institution's evidence (疑点举证) and each institution's monthly figures.

The rules: settlement.domain.supervision_review. Every change of a violation and its review step are
written, and its event staged on supervision.violations.v1, in the caller's unit of work.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any

from medshared import jsonutil
from medshared.errors import Conflict, Invalid, NotFound
from medshared.money import money
from settlement.domain import supervision as sv
from settlement.domain import supervision_review as rv
from settlement.messaging import supervision_contracts as contracts

from .ports import Store

VERSION_MAX = 30
_SET_FIELD = re.compile(r"^rule set: (?P<field>\S+) ")
_RULE_FIELD = re.compile(r"^rule (?P<rule_id>\S+): (?P<field>\S+) ")
EVIDENCE_MAX_CHARS = 2000
PAGE_SIZE_MAX = 100


def _iso(moment: dt.datetime | dt.date | None) -> str | None:
    return None if moment is None else moment.isoformat()


# ---------------------------------------------------------------- rule sets


def publish_rule_set(store: Store, body: Mapping[str, Any], *, operator: str, at: dt.datetime) -> dict[str, Any]:
    """Publish a rule set: checked rule by rule (a refusal names the rule and the field), stored as its
    canonical JSON; it applies to settlements from its valid_from day."""
    try:
        rules = sv.parse_rule_set(body)
    except ValueError as exc:
        raise Invalid("invalid_rule_set", str(exc), **_named(str(exc))) from None
    except (TypeError, AttributeError, KeyError):  # a value of the wrong kind the checks did not expect
        raise Invalid(
            "invalid_rule_set",
            "a rule holds a value of the wrong kind (a list or object where text or a number belongs); "
            "check each rule's params against docs/supervision.md",
        ) from None
    if not rules.version or len(rules.version) > VERSION_MAX:
        raise Invalid("invalid_rule_set", f"version must be 1 to {VERSION_MAX} characters", field="version")
    if store.supervision_rule_set(rules.version) is not None:
        raise Conflict(
            "version_exists", f"rule set {rules.version} is already published; publish a new version", field="version"
        )
    store.add_supervision_rule_set(
        {
            "version": rules.version,
            "valid_from": rules.valid_from,
            "body": jsonutil.dumps(sv.rule_set_json(rules)),
            "published_at": at,
            "operator": operator,
        }
    )
    row = store.supervision_rule_set(rules.version)
    return _rule_set_summary(row, len(rules.rules))


def _named(message: str) -> dict[str, str]:
    """The rule and field a refusal of the rule set names ("rule R1: params.gend must be ...", "rule set:
    valid_from must be ..."), as extras of the problem details."""
    whole = _SET_FIELD.match(message)
    if whole:
        return {"field": whole["field"]}
    named = _RULE_FIELD.match(message)
    return {"rule_id": named["rule_id"], "field": named["field"]} if named else {}


def load_rule_set(store: Store, body: Mapping[str, Any], *, operator: str, at: dt.datetime) -> bool:
    """Publish the rule set unless its version is published already (demo data loaded twice changes
    nothing); True when it was published now."""
    if store.supervision_rule_set(str(body.get("version"))) is not None:
        return False
    publish_rule_set(store, body, operator=operator, at=at)
    return True


def list_rule_sets(store: Store) -> list[dict[str, Any]]:
    """Every published rule set, oldest valid_from first, with how many rules each holds."""
    return [_rule_set_summary(r, len(_parsed(r).rules)) for r in store.supervision_rule_sets()]


def read_rule_set(store: Store, version: str) -> dict[str, Any]:
    """One rule set with its rules."""
    row = store.supervision_rule_set(version)
    if row is None:
        raise NotFound("rule_set_unknown", f"no rule set {version} is published; GET the list of rule sets")
    rules = sv.rule_set_json(_parsed(row))["rules"]
    return _rule_set_summary(row, len(rules)) | {"rules": rules}


def _parsed(row: Any) -> sv.RuleSet:
    return sv.parse_rule_set(jsonutil.loads(row.body))


def _rule_set_summary(row: Any, count: int) -> dict[str, Any]:
    return {
        "version": row.version,
        "valid_from": row.valid_from,
        "published_at": row.published_at,
        "operator": row.operator,
        "rule_count": count,
    }


# ---------------------------------------------------------------- violations


def violation_rows(
    violations: Sequence[sv.Violation],
    *,
    rule_set_version: str,
    setl_id: str,
    mdtrt_id: str,
    psn_no: str,
    fixmedins_code: str,
    admdvs: str,
    found_at: dt.datetime,
) -> list[dict[str, Any]]:
    """The rows Store.add_violations takes for what the engine found at a final settlement."""
    return [
        {
            "setl_id": setl_id,
            "mdtrt_id": mdtrt_id,
            "psn_no": psn_no,
            "fixmedins_code": fixmedins_code,
            "admdvs": admdvs,
            "rule_set_version": rule_set_version,
            "rule_id": v.rule_id,
            "rule_name": v.rule_name,
            "category": str(v.category),
            "severity": str(v.severity),
            "action": str(v.action),
            "vola_bhvr_type": v.vola_bhvr_type,
            "vola_cont": v.text,
            "vola_amt": money(v.amount),
            "line_keys": list(v.line_keys),
            "evidence": v.evidence,
            "found_at": found_at,
        }
        for v in violations
    ]


def list_violations(
    store: Store,
    *,
    fixmedins_code: str | None = None,
    rule_id: str | None = None,
    month: str | None = None,
    status: str | None = None,
    page_num: int = 1,
    page_size: int = 20,
) -> dict[str, Any]:
    """A page of the violations matching every filter given, newest first."""
    if status is not None and status not in rv.STATUSES:
        raise Invalid("status_unknown", f"status is one of {', '.join(rv.STATUSES)}", field="status")
    page_size = max(1, min(page_size, PAGE_SIZE_MAX))
    page_num = max(1, page_num)
    rows, total = store.violations(
        fixmedins_code=fixmedins_code,
        rule_id=rule_id,
        month=month,
        status=status,
        offset=(page_num - 1) * page_size,
        limit=page_size,
    )
    return {
        "page_num": page_num,
        "page_size": page_size,
        "total": total,
        "pages": (total + page_size - 1) // page_size,
        "violations": [contracts.violation_snapshot(r) for r in rows],
    }


def read_violation(store: Store, jr_id: str, *, institution: str | None = None) -> dict[str, Any]:
    """One violation with its review trail and the institution's evidence. `institution`: the caller is
    that institution, which reads its own violations only (another's reads as unknown)."""
    row = _violation(store, jr_id, institution=institution)
    return _detail(store, row)


def _violation(store: Store, jr_id: str, *, institution: str | None = None, lock: bool = False) -> Any:
    row = store.violation(jr_id, lock=lock)
    if row is None or (institution is not None and row.fixmedins_code != institution):
        whose = f" of {institution}" if institution is not None else ""
        raise NotFound("violation_unknown", f"no violation{whose} has jr_id {jr_id}")
    return row


def _detail(store: Store, row: Any) -> dict[str, Any]:
    return contracts.violation_snapshot(row) | {
        "reviews": [
            {
                "step": r.step,
                "actor": r.actor,
                "at": r.at,
                "status_before": r.status_before,
                "status_after": r.status_after,
                "amount": None if r.amount is None else money(r.amount),
                "note": r.note,
            }
            for r in store.violation_reviews(row.jr_id)
        ],
        "institution_evidence": [_evidence(e) for e in store.violation_evidence(row.jr_id)],
    }


def _evidence(row: Any) -> dict[str, Any]:
    return {"evidence_id": row.id, "text": row.text, "submitted_by": row.submitted_by, "submitted_at": row.submitted_at}


def _apply(store: Store, row: Any, step: rv.Step, *, actor: str, at: dt.datetime) -> Any:
    """Write the step on the violation (if nobody changed it since it was read) and its trail row."""
    if not store.update_violation(row.jr_id, row.version, **step.changes):
        raise Conflict("changed", f"violation {row.jr_id} changed a moment ago; read it again and decide again")
    store.add_violation_review(rv.trail_row(row.jr_id, step, actor=actor, at=at))
    return store.violation(row.jr_id)


def review(store: Store, jr_id: str, step: str, *, reviewer: str, note: str | None, at: dt.datetime) -> dict[str, Any]:
    """Confirm or dismiss an open violation (a dismissal says why)."""
    row = _violation(store, jr_id, lock=True)
    after = _apply(store, row, rv.decide(row, step, reviewer=reviewer, at=at, note=note), actor=reviewer, at=at)
    store.stage(contracts.SUPERVISION_TOPIC, contracts.violation_reviewed(after))
    return _detail(store, after)


def record_recovery(
    store: Store, jr_id: str, amount: object, *, reviewer: str, note: str | None, at: dt.datetime
) -> dict[str, Any]:
    """Record money recovered from the institution for a confirmed violation: 0 < amount, and all
    recoveries together at most its vola_amt."""
    value = rv.recovery_amount(amount)
    row = _violation(store, jr_id, lock=True)
    after = _apply(store, row, rv.recover(row, value, reviewer=reviewer, note=note), actor=reviewer, at=at)
    store.stage(contracts.SUPERVISION_TOPIC, contracts.violation_recovered(after, value, by=reviewer, at=at))
    return _detail(store, after)


def submit_evidence(store: Store, jr_id: str, *, institution: str, text: str, at: dt.datetime) -> dict[str, Any]:
    """The institution answers one of its own violations (疑点举证)."""
    text = text.strip()
    if not text:
        raise Invalid("evidence_empty", "text must say what answers the violation", field="text")
    if len(text) > EVIDENCE_MAX_CHARS:
        raise Invalid(
            "evidence_too_long",
            f"text is {len(text)} characters; send at most {EVIDENCE_MAX_CHARS} (answer in several parts)",
            field="text",
        )
    row = _violation(store, jr_id, institution=institution, lock=True)
    rv.check_evidence(row, len(store.violation_evidence(jr_id)))
    evidence = store.add_violation_evidence(
        {"jr_id": jr_id, "text": text, "submitted_by": institution, "submitted_at": at}
    )
    store.stage(contracts.SUPERVISION_TOPIC, contracts.evidence_submitted(row, evidence))
    return _evidence(evidence)


# ---------------------------------------------------------------- monthly figures


def monthly_figures(store: Store, month: str, *, fixmedins_code: str | None = None) -> dict[str, Any]:
    """Each institution's violations of the month and their amounts by where the review stands, and the
    month's total; the parts add up to the whole."""
    institutions, total = rv.monthly_figures(store.violation_figures(month, fixmedins_code=fixmedins_code))
    return {
        "month": month,
        "institutions": [{"fixmedins_code": code} | _figures(f) for code, f in institutions.items()],
        "total": _figures(total),
    }


def _figures(f: rv.Figures) -> dict[str, Any]:
    by_status = {status: {"violations": n, "vola_amt": money(amount)} for status, (n, amount) in f.by_status.items()}
    return {
        "violations": f.violations,
        "vola_amt": money(f.vola_amt),
        **by_status,
        "recovered_amt": money(f.recovered_amt),
        "outstanding_amt": money(f.outstanding_amt),
    }
