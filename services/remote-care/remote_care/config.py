from __future__ import annotations

from pydantic import BaseModel, Field
from pydantic_settings import SettingsConfigDict

from medshared.security import OperatorCredential, development_operator_tokens, operator_token_secrets
from medshared.settings import ServiceSettings


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
    # JSON in the environment: {"<token>": {"operator": "review-03", "roles": ["filing_review"]}}
    operator_tokens: dict[str, OperatorCredential] = Field(default_factory=development_operator_tokens)
    mobile_session_secret: str = "dev-mobile-session-secret"
    # e-voucher's phone session lifetime (EVOUCHER_SESSION_TTL_SECONDS): a token's issue time is
    # its exp minus this, when the token does not carry iat (see api/auth.py).
    voucher_session_ttl_seconds: int = Field(default=7200, ge=60)
    # JSON in the environment: {"<key id>": {"province": "430000", "secret": "..."}}
    partner_credentials: dict[str, PartnerCredential] = _development_partners()
    partner_max_skew_seconds: int = 300
    # Token buckets, generous so benchmarks and tests never meet them: per partner key, per openid.
    partner_rate_per_second: float = 200.0
    partner_rate_burst: int = 400
    mobile_rate_per_second: float = 20.0
    mobile_rate_burst: int = 60
    demo_wait_seconds: float = 30.0

    def secrets_with_development_defaults(self) -> dict[str, str]:
        named = {
            "REMOTE_CARE_INTERNAL_TOKEN": self.internal_token,
            "REMOTE_CARE_MOBILE_SESSION_SECRET": self.mobile_session_secret,
            **operator_token_secrets("REMOTE_CARE", self.operator_tokens),
        }
        for key_id, credential in self.partner_credentials.items():
            named[f"REMOTE_CARE_PARTNER_CREDENTIALS[{key_id}]"] = credential.secret
        return named
