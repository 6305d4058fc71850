"""3202 对明细账 over a day of 100,000 settlements of one hospital: the HIS uploads its detail file
(9101), asks for the reconciliation (3202) and fetches the result (9102), over HTTP.

The day's settlements are written with COPY into settlement's own table (every 50th also reversed,
its reversal a line of its own), in the columns and sizes the door writes; a day of them through
the door would be the visit load's figure again. The detail file lists them all but one, with one
amount altered, so the answer must flag exactly two lines.

    workloads.run_all:  results["statements"] = statements.run(system, plan, memory)
    report.write:       statements.report_row(r.get("statements"))

A direct run (from scripts/): `python -m bench.statements [rows]` starts a throwaway PostgreSQL and
settlement alone (in process, the same HTTP routes), fills the day and runs the same three calls.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import random
import sys
import tempfile
import time
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import psycopg

from bench.his import envelope
from bench.system import Hospital
from medshared.national import gateway_headers

ROWS = 100_000
HOSPITAL = Hospital("H54010000001", "540100")  # the demo hospital: its credential comes with the demo data
PSN = "54010000000000000001"
# What a stored outpatient settlement carries besides its amounts (about the size the door writes).
SETLINFO = json.dumps({"note": "x" * 1400})
SETLDETAIL = json.dumps([{"fund_pay_type": "390100", "fund_payamt": "0.00", "setl_proc_info": "y" * 120}])
COLUMNS = ("setl_id", "mdtrt_id", "psn_no", "infno", "medins_setl_id", "fixmedins_code", "insutype", "med_type",
           "clr_type", "clr_optins", "pay_loc", "setl_time", "year", "medfee_sumamt", "fund_pay_sumamt", "acct_pay",
           "psn_cash_pay", "act_pay_dedc", "mid_setl_flag", "setlinfo", "setldetail", "delta", "policy_versions",
           "init_setl_id", "reversed_by", "channel")  # fmt: skip


def yuan(fen: int) -> str:
    return f"{Decimal(fen) / 100:.2f}"


def fill(database_url: str, day: dt.date, rows: int, *, reversal_every: int = 50) -> list[tuple[Any, ...]]:
    """COPY `rows` settlement lines of `day` for HOSPITAL; answers each line as the HIS lists it."""
    rng = random.Random(20261202)
    start = dt.datetime.combine(day, dt.time(8, 0))
    listed: list[tuple[Any, ...]] = []
    url = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        with cur.copy(f"COPY settlement ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            i = 0
            while len(listed) < rows:
                medfee = rng.randint(1_000, 200_000)  # fen
                fund = medfee * rng.randint(30, 80) // 100
                setl_id, mdtrt_id = f"540100{day:%Y%m%d}B{i:015d}", f"540100{day:%Y%m%d}V{i:015d}"
                reversed_by = f"540100{day:%Y%m%d}R{i:015d}" if i % reversal_every == 0 else None
                when = start + dt.timedelta(seconds=i % 36_000)
                base = (
                    "2207",
                    f"{HOSPITAL.code}{i:018d}",
                    HOSPITAL.code,
                    "390",
                    "11",
                    "11",
                    "540100",
                    "2",
                    when,
                    day.year,
                )
                copy.write_row((setl_id, mdtrt_id, PSN, *base, yuan(medfee), yuan(fund), "0.00", yuan(medfee - fund),
                                "0.00", "0", SETLINFO, SETLDETAIL, "{}", "{}", None, reversed_by, "his"))  # fmt: skip
                listed.append((setl_id, mdtrt_id, PSN, yuan(medfee), yuan(fund), "0.00", "1" if reversed_by else "0"))
                if reversed_by and len(listed) < rows:
                    undo = (reversed_by, mdtrt_id, PSN, "2208", *base[1:8], when + dt.timedelta(seconds=1), day.year)
                    copy.write_row((*undo, yuan(-medfee), yuan(-fund), "0.00", yuan(fund - medfee), "0.00", "0",
                                    SETLINFO, SETLDETAIL, "{}", "{}", setl_id, None, "his"))  # fmt: skip
                    listed.append((reversed_by, mdtrt_id, PSN, yuan(-medfee), yuan(-fund), "0.00", "1"))
                i += 1
        cur.execute("ANALYZE settlement")
    return listed


def detail_zip(lines: list[tuple[Any, ...]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("detail.txt", "".join("\t".join(str(v) for v in line) + "\n" for line in lines))
    return buffer.getvalue()


class Door:
    """The hospital at settlement's national door: signed, signed in, one msgid per call."""

    def __init__(self, http: httpx.Client) -> None:
        self.http = http
        self.sign_no = ""
        self.n = 0

    def call(self, infno: str, input_: dict[str, Any]) -> httpx.Response:
        self.n += 1
        msgid = f"{HOSPITAL.code}{dt.datetime.now():%Y%m%d%H%M%S}{self.n % 10_000:04d}"
        body = envelope(HOSPITAL, infno, msgid, input_, sign_no=self.sign_no)
        headers = {**gateway_headers(HOSPITAL.code, HOSPITAL.token), "content-type": "application/json"}
        return self.http.post("/fsi/api/rsfComIfsService/callService", content=json.dumps(body), headers=headers)

    def ok(self, infno: str, input_: dict[str, Any]) -> Any:
        answer = self.call(infno, input_)
        answer.raise_for_status()
        if answer.headers.get("content-type", "").startswith("application/octet-stream"):
            return answer.content
        body = answer.json()
        if body.get("infcode") not in (0, "0"):
            raise RuntimeError(f"{infno} refused: {body.get('err_msg')}")
        return body["output"]


def workload(http: httpx.Client, database_url: str, rows: int = ROWS) -> dict[str, Any]:
    day = dt.date.today() - dt.timedelta(days=1)  # a closed day no other workload settles in
    t0 = time.monotonic()
    listed = fill(database_url, day, rows)
    fill_seconds = time.monotonic() - t0
    sent = [list(line) for line in listed]
    sent[rows // 3][3] = f"{Decimal(sent[rows // 3][3]) + 1:.2f}"  # one amount altered
    del sent[rows // 2]  # one line missing
    content = detail_zip([tuple(line) for line in sent])

    door = Door(http)
    door.sign_no = door.ok("9001", {"signIn": {"opter_no": "001", "mac": "", "ip": "127.0.0.1"}})["signinoutb"][
        "sign_no"
    ]
    t0 = time.monotonic()
    node = {"in": base64.b64encode(content).decode(), "filename": "detail.zip", "fixmedins_code": HOSPITAL.code}
    file_qury_no = door.ok("9101", {"fsUploadIn": node})["file_qury_no"]
    upload_seconds = time.monotonic() - t0
    medfee = sum(Decimal(line[3]) for line in sent)
    fund = sum(Decimal(line[4]) for line in sent)
    data = {"setl_optins": HOSPITAL.admdvs, "file_qury_no": file_qury_no, "stmt_begndate": f"{day}",
            "stmt_enddate": f"{day}", "medfee_sumamt": f"{medfee:.2f}", "fund_pay_sumamt": f"{fund:.2f}",
            "cash_payamt": f"{medfee - fund:.2f}", "fixmedins_setl_cnt": len(sent)}  # fmt: skip
    t0 = time.monotonic()
    info = door.ok("3202", {"data": data})["fileinfo"]
    seconds = time.monotonic() - t0
    t0 = time.monotonic()
    result = door.ok("9102", {"fsDownloadIn": {"file_qury_no": info["file_qury_no"], "filename": info["filename"]}})
    download_seconds = time.monotonic() - t0
    with zipfile.ZipFile(io.BytesIO(result)) as archive:
        lines = archive.read("result.txt").decode("utf-8").splitlines()
    flagged = sum(1 for line in lines if line.split("\t")[4] != "0")
    return {
        "settlements": rows,
        "file_mb": round(len(content) / 1_048_576, 1),
        "fill_seconds": round(fill_seconds, 1),
        "upload_seconds": round(upload_seconds, 2),
        "seconds": round(seconds, 2),
        "download_seconds": round(download_seconds, 2),
        "result_lines": len(lines),
        "flagged": flagged,
        "stmt_rslt": info["stmt_rslt"],
    }


def run(system: Any, plan: Any, memory: Any) -> dict[str, Any]:
    """The make bench workload, against the running settlement service."""
    with httpx.Client(base_url=system.url("settlement"), timeout=1800) as http:
        result = workload(http, system.database_urls["settlement"])
    memory.sample()
    return result


def report_row(result: dict[str, Any] | None) -> str:
    """The targets table's row: seconds of the 3202 call itself, with the upload and download beside."""
    if not result:
        return "| 3202 detail reconciliation over a day of 100,000 settlements | reported | not measured | | n/a |"
    right = result["result_lines"] == result["settlements"] and result["flagged"] == 2
    return (
        f"| 3202 detail reconciliation over a day of {result['settlements']:,} settlements "
        f"({result['file_mb']} MB detail zip) | reported | {result['seconds']} s "
        f"(9101 upload {result['upload_seconds']} s, 9102 download {result['download_seconds']} s; "
        f"{result['flagged']} lines flagged of {result['result_lines']:,}) | | {'**met**' if right else '**not met**'} |"
    )


def main(argv: list[str]) -> int:
    """A direct run: a throwaway PostgreSQL, settlement's migrations and demo data, the workload in process."""
    from fastapi.testclient import TestClient

    from medshared import broker
    from medshared.db import upgrade
    from medshared.testing import create_database, start_postgres, stop_postgres
    from settlement.config import Settings
    from settlement.demo import load_demo
    from settlement.main import create_app

    rows = int(argv[1]) if len(argv) > 1 else ROWS
    root = Path(tempfile.mkdtemp(prefix="benchpg-"))
    server = start_postgres(root, broker.free_port())
    try:
        url = create_database(server)
        upgrade(Path(__file__).resolve().parents[2] / "services" / "settlement" / "alembic.ini", url)
        settings = Settings(database_url=url, kafka_bootstrap_servers="", environment="development")
        with TestClient(create_app(settings)) as http:
            load_demo(http.app.state.runtime)
            print(json.dumps(workload(http, url, rows), indent=1), flush=True)
    finally:
        stop_postgres(root)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
