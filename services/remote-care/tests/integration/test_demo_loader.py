from __future__ import annotations

import threading

import pytest
from builders import WU_GANG, feed, person_enrolled
from sqlalchemy import func, select

from remote_care.db import outbox
from remote_care.demo import DemoNotReady, load_demo


def test_the_demo_waits_for_wu_gang_from_enrollment_and_files_his_resettlement_once(runtime) -> None:
    with pytest.raises(DemoNotReady, match="enrollment"):
        load_demo(runtime, wait_seconds=0)

    arrives = threading.Timer(0.3, feed, args=(runtime, person_enrolled(WU_GANG, insutype="310", psn_type="1201")))
    arrives.start()
    first = load_demo(runtime, wait_seconds=10, poll_seconds=0.05)
    arrives.join()
    second = load_demo(runtime, wait_seconds=0)

    assert (first["filing_type"], first["target_admdvs"], first["begndate"], first["enddate"]) == (
        "resettled_retiree",
        "110100",
        "2026-01-01",
        None,
    )
    assert second["filing_id"] == first["filing_id"]
    with runtime.factory() as session:
        assert session.execute(select(func.count()).select_from(outbox)).scalar_one() == 1
