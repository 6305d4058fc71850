"""`make run`'s Ready: the moment the stack says it is ready, the demo people settle as the rules say."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from clients import His
from stack import Stack

# docs/settlement-rules.md section 12: every demo person, and the assistance identities two of them hold.
DEMO_PEOPLE = {
    "540102198005010110": ("540100", None),
    "54010219750312022X": ("540100", None),
    "540102196008200316": ("540100", "2202"),
    "540102198501150411": ("540100", None),
    "540102197811300521": ("540100", None),
    "54010219550404061X": ("540100", None),
    "341302195002020728": ("341300", "2201"),
    "341302199006060813": ("341300", None),
    "430602197007070923": ("430600", None),
    "430602195809091014": ("430600", None),
}
WU_GANG = {"psn_no": "43060000000000000002", "certno": "430602195809091014", "insutype": "310", "pool": "430600"}
SURGERY = [("003301000010000", "1", "3000")]


@pytest.fixture(scope="module")
def just_ready(tmp_path_factory: pytest.TempPathFactory):
    """A stack of its own, used the instant start() returns, before anything else touches it."""
    system = Stack(var=tmp_path_factory.mktemp("ready"), free_ports=True)
    try:
        system.start(log=False)
        # What was pending the instant Ready came, before the other tests settle visits of their own.
        system.pending_at_ready = (system.unpublished(), system.unapplied())
        yield system
    finally:
        system.stop()


def test_when_the_stack_is_ready_settlement_knows_every_demo_person_and_identity(just_ready):
    lhasa = His(just_ready.urls["settlement"], "H54010000001", "540100").sign_in()
    for certno, (pool, identity) in DEMO_PEOPLE.items():
        answer = lhasa.call(
            "1101",
            {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": certno, "psn_cert_type": "01", "certno": certno}},
        )
        assert answer["infcode"] == 0, f"{certno}: {answer['err_msg']}"
        assert answer["output"]["insuinfo"][0]["insuplc_admdvs"] == pool
        identities = [i["psn_idet_type"] for i in answer["output"]["idetinfo"]]
        assert identities == ([identity] if identity else []), certno


def test_when_the_stack_is_ready_wu_gangs_filing_gives_him_the_filed_ratio_in_beijing(just_ready):
    beijing = His(just_ready.urls["settlement"], "H11010000001", "110100").sign_in()
    # Retired employee of 430600 in a level-3 hospital: 0.80 + 0.05; unfiled would take 0.15 off.
    setlinfo = beijing.stay(WU_GANG, SURGERY)
    assert setlinfo["pool_prop_selfpay"] == Decimal("0.85")


def test_nothing_is_left_unpublished_or_unapplied_once_ready(just_ready):
    assert just_ready.pending_at_ready == ([], [])


def test_the_stack_is_not_ready_while_settlement_has_not_applied_the_demo_events(tmp_path):
    # Settlement's consumer switched off: the demo events wait on the broker, so Ready must not come.
    system = Stack(var=tmp_path, free_ports=True, env_overrides={"SETTLEMENT_CONSUMERS_ENABLED": "false"})
    try:
        with pytest.raises(
            RuntimeError, match=re.escape("settlement on enrollment.people.v1, settlement on remote_care.filings.v1")
        ):
            system.start(log=False, ready_timeout=5)
    finally:
        system.stop()
