"""The two files of 3202: the detail file a HIS uploads (9101) and the result file it downloads (9102).

The detail file lists one settlement a line: setl_id, mdtrt_id, psn_no, medfee_sumamt,
fund_pay_sumamt, acct_pay, refd_setl_flag. Deployed clients write it in several small ways, all read
here because their meaning is plain (tests/compat/test_statement_clients.py holds each shape):

- a zip holding one .txt (any entry name: `<yyyyMMddHHmmss>.txt`, `acd_<...>.txt`, `file.txt`), or
  the bare .txt itself; several entries are read in turn (macOS `__MACOSX/` and `._` entries skipped);
- UTF-8 (with or without a BOM) or GBK/GB18030 (Windows' default on a Chinese system); the fields
  are ASCII, so both read the same where both decode;
- tab-separated (the national layout); a file with no tab at all may use commas or `|`;
- a tab after the last field, line ends `\\n` or `\\r\\n`, a last line with or without its end, blank
  lines; `null` (Java's String.valueOf of a missing value) for an empty field;
- a first line naming the columns (`setl_id`, `mdtrt_id`, ...): the columns are then read by name;
- amounts as written (`65`, `65.0`, `65.00`, `-12.50`), exact to the cent.

The result file is a zip holding `result.txt`, UTF-8, one line per settlement, tab-separated:
psn_no, mdtrt_id, setl_id, msgid, stmt_rslt, refd_setl_flag, memo, medfee_sumamt, fund_pay_sumamt,
acct_pay (the platform's amounts). An empty field is written `null`, never left empty: one client
reads the lines with java.util.StringTokenizer, which skips empty fields and would shift every
column after them, and another with String.split, which drops trailing empty ones.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .errors import Refused

MIB = 1024 * 1024
COLUMNS = ("setl_id", "mdtrt_id", "psn_no", "medfee_sumamt", "fund_pay_sumamt", "acct_pay", "refd_setl_flag")
AMOUNTS = ("medfee_sumamt", "fund_pay_sumamt", "acct_pay")
RESULT_COLUMNS = (
    "psn_no",
    "mdtrt_id",
    "setl_id",
    "msgid",
    "stmt_rslt",
    "refd_setl_flag",
    "memo",
    "medfee_sumamt",
    "fund_pay_sumamt",
    "acct_pay",
)
RESULT_ENTRY = "result.txt"
EMPTY = "null"
_ID = re.compile(r"^[0-9A-Za-z_\-.]{1,40}$")
_AMOUNT_LIMIT = Decimal(10) ** 14  # N(16,2)
_CENT = Decimal("0.01")
_ZIP_DATE = (2026, 1, 1, 0, 0, 0)  # a fixed stamp: the same result gives the same bytes


@dataclass(frozen=True)
class FileLimits:
    """How much of a detail file is read: rows, and text once unzipped (the upload itself is bounded by 9101)."""

    max_rows: int = 200_000
    max_text_bytes: int = 64 * MIB


@dataclass(frozen=True)
class DetailRow:
    line: int  # the line number in the file, to name in a refusal
    setl_id: str
    mdtrt_id: str
    psn_no: str
    medfee_sumamt: Decimal
    fund_pay_sumamt: Decimal
    acct_pay: Decimal
    refd_setl_flag: str

    def swapped(self) -> DetailRow:
        """The row with setl_id and mdtrt_id exchanged (a file that writes mdtrt_id first)."""
        return DetailRow(
            self.line,
            self.mdtrt_id,
            self.setl_id,
            self.psn_no,
            self.medfee_sumamt,
            self.fund_pay_sumamt,
            self.acct_pay,
            self.refd_setl_flag,
        )


def _refuse(message: str) -> Refused:
    return Refused(f"the detail file: {message}", code="DETAIL_FILE_INVALID")


# ---------------------------------------------------------------- reading the detail file


def read_detail_file(content: bytes, limits: FileLimits = FileLimits()) -> list[DetailRow]:
    """Every settlement line of an uploaded detail file, or a refusal naming the line and what to send.
    (Each setl_id once: see unique(), checked once the columns are oriented.)"""
    rows: list[DetailRow] = []
    offset = 0
    for text in _texts(content, limits):
        for row in _rows(text, offset):
            rows.append(row)
            if len(rows) > limits.max_rows:
                raise _refuse(
                    f"it holds more than {limits.max_rows:,} settlements; reconcile a shorter period in several calls"
                )
        offset += text.count("\n") + 1
    if not rows:
        raise _refuse("it holds no settlement line; upload one line per settlement of the period")
    return rows


def _texts(content: bytes, limits: FileLimits) -> Iterator[str]:
    if not content.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        if len(content) > limits.max_text_bytes:
            raise _refuse(f"it is larger than {limits.max_text_bytes // MIB} MiB; split the period")
        yield _decode(content, "the file")
        return
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        entries = [
            e
            for e in archive.infolist()
            if not e.is_dir()
            and not e.filename.startswith("__MACOSX/")
            and not e.filename.split("/")[-1].startswith("._")
        ]
    except zipfile.BadZipFile:
        raise _refuse("it starts as a zip but cannot be read as one; zip the .txt again, or upload the .txt") from None
    if not entries:
        raise _refuse("the zip holds no file; zip the .txt of the settlements")
    budget = limits.max_text_bytes
    for entry in entries:
        try:
            with archive.open(entry) as stream:
                raw = stream.read(budget + 1)
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError):
            raise _refuse(f"{entry.filename} in the zip cannot be unpacked (zip it without a password)") from None
        budget -= len(raw)
        if budget < 0:
            raise _refuse(f"it unpacks to more than {limits.max_text_bytes // MIB} MiB; split the period")
        yield _decode(raw, entry.filename)


def _decode(raw: bytes, name: str) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _refuse(f"{name} is neither UTF-8 nor GBK text; save it as UTF-8")


def _separator(line: str) -> str:
    for candidate in ("\t", ",", "|"):
        if candidate in line:
            return candidate
    raise _refuse(
        "its lines are not tab-separated; write setl_id, mdtrt_id, psn_no, medfee_sumamt, fund_pay_sumamt, "
        "acct_pay, refd_setl_flag separated by tabs, one settlement a line"
    )


def _fields(line: str, separator: str) -> list[str]:
    fields = line.split(separator)
    while fields and not fields[-1].strip():
        fields.pop()  # a separator after the last field
    fields = [f.strip() for f in fields]
    if "ull" in line or "ULL" in line:
        fields = ["" if f.lower() == EMPTY else f for f in fields]
    return fields


def _rows(text: str, offset: int) -> Iterator[DetailRow]:
    separator = ""
    at = tuple(range(len(COLUMNS)))  # where each of COLUMNS stands in a line
    width = len(COLUMNS)
    first = True
    for number, line in enumerate(text.splitlines(), start=offset + 1):
        if not line.strip():
            continue
        separator = separator or _separator(line)
        fields = _fields(line, separator)
        if first:
            first = False
            names = [f.lower() for f in fields]
            if "setl_id" in names:  # a first line naming the columns
                missing = [c for c in COLUMNS if c not in names]
                if missing:
                    raise _refuse(f"line {number} names the columns but not {', '.join(missing)}")
                at, width = tuple(names.index(c) for c in COLUMNS), len(names)
                continue
        if len(fields) != width:
            raise _refuse(
                f"line {number} has {len(fields)} fields; each line is {', '.join(COLUMNS)} "
                f"({len(COLUMNS)} fields separated by tabs)"
            )
        yield _row(number, [fields[i] for i in at])


def _row(number: int, values: list[str]) -> DetailRow:
    setl_id, mdtrt_id, psn_no, medfee, fund, acct, flag = values
    for name, value in (("setl_id", setl_id), ("mdtrt_id", mdtrt_id), ("psn_no", psn_no)):
        if not _ID.match(value):
            raise _refuse(f"line {number} {name} {value!r} is not an id; send the id the platform answered")
    if flag not in ("0", "1"):
        raise _refuse(f"line {number} refd_setl_flag {flag!r} must be 0 (not refunded) or 1 (refunded or a refund)")
    return DetailRow(
        number,
        setl_id,
        mdtrt_id,
        psn_no,
        _amount(number, "medfee_sumamt", medfee),
        _amount(number, "fund_pay_sumamt", fund),
        _amount(number, "acct_pay", acct),
        flag,
    )


def _amount(number: int, name: str, text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or abs(value) >= _AMOUNT_LIMIT:
        raise _refuse(f"line {number} {name} {text!r} is not an amount; write it like 65.00")
    if len(text) > 3 and text[-3] == ".":
        return value  # two decimals as written: the common case
    if value != value.quantize(_CENT):
        raise _refuse(f"line {number} {name} {text} has more than two decimals; amounts are exact to the cent")
    return value.quantize(_CENT)


def unique(rows: list[DetailRow]) -> list[DetailRow]:
    """The rows, each setl_id once, or a refusal naming both lines."""
    seen: dict[str, int] = {}
    for row in rows:
        first = seen.setdefault(row.setl_id, row.line)
        if first != row.line:
            raise _refuse(f"setl_id {row.setl_id} is listed twice (lines {first} and {row.line}); list it once")
    return rows


def oriented(rows: list[DetailRow], known_setl_ids: Iterable[str]) -> list[DetailRow]:
    """The rows as setl_id first: a file whose first column matches no settlement of the period while its
    second does was written mdtrt_id first (one client's labels say so), which is then unambiguous."""
    known = set(known_setl_ids)
    if not known or any(r.setl_id in known for r in rows):
        return rows
    if any(r.mdtrt_id in known for r in rows):
        return [r.swapped() for r in rows]
    return rows


# ---------------------------------------------------------------- writing the result file


_BREAKS = re.compile(r"[\t\r\n]+")


def _cell(value: object) -> str:
    if value is None or value == "":
        return EMPTY
    text = str(value)
    if "\t" in text or "\n" in text or "\r" in text:
        text = _BREAKS.sub(" ", text)
    return text


def result_text(rows: Iterable[Sequence[object]]) -> str:
    """The lines of result.txt: the fields of RESULT_COLUMNS in order, `null` for an empty one."""
    return "".join("\t".join(_cell(v) for v in row) + "\n" for row in rows)


def result_zip(text: str) -> bytes:
    """result.txt in a zip, as 9102 hands it out."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        entry = zipfile.ZipInfo(RESULT_ENTRY, date_time=_ZIP_DATE)
        entry.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(entry, text.encode("utf-8"))
    return buffer.getvalue()


def read_result_zip(content: bytes) -> list[list[str]]:
    """result.txt's lines split into fields (tests and tools read the answer back with it)."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        text = archive.read(RESULT_ENTRY).decode("utf-8")
    return [line.split("\t") for line in text.splitlines() if line]
