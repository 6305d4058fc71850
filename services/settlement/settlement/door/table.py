"""The national transactions this platform answers: one row per infno, read top to bottom.

A row names the input node and its model, the use case, and what must be fetched from another
service before the transaction opens (so no row lock waits on the network). A new transaction
is one row here plus its use case.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from settlement.domain import inputs as inp
from settlement.usecases import fees, filings, persons, queries, settling, visits

from .prepare import file_referral, resolve_ectoken, revoke_referral


@dataclass(frozen=True)
class Transaction:
    infno: str
    name: str  # the spec's name, as clerks know it
    node: str  # the input node: input.<node>
    model: type[BaseModel]
    use_case: Callable[..., Any]
    many: bool = False  # the node is a non-empty list of models (fee lines)
    prepare: Callable[..., None] | None = None  # before the transaction: fetch from another service


T = Transaction
TABLE: tuple[Transaction, ...] = (
    # sign-in, person
    T("9001", "签到", "signIn", inp.SignIn, persons.sign_in),
    T("9002", "签退", "signOut", inp.SignOut, persons.sign_out),
    T("1101", "人员信息获取", "data", inp.PersonQuery, persons.person_info, prepare=resolve_ectoken),
    T("2001", "人员待遇享受检查", "data", inp.TreatmentCheck, persons.treatment_check),
    # outpatient
    T("2201", "门诊挂号", "data", inp.Register, visits.register, prepare=resolve_ectoken),
    T("2202", "门诊挂号撤销", "data", inp.CancelRegister, visits.cancel_register),
    T("2203", "门诊就诊信息上传", "mdtrtinfo", inp.VisitInfo, visits.visit_info),
    T("2203A", "门诊就诊信息上传", "mdtrtinfo", inp.VisitInfo, visits.visit_info),
    T("2204", "门诊费用明细信息上传", "feedetail", inp.FeeDetail, fees.outpatient_fees, many=True),
    T("2205", "门诊费用明细信息撤销", "data", inp.CancelFees2205, fees.withdraw_outpatient_fees),
    T("2206", "门诊预结算", "data", inp.Settle, settling.settle_visit, prepare=resolve_ectoken),
    T("2207", "门诊结算", "data", inp.Settle, settling.settle_visit, prepare=resolve_ectoken),
    T("2208", "门诊结算撤销", "data", inp.Reverse, settling.reverse_settlement),
    # inpatient
    T("2401", "入院办理", "mdtrtinfo", inp.Admit, visits.admit, prepare=resolve_ectoken),
    T("2402", "出院办理", "dscginfo", inp.Discharge, visits.discharge),
    T("2403", "住院信息变更", "adminfo", inp.AdmissionChange, visits.change_admission),
    T("2404", "入院办理撤销", "data", inp.VisitRef, visits.cancel_admission),
    T("2405", "出院办理撤销", "data", inp.VisitRef, visits.undo_discharge),
    T("2301", "住院费用明细上传", "feedetail", inp.FeeDetail, fees.inpatient_fees, many=True),
    T("2302", "住院费用明细撤销", "data", inp.CancelFees2302, fees.withdraw_inpatient_fees, many=True),
    T("2303", "住院预结算", "data", inp.Settle, settling.settle_visit, prepare=resolve_ectoken),
    T("2304", "住院结算", "data", inp.Settle, settling.settle_visit, prepare=resolve_ectoken),
    T("2305", "住院结算撤销", "data", inp.Reverse, settling.reverse_settlement),
    # filings, reversal by msgid
    T("2501", "转院备案", "refmedin", inp.ReferralFiling, filings.referral_filed, prepare=file_referral),
    T("2502", "转院备案撤销", "data", inp.CancelFiling, filings.referral_revoked, prepare=revoke_referral),
    T("2503", "人员慢特病备案", "data", inp.ChronicFiling, filings.file_chronic),
    T("2504", "人员慢特病备案撤销", "data", inp.CancelFiling, filings.revoke_chronic),
    T("2601", "冲正交易", "data", inp.Reversal, settling.reverse_by_msgid),
    # reconciliation, queries
    T("3201", "医药机构费用结算对总账", "data", inp.TotalsReconciliation, queries.reconcile_totals),
    T("5203", "结算信息查询", "data", inp.SettlementQuery, queries.settlement_info),
    T("5206", "人员累计信息查询", "data", inp.CumulativeQuery, queries.cumulative),
    # files (9101/9102)
    # national catalogues (13xx)
    # dictionaries (1901), institutions (1201)
    # item mapping (3301/3302)
    # departments (3401-3403)
    # pharmacy (2101-2103)
    # records (5201-5205, 5301-5304), designations (2505/2506)
    # settlement lists (4101-4104)
    # statements (3202-3204)
)

TRANSACTIONS: dict[str, Transaction] = {row.infno: row for row in TABLE}
OFFERED: frozenset[str] = frozenset(TRANSACTIONS)
