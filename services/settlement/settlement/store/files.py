"""The store's part for files (9101/9102), over SQL (settlement.usecases.ports.files).

A file's row and its content are one row of national_file; every read but a download's names
the columns it needs, so the content (up to the configured limit, tens of MB) is read once, to answer it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select
from sqlalchemy.orm import Session

from settlement.db import national_file
from settlement.domain.files import UPLOAD

_ROW = [c for c in national_file.c if c.name != "content"]
_FILE = select(*_ROW).where(national_file.c.file_qury_no == bindparam("file_qury_no"))
_CONTENT = select(national_file.c.content).where(national_file.c.file_qury_no == bindparam("file_qury_no"))
_LIVE_UPLOADS = select(func.count(), func.coalesce(func.sum(national_file.c.size), 0)).where(
    national_file.c.fixmedins_code == bindparam("fixmedins_code"),
    national_file.c.origin == UPLOAD,
    national_file.c.dld_endtime > bindparam("moment"),
)
_EXPIRED = delete(national_file).where(national_file.c.dld_endtime <= bindparam("moment"))


class FileSql:
    session: Session
    _postgres: bool

    def add_file(self, values: dict[str, Any], content: bytes) -> None:
        self.session.execute(insert(national_file), {**values, "content": content})

    def file(self, file_qury_no: str) -> Any | None:
        return self.session.execute(_FILE, {"file_qury_no": file_qury_no}).first()

    def file_content(self, file_qury_no: str) -> bytes | None:
        content = self.session.execute(_CONTENT, {"file_qury_no": file_qury_no}).scalar()
        return None if content is None else bytes(content)

    def live_uploads(self, fixmedins_code: str, moment: dt.datetime) -> tuple[int, int]:
        count, size = self.session.execute(_LIVE_UPLOADS, {"fixmedins_code": fixmedins_code, "moment": moment}).one()
        return int(count), int(size)

    def delete_expired_files(self, moment: dt.datetime) -> int:
        result: Any = self.session.execute(_EXPIRED, {"moment": moment})
        return int(result.rowcount or 0)
