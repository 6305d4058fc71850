"""Alembic's entry: the common runner with this service's tables and settings."""

from evoucher.config import Settings
from evoucher.db import metadata
from medshared.db import run_migrations

run_migrations(metadata, lambda: Settings().database_url)
