"""Contribution policy versions, contributions and personal-account credits over SQL."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from enrollment import db
from enrollment.domain.contributions import Policy, contribution_snapshot, credit_snapshot
from medshared.events import utcnow


class MoneySql:
    session: Session

    def current_policy(self, admdvs: str, insutype: str, year: int) -> Policy | None:
        table = db.contribution_policy
        row = self.session.execute(
            select(table)
            .where(
                table.c.insuplc_admdvs == admdvs,
                table.c.insutype == insutype,
                table.c.year == year,
            )
            .order_by(table.c.version.desc())
            .limit(1)
        ).first()
        if row is None:
            return None
        tiers = dict(
            self.session.execute(
                select(db.resident_tier.c.tier, db.resident_tier.c.amount).where(
                    db.resident_tier.c.policy_id == row.policy_id
                )
            ).all()
        )
        return Policy(
            policy_id=row.policy_id,
            insuplc_admdvs=row.insuplc_admdvs,
            insutype=row.insutype,
            year=row.year,
            version=row.version,
            tiers={tier: Decimal(amount) for tier, amount in tiers.items()},
            employer_rate=Decimal(row.employer_rate),
            employee_rate=Decimal(row.employee_rate),
            retiree_monthly_credit=Decimal(row.retiree_monthly_credit),
            subsidised_identities=tuple(code for code in row.subsidised_identities.split(",") if code),
            assistance_share=Decimal(row.assistance_share),
        )

    def known_pools(self) -> set[str]:
        return set(self.session.execute(select(db.contribution_policy.c.insuplc_admdvs).distinct()).scalars())

    def list_policies(self) -> list[Policy]:
        table = db.contribution_policy
        keys = self.session.execute(
            select(table.c.insuplc_admdvs, table.c.insutype, table.c.year)
            .distinct()
            .order_by(table.c.insuplc_admdvs, table.c.insutype, table.c.year)
        ).all()
        return [
            policy
            for admdvs, insutype, year in keys
            if (policy := self.current_policy(admdvs, insutype, year)) is not None
        ]

    def add_policy(self, policy: Policy) -> None:
        self.session.execute(
            insert(db.contribution_policy).values(
                policy_id=policy.policy_id,
                insuplc_admdvs=policy.insuplc_admdvs,
                insutype=policy.insutype,
                year=policy.year,
                version=policy.version,
                employer_rate=policy.employer_rate,
                employee_rate=policy.employee_rate,
                retiree_monthly_credit=policy.retiree_monthly_credit,
                subsidised_identities=",".join(policy.subsidised_identities),
                assistance_share=policy.assistance_share,
                created_at=utcnow(),
            )
        )
        if policy.tiers:
            self.session.execute(
                insert(db.resident_tier),
                [
                    {"policy_id": policy.policy_id, "tier": tier, "amount": amount}
                    for tier, amount in policy.tiers.items()
                ],
            )

    # Contributions and credits

    def contribution_exists(self, enrollment_id: str, period: str) -> bool:
        return (
            self.session.execute(
                select(db.contribution.c.contribution_id).where(
                    db.contribution.c.enrollment_id == enrollment_id,
                    db.contribution.c.period == period,
                )
            ).first()
            is not None
        )

    def add_contribution(self, row: dict[str, Any], lines: list[dict[str, Any]]) -> None:
        self.session.execute(insert(db.contribution).values(**row, paid_at=utcnow()))
        self.session.execute(
            insert(db.contribution_line),
            [{"contribution_id": row["contribution_id"], **line} for line in lines],
        )

    def contributions_of(self, psn_no: str) -> list[dict[str, Any]]:
        rows = self.session.execute(
            select(db.contribution).where(db.contribution.c.psn_no == psn_no).order_by(db.contribution.c.period)
        ).all()
        if not rows:
            return []
        lines: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for line in self.session.execute(
            select(db.contribution_line).where(
                db.contribution_line.c.contribution_id.in_([row.contribution_id for row in rows])
            )
        ).all():
            lines[line.contribution_id].append({"payer": line.payer, "amount": Decimal(line.amount)})
        return [contribution_snapshot(row._asdict(), lines[row.contribution_id]) for row in rows]

    def credit_exists(self, dedup_key: str) -> bool:
        return (
            self.session.execute(
                select(db.account_credit.c.credit_id).where(db.account_credit.c.dedup_key == dedup_key)
            ).first()
            is not None
        )

    def add_credit(self, credit: dict[str, Any], dedup_key: str | None) -> None:
        self.session.execute(insert(db.account_credit).values(**credit, dedup_key=dedup_key, created_at=utcnow()))

    def credits_of(self, psn_no: str) -> list[dict[str, Any]]:
        rows = self.session.execute(
            select(db.account_credit)
            .where(db.account_credit.c.psn_no == psn_no)
            .order_by(db.account_credit.c.credited_on, db.account_credit.c.created_at)
        ).all()
        return [credit_snapshot(row._asdict()) for row in rows]
