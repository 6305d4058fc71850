"""Identifiers the service issues for the rows and events it creates."""

from __future__ import annotations

import os


def new_id() -> str:
    """A random (version 4) UUID as text, without building a uuid.UUID: the import makes three per row."""
    raw = bytearray(os.urandom(16))
    raw[6] = (raw[6] & 0x0F) | 0x40
    raw[8] = (raw[8] & 0x3F) | 0x80
    text = raw.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
