"""Tables of the enrollment database."""

from __future__ import annotations

from medshared.db import new_metadata
from medshared.outbox import outbox_table

metadata = new_metadata()
outbox = outbox_table(metadata)
