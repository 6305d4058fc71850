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
from array import array
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .errors import Refused
from .inputs import _Required

MIB = 1024 * 1024
# The spec's fixed fsDownloadIn.filename for a file a 13xx download generated; most clients send it
# as fsDownloadIn.fixmedins_code instead (and the filename the transaction answered).
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
    """20 MiB, 25.3 MiB, 512 KiB, 900 bytes."""
    for unit, name in ((MIB, "MiB"), (1024, "KiB")):
        if size >= unit:
            return f"{size // unit} {name}" if size % unit == 0 else f"{size / unit:.1f} {name}"
    return f"{size} bytes"


class FsUploadIn(_Required):
    """input.fsUploadIn of 9101; `in` (the bytes) reaches the use case apart, as the call's attachment.
    fixmedins_code, when sent, must be the caller's own."""

    filename: str
    fixmedins_code: str | None = None


class FsDownloadIn(_Required):
    """input.fsDownloadIn of 9102: file_qury_no names the file. fixmedins_code is the caller's own or
    `plc` (what most clients send for a generated file); filename is checked only for an uploaded file."""

    file_qury_no: str
    filename: str | None = None
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
      without a data: URL prefix, with line breaks (MIME) or in the URL-safe alphabet; a Java
      Arrays.toString of a byte[] ("[80, 75, 3, 4]"); any other text is the file's own content, as UTF-8;
    - an object {"type": "Buffer", "data": [...]} (a Node.js Buffer through JSON.stringify).
    """
    if isinstance(value, dict) and value.get("type") == "Buffer" and isinstance(value.get("data"), list):
        return _from_list(value["data"], f"{where}.data")
    if isinstance(value, list):
        return _from_list(value, where)
    if isinstance(value, str):
        return _from_text(value, where)
    raise _refuse_shape(where)


def _from_list(values: list[Any], where: str) -> bytes:
    try:
        return bytes(values)  # 0..255
    except ValueError:
        pass  # a value outside 0..255: signed bytes, or no bytes at all
    except TypeError:
        # JSON numbers with a fraction or exponent arrive as Decimal (money stays exact): 1E+1 is 10.
        try:
            values = [_whole(v) for v in values]
        except (ValueError, OverflowError):
            raise _refuse_shape(where) from None
        return _from_list(values, where)
    try:
        return array("b", values).tobytes()  # -128..127, a Java byte[]
    except OverflowError:
        pass
    low, high = min(values), max(values)
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


_JAVA_ARRAY_TEXT = re.compile(r"\[\s*-?\d{1,3}(\s*,\s*-?\d{1,3})*\s*\]")


def _from_text(text: str, where: str) -> bytes:
    stripped = _DATA_URL.sub("", text.strip(), count=1)
    if stripped.startswith("[") and _JAVA_ARRAY_TEXT.fullmatch(stripped):
        # Java's Arrays.toString(byte[]): "[80, 75, 3, 4]"
        return _from_list([int(v) for v in stripped[1:-1].split(",")], where)
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


def names_file(sent: str | None, stored: str, origin: str) -> bool:
    """Whether fsDownloadIn.filename fits the file file_qury_no names.

    A generated file (13xx, 3202) is fetched under whatever name the HIS sends: the spec's fixed `plc`,
    the filename the transaction answered, or a local name of its own (deployed clients send all three).
    An uploaded file is fetched under its own name (any case, with or without a directory or a
    .zip/.txt ending) or `plc`; a name that is neither is a mistake worth naming.
    """
    if origin != UPLOAD or not sent:
        return True
    wanted, have = basename(sent).lower(), basename(stored).lower()
    return wanted in (GENERATED_FILENAME, have) or _stem(wanted) == _stem(have)


def _stem(name: str) -> str:
    for ending in (".txt.zip", ".zip", ".txt"):
        if name.endswith(ending):
            return name[: -len(ending)]
    return name
