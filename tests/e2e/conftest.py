"""The four services and the real broker, started the way `make run` starts them."""

from __future__ import annotations

import pytest
from stack import Stack


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory):
    # The local payment provider refuses this amount, as a real one refuses a card: see test_evoucher.
    system = Stack(
        var=tmp_path_factory.mktemp("stack"),
        free_ports=True,
        # Phones retry activation until the enrollment event arrives: more tries than a person makes.
        env_overrides={"EVOUCHER_PAYMENT_FAIL_AMOUNTS": '["77.70"]', "EVOUCHER_IDENTITY_RATE_BURST": "1000"},
    )
    try:
        system.start(log=False)
        yield system
    finally:
        system.stop()
