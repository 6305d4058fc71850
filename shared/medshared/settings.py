"""Base settings every service extends with its own env prefix (e.g. ENROLLMENT_)."""

from __future__ import annotations

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    environment: str = "development"  # development | test | production
    database_url: str = "sqlite:///./var/service.db"
    # Shared by every service, so no prefix: KAFKA_BOOTSTRAP_SERVERS. Empty: no broker (tests).
    kafka_bootstrap_servers: str = Field(
        default="", validation_alias=AliasChoices("kafka_bootstrap_servers", "KAFKA_BOOTSTRAP_SERVERS")
    )
    consumers_enabled: bool = True
    relay_enabled: bool = True
    log_json: bool = True

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    def secrets_with_development_defaults(self) -> dict[str, str]:
        """Override to name secrets whose default only suits development."""
        return {}

    @model_validator(mode="after")
    def _refuse_development_secrets_in_production(self) -> ServiceSettings:
        if self.is_production:
            weak = [name for name, value in self.secrets_with_development_defaults().items() if value.startswith("dev")]
            if weak:
                raise ValueError(f"production refuses development secrets: set {', '.join(weak)}")
        return self
