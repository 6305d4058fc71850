"""9101/9102 files on an in-memory store: the shapes a file's bytes come in, who may read a file,
how long it lives and how many an institution may keep."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from fakes import FakeStore

from medshared.national import parse_request
from settlement.domain.errors import Refused
from settlement.domain.files import FileRules, FsDownloadIn, FsUploadIn, decode_bytes, names_file, size_text
from settlement.usecases import files
from settlement.usecases.common import Call

LHASA = SimpleNamespace(fixmedins_code="H54010000001", admdvs="540100", hosp_lv="3")
CLINIC = SimpleNamespace(fixmedins_code="H54010000002", admdvs="540100", hosp_lv="1")
NOW = dt.datetime(2026, 11, 24, 10, 0, 0)
ZIP = b"PK\x03\x04\x14\x00\x00\x00\x08\x00\xff\xfe\x80\x7f detail"
WHERE = "input.fsUploadIn.in"


def call(
    infno: str,
    *,
    inst: SimpleNamespace = LHASA,
    attachment: bytes | None = None,
    now: dt.datetime = NOW,
    rules: FileRules | None = None,
) -> Call:
    envelope = {
        "infno": infno,
        "msgid": f"{inst.fixmedins_code}202611241000000001",
        "mdtrtarea_admvs": inst.admdvs,
        "recer_sys_code": "YBXT",
        "infver": "V1.0",
        "opter_type": "1",
        "opter": "001",
        "opter_name": "收费员",
        "inf_time": "2026-11-24 10:00:00",
        "fixmedins_code": inst.fixmedins_code,
        "fixmedins_name": "演示机构",
        "input": {},
    }
    return Call(
        req=parse_request(envelope),
        inst=inst,
        received=now,
        attachment=attachment,
        file_rules=rules or FileRules(),
    )


def upload(
    store: FakeStore,
    content: bytes | None = ZIP,
    filename: str = "detail.zip",
    *,
    inst: SimpleNamespace = LHASA,
    fixmedins_code: str | None = None,
    now: dt.datetime = NOW,
    rules: FileRules | None = None,
) -> dict[str, Any]:
    data = FsUploadIn(filename=filename, fixmedins_code=fixmedins_code or inst.fixmedins_code)
    outcome = files.upload(store, call("9101", inst=inst, attachment=content, now=now, rules=rules), data)
    answer: dict[str, Any] = outcome.output
    return answer


def download(
    store: FakeStore,
    file_qury_no: str,
    filename: str | None = "plc",
    *,
    inst: SimpleNamespace = LHASA,
    fixmedins_code: str | None = None,
    now: dt.datetime = NOW,
) -> bytes:
    data = FsDownloadIn(file_qury_no=file_qury_no, filename=filename, fixmedins_code=fixmedins_code)
    outcome = files.download(store, call("9102", inst=inst, now=now), data)
    assert outcome.file is not None
    return outcome.file.content


def refused(action: Callable[..., Any], *args: Any, **kw: Any) -> Refused:
    with pytest.raises(Refused) as caught:
        action(*args, **kw)
    return caught.value


# ---------------------------------------------------------------- the shapes of fsUploadIn.in


@pytest.mark.parametrize(
    "sent",
    [
        base64.b64encode(ZIP).decode(),  # C# byte[] through Newtonsoft; Java byte[] through Jackson/fastjson
        base64.encodebytes(ZIP).decode(),  # MIME base64, a line break every 76 characters
        "data:application/zip;base64," + base64.b64encode(ZIP).decode(),
        base64.urlsafe_b64encode(ZIP).decode(),
        list(ZIP),  # unsigned bytes 0..255
        [b - 256 if b > 127 else b for b in ZIP],  # a Java byte[] (or C# sbyte[]) as a JSON list
        [Decimal(b) for b in ZIP],  # whole JSON numbers read exactly
        {"type": "Buffer", "data": list(ZIP)},  # a Node.js Buffer through JSON.stringify
        "[" + ", ".join(str(b - 256 if b > 127 else b) for b in ZIP) + "]",  # Java Arrays.toString(byte[])
    ],
    ids=["base64", "mime", "data-url", "urlsafe", "unsigned", "signed", "decimal", "buffer", "java-text"],
)
def test_every_unambiguous_shape_of_the_file_is_the_same_bytes(sent: object) -> None:
    assert decode_bytes(sent, WHERE) == ZIP


def test_text_that_is_not_base64_is_the_file_itself_as_utf8() -> None:
    detail = "setl_id\tmdtrt_id\tpsn_no\n5401\t5402\t张三\n"
    assert decode_bytes(detail, WHERE) == detail.encode("utf-8")


@pytest.mark.parametrize(
    ("sent", "says"),
    [
        ([1, 200, -3], "mixes signed bytes"),
        ([1, 256], "holds 256"),
        ([1, -129], "holds -129"),
        ([1, "2"], "must be the file's bytes"),
        ([1, Decimal("1.5")], "must be the file's bytes"),
        (12, "must be the file's bytes"),
        ({"name": "x.zip"}, "must be the file's bytes"),
    ],
)
def test_an_ambiguous_or_impossible_file_is_refused_naming_the_field(sent: object, says: str) -> None:
    error = refused(decode_bytes, sent, WHERE)
    assert error.message.startswith(WHERE) and says in error.message


def test_sizes_read_as_a_clerk_reads_them() -> None:
    assert [size_text(n) for n in (900, 2048, 20 * 1024 * 1024, 26_530_000)] == [
        "900 bytes",
        "2 KiB",
        "20 MiB",
        "25.3 MiB",
    ]


# ---------------------------------------------------------------- offered downloads and uploads


def test_an_offered_download_is_kept_for_the_caller_until_its_deadline() -> None:
    store = FakeStore()
    answer = files.offer_download(store, call("1301"), ZIP)
    assert answer == {
        "file_qury_no": answer["file_qury_no"],
        "filename": "plc",
        "fixmedins_code": LHASA.fixmedins_code,
        "dld_endtime": "2026-11-25 10:00:00",
    }
    assert len(answer["file_qury_no"]) == 30
    row = store.files[answer["file_qury_no"]]
    assert (row.origin, row.size, row.fixmedins_code) == ("1301", len(ZIP), LHASA.fixmedins_code)
    # fetched under plc, the answered name or a local name of the HIS's own
    for name in ("plc", "plc.zip", "outputfile.zip", None):
        assert download(store, answer["file_qury_no"], name) == ZIP


def test_an_upload_is_answered_with_its_query_number_and_read_back_under_its_name() -> None:
    store = FakeStore()
    answer = upload(store, filename=r"C:\his\3202\detail.zip")
    assert answer["filename"] == "detail.zip" and answer["dld_endtime"] == "2026-11-25 10:00:00"
    for name in ("detail.zip", "DETAIL.ZIP", "/tmp/detail.zip", "detail", "plc"):
        assert download(store, answer["file_qury_no"], name) == ZIP
    wrong = refused(download, store, answer["file_qury_no"], "other.zip")
    assert "fsDownloadIn.filename other.zip" in wrong.message and "send detail.zip" in wrong.message


def test_an_institution_cannot_upload_as_another() -> None:
    store = FakeStore()
    error = refused(upload, store, fixmedins_code=CLINIC.fixmedins_code)
    assert error.code == "FORBIDDEN" and "fsUploadIn.fixmedins_code H54010000002" in error.message
    assert store.files == {}


def test_a_stranger_reads_another_institutions_file_as_if_it_did_not_exist() -> None:
    store = FakeStore()
    mine = upload(store)["file_qury_no"]
    unknown = "540100202611241000000000000000"
    theirs = refused(download, store, mine, "detail.zip", inst=CLINIC)
    nothing = refused(download, store, unknown, "detail.zip", inst=CLINIC)
    assert theirs.code == nothing.code == "FILE_UNKNOWN"
    assert theirs.message.replace(mine, unknown) == nothing.message
    sent_for_them = refused(download, store, mine, fixmedins_code=CLINIC.fixmedins_code)
    assert sent_for_them.code == "FORBIDDEN"
    assert download(store, mine, fixmedins_code="plc") == download(store, mine, fixmedins_code=LHASA.fixmedins_code)


def test_an_empty_or_missing_file_is_refused_naming_in() -> None:
    for content in (b"", None):
        error = refused(upload, FakeStore(), content)
        assert "input.fsUploadIn.in is required" in error.message


def test_a_file_over_the_limit_is_refused_naming_the_limit() -> None:
    error = refused(upload, FakeStore(), b"x" * 2049, rules=FileRules(max_bytes=2048))
    assert error.code == "FILE_TOO_LARGE" and "at most 2 KiB" in error.message


def test_an_institution_keeps_a_limited_number_and_size_of_live_uploads() -> None:
    store, two = FakeStore(), FileRules(live_uploads_per_institution=2)
    upload(store, rules=two)
    upload(store, rules=two)
    error = refused(upload, store, rules=two)
    assert error.code == "FILE_QUOTA" and "already keeps 2 uploaded files" in error.message
    upload(store, inst=CLINIC, rules=two)  # another institution has its own
    bytes_quota = FileRules(live_upload_bytes_per_institution=len(ZIP) * 2 + 99)
    too_much = refused(upload, store, b"y" * 100, rules=bytes_quota)
    assert "would exceed" in too_much.message
    # a day later both have expired: they no longer count, and the next upload deletes them
    upload(store, now=NOW + dt.timedelta(days=1, seconds=1), rules=two)
    assert [row.fixmedins_code for row in store.files.values()] == [LHASA.fixmedins_code]


def test_after_its_deadline_a_file_is_refused_as_expired() -> None:
    store = FakeStore()
    file_qury_no = upload(store)["file_qury_no"]
    assert download(store, file_qury_no, now=NOW + dt.timedelta(hours=23, minutes=59)) == ZIP
    error = refused(download, store, file_qury_no, now=NOW + dt.timedelta(hours=24))
    assert error.code == "FILE_EXPIRED" and "expired at 2026-11-25 10:00:00" in error.message
    assert "request the file again" in error.message


def test_a_filename_check_applies_to_uploads_only() -> None:
    assert names_file("whatever.zip", "plc", "1301")
    assert names_file("detail.txt.zip", "detail.zip", "9101")
    assert not names_file("other.zip", "detail.zip", "9101")
