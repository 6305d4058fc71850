"""The port of 9101/9102 files: uploads and generated downloads, per institution, until their deadline."""

from __future__ import annotations

from typing import Protocol


class FileStore(Protocol):
    pass
