"""A hospital's HIS connects for the first time and bills with its own item codes, over real HTTP.

It signs in, reads the code tables it needs (1901), downloads the national catalogues of what it
will bill (1301 drugs, 1305 services, 1306 consumables, each a zip fetched with 9102), maps its own
item codes to the national ones (3301), uploads its departments (3401), then settles an outpatient
visit whose fee lines carry only its own codes: the platform prices them with the mapped national
codes, to the cent: the worked example "ciren's small outpatient bill stays under the assistance
threshold" of docs/settlement-rules.md (14.9). The clinic (H54010000002) and 次仁 are used by no
other end-to-end test, so this is 次仁's first visit of the year.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

from clients import His, wait_for

CLINIC = "H54010000002"
CIREN = {"psn_no": "54010000000000000003", "certno": "540102196008200316", "insutype": "390", "pool": "540100"}
# The clinic's own codes and the national codes they stand for (list_type: 101 西药中成药, 201 医疗服务项目).
OWN_ITEMS = {
    "ZS-GH-001": ("001102000010000", "201", "普通门诊诊查费"),
    "ZS-YP-017": ("XA10BAA059A001010100001", "101", "二甲双胍片"),
    "ZS-JY-003": ("002501010010000", "201", "血细胞分析"),
}


def _records(zipped: bytes) -> list[list[str]]:
    """Unzip a catalogue download as a HIS does: one tab-separated txt, one record a line."""
    with zipfile.ZipFile(io.BytesIO(zipped)) as archive:
        (member,) = archive.namelist()
        text = archive.read(member).decode("utf-8")
    return [line.split("\t") for line in text.splitlines() if line]


def test_a_his_starting_from_nothing_maps_its_own_codes_and_settles_with_them_to_the_cent(stack):
    his = His(stack.urls["settlement"], CLINIC, "540100").sign_in()
    wait_for(lambda: his.knows(CIREN["certno"]))

    insutypes = his.ok("1901", {"data": {"type": "insutype", "parentValue": "", "admdvs": "", "date": "",
                                         "vali_flag": "1"}})["list"]  # fmt: skip
    assert {"310", "390"} <= {row["value"] for row in insutypes}

    codes: dict[str, set[str]] = {}
    for infno in ("1301", "1305", "1306"):
        offered = his.ok(infno, {"data": {"ver": "0"}})
        assert offered["file_qury_no"] and offered["dld_endtime"] > f"{dt.datetime.now():%Y-%m-%d %H:%M:%S}"
        codes[infno] = {record[0] for record in _records(his.download(offered["file_qury_no"]))}
    assert "XA10BAA059A001010100001" in codes["1301"]
    assert "001102000010000" in codes["1305"]
    assert codes["1306"], "the consumables catalogue is empty"

    for own, (national, list_type, name) in OWN_ITEMS.items():
        his.ok("3301", {"data": {"fixmedins_hilist_id": own, "fixmedins_hilist_name": name, "list_type": list_type,
                                 "med_list_codg": national, "begndate": "2026-01-01", "enddate": ""}})  # fmt: skip
    mapped = his.ok("1317", {"data": {"page_num": 1, "page_size": 10}})["data"]
    assert {(row["medins_list_codg"], row["med_list_codg"]) for row in mapped} >= {
        (own, national) for own, (national, _, _) in OWN_ITEMS.items()
    }
    his.ok("3401", {"deptinfo": {"hosp_dept_codg": "NK01", "hosp_dept_name": "内科", "begntime": "2026-01-01 00:00:00",
                                 "caty": "A03", "itro": "", "dept_resper_name": "主任", "dept_resper_tel": ""}})  # fmt: skip

    now = f"{dt.datetime.now():%Y-%m-%d %H:%M:%S}"
    mdtrt_id = his.ok("2201", {"data": {"psn_no": CIREN["psn_no"], "insutype": "390", "begntime": now,
                                        "mdtrt_cert_type": "02", "mdtrt_cert_no": CIREN["certno"], "ipt_otp_no": "OP1",
                                        "atddr_no": "DR1", "dr_name": "医生", "dept_code": "NK01", "dept_name": "内科",
                                        "caty": "A03"}}, insuplc="540100")["data"]["mdtrt_id"]  # fmt: skip
    his.ok("2203", {"mdtrtinfo": {"mdtrt_id": mdtrt_id, "psn_no": CIREN["psn_no"], "med_type": "11", "begntime": now},
                    "diseinfo": []}, insuplc="540100")  # fmt: skip
    lines = [("1", "ZS-JY-003", "1", "250.00")]
    priced = his.ok("2204", {"feedetail": [
        {"feedetl_sn": sn, "mdtrt_id": mdtrt_id, "psn_no": CIREN["psn_no"], "chrg_bchno": "B1", "rx_circ_flag": "0",
         "fee_ocur_time": now, "med_list_codg": "", "medins_list_codg": own, "cnt": cnt, "pric": pric,
         "det_item_fee_sumamt": str(Decimal(cnt) * Decimal(pric)), "bilg_dept_codg": "NK01", "bilg_dept_name": "内科",
         "bilg_dr_codg": "DR1", "bilg_dr_name": "医生", "hosp_appr_flag": "1"}
        for sn, own, cnt, pric in lines]}, insuplc="540100")["result"]  # fmt: skip
    assert [(row["feedetl_sn"], row["med_list_codg"]) for row in priced] == [("1", "002501010010000")]

    settle = {"psn_no": CIREN["psn_no"], "mdtrt_cert_type": "02", "mdtrt_cert_no": CIREN["certno"], "med_type": "11",
              "medfee_sumamt": "250.00", "psn_setlway": "01", "mdtrt_id": mdtrt_id, "chrg_bchno": "B1",
              "acct_used_flag": "0", "insutype": "390"}  # fmt: skip
    trial = his.ok("2206", {"data": settle}, insuplc="540100")["setlinfo"]
    settled = his.ok("2207", {"data": settle}, insuplc="540100")["setlinfo"]
    amounts = ("medfee_sumamt", "inscp_scp_amt", "act_pay_dedc", "hifp_pay", "maf_pay", "fund_pay_sumamt",
               "psn_cash_pay")  # fmt: skip
    # docs/settlement-rules.md 14.9: pool (250.00 - 100.00) x 0.60 = 90.00; assistance base 160.00, under 300.
    expected = tuple(Decimal(v) for v in ("250.00", "250.00", "100.00", "90.00", "0.00", "90.00", "160.00"))
    assert tuple(trial[k] for k in amounts) == expected
    assert tuple(settled[k] for k in amounts) == expected
