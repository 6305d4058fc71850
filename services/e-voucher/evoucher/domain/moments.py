"""Stored moments are UTC."""

from __future__ import annotations

import datetime as dt


def utc(moment: dt.datetime) -> dt.datetime:
    """SQLite returns naive datetimes, PostgreSQL the session's zone; everything stored here is UTC."""
    return moment.astimezone(dt.UTC) if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
