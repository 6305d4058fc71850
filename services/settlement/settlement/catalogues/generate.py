"""A large, realistic, deterministic catalogue: 1301 drug records as the national zip carries them, and the
payment catalogue of the same items, for tests and the benchmark.

Codes have the national drug code's shape (X + ATC level 5 + generic-name, dosage-form and spec parts +
a 9-digit sequence: 23 characters) and never repeat; names, forms, specs, makers and flags are drawn
from short lists by a seeded generator, so the same seed gives the same file byte for byte.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from settlement.domain import catalogues as cat

ATC = (
    ("A10BA", "二甲双胍"), ("J01DC", "头孢呋辛"), ("L01XC", "曲妥珠单抗"), ("C09AA", "卡托普利"), ("N02BE", "对乙酰氨基酚"),
    ("R05CB", "氨溴索"), ("A02BC", "奥美拉唑"), ("C10AA", "阿托伐他汀"), ("J01CA", "阿莫西林"), ("B01AC", "阿司匹林"),
    ("C08CA", "氨氯地平"), ("M01AE", "布洛芬"), ("R06AE", "西替利嗪"), ("J05AB", "阿昔洛韦"), ("H02AB", "地塞米松"),
    ("A03FA", "多潘立酮"), ("N05BA", "地西泮"), ("C07AB", "美托洛尔"), ("J01FA", "阿奇霉素"), ("A11CC", "骨化三醇"),
)  # fmt: skip
FORMS = (
    ("AAA", "片剂", "片"),
    ("ABA", "胶囊剂", "粒"),
    ("BBA", "注射剂", "支"),
    ("CAA", "颗粒剂", "袋"),
    ("DAA", "口服溶液剂", "瓶"),
)
SPECS = ("0.1g", "0.25g", "0.5g", "5mg", "10mg", "20mg", "2ml:4mg", "1g", "100ml:0.5g", "40mg")
MAKERS = ("华北制药股份有限公司", "石药集团欧意药业有限公司", "齐鲁制药有限公司", "扬子江药业集团有限公司",
          "中美上海施贵宝制药有限公司", "西藏奇正藏药股份有限公司", "国药集团容生制药有限公司", "江苏恒瑞医药股份有限公司")  # fmt: skip
PACKS = (10, 12, 20, 24, 30, 36, 48, 100)
LEVELS = (("01", "0", "甲"), ("02", "0.10", "乙"), ("02", "0.20", "乙"), ("03", "1", "丙"))


def drug_code(i: int, rng: random.Random) -> str:
    atc = ATC[i % len(ATC)][0]
    return f"X{atc}{'ABCDEFGH'[i % 8]}{rng.randrange(1000):03d}{'AB'[i % 2]}{rng.randrange(1000):03d}{i:09d}"


def drugs(items: int, seed: int = 2026) -> Iterator[dict[str, str]]:
    """1301 records by column; each also carries the payment fields under "_payment" (not a 1301 column)."""
    rng = random.Random(seed)
    for i in range(items):
        atc, generic = ATC[i % len(ATC)]
        form, form_name, unit = FORMS[rng.randrange(len(FORMS))]
        spec = SPECS[rng.randrange(len(SPECS))]
        maker = rng.randrange(len(MAKERS))
        pack = PACKS[rng.randrange(len(PACKS))]
        level, share, grade = LEVELS[rng.randrange(len(LEVELS))]
        name = f"{generic}{form_name}"
        capped = rng.random() < 0.3
        yield {
            "med_list_codg": drug_code(i, rng),
            "drug_prodname": f"{name}({MAKERS[maker][:2]})",
            "genname_codg": f"{atc}{i % 997:04d}",
            "drug_genname": name,
            "reg_name": name,
            "drugstdcode": f"86{rng.randrange(10**11, 10**12)}",
            "drug_dosform": form,
            "drug_dosform_name": form_name,
            "drug_type": "1",
            "drug_type_name": "西药",
            "drug_spec": spec,
            "reg_dosform": form_name,
            "reg_spec": spec,
            "each_dos": spec,
            "used_frqu": "一日三次",
            "tcmpat_flag": "0",
            "prodplac_type": "1",
            "prodplac_type_name": "国产",
            "otc_flag": "0",
            "otc_flag_name": "处方药",
            "pacspec": f"{spec}*{pack}{unit}/盒",
            "pac_cnt": str(pack),
            "begndate": f"20{20 + i % 6:02d}-0{1 + i % 9}-01",
            "min_useunt": unit,
            "min_salunt": "盒",
            "min_unt": unit,
            "min_pac_cnt": str(pack),
            "min_pacunt": "盒",
            "min_prepunt": unit,
            "convrat": str(pack),
            "drug_expy": "24个月",
            "min_prcunt": unit,
            "prodentp_code": f"PE{maker:04d}",
            "prodentp_name": MAKERS[maker],
            "lmt_used_flag": "1" if i % 17 == 0 else "0",
            "aprvno": f"国药准字H{rng.randrange(10**7, 10**8)}",
            "mkt_stas": "1",
            "mkt_stas_name": "上市",
            "bas_medn_flag": "1" if i % 5 == 0 else "0",
            "bas_medn_flag_name": "是" if i % 5 == 0 else "否",
            "hi_nego_drug_flag": "1" if i % 23 == 0 else "0",
            "vali_flag": "1",
            "nat_hi_druglist_chrgitm_lv": grade,
            "_payment": {
                "chrgitm_lv": level,
                "selfpay_prop": share,
                "pric_uplmt_amt": f"{Decimal(rng.randrange(100, 500_000)) / 100:.2f}" if capped else None,
            },  # type: ignore[dict-item]
        }


def national_lines(items: int, seed: int = 2026) -> Iterator[str]:
    """The 1301 records as lines of the national txt (before publishing: no rid, ver or times)."""
    family = cat.FAMILIES["1301"]
    for row in drugs(items, seed):
        row.pop("_payment")
        yield cat.render(family, cat.read_record(family, [row.get(c, "") for c in family.columns], None))


def national_zip(items: int, seed: int = 2026) -> bytes:
    return cat.zip_lines("1301.txt", national_lines(items, seed))


def payment_catalogue(
    items: int, seed: int = 2026, *, catalogue_id: str = "catalogue-generated", version: str = "1",
    effective_from: str = "2099-01-01",
) -> dict[str, Any]:  # fmt: skip
    """The body of POST /admin/v1/catalogues for the same items (in force from `effective_from`)."""
    rows = []
    for row in drugs(items, seed):
        payment: dict[str, Any] = row["_payment"]  # type: ignore[assignment]
        item = {"med_list_codg": row["med_list_codg"], "name": row["drug_genname"], **payment}
        item["bas_medn_flag"] = row["bas_medn_flag"]
        item["hi_nego_drug_flag"] = row["hi_nego_drug_flag"]
        item["lmt_used_flag"] = row["lmt_used_flag"]
        rows.append(item)
    return {"catalogue_id": catalogue_id, "version": version, "effective_from": effective_from, "items": rows}
