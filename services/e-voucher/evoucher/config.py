from __future__ import annotations

from decimal import Decimal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from medshared.security import OperatorCredential, development_operator_tokens, operator_token_secrets
from medshared.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="EVOUCHER_", extra="ignore", populate_by_name=True)

    database_url: str = "sqlite:///./var/evoucher.db"
    # The pool this platform answers for; it prefixes inf_refmsgid in national answers.
    admdvs: str = "540100"

    wechat_base_url: str = "http://127.0.0.1:8014"
    wechat_appid: str = "wx-dev-evoucher"
    wechat_secret: str = "dev-wechat-secret"
    wechat_timeout_seconds: float = 5.0

    # Logging in (POST /mobile/v1/sessions): per client address, and per WeChat account (its login
    # code, then its openid). An address is shared by a household or a carrier NAT, so it gets more.
    session_ip_rate_per_second: float = 5.0
    session_ip_rate_burst: int = 100
    session_account_rate_per_second: float = 0.2
    session_account_rate_burst: int = 10

    # Identity verification (face/liveness check) before activation and family binding.
    # "stub": the development provider (POST /dev/v1/face-checks issues tickets without a face;
    # refused in production). "signed": tickets issued by the face-check provider, HMAC-signed
    # with the key it shares with the platform (identity_ticket_secret).
    identity_provider: str = "stub"
    identity_ticket_secret: str = "dev-identity-ticket-secret"
    identity_ticket_ttl_seconds: int = 300
    # Name + ID number attempts (activation, family binding), per account and per ID number named:
    # a person needs a handful; guessing whose ID goes with which name needs thousands.
    identity_rate_per_second: float = 1 / 60
    identity_rate_burst: int = 10

    session_ttl_seconds: int = 7200
    mobile_session_secret: str = "dev-mobile-session-secret"
    qr_signing_secret: str = "dev-qr-signing-secret"
    qr_ttl_seconds: int = 60
    ectoken_ttl_seconds: int = 4 * 3600
    pay_auth_ttl_seconds: int = 900
    internal_token: str = "dev-internal-token"
    # Voucher desk work is the enrollment desk's. JSON in the environment:
    # {"<token>": {"operator": "desk-07", "roles": ["enrollment_desk"]}}
    operator_tokens: dict[str, OperatorCredential] = Field(default_factory=development_operator_tokens)
    # A gateway request older or newer than this is refused, so a captured one cannot be replayed
    # later; its nonce is remembered for twice this long, so it cannot be replayed sooner either.
    gateway_clock_skew_seconds: int = 300
    # Token buckets, generous so benchmarks and tests never meet them: per institution, per openid.
    institution_rate_per_second: float = 200.0
    institution_rate_burst: int = 400
    mobile_rate_per_second: float = 20.0
    mobile_rate_burst: int = 60

    settlement_url: str = "http://127.0.0.1:8002"
    settlement_timeout_seconds: float = 10.0
    mobile_pay_paasid: str = "mobile-pay-centre"
    mobile_pay_token: str = "dev-mobile-pay"

    payment_provider: str = "local"
    # Local provider only: how long a charge stays "processing", and which amounts it declines.
    payment_confirm_seconds: float = 0.2
    payment_fail_amounts: list[Decimal] = Field(default_factory=list)
    payment_fail_all: bool = False
    payment_wait_seconds: float = 5.0
    callback_timeout_seconds: float = 5.0
    # A callback the HIS does not acknowledge is tried again after 2, 4, 8 ... seconds (at most
    # callback_backoff_max_seconds apart), callback_max_attempts times in all; then it is marked failed.
    callback_max_attempts: int = 8
    callback_backoff_seconds: float = 2.0
    callback_backoff_max_seconds: float = 600.0
    order_worker_interval_seconds: float = 2.0

    def secrets_with_development_defaults(self) -> dict[str, str]:
        return {
            "EVOUCHER_WECHAT_SECRET": self.wechat_secret,
            "EVOUCHER_MOBILE_SESSION_SECRET": self.mobile_session_secret,
            "EVOUCHER_QR_SIGNING_SECRET": self.qr_signing_secret,
            "EVOUCHER_INTERNAL_TOKEN": self.internal_token,
            "EVOUCHER_MOBILE_PAY_TOKEN": self.mobile_pay_token,
            "EVOUCHER_IDENTITY_TICKET_SECRET": self.identity_ticket_secret,
            **operator_token_secrets("EVOUCHER", self.operator_tokens),
        }
