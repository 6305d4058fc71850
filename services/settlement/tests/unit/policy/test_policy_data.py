"""The versioned policy data: demo JSON loads, round-trips and agrees with itself."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from policy_demo import Demo, load

from settlement.policy import AssistancePolicy, Catalogue, PolicyDataError, RegionPolicy


@pytest.mark.parametrize(
    "cls, file",
    [
        pytest.param(Catalogue, "catalogue.json", id="the catalogue round-trips through json"),
        pytest.param(RegionPolicy, "policies.json", id="every region policy round-trips through json"),
        pytest.param(AssistancePolicy, "assistance.json", id="every assistance policy round-trips through json"),
    ],
)
def test_policy_rows_round_trip_through_json(cls: Any, file: str) -> None:
    rows = load(file)
    for row in rows if isinstance(rows, list) else [rows]:
        obj = cls.from_dict(row)
        again = cls.from_dict(json.loads(json.dumps(obj.to_dict())))
        assert again == obj
        assert obj.to_dict()["version"] and obj.to_dict()["effective_from"]


def test_money_and_ratios_are_written_as_strings_never_floats() -> None:
    dumped = json.dumps(RegionPolicy.from_dict(load("policies.json")[0]).to_dict())

    assert '"main_annual_cap": "100000"' in dumped
    assert '"0.60"' in dumped


@pytest.mark.parametrize(
    "change, message",
    [
        pytest.param({"main_anual_cap": "1"}, "unknown field", id="a misspelt field is refused"),
        pytest.param({"main_annual_cap": 100000.0}, "floats lose cents", id="a float amount is refused"),
        pytest.param({"effective_from": "1 Jan 2026"}, "ISO date", id="a non-ISO date is refused"),
    ],
)
def test_malformed_policy_rows_are_refused(change: dict[str, Any], message: str) -> None:
    row = {**load("policies.json")[0], **change}

    with pytest.raises(PolicyDataError, match=message):
        RegionPolicy.from_dict(row)


def test_a_policy_row_missing_a_parameter_is_refused() -> None:
    row = load("policies.json")[0]
    del row["main_annual_cap"]

    with pytest.raises(PolicyDataError, match="missing field 'main_annual_cap'"):
        RegionPolicy.from_dict(row)


def test_the_beijing_override_replaces_the_national_item_only_in_beijing(demo: Demo) -> None:
    code = "XJ01DCC041B002010100002"
    beijing = demo.catalogue.lookup(code, "110100")
    lhasa = demo.catalogue.lookup(code, "540100")

    assert beijing is not None and lhasa is not None
    assert (beijing.selfpay_prop, beijing.pric_uplmt_amt) == (Decimal("0.05"), Decimal("10.00"))
    assert (lhasa.selfpay_prop, lhasa.pric_uplmt_amt) == (Decimal("0.10"), Decimal("12.00"))


def test_every_demo_person_has_a_policy_and_every_identity_an_assistance_rule(demo: Demo) -> None:
    assert len(demo.people) == 10
    for person in demo.people.values():
        policy = demo.policy(person["psn_name"])
        if person["insutype"] == "390":
            assert person["tier"] in policy.contribution_tiers
        else:
            assert person["acct_balance"] is not None
        if person["identity"]:
            code = person["identity"]["psn_idet_type"]
            assert code in demo.assistance[person["insuplc_admdvs"]].identities


def test_every_demo_institution_level_has_inpatient_terms_or_is_a_pharmacy(demo: Demo) -> None:
    for inst in demo.institutions.values():
        if inst["hosp_lv"] == "pharmacy":
            continue
        for policy in demo.policies.values():
            assert inst["hosp_lv"] in policy.inpatient.deductible_by_level
