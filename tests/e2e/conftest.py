"""The four services and the real broker, started the way `make run` starts them."""

from __future__ import annotations

import pytest
from stack import Stack


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory):
    system = Stack(var=tmp_path_factory.mktemp("stack"), free_ports=True)
    try:
        system.start(log=False)
        yield system
    finally:
        system.stop()
