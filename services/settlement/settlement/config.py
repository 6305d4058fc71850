from __future__ import annotations

import datetime as dt

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from medshared.security import OperatorCredential, development_operator_tokens, operator_token_secrets
from medshared.settings import ServiceSettings
from settlement.domain.files import MIB, FileRules


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SETTLEMENT_", extra="ignore", populate_by_name=True)

    database_url: str = "sqlite:///./var/settlement.db"
    evoucher_url: str = "http://127.0.0.1:8004"
    remote_care_url: str = "http://127.0.0.1:8003"
    # Sent as x-internal-token on service-to-service calls (e-voucher, remote-care).
    internal_token: str = "dev-internal-token"
    http_timeout_seconds: float = 3.0
    # Few request threads (SETTLEMENT_REQUEST_THREADS): the process runs Python on one core at a time,
    # and each runnable thread more delays the outbox relay's turn. Under 64 concurrent callers the
    # event lag p99 was 435-723 ms with 40 threads, 106-120 ms with 8, 69-104 ms with 6, at the same
    # throughput (docs/performance.md). A call waiting for e-voucher or remote-care holds one, for at
    # most http_timeout_seconds.
    request_threads: int = Field(default=8, ge=1, le=256)
    # The mobile-payment centre settles for any institution through the same front door.
    mobile_pay_paasid: str = "mobile-pay-centre"
    mobile_pay_token: str = "dev-mobile-pay"
    # A gateway signature older or newer than this is refused (replayed or badly clocked);
    # nonces are remembered for twice this long, so a signature is good for one call only.
    signature_max_skew_seconds: int = 300
    # Token bucket per institution at the front door; generous, so only a runaway HIS meets it.
    institution_rate_per_second: float = 200.0
    institution_rate_burst: int = 400
    # Catalogue and policy publishing is the bureau's policy role. JSON in the environment:
    # {"<token>": {"operator": "policy-01", "roles": ["policy"]}}
    operator_tokens: dict[str, OperatorCredential] = Field(default_factory=development_operator_tokens)
    # The receiver admdvs that starts every inf_refmsgid.
    platform_admdvs: str = "540000"
    # 9101/9102 files: the largest file one upload may carry; how long a file (uploaded, or generated
    # by 13xx/3202) is kept for download; how many uploads, and how many bytes of them, an institution
    # may keep at once. A JSON 9101 body is also held to the edge's upload limit (32 MiB), which base64
    # of a 20 MiB file fits.
    file_max_bytes: int = 20 * MIB
    file_keep_hours: float = 24.0
    file_live_uploads_per_institution: int = 100
    file_live_upload_bytes_per_institution: int = 500 * MIB
    # Fund supervision at settlement (docs/supervision.md). SETTLEMENT_SUPERVISION=false switches the
    # engine off at settlement, for an emergency or a measurement; 3101/3102 still answer.
    supervision: bool = True

    def file_rules(self) -> FileRules:
        return FileRules(
            max_bytes=self.file_max_bytes,
            keep=dt.timedelta(hours=self.file_keep_hours),
            live_uploads_per_institution=self.file_live_uploads_per_institution,
            live_upload_bytes_per_institution=self.file_live_upload_bytes_per_institution,
        )

    def secrets_with_development_defaults(self) -> dict[str, str]:
        return {
            "SETTLEMENT_INTERNAL_TOKEN": self.internal_token,
            "SETTLEMENT_MOBILE_PAY_TOKEN": self.mobile_pay_token,
            **operator_token_secrets("SETTLEMENT", self.operator_tokens),
        }
