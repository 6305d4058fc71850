"""The port of 9101/9102 files: uploads and generated downloads, per institution, until their deadline."""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol


class FileStore(Protocol):
    """Files kept for an institution: the row (file_qury_no, fixmedins_code, filename, origin, size,
    sha256, created_at, dld_endtime) and, apart, its content, read only to answer a download."""

    def add_file(self, values: dict[str, Any], content: bytes) -> None: ...
    def file(self, file_qury_no: str) -> Any | None: ...
    def file_content(self, file_qury_no: str) -> bytes | None: ...
    def live_uploads(self, fixmedins_code: str, moment: dt.datetime) -> tuple[int, int]:
        """How many uploaded files of the institution are live at `moment`, and their bytes."""
        ...

    def delete_expired_files(self, moment: dt.datetime) -> int:
        """Delete every file whose deadline has passed; answer how many."""
        ...
