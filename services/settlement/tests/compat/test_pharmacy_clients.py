"""Pharmacy software, in the shapes its public code sends, buys and gives back unchanged at the front door.

Two independent pharmacy integrations of 2101 / 2102 / 2103, recorded as data (field names, value
types, nodes; no code):

- Dongguan (广东东莞) social-security DLL for PB / Delphi / VB6 point-of-sale software, C structs:
  SFGuile/dgsbnewdll: README.md (cal_druginfo_struct / cal_drugdetail_struct and their answers for
  2101 postcalthefees, trans_druginfo_struct / trans_drugdetail_struct for 2102 posttransaction,
  pullback_struct and pullback_setlinfo_ret_struct for 2103 pullbacktransaction). Amounts are C
  doubles (a JSON number with a fraction: 20.0), text is char* ("" when unset).
- A national-platform (国家医保) C# module of an online-business HIS, namespace OnlineBusHos244_GJYB.Models,
  files T2102.cs (#region 6.2.2.1 【2101】药店预结算: Root {druginfo, drugdetail[]}, RT2102 {setlinfo,
  setldetail[], detlcutinfo[]}) and T2103.cs (【2103】药店结算撤销: Root {data}, RT2103 {setlinfo,
  setldetail[]}); every property a C# string, serialised by Newtonsoft (unset = null). The index holds
  the files without naming their repository; the same family of modules is public in TeaHZ/185
  (Hos185/OnlineBusHos185_GJYB).

What both send: `druginfo` (psn_no, mdtrt_cert_type, mdtrt_cert_no, begntime, medfee_sumamt, insutype,
dise_codg, dise_name, acct_used_flag, med_type; 2102 adds invono; neither sends psn_setlway) and, in
the same call, `drugdetail[]` (feedetl_sn, rxno, rx_circ_flag, fee_ocur_time, med_list_codg,
medins_list_codg, det_item_fee_sumamt, cnt, pric, sin_dos_dscr, used_frqu_dscr, prd_days,
medc_way_dscr, bilg_dr_codg, bilg_dr_name, tcmdrug_used_way); 2103 `data` {setl_id, mdtrt_id, psn_no}.
What both read: setlinfo / setldetail[] / detlcutinfo[] of 2101 and 2102 (2101 without setl_id), and of
2103 a setlinfo naming the person's share psn_pay and cash_payamt. The envelope is the suite's own
(support.His): the envelope shapes of deployed software are covered by test_real_clients.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from clients import Read, reads
from compat_support import problems, spec_outputs, spec_problems
from support import PEOPLE, WANGQIANG, His

PHARMACY, POOL = "P54010000001", "540100"
SALE_TIME = "2026-11-24 10:00:00"
# 二甲双胍片 10 x 2.00 and 注射用头孢呋辛钠 2 x 15.00 (乙类 0.10, capped at 12.00): 50.00 in all.
DRUGS = (("XA10BAA059A001010100001", "YP0001", "10", "2.00"), ("XJ01DCC041B002010100002", "YP0002", "2", "15.00"))
TOTAL = Decimal("50.00")

SETLINFO_TEXT = ("psn_no", "psn_name", "psn_cert_type", "certno", "gend", "naty", "brdy", "insutype", "psn_type",
                 "cvlserv_flag", "mdtrt_cert_type", "med_type", "medins_setl_id", "clr_optins", "clr_way",
                 "clr_type")  # fmt: skip
SETLINFO_AMOUNTS = ("age", "medfee_sumamt", "fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt",
                    "inscp_scp_amt", "act_pay_dedc", "hifp_pay", "pool_prop_selfpay", "cvlserv_pay", "hifes_pay",
                    "hifmi_pay", "hifob_pay", "maf_pay", "oth_pay", "fund_pay_sumamt", "psn_part_amt", "acct_pay",
                    "psn_cash_pay", "balc", "acct_mulaid_pay")  # fmt: skip
SETLDETAIL = (*reads("text", "setldetail[].fund_pay_type", "setldetail[].fund_pay_type_name",
                     "setldetail[].setl_proc_info"),
              *reads("decimal", "setldetail[].inscp_scp_amt", "setldetail[].crt_payb_lmt_amt",
                     "setldetail[].fund_payamt"))  # fmt: skip
DETLCUTINFO = (*reads("text", "detlcutinfo[].feedetl_sn", "detlcutinfo[].chrgitm_lv", "detlcutinfo[].med_chrgitm_type",
                      "detlcutinfo[].bas_medn_flag", "detlcutinfo[].hi_nego_drug_flag",
                      "detlcutinfo[].chld_medc_flag", "detlcutinfo[].list_sp_item_flag",
                      "detlcutinfo[].drt_reim_flag"),
               *reads("text?", "detlcutinfo[].memo"),
               *reads("decimal", *(f"detlcutinfo[].{f}" for f in ("det_item_fee_sumamt", "cnt", "pric",
                      "pric_uplmt_amt", "selfpay_prop", "fulamt_ownpay_amt", "overlmt_amt", "preselfpay_amt",
                      "inscp_scp_amt"))))  # fmt: skip
PURCHASE_READS = (
    *reads("text", *(f"setlinfo.{f}" for f in SETLINFO_TEXT), "setlinfo.mdtrt_id"),
    *reads("decimal", *(f"setlinfo.{f}" for f in SETLINFO_AMOUNTS)),
    *SETLDETAIL,
    *DETLCUTINFO,
)
TRIAL_READS = (*PURCHASE_READS, Read("setlinfo.setl_id", "text?"), Read("setlinfo.setl_time", "text?"))
SETTLED_READS = (*PURCHASE_READS, *reads("text", "setlinfo.setl_id", "setlinfo.setl_time"))
REVERSAL_READS = (
    *reads("text", "setlinfo.mdtrt_id", "setlinfo.setl_id", "setlinfo.clr_optins", "setlinfo.setl_time",
           "setlinfo.medins_setl_id"),
    *reads("decimal", *(f"setlinfo.{f}" for f in ("medfee_sumamt", "fulamt_ownpay_amt", "overlmt_selfpay",
           "preselfpay_amt", "inscp_scp_amt", "act_pay_dedc", "hifp_pay", "pool_prop_selfpay", "cvlserv_pay",
           "hifes_pay", "hifmi_pay", "hifob_pay", "maf_pay", "oth_pay", "fund_pay_sumamt", "psn_pay", "acct_pay",
           "cash_payamt", "balc", "acct_mulaid_pay"))),
    *SETLDETAIL,
)  # fmt: skip


@dataclass(frozen=True)
class PharmacyClient:
    name: str
    source: str
    amount: Callable[[str], Any]  # how the client writes a decimal
    unset: Any  # what it sends for a text field it does not fill

    def druginfo(self, psn_no: str, *, final: bool) -> dict[str, Any]:
        p = PEOPLE[psn_no]
        info = {"psn_no": psn_no, "mdtrt_cert_type": "02", "mdtrt_cert_no": p["certno"], "begntime": SALE_TIME,
                "medfee_sumamt": self.amount(str(TOTAL)), "insutype": p["insutype"], "dise_codg": self.unset,
                "dise_name": self.unset, "acct_used_flag": "1", "med_type": "41"}  # fmt: skip
        if final:
            info = {**info, "invono": "FP20261124001"}
        return info

    def drugdetail(self) -> list[dict[str, Any]]:
        return [
            {
                "feedetl_sn": f"{i}",
                "rxno": self.unset,
                "rx_circ_flag": "0",
                "fee_ocur_time": SALE_TIME,
                "med_list_codg": code,
                "medins_list_codg": own,
                "det_item_fee_sumamt": self.amount(_total(cnt, pric)),
                "cnt": self.amount(cnt),
                "pric": self.amount(pric),
                "sin_dos_dscr": self.unset,
                "used_frqu_dscr": self.unset,
                "prd_days": self.amount("0"),
                "medc_way_dscr": self.unset,
                "bilg_dr_codg": self.unset,
                "bilg_dr_name": self.unset,
                "tcmdrug_used_way": self.unset,
            }
            for i, (code, own, cnt, pric) in enumerate(DRUGS, 1)
        ]

    def purchase(self, psn_no: str, *, final: bool) -> dict[str, Any]:
        return {"druginfo": self.druginfo(psn_no, final=final), "drugdetail": self.drugdetail()}

    def reversal(self, setlinfo: dict[str, Any], psn_no: str) -> dict[str, Any]:
        data = {"psn_no": psn_no, "setl_id": setlinfo["setl_id"], "mdtrt_id": setlinfo["mdtrt_id"]}
        if self.name == "csharp":
            data["expContent"] = None
        return {"data": data}


def _total(cnt: str, pric: str) -> str:
    return str((Decimal(cnt) * Decimal(pric)).quantize(Decimal("0.01")))


def _double(text: str) -> Decimal:
    """A C double as printed into JSON: always with a fraction (20.0, 2.0, 10.0)."""
    value = Decimal(text).normalize()
    return value if value.as_tuple().exponent < 0 else value.quantize(Decimal("0.0"))


CLIENTS = {
    "dongguan_dll": PharmacyClient("dongguan_dll", "SFGuile/dgsbnewdll: README.md", _double, ""),
    "csharp": PharmacyClient(
        "csharp", "OnlineBusHos244_GJYB.Models: T2102.cs, T2103.cs (repository not resolved)", str, None
    ),
}


def _pharmacy(client: Any) -> His:
    his = His(client, PHARMACY, POOL)
    his.sign_in()
    return his


def _ok(his: His, infno: str, body: dict[str, Any]) -> Any:
    answer = his.call(infno, body, insuplc=POOL)
    assert answer["infcode"] == 0, f"{infno}: {answer['err_msg']}"
    return answer["output"]


def _balance(his: His) -> Decimal:
    out = _ok(his, "1101", {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": PEOPLE[WANGQIANG]["certno"]}})
    return Decimal(str(out["insuinfo"][0]["balc"]))


@pytest.mark.parametrize("name", sorted(CLIENTS))
def test_pharmacy_software_buys_and_gives_back_in_its_own_shapes(client: Any, name: str) -> None:
    shape, his = CLIENTS[name], _pharmacy(client)
    before = _balance(his)

    trial = _ok(his, "2101", shape.purchase(WANGQIANG, final=False))
    assert problems(trial, TRIAL_READS) == []
    settled = _ok(his, "2102", shape.purchase(WANGQIANG, final=True))
    assert problems(settled, SETTLED_READS) == []
    info = settled["setlinfo"]
    assert (info["medfee_sumamt"], info["overlmt_selfpay"], info["acct_pay"], info["psn_cash_pay"]) == (
        TOTAL,
        Decimal("6.00"),
        TOTAL,
        Decimal("0.00"),
    )
    assert trial["setlinfo"]["acct_pay"] == info["acct_pay"] and _balance(his) == before - TOTAL

    back = _ok(his, "2103", shape.reversal(info, WANGQIANG))
    assert problems(back, REVERSAL_READS) == []
    assert (back["setlinfo"]["psn_pay"], back["setlinfo"]["cash_payamt"], back["setlinfo"]["acct_pay"]) == (
        -TOTAL,
        Decimal("0.00"),
        -TOTAL,
    )
    assert _balance(his) == before


def test_2101_to_2103_answer_every_field_the_spec_lists_for_2206_2207_2208(client: Any) -> None:
    shape, his = CLIENTS["csharp"], _pharmacy(client)
    spec = spec_outputs()
    trial = _ok(his, "2101", shape.purchase(WANGQIANG, final=False))
    settled = _ok(his, "2102", shape.purchase(WANGQIANG, final=True))
    back = _ok(his, "2103", shape.reversal(settled["setlinfo"], WANGQIANG))

    assert spec_problems(trial, spec["2206"]) == []
    assert spec_problems(settled, spec["2207"]) == []
    assert spec_problems(back, spec["2208"]) == []
