"""Alembic's entry: the common runner with this service's tables and settings."""

from medshared.db import run_migrations
from settlement.config import Settings
from settlement.db import metadata

run_migrations(metadata, lambda: Settings().database_url)
