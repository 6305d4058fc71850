from __future__ import annotations

from medshared.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SETTLEMENT_", extra="ignore", populate_by_name=True)

    database_url: str = "sqlite:///./var/settlement.db"
    evoucher_url: str = "http://127.0.0.1:8004"
    remote_care_url: str = "http://127.0.0.1:8003"
    # Sent as x-internal-token on service-to-service calls (e-voucher, remote-care).
    internal_token: str = "dev-internal-token"
    http_timeout_seconds: float = 3.0
    # The mobile-payment centre settles for any institution through the same front door.
    mobile_pay_paasid: str = "mobile-pay-centre"
    mobile_pay_token: str = "dev-mobile-pay"
    # A gateway signature older or newer than this is refused (replayed or badly clocked).
    signature_max_skew_seconds: int = 300
    # The receiver admdvs that starts every inf_refmsgid.
    platform_admdvs: str = "540000"

    def secrets_with_development_defaults(self) -> dict[str, str]:
        return {
            "SETTLEMENT_INTERNAL_TOKEN": self.internal_token,
            "SETTLEMENT_MOBILE_PAY_TOKEN": self.mobile_pay_token,
        }
