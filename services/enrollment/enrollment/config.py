from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from medshared.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ENROLLMENT_", extra="ignore", populate_by_name=True)

    database_url: str = "sqlite:///./var/enrollment.db"
