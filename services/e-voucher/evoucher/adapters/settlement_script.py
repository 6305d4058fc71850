"""The scripted settlement calls of one mobile-payment order (usecases.ports.SettlementScript).

9001 sign-in, then 2201, 2203, 2204, 2206, 2207 to settle, or 2208 to reverse, each with a msgid
fixed by the order and the step (domain.orders.order_msgid), so a retry is the same call and
the settlement service answers it once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from evoucher.adapters.settlement import SettlementClient
from evoucher.domain import orders
from evoucher.domain.errors import SettlementRefused, Unavailable
from evoucher.domain.moments import utc
from medshared.national import INF_TIME_FORMAT

SIGN_IN = {"signIn": {"opter_no": "mobile-pay", "mac": "", "ip": "127.0.0.1"}}
# 2206's figures 2207 must be sent back as they were.
COPIED_FROM_TRIAL = ("fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt")


class ScriptedSettlement:
    def __init__(self, client: SettlementClient) -> None:
        self.client = client

    def _conversation(self, order: Any, fixmedins_name: str) -> Callable[..., Any]:
        common = {
            "fixmedins_code": order.fixmedins_code,
            "fixmedins_name": fixmedins_name or order.fixmedins_code,
            "mdtrtarea_admvs": order.mdtrtarea_admvs,
            "insuplc_admdvs": order.insuplc_admdvs,
        }
        created = utc(order.created_at)

        def call(infno: str, step: int, body: dict[str, Any], sign_no: str = "") -> Any:
            msgid = orders.order_msgid(order.fixmedins_code, created, order.serial, step)
            return self.client.call(infno, msgid, input=body, sign_no=sign_no, **common)

        return call

    def settle(
        self, order: Any, request: dict[str, Any], fixmedins_name: str, visit_opened: Callable[[str], None]
    ) -> dict[str, Any]:
        """9001, 2201, 2203, 2204, 2206, 2207: 2207's setlinfo."""
        call = self._conversation(order, fixmedins_name)
        visit = request["visit"]
        begntime = utc(order.created_at).strftime(INF_TIME_FORMAT)
        sign_no = call("9001", orders.STEP_SIGN_IN, SIGN_IN)["signinoutb"]["sign_no"]
        mdtrt_id = order.mdtrt_id
        if mdtrt_id is None:
            opened = {
                "psn_no": order.psn_no,
                "insutype": request["insutype"],
                "begntime": begntime,
                "mdtrt_cert_type": "01",
                "mdtrt_cert_no": order.ec_token,
                **visit,
            }
            mdtrt_id = str(call("2201", orders.STEP_2201, {"data": opened}, sign_no)["data"]["mdtrt_id"])
            visit_opened(mdtrt_id)
        chrg_bchno = order.pay_ord_id
        diseinfo = request["diseinfo"]
        main = diseinfo[0] if diseinfo else {}
        mdtrtinfo = {
            "mdtrt_id": mdtrt_id,
            "psn_no": order.psn_no,
            "med_type": request["med_type"],
            "begntime": begntime,
            "dise_codg": main.get("diag_code", ""),
            "dise_name": main.get("diag_name", ""),
        }
        call("2203", orders.STEP_2203, {"mdtrtinfo": mdtrtinfo, "diseinfo": diseinfo}, sign_no)
        lines = [
            {
                "rx_circ_flag": "0",
                "fee_ocur_time": begntime,
                "bilg_dept_codg": visit["dept_code"],
                "bilg_dept_name": visit["dept_name"],
                "bilg_dr_codg": visit["atddr_no"],
                "bilg_dr_name": visit["dr_name"],
                "hosp_appr_flag": "1",
                **line,
                "mdtrt_id": mdtrt_id,
                "psn_no": order.psn_no,
                "chrg_bchno": chrg_bchno,
            }
            for line in request["feedetail"]
        ]
        call("2204", orders.STEP_2204, {"feedetail": lines}, sign_no)
        settle_input = {
            "psn_no": order.psn_no,
            "mdtrt_cert_type": "01",
            "mdtrt_cert_no": order.ec_token,
            "med_type": request["med_type"],
            "medfee_sumamt": order.medfee_sumamt,
            "psn_setlway": "01",
            "mdtrt_id": mdtrt_id,
            "chrg_bchno": chrg_bchno,
            "acct_used_flag": request["acct_used_flag"],
            "insutype": request["insutype"],
        }
        trial = call("2206", orders.STEP_2206, {"data": settle_input}, sign_no)["setlinfo"]
        copied = {name: trial[name] for name in COPIED_FROM_TRIAL if name in trial}
        out = call("2207", orders.STEP_2207, {"data": {**settle_input, **copied, "invono": ""}}, sign_no)
        return dict(out["setlinfo"])

    def reverse(self, order: Any, fixmedins_name: str) -> str:
        """9001, 2208: the reversal's setl_id."""
        call = self._conversation(order, fixmedins_name)
        sign_no = call("9001", orders.STEP_SIGN_IN, SIGN_IN)["signinoutb"]["sign_no"]
        body = {"data": {"setl_id": order.setl_id, "mdtrt_id": order.mdtrt_id, "psn_no": order.psn_no}}
        try:
            out = call("2208", orders.STEP_2208, body, sign_no)
        except SettlementRefused as exc:
            # A refused reversal must not be taken for a done one: keep the order where it is.
            raise Unavailable("settlement_reversal", f"2208 refused: {exc.err_msg}") from None
        return str(out["setlinfo"]["setl_id"])
