"""周敏 (岳阳 430600) is treated in 北京 (110100): unfiled, after filing on her phone, after a referral."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import httpx
from clients import PEOPLE, His, Phone, settle_data, wait_for

ZHOU = PEOPLE["周敏"]
SURGERY = [("003301000010000", "1", "3000")]  # 阑尾切除术: class A, fully in scope


def admitted_and_discharged(beijing: His) -> str:
    from clients import fee_line

    mdtrt_id = beijing.admit(ZHOU)
    beijing.ok("2301", {"feedetail": [fee_line("1", *SURGERY[0], mdtrt_id, ZHOU["psn_no"])]}, insuplc=ZHOU["pool"])
    endtime = f"{dt.datetime.now():%Y-%m-%d %H:%M:%S}"
    beijing.ok(
        "2402",
        {"dscginfo": {"mdtrt_id": mdtrt_id, "psn_no": ZHOU["psn_no"], "insutype": "390", "endtime": endtime}},
        insuplc=ZHOU["pool"],
    )
    return mdtrt_id


def settle_when_ratio_is(beijing: His, ratio: str) -> dict:
    """Pre-settle (2303) until the filing event has reached settlement, then settle (2304)."""
    mdtrt_id = admitted_and_discharged(beijing)
    data = {"data": settle_data(ZHOU, mdtrt_id, Decimal("3000.00"), med_type="21")}
    wait_for(
        lambda: beijing.ok("2303", data, insuplc=ZHOU["pool"])["setlinfo"]["pool_prop_selfpay"] == Decimal(ratio),
        timeout=15,
    )
    return beijing.ok("2304", data, insuplc=ZHOU["pool"])["setlinfo"]


def test_zhou_min_pays_15_points_less_unfiled_10_after_filing_and_0_with_a_referral(stack):
    beijing = His(stack.urls["settlement"], "H11010000001", "110100").sign_in()
    wait_for(lambda: beijing.knows(ZHOU["certno"]))

    # 岳阳 residents, level-3 hospital: 0.65; unfiled out of area: -0.15.
    unfiled = beijing.stay(ZHOU, SURGERY)
    assert unfiled["pool_prop_selfpay"] == Decimal("0.50")
    assert (unfiled["act_pay_dedc"], unfiled["hifp_pay"]) == (Decimal("900.00"), Decimal("1050.00"))
    assert unfiled["clr_type"] == "21" and unfiled["clr_optins"] == "110100"

    # She activates her e-voucher and files a temporary filing (其他临时外出就医) from her phone.
    phone = Phone(stack.urls["e-voucher"], "zhoumin")
    wait_for(lambda: phone.try_activation("周敏", ZHOU["certno"]).status_code == 201)
    token = Phone(stack.urls["e-voucher"], "zhoumin").remote_care_token
    filed = httpx.post(
        stack.urls["remote-care"] + "/mobile/v1/filings",
        json={"filing_type": "temporary_other", "target_admdvs": "110100", "begndate": f"{dt.date.today()}"},
        headers={"authorization": f"Bearer {token}"},
    )
    assert filed.status_code == 201, filed.text
    temporary = settle_when_ratio_is(beijing, "0.55")
    assert temporary["hifp_pay"] == Decimal("1155.00")

    # Her Yueyang hospital refers her to Beijing through its HIS (2501, forwarded to remote-care).
    yueyang = His(stack.urls["settlement"], "H43060000001", "430600").sign_in()
    referral = yueyang.ok(
        "2501",
        {
            "refmedin": {
                "psn_no": ZHOU["psn_no"],
                "insutype": "390",
                "diag_code": "K35.800",
                "diag_name": "急性阑尾炎",
                "reflin_medins_no": "H11010000001",
                "reflin_medins_name": "北京市第一医院(演示)",
                "mdtrtarea_admdvs": "110100",
                "refl_type": "1",
                "refl_date": f"{dt.date.today()}",
                "refl_rea": "病情需要",
                "refl_opnn": "同意转诊",
                "begndate": f"{dt.date.today()}",
            }
        },
        insuplc="430600",
    )
    assert referral["result"]["trt_dcla_detl_sn"]
    referred = settle_when_ratio_is(beijing, "0.65")
    assert referred["hifp_pay"] == Decimal("1365.00")

    # Beijing advanced the funds' share of each stay; remote-care has every one of them for clearing.
    period = f"{dt.date.today():%Y-%m}"

    def cleared():
        items = httpx.get(
            stack.urls["remote-care"] + "/admin/v1/clearing/items",
            params={"period": period, "psn_no": ZHOU["psn_no"]},
            headers={"x-operator-token": "dev-clearing-token"},
        ).json()
        return items if len(items) == 3 else None

    items = wait_for(cleared, timeout=15)
    assert {i["pay_loc"] for i in items} == {"4"} and {i["mdtrtarea_admvs"] for i in items} == {"110100"}
    assert sorted(Decimal(i["advanced_amt"]) for i in items) == [
        Decimal("1050.00"),
        Decimal("1155.00"),
        Decimal("1365.00"),
    ]
