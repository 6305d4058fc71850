"""The in-memory store's part for files (9101/9102) (settlement.usecases.ports.files)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

UPLOAD = "9101"


class FakeFiles:
    def __init__(self) -> None:
        super().__init__()
        self.files: dict[str, SimpleNamespace] = {}
        self.file_contents: dict[str, bytes] = {}

    def add_file(self, values: dict[str, Any], content: bytes) -> None:
        if values["file_qury_no"] in self.files:
            raise ValueError(f"file_qury_no {values['file_qury_no']} exists")
        self.files[values["file_qury_no"]] = SimpleNamespace(**values)
        self.file_contents[values["file_qury_no"]] = content

    def file(self, file_qury_no: str) -> Any | None:
        return self.files.get(file_qury_no)

    def file_content(self, file_qury_no: str) -> bytes | None:
        return self.file_contents.get(file_qury_no)

    def live_uploads(self, fixmedins_code: str, moment: dt.datetime) -> tuple[int, int]:
        live = [
            row
            for row in self.files.values()
            if row.fixmedins_code == fixmedins_code and row.origin == UPLOAD and row.dld_endtime > moment
        ]
        return len(live), sum(row.size for row in live)

    def delete_expired_files(self, moment: dt.datetime) -> int:
        expired = [key for key, row in self.files.items() if row.dld_endtime <= moment]
        for key in expired:
            del self.files[key]
            del self.file_contents[key]
        return len(expired)
