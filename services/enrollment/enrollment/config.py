from __future__ import annotations

from pydantic import AliasChoices, Field
from pydantic_settings import SettingsConfigDict

from medshared.security import (
    OperatorCredential,
    development_operator_tokens,
    operator_token_secrets,
)
from medshared.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ENROLLMENT_", extra="ignore", populate_by_name=True)

    database_url: str = "sqlite:///./var/enrollment.db"
    # The broker is shared by every service, so the unprefixed name works too.
    kafka_bootstrap_servers: str = Field(
        default="",
        validation_alias=AliasChoices(
            "ENROLLMENT_KAFKA_BOOTSTRAP_SERVERS",
            "KAFKA_BOOTSTRAP_SERVERS",
            "kafka_bootstrap_servers",
        ),
    )
    # Operators send `x-operator-token: <token>` on /admin/v1/. JSON in the environment:
    # {"<token>": {"operator": "desk-07", "roles": ["enrollment_desk"]}}
    operator_tokens: dict[str, OperatorCredential] = Field(default_factory=development_operator_tokens)

    def secrets_with_development_defaults(self) -> dict[str, str]:
        return operator_token_secrets("ENROLLMENT", self.operator_tokens)
