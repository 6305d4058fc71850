"""Alembic's entry: the common runner with this service's tables and settings."""

from medshared.db import run_migrations

from evoucher.config import Settings
from evoucher.db import metadata

run_migrations(metadata, lambda: Settings().database_url)
