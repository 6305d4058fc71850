"""9101 文件上传 and 9102 文件下载, and the file a transaction offers for download (13xx, 3202).

A file belongs to the institution that uploaded it or that a transaction generated it for, and lives
until its dld_endtime (the call's time plus the configured keep). Expired files are deleted whenever a
file is added (an upload or an offered download), so the table holds live files and the few that
expired since the last one; a download checks the deadline itself.
"""

from __future__ import annotations

import hashlib
from typing import Any

from medshared.national import INF_TIME_FORMAT
from settlement.domain.files import (
    GENERATED_FILENAME,
)

from .common import Call, new_id
from .ports import Store


def offer_download(store: Store, call: Call, content: bytes, *, filename: str = GENERATED_FILENAME) -> dict[str, Any]:
    """Keep a generated file (a zip) for the calling institution until its deadline; returns the
    answer the 13xx/3202 transactions give: file_qury_no, filename, fixmedins_code, dld_endtime (text)."""
    return _keep(store, call, content, filename=filename, origin=call.req.infno)


def _keep(store: Store, call: Call, content: bytes, *, filename: str, origin: str) -> dict[str, Any]:
    store.delete_expired_files(call.now)
    file_qury_no = new_id(call.inst.admdvs, call.now)
    dld_endtime = call.now + call.file_rules.keep
    store.add_file(
        {
            "file_qury_no": file_qury_no,
            "fixmedins_code": call.req.fixmedins_code,
            "filename": filename,
            "origin": origin,
            "size": len(content),
            "sha256": hashlib.sha256(content).hexdigest(),
            "created_at": call.now,
            "dld_endtime": dld_endtime,
        },
        content,
    )
    return {
        "file_qury_no": file_qury_no,
        "filename": filename,
        "fixmedins_code": call.req.fixmedins_code,
        "dld_endtime": dld_endtime.strftime(INF_TIME_FORMAT),
    }
