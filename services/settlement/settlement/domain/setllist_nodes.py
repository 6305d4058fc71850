"""医疗保障基金结算清单 (4101 / 4101A upload, 4102 status, 4103 query, 4104 quality control): the list's
nodes as a HIS sends them, and the settlement's own fee summary and fund payments the list is held to.

4101 sends the header (setlinfo) with payinfo[], opspdiseinfo[], diseinfo[], iteminfo[], oprninfo[]
and icuinfo[]; 4101A sends psn_no in the header, bldinfo[] and no payinfo / iteminfo, which the
platform then takes from the settlement.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any

from pydantic import Field, field_validator

from medshared.money import ZERO, money

from . import inputs as inp
from .errors import Refused
from .inputs import Amount, Date, DateTime, _Required

# At most this many rows per node: a stay with more diagnoses or procedures than the national
# form has lines is not a list but a mistake; the bound also keeps a stored list small.
MAX_ROWS = {
    "payinfo": 50,
    "opspdiseinfo": 50,
    "diseinfo": 50,
    "iteminfo": 50,
    "oprninfo": 50,
    "icuinfo": 20,
    "bldinfo": 20,
}
MAX_STATUS_ROWS = 50
DRAFT, SUBMITTED = "0", "1"  # stas_type: 未提交 (may be uploaded again) / 已提交 (locked)
PASSED, FAILED = "0", "1"  # qltctrl_rslt
ERROR, WARNING = "1", "2"  # err_lv: an error fails the list (it is sent back); a warning is reported
UPLOAD, UPLOAD_A = "4101", "4101A"

MAX_TEXT = 500  # characters in any text field (the longest national one, oprn_oprt_name, is 500)


class _Node(_Required):
    """A list node: text as text (numbers sent for text become their digits), "" = null = not sent."""

    @field_validator("*")
    @classmethod
    def _bounded(cls, value: Any) -> Any:
        if isinstance(value, str) and len(value) > MAX_TEXT:
            raise ValueError(f"is longer than {MAX_TEXT} characters")
        return value


class SetlInfo(_Node):
    """input.setlinfo: the list's header (4101 and, with psn_no and without the identity, 4101A)."""

    setl_id: str
    mdtrt_id: str | None = None
    psn_no: str | None = None
    fixmedins_name: str | None = None
    fixmedins_code: str | None = None
    hi_setl_lv: str | None = None
    hi_no: str | None = None
    medcasno: str | None = None
    dcla_time: DateTime | None = None
    psn_name: str | None = None
    gend: str | None = None
    brdy: Date | None = None
    age: str | None = None
    ntly: str | None = None
    nwb_age: str | None = None
    naty: str | None = None
    patn_cert_type: str | None = None
    certno: str | None = None
    prfs: str | None = None
    curr_addr: str | None = None
    emp_name: str | None = None
    emp_addr: str | None = None
    emp_tel: str | None = None
    poscode: str | None = None
    coner_name: str | None = None
    patn_rlts: str | None = None
    coner_addr: str | None = None
    coner_tel: str | None = None
    hi_type: str | None = None
    insuplc: str | None = None
    sp_psn_type: str | None = None
    nwb_adm_type: str | None = None
    nwb_bir_wt: str | None = None
    nwb_adm_wt: str | None = None
    mul_nwb_bir_wt: str | None = None
    mul_nwb_adm_wt: str | None = None
    opsp_diag_caty: str | None = None
    opsp_mdtrt_date: Date | None = None
    ipt_med_type: str | None = None
    adm_way: str | None = None
    trt_type: str | None = None
    adm_time: DateTime | None = None
    adm_caty: str | None = None
    refldept_dept: str | None = None
    dscg_time: DateTime | None = None
    dscg_caty: str | None = None
    act_ipt_days: str | None = None
    otp_wm_dise: str | None = None
    wm_dise_code: str | None = None
    otp_tcm_dise: str | None = None
    tcm_dise_code: str | None = None
    diag_code_cnt: str | None = None
    oprn_oprt_code_cnt: str | None = None
    vent_used_dura: str | None = None
    pwcry_bfadm_coma_dura: str | None = None
    pwcry_afadm_coma_dura: str | None = None
    bld_cat: str | None = None
    bld_amt: str | None = None
    bld_unt: str | None = None
    spga_nurscare_days: str | None = None
    lv1_nurscare_days: str | None = None
    scd_nurscare_days: str | None = None
    lv3_nurscare_days: str | None = None
    dscg_way: str | None = None
    acp_medins_name: str | None = None
    acp_optins_code: str | None = None
    bill_code: str | None = None
    bill_no: str | None = None
    biz_sn: str | None = None
    days_rinp_flag_31: str | None = None
    days_rinp_pup_31: str | None = None
    chfpdr_name: str | None = None
    chfpdr_code: str | None = None
    setl_begn_date: Date | None = None
    setl_end_date: Date | None = None
    psn_selfpay: Amount | None = None
    psn_ownpay: Amount | None = None
    acct_pay: Amount | None = None
    psn_cashpay: Amount | None = None
    hi_paymtd: str | None = None
    hsorg: str | None = None
    hsorg_opter: str | None = None
    medins_fill_dept: str | None = None
    medins_fill_psn: str | None = None
    resp_nurs_code: str | None = None
    stas_type: str | None = None


class PayInfo(_Node):
    fund_pay_type: str | None = None
    fund_payamt: Amount | None = None


class OpspDiseInfo(_Node):
    diag_name: str | None = None
    diag_code: str | None = None
    oprn_oprt_name: str | None = None
    oprn_oprt_code: str | None = None


class DiseInfo(_Node):
    diag_type: str | None = None
    diag_code: str | None = None
    diag_name: str | None = None
    maindiag_flag: str | None = None
    adm_cond_type: str | None = None


class ItemInfo(_Node):
    med_chrgitm: str | None = None
    amt: Amount | None = None
    claa_sumfee: Amount | None = None
    clab_amt: Amount | None = None
    fulamt_ownpay_amt: Amount | None = None
    oth_amt: Amount | None = None


class OprnInfo(_Node):
    oprn_oprt_type: str | None = None
    main_oprn_flag: str | None = None
    oprn_oprt_name: str | None = None
    oprn_oprt_code: str | None = None
    oprn_oprt_date: Date | None = None
    anst_way: str | None = None
    oper_dr_name: str | None = None
    oper_dr_code: str | None = None
    anst_dr_name: str | None = None
    anst_dr_code: str | None = None
    oprn_oprt_begntime: DateTime | None = None
    oprn_oprt_endtime: DateTime | None = None
    anst_begntime: DateTime | None = None
    anst_endtime: DateTime | None = None


class IcuInfo(_Node):
    scs_cutd_ward_type: str | None = None
    scs_cutd_inpool_time: DateTime | None = None
    scs_cutd_exit_time: DateTime | None = None
    scs_cutd_sum_dura: str | None = None


class BldInfo(_Node):
    bld_cat: str | None = None
    bld_amt: str | None = None
    bld_unt: str | None = None


ROW_MODELS: dict[str, type[_Node]] = {
    "payinfo": PayInfo,
    "opspdiseinfo": OpspDiseInfo,
    "diseinfo": DiseInfo,
    "iteminfo": ItemInfo,
    "oprninfo": OprnInfo,
    "icuinfo": IcuInfo,
    "bldinfo": BldInfo,
}
NODES = ("setlinfo", *ROW_MODELS)
DERIVED = ("payinfo", "iteminfo")  # 4101A sends neither: the platform takes them from the settlement


@dataclass(frozen=True)
class SetlList:
    """One uploaded list: the header and its rows, node by node."""

    setlinfo: SetlInfo
    rows: Mapping[str, Sequence[_Node]]

    def node(self, name: str) -> Sequence[_Node]:
        return self.rows.get(name, ())

    def with_rows(self, **rows: Sequence[_Node]) -> SetlList:
        return SetlList(self.setlinfo, {**self.rows, **rows})


def read_list(setlinfo: SetlInfo, input_: Mapping[str, Any]) -> SetlList:
    """The list nodes beside input.setlinfo, each a list of rows (one row sent as an object is that
    row; a node left out is empty), each bounded by MAX_ROWS. Malformed input is refused naming it."""
    rows: dict[str, list[_Node]] = {}
    for name, model in ROW_MODELS.items():
        node = input_.get(name)
        if node is None or node == "":
            rows[name] = []
            continue
        if isinstance(node, dict):
            node = [node]
        if not isinstance(node, list):
            raise Refused(f"input.{name} must be a list of rows", code="INPUT_INVALID")
        if len(node) > MAX_ROWS[name]:
            raise Refused(
                f"input.{name} has {len(node)} rows; a settlement list has at most {MAX_ROWS[name]}",
                code="INPUT_INVALID",
            )
        rows[name] = [inp.read(model, item, f"input.{name}[{i}]") for i, item in enumerate(node)]
    return SetlList(setlinfo, rows)


class StatusRow(_Required):
    psn_no: str
    setl_id: str
    stas_type: Annotated[str, Field(pattern=r"^[01]$")]


class StatusChange(_Required):
    """4102 input.data: stastinfo[] (one row sent as an object is that row)."""

    stastinfo: list[StatusRow] = Field(min_length=1, max_length=MAX_STATUS_ROWS)

    @field_validator("stastinfo", mode="before")
    @classmethod
    def _one_row(cls, value: Any) -> Any:
        return [value] if isinstance(value, dict) else value


class ListQuery(_Required):
    """4103 input.data."""

    psn_no: str
    setl_id: str


class QcQuery(_Required):
    """4104 input.data: one settlement's list (setl_id), or a month's lists (setl_ym), a page at a time."""

    setl_ym: str | None = Field(default=None, pattern=r"^\d{6}$")
    setl_id: str | None = None
    psn_no: str | None = None
    err_lv: str | None = Field(default=None, pattern=r"^[12]$")
    retn_flag: str | None = Field(default=None, pattern=r"^[01]$")
    page_num: int = Field(default=1, ge=1)
    page_size: int = Field(default=20, ge=1, le=100)


# Words a clerk knows a field or a category by, for quality-control messages.
LABELS = {
    "medcasno": "病案号",
    "adm_time": "入院时间",
    "dscg_time": "出院时间",
    "diag_code": "诊断代码",
    "diag_name": "诊断名称",
    "diag_type": "诊断类别",
    "maindiag_flag": "主诊断标志",
    "oprn_oprt_code": "手术操作代码",
    "oprn_oprt_name": "手术操作名称",
    "oprn_oprt_date": "手术操作日期",
    "oprn_oprt_begntime": "手术操作开始时间",
    "oprn_oprt_endtime": "手术操作结束时间",
    "scs_cutd_inpool_time": "重症监护进入时间",
    "scs_cutd_exit_time": "重症监护退出时间",
    "med_chrgitm": "医疗收费项目",
    "amt": "金额",
    "claa_sumfee": "甲类费用合计",
    "clab_amt": "乙类金额",
    "fulamt_ownpay_amt": "全自费金额",
    "fund_pay_type": "基金支付类型",
    "fund_payamt": "基金支付金额",
    "acct_pay": "个人账户支出",
    "psn_cashpay": "个人现金支付",
    "hi_paymtd": "医保支付方式",
    "ipt_med_type": "住院医疗类型",
}
CHRGITM = {
    "01": "床位费",
    "02": "诊察费",
    "03": "检查费",
    "04": "化验费",
    "05": "治疗费",
    "06": "手术费",
    "07": "护理费",
    "08": "卫生材料费",
    "09": "西药费",
    "10": "中药饮片费",
    "11": "中成药费",
    "12": "一般诊疗费",
    "13": "挂号费",
    "14": "其他费",
}


# --------------------------------------------------------------------------- the settlement's figures


@dataclass(frozen=True)
class SettledLine:
    """A settled fee line as the list sums it: its 医疗收费项目类别, 甲乙丙 level and amounts."""

    med_chrgitm: str
    chrgitm_lv: str
    amount: Decimal
    fulamt_ownpay_amt: Decimal


@dataclass(frozen=True)
class Settled:
    """What the stored settlement says, for the fee-summary, fund-payment and amount rules."""

    items: Mapping[str, Mapping[str, Decimal]]  # med_chrgitm -> amt, claa_sumfee, clab_amt, ...
    funds: Mapping[str, Decimal]  # fund_pay_type -> fund_payamt, as setldetail has them
    amounts: Mapping[str, Decimal]  # medfee_sumamt, fund_pay_sumamt, acct_pay, psn_cash_pay, ...


ITEM_AMOUNTS = ("amt", "claa_sumfee", "clab_amt", "fulamt_ownpay_amt", "oth_amt")


def fee_summary(lines: Sequence[SettledLine]) -> dict[str, dict[str, Decimal]]:
    """iteminfo as the settlement has it: per 医疗收费项目类别, the total, its 甲类 (01) and 乙类 (02)
    parts, what the person paid in full (丙类 and items outside the catalogue), the rest as other."""
    summary: dict[str, dict[str, Decimal]] = {}
    for x in lines:
        row = summary.setdefault(x.med_chrgitm, dict.fromkeys(ITEM_AMOUNTS, ZERO))
        row["amt"] += x.amount
        level = x.chrgitm_lv.lstrip("0")
        if level == "1":
            row["claa_sumfee"] += x.amount
        elif level == "2":
            row["clab_amt"] += x.amount
        row["fulamt_ownpay_amt"] += x.fulamt_ownpay_amt
    for row in summary.values():
        row["oth_amt"] = row["amt"] - row["claa_sumfee"] - row["clab_amt"] - row["fulamt_ownpay_amt"]
    return {k: {n: money(v) for n, v in summary[k].items()} for k in sorted(summary)}


def derived_rows(settled: Settled, account_funds: Sequence[str]) -> dict[str, Sequence[_Node]]:
    """payinfo and iteminfo of a 4101A list: the settlement's own, since that edition sends neither."""
    pay: list[_Node] = [
        PayInfo(fund_pay_type=k, fund_payamt=v) for k, v in settled.funds.items() if k not in account_funds
    ]
    items: list[_Node] = [ItemInfo(med_chrgitm=k, **v) for k, v in settled.items.items()]
    return {"payinfo": pay, "iteminfo": items}
