from __future__ import annotations

import pytest
from policy_demo import Demo


@pytest.fixture(scope="session")
def demo() -> Demo:
    return Demo()
