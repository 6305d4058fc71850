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

from settlement.domain import catalogues as cat
from settlement.domain import departments as dep
from settlement.domain import dictionaries as dic
from settlement.domain import files as fl
from settlement.domain import inputs as inp
from settlement.domain import mapping as mp
from settlement.domain import pharmacy as ph
from settlement.domain import records as rec
from settlement.domain import setllist_nodes as sl
from settlement.domain import statements as stm
from settlement.domain import supervision_door as sd
from settlement.usecases import (
    catalogues,
    departments,
    dictionaries,
    fees,
    files,
    filings,
    mapping,
    persons,
    pharmacy,
    queries,
    records,
    setllists,
    settling,
    statements,
    supervision_door,
    visits,
)

from .prepare import file_referral, resolve_ectoken, revoke_referral


@dataclass(frozen=True)
class Transaction:
    infno: str
    name: str  # the spec's name, as clerks know it
    node: str  # the input node: input.<node>
    model: type[BaseModel]
    use_case: Callable[..., Any]
    many: bool = False  # the node is a non-empty list of models (fee lines)
    also: tuple[str, ...] = ()  # other names deployed clients give the node
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
    # fund supervision: advice before (3101) and during (3102) care; settlement runs the same rules
    T("3101", "明细审核事前分析服务", "data", sd.Analysis, supervision_door.analyze),
    T("3102", "明细审核事中分析服务", "data", sd.Analysis, supervision_door.analyze),
    # reconciliation, queries
    T("3201", "医药机构费用结算对总账", "data", inp.TotalsReconciliation, queries.reconcile_totals),
    T("5203", "结算信息查询", "data", inp.SettlementQuery, queries.settlement_info),
    T("5206", "人员累计信息查询", "data", inp.CumulativeQuery, queries.cumulative),
    # files (9101/9102)
    T("9101", "文件上传", "fsUploadIn", fl.FsUploadIn, files.upload),
    T("9102", "文件下载", "fsDownloadIn", fl.FsDownloadIn, files.download),
    # national catalogues (13xx)
    *(
        T(infno, f"{cat.FAMILIES[infno].name}下载", "data", cat.CatalogueDownload, catalogues.download)
        for infno in cat.DOWNLOADS
    ),
    T("1304", "民族药品目录查询", "data", cat.NatyDrugQuery, catalogues.naty_drugs),
    T("1312", "医保目录信息查询", "data", cat.HilistQuery, catalogues.hilist),
    T("1318", "医保目录限价信息查询", "data", cat.HilistQuery, catalogues.hilist),
    T("1319", "医保目录先自付比例信息查询", "data", cat.HilistQuery, catalogues.hilist),
    # dictionaries (1901), institutions (1201)
    T("1901", "字典表查询", "data", dic.DictionaryQuery, dictionaries.query_dictionary),
    T("1201", "医药机构信息获取", "medinsinfo", dic.InstitutionQuery, dictionaries.query_institutions),
    # item mapping (3301/3302)
    T("3301", "目录对照上传", "data", mp.MappingUpload, mapping.upload, many=True, also=("catalogcompin",)),
    T("3302", "目录对照撤销", "data", mp.MappingRevoke, mapping.revoke, many=True),
    T("1316", "医疗目录与医保目录匹配信息查询", "data", mp.MappingQuery, mapping.catalogue_matches),
    T("1317", "医药机构目录匹配信息查询", "data", mp.MappingQuery, mapping.institution_mappings),
    # departments (3401-3403)
    T("3401", "科室信息上传", "deptinfo", dep.DepartmentInfo, departments.upload_departments, many=True),
    T("3401A", "批量科室信息上传", "deptinfo", dep.DepartmentInfo, departments.upload_departments, many=True),
    T("3402", "科室信息变更", "deptinfo", dep.DepartmentInfo, departments.change_departments, many=True),
    T("3403", "科室信息撤销", "data", dep.DepartmentRevoke, departments.revoke_department),
    # pharmacy (2101-2103)
    T("2101", "药店预结算", "druginfo", ph.DrugInfo, pharmacy.presettle, prepare=resolve_ectoken, also=("data",)),
    T("2102", "药店结算", "druginfo", ph.DrugInfo, pharmacy.settle, prepare=resolve_ectoken, also=("data",)),
    T("2103", "药店结算撤销", "data", ph.PurchaseReversal, pharmacy.reverse),
    # records (5201-5205, 5301-5304), designations (2505/2506)
    T("5201", "就诊信息查询", "data", rec.VisitQuery, records.visits),
    T("5202", "诊断信息查询", "data", rec.DiagnosisQuery, records.visit_diagnoses),
    T("5204", "费用明细查询", "data", rec.FeeLineQuery, records.fee_lines),
    T("5205", "人员慢特病用药记录查询", "data", rec.ChronicDrugQuery, records.chronic_drugs),
    T("5301", "人员慢特病备案查询", "data", rec.PersonQuery, records.chronic_filings),
    T("5302", "人员定点信息查询", "data", rec.DesignationQuery, records.designations),
    T("5303", "在院信息查询", "data", rec.InpatientQuery, records.inpatients),
    T("5304", "转院信息查询", "data", rec.ReferralQuery, records.referrals),
    T("2505", "人员定点备案", "data", rec.Designation, records.designate),
    T("2506", "人员定点备案撤销", "data", inp.CancelFiling, records.revoke_designation),
    # settlement lists (4101-4104)
    T("4101", "医疗保障基金结算清单信息上传", "setlinfo", sl.SetlInfo, setllists.upload),
    T("4101A", "医疗保障基金结算清单信息上传(新版)", "setlinfo", sl.SetlInfo, setllists.upload),
    T("4102", "医疗保障基金结算清单信息状态修改", "data", sl.StatusChange, setllists.change_status),
    T("4103", "医疗保障基金结算清单信息查询", "data", sl.ListQuery, setllists.query),
    T("4104", "医疗保障基金结算清单质控结果查询", "data", sl.QcQuery, setllists.qc_results),
    # statements (3202-3204)
    T("3202", "医药机构费用结算对明细账", "data", stm.DetailReconciliation, statements.reconcile_details),
    T("3203", "清算申请", "data", stm.ClearingApplication, statements.apply_for_clearing),
    T("3204", "清算申请撤销", "data", stm.ClearingRevocation, statements.revoke_clearing),
)

TRANSACTIONS: dict[str, Transaction] = {row.infno: row for row in TABLE}
OFFERED: frozenset[str] = frozenset(TRANSACTIONS)
