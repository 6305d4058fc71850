"""9101 文件上传 and 9102 文件下载, and the file a transaction offers for download (13xx, 3202).

A file belongs to the institution that uploaded it, or that a transaction generated it for, and lives
until its dld_endtime (the call's time plus the configured keep). Expired files are deleted whenever a
file is added (an upload or an offered download), so the table holds the live files and those that
expired since the last addition; a download checks the deadline itself.

Only the owner reads a file: another institution's file_qury_no is refused in the very words an
unknown one is, so a stranger learns nothing of what exists.
"""

from __future__ import annotations

import hashlib
from typing import Any

from medshared.national import INF_TIME_FORMAT
from settlement.domain.errors import Refused
from settlement.domain.files import (
    GENERATED_FILENAME,
    UPLOAD,
    FsDownloadIn,
    FsUploadIn,
    basename,
    names_file,
    size_text,
)

from .common import Call, FileAnswer, Outcome, new_id
from .ports import Store

MAX_FILENAME = 200  # fsUploadIn.filename C200


def offer_download(store: Store, call: Call, content: bytes, *, filename: str = GENERATED_FILENAME) -> dict[str, Any]:
    """Keep a generated file (a zip) for the calling institution until its deadline; returns the
    answer the 13xx/3202 transactions give: file_qury_no, filename, fixmedins_code, dld_endtime (text)."""
    return _keep(store, call, content, filename=filename, origin=call.req.infno)


def upload(store: Store, call: Call, data: FsUploadIn) -> Outcome:
    """9101: keep the file the HIS sent for it until dld_endtime; answer file_qury_no to quote (3202)."""
    own = call.req.fixmedins_code
    if data.fixmedins_code is not None and data.fixmedins_code.upper() != own.upper():
        raise Refused(
            f"fsUploadIn.fixmedins_code {data.fixmedins_code} is not the calling institution: an institution "
            f"uploads its own files only; send {own}",
            code="FORBIDDEN",
        )
    content = call.attachment
    if not content:
        raise Refused(
            "input.fsUploadIn.in is required and must not be empty: the file's bytes (base64 text or a list "
            "of byte values), or post the file as multipart/form-data (parts jsonStr and file)",
            code="INPUT_INVALID",
        )
    rules = call.file_rules
    if len(content) > rules.max_bytes:
        raise too_large(len(content), rules.max_bytes)
    filename = basename(data.filename)
    if not filename or len(filename) > MAX_FILENAME:
        raise Refused(
            f"fsUploadIn.filename must be the file's name, 1 to {MAX_FILENAME} characters (e.g. 3202 detail.zip)",
            code="INPUT_INVALID",
        )
    count, size = store.live_uploads(own, call.now)
    if count >= rules.live_uploads_per_institution:
        raise Refused(
            f"{own} already keeps {count} uploaded files, the most one institution may keep; each is deleted "
            f"at its dld_endtime ({_hours(call)} after its upload): upload again after the oldest expires",
            code="FILE_QUOTA",
        )
    if size + len(content) > rules.live_upload_bytes_per_institution:
        raise Refused(
            f"{own} already keeps {size_text(size)} of uploaded files; with this {size_text(len(content))} it "
            f"would exceed the {size_text(rules.live_upload_bytes_per_institution)} one institution may keep; "
            f"each file is deleted at its dld_endtime ({_hours(call)} after its upload)",
            code="FILE_QUOTA",
        )
    return Outcome(_keep(store, call, content, filename=filename, origin=UPLOAD))


def download(store: Store, call: Call, data: FsDownloadIn) -> Outcome:
    """9102: the file itself (answered as bytes), for the institution that owns it, until dld_endtime."""
    own = call.req.fixmedins_code
    sent_code = (data.fixmedins_code or "").strip()
    if sent_code and sent_code.upper() not in (own.upper(), GENERATED_FILENAME.upper()):
        raise Refused(
            f"fsDownloadIn.fixmedins_code {sent_code} is not the calling institution: send {own} "
            f"(or {GENERATED_FILENAME}, as for a 13xx download)",
            code="FORBIDDEN",
        )
    file_qury_no = data.file_qury_no
    row = store.file(file_qury_no)
    if row is None or row.fixmedins_code != own:
        raise Refused(
            f"file_qury_no {file_qury_no} is not a file of {own}: send the file_qury_no that 9101 or the "
            "transaction that offered the file (13xx, 3202) answered you",
            code="FILE_UNKNOWN",
        )
    if row.dld_endtime <= call.now:
        raise Refused(
            f"file_qury_no {file_qury_no} expired at {row.dld_endtime.strftime(INF_TIME_FORMAT)}: request the "
            "file again (repeat the transaction that offered it, or upload it again with 9101)",
            code="FILE_EXPIRED",
        )
    if not names_file(data.filename, row.filename, row.origin):
        raise Refused(
            f"fsDownloadIn.filename {data.filename} is not the name of file_qury_no {file_qury_no}: send "
            f"{row.filename}",
            code="INPUT_INVALID",
        )
    content = store.file_content(file_qury_no)
    if content is None:  # deleted between the two reads: it expired meanwhile
        raise Refused(f"file_qury_no {file_qury_no} expired: request the file again", code="FILE_EXPIRED")
    described = {"file_qury_no": file_qury_no, "filename": row.filename, "size": row.size, "sha256": row.sha256}
    return Outcome(described, file=FileAnswer(row.filename, content))


def too_large(size: int, limit: int) -> Refused:
    return Refused(
        f"the file is {size_text(size)}; a file may be at most {size_text(limit)} (input.fsUploadIn.in): "
        "send a smaller file (split the detail into several uploads)",
        code="FILE_TOO_LARGE",
    )


def _hours(call: Call) -> str:
    hours = call.file_rules.keep.total_seconds() / 3600
    return f"{hours:g} hours"


def _keep(store: Store, call: Call, content: bytes, *, filename: str, origin: str) -> dict[str, Any]:
    store.delete_expired_files(call.now)
    file_qury_no = new_id(call.inst.admdvs, call.now)
    dld_endtime = (call.now + call.file_rules.keep).replace(microsecond=0)  # as answered, to the second
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
