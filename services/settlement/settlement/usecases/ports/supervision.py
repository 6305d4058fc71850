"""The port of fund supervision: the rule set in force, the person's recent history the rules read,
and the violations found at settlement (settlement.domain.supervision), with their review by the
bureau (settlement.domain.supervision_review)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from settlement.domain.supervision import History, HistoryNeed, RuleSet


class SupervisionStore(Protocol):
    def supervision_rules_on(self, day: dt.date) -> RuleSet | None:
        """The published rule set in force on `day` (the latest with valid_from <= day), or None."""
        ...

    def supervision_history(self, psn_no: str, need: HistoryNeed, *, exclude_mdtrt_id: str | None) -> History:
        """What `need` names of the person's history: the fee lines of other visits (not cancelled; settled
        or not) whose code matches one of a window's patterns with fee_ocur_time at or after its moment,
        in time order; and the inpatient stays (not cancelled) that began or ended at or after
        need.stays_since, or have not ended (none when stays_since is None)."""
        ...

    def add_violations(self, rows: list[dict[str, Any]]) -> None:
        """Store violations found at a final settlement (one row each, see db_supervision.violation) and
        stage a ViolationFound event for each. A row needs setl_id, mdtrt_id, psn_no, fixmedins_code,
        admdvs, rule_set_version, rule_id, category, severity, action, vola_cont, vola_amt, found_at;
        rule_name, vola_bhvr_type, line_keys (a list) and evidence may come; jr_id and month are made
        when absent (supervision_review.new_violation_row)."""
        ...

    def withdraw_violations(self, setl_id: str, *, by_setl_id: str, at: dt.datetime) -> list[Any]:
        """Mark the open violations of settlement `setl_id` withdrawn (it was reversed), with a review step
        and a ViolationWithdrawn event each; answer them."""
        ...

    # the bureau's side: rule sets
    def add_supervision_rule_set(self, values: dict[str, Any]) -> None:
        """version, valid_from, body (JSON text), published_at, operator."""
        ...

    def supervision_rule_set(self, version: str) -> Any | None: ...

    def supervision_rule_sets(self) -> list[Any]:
        """Every published rule set, oldest valid_from first (then published_at)."""
        ...

    # violations
    def violation(self, jr_id: str, *, lock: bool = False) -> Any | None: ...

    def violations(
        self,
        *,
        fixmedins_code: str | None = None,
        rule_id: str | None = None,
        month: str | None = None,
        status: str | None = None,
        offset: int = 0,
        limit: int = 20,
    ) -> tuple[list[Any], int]:
        """The violations matching every filter given, newest found first (then jr_id), from `offset`, at
        most `limit`; and how many match in all."""
        ...

    def update_violation(self, jr_id: str, version: int, **values: Any) -> bool:
        """Change a violation still at `version` (and move it to version + 1); False when another change
        came first."""
        ...

    def add_violation_review(self, values: dict[str, Any]) -> None:
        """One review step: jr_id, step, actor, at, status_before, status_after, amount, note."""
        ...

    def violation_reviews(self, jr_id: str) -> list[Any]:
        """The violation's review steps, oldest first."""
        ...

    def add_violation_evidence(self, values: dict[str, Any]) -> Any:
        """Store an institution's answer (jr_id, text, submitted_by, submitted_at); answer the stored row (with id)."""
        ...

    def violation_evidence(self, jr_id: str) -> list[Any]:
        """The institution's answers to the violation, oldest first."""
        ...

    def violation_figures(self, month: str, *, fixmedins_code: str | None = None) -> list[Any]:
        """The month's violations grouped by fixmedins_code and status: violations (count), vola_amt,
        recovered_amt (sums)."""
        ...
