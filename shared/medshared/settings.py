"""Base settings every service extends with its own env prefix (e.g. ENROLLMENT_)."""

from __future__ import annotations

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_ENVIRONMENTS = frozenset({"development", "test"})


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    environment: str = "development"  # development | test | production
    database_url: str = "sqlite:///./var/service.db"
    # Shared by every service, so no prefix: KAFKA_BOOTSTRAP_SERVERS. Empty: no broker (tests).
    kafka_bootstrap_servers: str = Field(
        default="", validation_alias=AliasChoices("kafka_bootstrap_servers", "KAFKA_BOOTSTRAP_SERVERS")
    )
    consumers_enabled: bool = True
    # Tries before a consumer sets an event aside as a dead letter (<PREFIX>CONSUMER_MAX_TRIES).
    consumer_max_tries: int = Field(default=3, ge=1, le=100)
    relay_enabled: bool = True
    log_json: bool = True
    # Threads that run the service's blocking endpoints (<PREFIX>REQUEST_THREADS); requests beyond
    # wait their turn on the event loop. /healthz needs none of them. The default is anyio's; a
    # service whose endpoints only compute and read its own database runs better on few (settlement).
    request_threads: int = Field(default=40, ge=1, le=256)

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def is_development(self) -> bool:
        return self.environment in DEVELOPMENT_ENVIRONMENTS

    def secrets_with_development_defaults(self) -> dict[str, str]:
        """Every secret the service holds, by the environment variable that sets it.

        Each service names all of its secrets here: their defaults start with "dev", and
        any environment but development and test refuses to start with one of those, or
        with an empty secret.
        """
        return {}

    @model_validator(mode="after")
    def _refuse_development_secrets_outside_development(self) -> ServiceSettings:
        # A mistyped environment ("prod", "staging") is not development either: it refuses too.
        if not self.is_development:
            weak = [
                name
                for name, value in self.secrets_with_development_defaults().items()
                if not value or value.startswith("dev")
            ]
            if weak:
                raise ValueError(f"{self.environment} refuses development or empty secrets: set {', '.join(weak)}")
        return self
