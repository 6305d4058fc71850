"""A purchase at a designated retail pharmacy (定点零售药店): 2101 药店预结算, 2102 药店结算, 2103 药店结算撤销.

A purchase is one call. The buyer and the sale come in `druginfo`, the drug lines in `drugdetail[]`
beside it (deployed pharmacy software sends them so; there is no separate fee upload), and the
platform answers `setlinfo`, `setldetail[]` and `detlcutinfo[]` (each line as it was classified).
2102 opens the purchase as a visit of kind "pharmacy" whose lines are its fee lines, settles it at
once, and answers its mdtrt_id and setl_id; 2103 reverses it by setl_id, once. Scope "pharmacy" of
the rules: med_type 41, no pooled fund, employees may pay from the personal account.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from medshared.money import ZERO, money

from .errors import Refused
from .inputs import Amount, DateTime, Flag, Price, Quantity, _Required, read_list
from .visits import SETTLED

PHARMACY_KIND = "pharmacy"  # visit.kind of a purchase
PHARMACY_LEVEL = "pharmacy"  # institution.hosp_lv of a designated retail pharmacy
PHARMACY_MED_TYPE = "41"  # 定点药店购药
PHARMACY_INFNOS = ("2101", "2102", "2103")
# Where the drug lines come: the national node, then the name some software gives fee lines everywhere.
DRUG_NODES = ("drugdetail", "feedetail")


class DrugInfo(_Required):
    """input.druginfo of 2101 / 2102: who buys, with which credential, for how much."""

    psn_no: str
    mdtrt_cert_type: str
    mdtrt_cert_no: str
    card_sn: str | None = None
    begntime: DateTime
    medfee_sumamt: Amount
    insutype: str
    med_type: str | None = None  # 41 when left out
    acct_used_flag: Flag = "0"
    psn_setlway: str | None = None
    invono: str | None = None
    dise_codg: str | None = None
    dise_name: str | None = None


class DrugLine(_Required):
    """One drugdetail[] line: a drug sold, as a 2204 fee line is uploaded."""

    feedetl_sn: str
    rxno: str | None = None
    rx_circ_flag: str | None = None
    fee_ocur_time: DateTime
    med_list_codg: str
    medins_list_codg: str
    det_item_fee_sumamt: Amount
    cnt: Quantity
    pric: Price
    sin_dos_dscr: str | None = None
    used_frqu_dscr: str | None = None
    medc_way_dscr: str | None = None
    bilg_dr_codg: str | None = None
    bilg_dr_name: str | None = None
    tcmdrug_used_way: str | None = None


class PurchaseReversal(_Required):
    """input.data of 2103; mdtrt_id, when left out, is the settlement's own."""

    setl_id: str
    psn_no: str
    mdtrt_id: str | None = None


@dataclass(frozen=True)
class Purchase:
    """A purchase shaped as the visit it becomes: what pricing, the answer and the event read of a visit."""

    mdtrt_id: str  # "" in 2101: nothing is opened
    psn_no: str
    insutype: str
    fixmedins_code: str
    mdtrtarea_admvs: str
    insuplc_admdvs: str
    mdtrt_cert_type: str
    begntime: dt.datetime
    dise_codg: str | None
    med_type: str = PHARMACY_MED_TYPE
    kind: str = PHARMACY_KIND
    status: str = SETTLED

    def visit_row(self, ipt_otp_no: str) -> dict[str, Any]:
        """The visit row 2102 stores; it is settled from the start."""
        return {
            "mdtrt_id": self.mdtrt_id,
            "psn_no": self.psn_no,
            "insutype": self.insutype,
            "kind": self.kind,
            "status": self.status,
            "fixmedins_code": self.fixmedins_code,
            "mdtrtarea_admvs": self.mdtrtarea_admvs,
            "insuplc_admdvs": self.insuplc_admdvs,
            "ipt_otp_no": ipt_otp_no,
            "mdtrt_cert_type": self.mdtrt_cert_type,
            "med_type": self.med_type,
            "dise_codg": self.dise_codg,
            "begntime": self.begntime,
        }


def require_pharmacy(fixmedins_code: str, hosp_lv: str, infno: str) -> None:
    """2101-2103 are a designated retail pharmacy's; a hospital settles with 2206 / 2207 / 2208."""
    if hosp_lv != PHARMACY_LEVEL:
        raise Refused(
            f"infno {infno} is for designated retail pharmacies (定点零售药店); {fixmedins_code} is a medical "
            f"institution of level {hosp_lv}: register the visit (2201) and settle it with 2206 / 2207 "
            "(reverse with 2208)",
            code="PHARMACY_ONLY",
        )


def read_drug_lines(input_: dict[str, Any]) -> list[DrugLine]:
    """input.drugdetail[] (input.feedetail[] is read the same way): the lines sold in this call."""
    for node in DRUG_NODES:
        if input_.get(node) not in (None, "", []):
            return read_list(DrugLine, input_[node], f"input.{node}")
    raise Refused(
        "input.drugdetail is required: send the drugs sold (feedetl_sn, med_list_codg, medins_list_codg, "
        "cnt, pric, det_item_fee_sumamt, fee_ocur_time) beside input.druginfo",
        code="INPUT_INVALID",
    )


def check_purchase(info: DrugInfo, lines: list[DrugLine]) -> None:
    """A purchase is med_type 41, of distinct positive lines that add up to medfee_sumamt to the cent."""
    if (info.med_type or PHARMACY_MED_TYPE) != PHARMACY_MED_TYPE:
        raise Refused(
            f"input.druginfo.med_type must be 41 (定点药店购药) at a pharmacy (got {info.med_type})",
            code="MED_TYPE_UNSUPPORTED",
        )
    seen: set[str] = set()
    for i, line in enumerate(lines):
        if line.feedetl_sn in seen:
            raise Refused(
                f"input.drugdetail[{i}].feedetl_sn {line.feedetl_sn} appears twice; each line needs its own",
                code="DUPLICATE_LINE",
            )
        seen.add(line.feedetl_sn)
        if line.cnt <= 0 or line.det_item_fee_sumamt < 0:
            raise Refused(
                f"input.drugdetail[{i}] (feedetl_sn {line.feedetl_sn}): cnt must be positive and the amount not "
                "negative; a purchase is given back whole with 2103",
                code="INPUT_INVALID",
            )
    total = sum((line.det_item_fee_sumamt for line in lines), ZERO)
    if money(total) != money(info.medfee_sumamt):
        raise Refused(
            f"input.druginfo.medfee_sumamt {money(info.medfee_sumamt)} does not match the {len(lines)} drug lines "
            f"sent, which total {money(total)}",
            code="MEDFEE_MISMATCH",
        )


def line_row(mdtrt_id: str, setl_id: str, line: DrugLine, classified: Any) -> dict[str, Any]:
    """The fee_line row of one drug line of a settled purchase."""
    return {
        "mdtrt_id": mdtrt_id,
        "feedetl_sn": line.feedetl_sn,
        "chrg_bchno": None,
        "init_feedetl_sn": None,
        "med_list_codg": line.med_list_codg,
        "medins_list_codg": line.medins_list_codg,
        "cnt": line.cnt,
        "pric": line.pric,
        "det_item_fee_sumamt": line.det_item_fee_sumamt,
        "fulamt_ownpay_amt": classified.fulamt_ownpay_amt,
        "overlmt_amt": classified.overlmt_amt,
        "preselfpay_amt": classified.preselfpay_amt,
        "inscp_scp_amt": classified.inscp_scp_amt,
        "chrgitm_lv": classified.chrgitm_lv,
        "selfpay_prop": classified.selfpay_prop,
        "pric_uplmt_amt": classified.pric_uplmt_amt,
        "fee_ocur_time": line.fee_ocur_time,
        "setl_id": setl_id,
    }


def invoice_no(info: DrugInfo) -> str:
    """visit.ipt_otp_no of a purchase: the pharmacy's invoice number when it sends one (there is no
    outpatient number at a pharmacy)."""
    return (info.invono or "")[:30]
