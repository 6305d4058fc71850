from __future__ import annotations

from medshared.settings import ServiceSettings
from pydantic import BaseModel
from pydantic_settings import SettingsConfigDict


class PartnerCredential(BaseModel):
    """One partner province's signing key: the province it speaks for and its shared secret."""

    province: str
    secret: str


def _development_partners() -> dict[str, PartnerCredential]:
    return {
        f"partner-{p}": PartnerCredential(province=p, secret=f"dev-partner-secret-{p}")
        for p in ("430000", "110000", "540000", "340000")
    }


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REMOTE_CARE_", extra="ignore", populate_by_name=True)

    database_url: str = "sqlite:///./var/remote_care.db"
    internal_token: str = "dev-internal-token"
    operator_token: str = "dev-operator-token"
    mobile_session_secret: str = "dev-mobile-session-secret"
    # JSON in the environment: {"<key id>": {"province": "430000", "secret": "..."}}
    partner_credentials: dict[str, PartnerCredential] = _development_partners()
    partner_max_skew_seconds: int = 300
    demo_wait_seconds: float = 30.0

    def secrets_with_development_defaults(self) -> dict[str, str]:
        named = {
            "REMOTE_CARE_INTERNAL_TOKEN": self.internal_token,
            "REMOTE_CARE_OPERATOR_TOKEN": self.operator_token,
            "REMOTE_CARE_MOBILE_SESSION_SECRET": self.mobile_session_secret,
        }
        for key_id, credential in self.partner_credentials.items():
            named[f"REMOTE_CARE_PARTNER_CREDENTIALS[{key_id}]"] = credential.secret
        return named
