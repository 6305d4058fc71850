"""Stand-ins at the edge, for tests only: the settlement front door and a hospital's HIS.

The settlement double implements just the calls the mobile-payment centre makes, answers a
repeated msgid with its first answer (as the real front door does), and counts what stands.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response

from medshared import jsonutil
from medshared.national import signature_matches


class EdgeState:
    def __init__(self) -> None:
        self.url = ""
        self.reset()

    def reset(self) -> None:
        self.by_msgid: dict[str, Any] = {}
        self.calls: list[str] = []
        self.settlements: dict[str, dict[str, Any]] = {}  # setl_id -> setlinfo, "reversed"
        self.callbacks: list[tuple[bytes, str]] = []
        self.unanswered_callbacks = 0  # posts to /his/down, which always answers 503
        self.down_callbacks = False  # /his/callback answers 503 while set
        self.refuse: dict[str, str] = {}  # infno -> err_msg
        self.down = False
        self.seq = 0

    def standing(self) -> list[dict[str, Any]]:
        return [s for s in self.settlements.values() if not s["reversed"]]


def build_edge_app(state: EdgeState, token: str) -> FastAPI:
    app = FastAPI()

    @app.post("/fsi/api/rsfComIfsService/callService")
    async def call_service(request: Request) -> Response:
        if state.down:
            return Response(status_code=503)
        headers = request.headers
        if headers.get("x-tif-paasid") != "mobile-pay-centre" or not signature_matches(
            headers["x-tif-signature"], headers["x-tif-timestamp"], token, headers["x-tif-nonce"]
        ):
            return _json({"infcode": -1, "err_msg": "gateway credential refused", "output": None})
        body = jsonutil.loads(await request.body())
        infno, msgid = body["infno"], body["msgid"]
        state.calls.append(infno)
        if infno in state.refuse:
            return _json({"infcode": -1, "err_msg": state.refuse[infno], "output": None})
        if msgid not in state.by_msgid:
            state.by_msgid[msgid] = _answer(state, infno, body["input"])
        return _json({"infcode": 0, "err_msg": None, "output": state.by_msgid[msgid]})

    @app.post("/his/callback")
    async def callback(request: Request) -> Any:
        if state.down_callbacks:
            return Response(status_code=503)
        state.callbacks.append((await request.body(), request.headers.get("x-evoucher-signature", "")))
        return {"result": "ok"}

    @app.post("/his/down")
    async def callback_down(request: Request) -> Response:
        await request.body()
        state.unanswered_callbacks += 1
        return Response(status_code=503)

    return app


def _json(body: Any) -> Response:
    return Response(jsonutil.dumps(body), media_type="application/json")


def _answer(state: EdgeState, infno: str, data: dict[str, Any]) -> Any:
    state.seq += 1
    if infno == "9001":
        return {"signinoutb": {"sign_no": f"SIGN{state.seq}", "sign_time": "2026-11-24 10:00:00"}}
    if infno == "2201":
        assert data["data"]["mdtrt_cert_type"] == "01" and data["data"]["mdtrt_cert_no"]
        return {"data": {"mdtrt_id": f"MDTRT{state.seq}", "psn_no": data["data"]["psn_no"]}}
    if infno in ("2203", "2204"):
        return {"result": []}
    if infno in ("2206", "2207"):
        total = Decimal(str(data["data"]["medfee_sumamt"]))
        fund = (total * Decimal("0.6")).quantize(Decimal("0.01"))
        info = {
            "mdtrt_id": data["data"]["mdtrt_id"],
            "psn_no": data["data"]["psn_no"],
            "medfee_sumamt": total,
            "fund_pay_sumamt": fund,
            "acct_pay": Decimal("0.00"),
            "psn_cash_pay": total - fund,
            "inscp_scp_amt": total,
        }
        if infno == "2207":
            info["setl_id"] = f"SETL{state.seq}"
            state.settlements[info["setl_id"]] = {**info, "reversed": False}
        return {"setlinfo": info, "setldetail": []}
    if infno == "2208":
        original = state.settlements[data["data"]["setl_id"]]
        original["reversed"] = True
        return {"setlinfo": {"setl_id": f"REV{state.seq}", "mdtrt_id": original["mdtrt_id"]}}
    raise AssertionError(f"the mobile-payment centre does not call {infno}")
