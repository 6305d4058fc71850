"""The demo dataset of docs/settlement-rules.md sections 11-12, loaded through the use cases.

Every step first looks for what it would create, so a second run changes nothing and
stages no event. Employees' monthly contributions are not simulated: their employee
share would be credited on top of the opening balances, and the demo balances
(5000.00, 3000.00, 8000.00, 6000.00) are what settlement's worked examples start from.

    python -m enrollment.demo      (uses ENROLLMENT_DATABASE_URL, runs migrations first)
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from enrollment.domain import commands as cmds
from enrollment.domain.model import ACTIVE
from enrollment.store import SqlStore, SqlUnitOfWork
from enrollment.usecases import contributions as contributions_uc
from enrollment.usecases import employers as employers_uc
from enrollment.usecases import enrollments as enrollments_uc
from enrollment.usecases import identities as identities_uc
from enrollment.usecases import people as people_uc
from medshared.runtime import Runtime

YEAR = 2026
JAN_1 = dt.date(YEAR, 1, 1)
DEC_31 = dt.date(YEAR, 12, 31)
SUBSIDISED = ("2201", "2202", "2203", "2204")

RESIDENT_TIERS = {"540100": ("130", "320"), "341300": ("320",), "430600": ("320",)}
EMPLOYEE_POOLS = ("540100", "430600")

EMPLOYERS = (
    cmds.RegisterEmployer("E54010000001", "拉萨市高原科技有限公司(演示)", "enterprise", "540100"),
    cmds.RegisterEmployer("E54010000002", "拉萨市民政局(演示)", "agency", "540100"),
    cmds.RegisterEmployer("E43060000001", "岳阳市洞庭建设有限公司(演示)", "enterprise", "430600"),
)

# psn_no, name, certno, pool, insutype, psn_type, tier, identity, opening balance, cvlserv, employer, naty
PEOPLE = (
    (
        "54010000000000000001",
        "扎西",
        "540102198005010110",
        "540100",
        "390",
        "1501",
        "320",
        None,
        None,
        "0",
        None,
        "04",
    ),
    (
        "54010000000000000002",
        "卓玛",
        "54010219750312022X",
        "540100",
        "390",
        "1501",
        "130",
        None,
        None,
        "0",
        None,
        "04",
    ),
    (
        "54010000000000000003",
        "次仁",
        "540102196008200316",
        "540100",
        "390",
        "1501",
        "320",
        "2202",
        None,
        "0",
        None,
        "04",
    ),
    (
        "54010000000000000004",
        "王强",
        "540102198501150411",
        "540100",
        "310",
        "1101",
        None,
        None,
        "5000.00",
        "0",
        "E54010000001",
        "01",
    ),
    (
        "54010000000000000005",
        "李娜",
        "540102197811300521",
        "540100",
        "310",
        "1102",
        None,
        None,
        "3000.00",
        "1",
        "E54010000002",
        "01",
    ),
    (
        "54010000000000000006",
        "张建国",
        "54010219550404061X",
        "540100",
        "310",
        "1201",
        None,
        None,
        "8000.00",
        "0",
        "E54010000001",
        "01",
    ),
    (
        "34130000000000000001",
        "刘芳",
        "341302195002020728",
        "341300",
        "390",
        "1501",
        "320",
        "2201",
        None,
        "0",
        None,
        "01",
    ),
    (
        "34130000000000000002",
        "陈伟",
        "341302199006060813",
        "341300",
        "390",
        "1501",
        "320",
        None,
        None,
        "0",
        None,
        "01",
    ),
    (
        "43060000000000000001",
        "周敏",
        "430602197007070923",
        "430600",
        "390",
        "1501",
        "320",
        None,
        None,
        "0",
        None,
        "01",
    ),
    (
        "43060000000000000002",
        "吴刚",
        "430602195809091014",
        "430600",
        "310",
        "1201",
        None,
        None,
        "6000.00",
        "0",
        "E43060000001",
        "01",
    ),
)


def _policies(runtime: Runtime) -> None:
    wanted = [
        cmds.SetContributionPolicy(
            pool,
            "390",
            YEAR,
            {t: Decimal(t) for t in tiers},
            subsidised_identities=SUBSIDISED,
            assistance_share=Decimal("0.90"),
        )
        for pool, tiers in RESIDENT_TIERS.items()
    ] + [
        cmds.SetContributionPolicy(
            pool,
            "310",
            YEAR,
            {},
            employer_rate=Decimal("0.06"),
            employee_rate=Decimal("0.02"),
            retiree_monthly_credit=Decimal("100.00"),
        )
        for pool in EMPLOYEE_POOLS
    ]
    for cmd in wanted:
        with runtime.factory() as session:
            present = SqlStore(session).current_policy(cmd.insuplc_admdvs, cmd.insutype, cmd.year) is not None
        if not present:
            contributions_uc.set_contribution_policy(SqlUnitOfWork(runtime), cmd)


def load_demo(runtime: Runtime) -> int:
    """Load whatever part of the demo dataset is missing; returns how many steps it took."""
    steps = 0
    uow = SqlUnitOfWork(runtime)
    _policies(runtime)
    for employer in EMPLOYERS:
        with runtime.factory() as session:
            present = SqlStore(session).get_employer(employer.emp_no) is not None
        if not present:
            employers_uc.register_employer(uow, employer)
            steps += 1
    for (
        psn_no,
        name,
        certno,
        pool,
        insutype,
        psn_type,
        tier,
        identity,
        opening,
        cvlserv,
        emp_no,
        naty,
    ) in PEOPLE:
        with runtime.factory() as session:
            store = SqlStore(session)
            person = store.get_person(psn_no)
            enrollments = store.enrollments_of([psn_no])[psn_no]
            identities = store.identities_of(psn_no)
            paid = bool(enrollments) and store.contribution_exists(enrollments[0].enrollment_id, str(YEAR))
            credited = store.credit_exists(f"{psn_no}:opening")
        if person is None:
            people_uc.register_person(
                uow,
                cmds.RegisterPerson(
                    admdvs=pool,
                    psn_cert_type="01",
                    certno=certno,
                    psn_name=name,
                    naty=naty,
                    psn_no=psn_no,
                ),
            )
            steps += 1
        if not any(e.insutype == insutype and e.status == ACTIVE for e in enrollments):
            enrollments_uc.enroll(
                uow,
                cmds.Enroll(
                    psn_no=psn_no,
                    insutype=insutype,
                    insuplc_admdvs=pool,
                    psn_type=psn_type,
                    begndate=JAN_1,
                    emp_no=emp_no,
                    cvlserv_flag=cvlserv,
                    tier=tier,
                ),
            )
            steps += 1
        if identity and not any(i.psn_idet_type == identity for i in identities):
            identities_uc.grant_identity(
                uow,
                cmds.GrantIdentity(
                    psn_no=psn_no,
                    psn_idet_type=identity,
                    begntime=JAN_1,
                    endtime=DEC_31,
                    memo="demo",
                ),
            )
            steps += 1
        if insutype == "390" and not paid:
            contributions_uc.pay_resident_contribution(uow, cmds.PayResidentContribution(psn_no=psn_no, year=YEAR))
            steps += 1
        if opening and not credited:
            contributions_uc.credit_account(
                uow,
                cmds.CreditAccount(
                    psn_no=psn_no,
                    kind="opening",
                    credited_on=JAN_1,
                    amount=Decimal(opening),
                    memo="opening balance",
                ),
            )
            steps += 1
    return steps


def main() -> None:
    from enrollment.config import Settings
    from enrollment.main import build
    from medshared.db import upgrade

    settings = Settings()
    upgrade(Path(__file__).resolve().parents[1] / "alembic.ini", settings.database_url)
    runtime = build(settings.model_copy(update={"relay_enabled": False}))
    try:
        steps = load_demo(runtime)
    finally:
        runtime.stop()
    print(f"demo dataset: {steps} change(s) made" if steps else "demo dataset already loaded: nothing changed")


if __name__ == "__main__":
    main()
