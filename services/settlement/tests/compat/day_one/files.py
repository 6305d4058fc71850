"""9101/9102 files, as a HIS calls them on its first day: a reconciliation detail zip is uploaded
(its bytes as base64 text, as a C# byte[] serialises) and fetched back with the file_qury_no answered.

A 9102 answers the file itself (application/octet-stream); the scenario's HIS hands it back as an
answer whose output holds the bytes (tests/support.py His.post), which is checked here byte for byte.
"""

from __future__ import annotations

import base64
import io
import zipfile
from typing import Any

COVERED: set[str] = {"9101", "9102"}


def _detail_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("detail.txt", "setl_id\tmdtrt_id\tpsn_no\tmedfee_sumamt\tfund_pay_sumamt\tacct_pay\t0\n")
    return buffer.getvalue()


def run(s: Any) -> None:
    """Call each infno of COVERED once, successfully, through s.step(infno, input)."""
    content = _detail_zip()
    fs_upload_in = {"in": base64.b64encode(content).decode(), "filename": "detail.zip", "fixmedins_code": s.his.code}
    uploaded = s.step("9101", {"fsUploadIn": fs_upload_in})
    if uploaded is None:
        return
    fs_download_in = {"file_qury_no": uploaded["file_qury_no"], "filename": "detail.zip", "fixmedins_code": "plc"}
    fetched = s.step("9102", {"fsDownloadIn": fs_download_in})
    if fetched is not None and fetched["file"] != content:
        s.failures["9102"] = "the file downloaded is not the file uploaded"
