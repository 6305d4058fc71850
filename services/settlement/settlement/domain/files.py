"""Files of 9101/9102: the rules they live by, the inputs, and the shapes a HIS sends a file's bytes in.

A file belongs to one institution and lives until its download deadline (dld_endtime). Uploaded
files (9101) and files the platform generates for a transaction (13xx catalogue downloads, the
3202 result) are fetched the same way, with 9102.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .errors import Refused
from .inputs import _Required

MIB = 1024 * 1024
# What a HIS sends in fsDownloadIn.filename for a file a 13xx download generated.
GENERATED_FILENAME = "plc"
UPLOAD = "9101"  # the origin of an uploaded file; a generated one carries its transaction's infno


@dataclass(frozen=True)
class FileRules:
    """How big a file may be, how long it lives, how many uploads an institution may keep."""

    max_bytes: int = 20 * MIB
    keep: dt.timedelta = dt.timedelta(hours=24)
    live_uploads_per_institution: int = 100
    live_upload_bytes_per_institution: int = 500 * MIB

    @property
    def max_text(self) -> str:
        return size_text(self.max_bytes)


def size_text(size: int) -> str:
    if size >= MIB and size % MIB == 0:
        return f"{size // MIB} MiB"
    if size >= 1024 and size % 1024 == 0:
        return f"{size // 1024} KiB"
    return f"{size} bytes"


class FsUploadIn(_Required):
    """input.fsUploadIn of 9101; `in` (the bytes) reaches the use case apart, as the call's attachment."""

    filename: str
    fixmedins_code: str


class FsDownloadIn(_Required):
    file_qury_no: str
    filename: str
    fixmedins_code: str | None = None


# ---------------------------------------------------------------- the bytes of fsUploadIn.in

_BASE64 = re.compile(rb"[A-Za-z0-9+/\r\n]*={0,2}[\r\n]*")
_BASE64URL = re.compile(rb"[A-Za-z0-9_\-\r\n]*={0,2}[\r\n]*")
_DATA_URL = re.compile(r"^data:[\w.+/-]*(;[\w.+-]+=[\w.+-]+)*;base64,", re.IGNORECASE)


def _refuse_shape(where: str) -> Refused:
    return Refused(
        f"{where} must be the file's bytes: base64 text, a list of byte values (0..255 or -128..127), "
        "or the file's text itself; or post the file as multipart/form-data (parts jsonStr and file)",
        code="INPUT_INVALID",
    )


def decode_bytes(value: Any, where: str) -> bytes:
    """The file a HIS put in fsUploadIn.in, in whichever unambiguous shape it came.

    - a list of integers: byte values, unsigned 0..255 (JS, Gson with unsigned conversion) or signed
      -128..127 (a Java byte[] as Gson and hand-built lists write it); a list mixing values above 127
      and below 0 is refused, as no byte array serialises so;
    - text: base64 (a C# byte[] through Newtonsoft, Java byte[] through Jackson or fastjson), with or
      without a data: URL prefix, with line breaks (MIME) or in the URL-safe alphabet; text that is not
      base64 is the file's own content, kept as UTF-8;
    - an object {"type": "Buffer", "data": [...]} (a Node.js Buffer through JSON.stringify).
    """
    if isinstance(value, dict) and value.get("type") == "Buffer" and isinstance(value.get("data"), list):
        return _from_list(value["data"], f"{where}.data")
    if isinstance(value, list):
        return _from_list(value, where)
    if isinstance(value, str):
        return _from_text(value)
    raise _refuse_shape(where)


def _from_list(values: list[Any], where: str) -> bytes:
    if not all(type(v) is int for v in values):
        # JSON numbers arrive as Decimal (money stays exact): whole ones are byte values too.
        try:
            values = [_whole(v) for v in values]
        except ValueError:
            raise _refuse_shape(where) from None
    if not values:
        return b""
    low, high = min(values), max(values)
    if low >= 0 and high <= 255:
        return bytes(values)
    if low >= -128 and high <= 127:
        return bytes(v & 0xFF for v in values)
    if low < -128 or high > 255:
        raise Refused(
            f"{where} holds {low if low < -128 else high}: a byte is 0..255 (or -128..127)", code="INPUT_INVALID"
        )
    raise Refused(
        f"{where} mixes signed bytes (below 0) and unsigned ones (above 127): send 0..255 or -128..127",
        code="INPUT_INVALID",
    )


def _whole(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)) or value != int(value):
        raise ValueError(value)
    return int(value)


def _from_text(text: str) -> bytes:
    stripped = _DATA_URL.sub("", text.strip(), count=1)
    raw = stripped.encode("ascii", errors="replace")
    if raw and len(raw.replace(b"\r", b"").replace(b"\n", b"")) % 4 == 0:
        if _BASE64.fullmatch(raw):
            try:
                return base64.b64decode(raw.replace(b"\r", b"").replace(b"\n", b""), validate=True)
            except binascii.Error:
                pass
        elif _BASE64URL.fullmatch(raw):
            try:
                return base64.urlsafe_b64decode(raw.replace(b"\r", b"").replace(b"\n", b""))
            except binascii.Error:
                pass
    return text.encode("utf-8")


# ---------------------------------------------------------------- which file a download names


def basename(filename: str) -> str:
    """The name without a directory: C:\\data\\a.zip and /tmp/a.zip are a.zip."""
    return re.split(r"[\\/]", filename.strip())[-1]


def names_file(sent: str, stored: str, origin: str) -> bool:
    """Whether fsDownloadIn.filename names this file: its name (any case, with or without a directory or
    the .zip/.txt ending), or `plc` for a generated file, as 13xx downloads are fetched."""
    wanted = basename(sent).lower()
    if origin != UPLOAD and wanted == GENERATED_FILENAME:
        return True
    have = basename(stored).lower()
    return wanted == have or _stem(wanted) == _stem(have)


def _stem(name: str) -> str:
    for ending in (".zip", ".txt"):
        if name.endswith(ending):
            return name[: -len(ending)]
    return name
