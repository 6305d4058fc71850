from medshared.settings import ServiceSettings
from settlement.config import Settings


def test_settlement_runs_its_blocking_endpoints_on_few_threads_unless_told_otherwise(monkeypatch):
    assert Settings().request_threads == 8 and ServiceSettings().request_threads == 40
    monkeypatch.setenv("SETTLEMENT_REQUEST_THREADS", "16")
    assert Settings().request_threads == 16
