"""9101/9102 over HTTP: every shape a file's bytes arrive in, the file answered as bytes, its owner
alone reading it, the size limit, the quota, the deadline, and msgid replay."""

from __future__ import annotations

import base64
import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from support import His, make_client

from medshared import jsonutil
from medshared.national import gateway_headers
from settlement.db import message_log, national_file
from settlement.demo import load_demo

DOOR = "/fsi/api/rsfComIfsService/callService"


def detail_zip(rows: int = 3) -> bytes:
    """A 3202 detail file as hospitals zip it: tab-separated lines in one .txt."""
    lines = "".join(f"5401{i:026d}\t5401{i:026d}\t54010000000000000001\t10.00\t8.00\t0.00\t0\n" for i in range(rows))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("detail.txt", date_time=(2026, 11, 24, 10, 0, 0)), lines)
    return buffer.getvalue()


ZIP = detail_zip()
SIGNED = [b - 256 if b > 127 else b for b in ZIP]


def node(content: Any, filename: str = "detail.zip", fixmedins_code: str = "H54010000001") -> dict[str, Any]:
    return {"fsUploadIn": {"in": content, "filename": filename, "fixmedins_code": fixmedins_code}}


def fetch(his: His, file_qury_no: str, filename: str = "plc", **kw: Any) -> Any:
    return his.call("9102", {"fsDownloadIn": {"file_qury_no": file_qury_no, "filename": filename, **kw}})


def multipart(his: His, envelope: dict[str, Any], content: bytes, path: str = DOOR) -> Any:
    answer = his.client.post(
        path,
        data={"jsonStr": jsonutil.dumps(envelope)},
        files={"file": ("detail.zip", content, "application/zip")},
        headers=gateway_headers(his.paasid, his.token),
    )
    return answer.json()


def file_rows(client: TestClient) -> int:
    with client.app.state.runtime.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(national_file)).scalar_one())


def expire_files(client: TestClient) -> None:
    """Every file's deadline passes, as a day later."""
    with client.app.state.runtime.engine.begin() as conn:
        conn.execute(update(national_file).values(dld_endtime=dt.datetime.now() - dt.timedelta(seconds=1)))


@pytest.mark.parametrize(
    "content",
    [
        base64.b64encode(ZIP).decode(),
        base64.encodebytes(ZIP).decode(),
        list(ZIP),
        SIGNED,
        "[" + ", ".join(map(str, SIGNED)) + "]",
    ],
    ids=["base64", "mime-base64", "unsigned-list", "signed-list", "java-arrays-text"],
)
def test_an_upload_in_each_shape_is_downloaded_back_byte_for_byte(lhasa: His, content: Any) -> None:
    uploaded = lhasa.ok("9101", node(content))
    assert set(uploaded) == {"file_qury_no", "filename", "fixmedins_code", "dld_endtime"}
    assert uploaded["filename"] == "detail.zip" and uploaded["fixmedins_code"] == "H54010000001"
    dt.datetime.strptime(uploaded["dld_endtime"], "%Y-%m-%d %H:%M:%S")
    assert lhasa.ok("9102", {"fsDownloadIn": {"file_qury_no": uploaded["file_qury_no"], "filename": "detail.zip",
                                              "fixmedins_code": "H54010000001"}})["file"] == ZIP  # fmt: skip


def test_a_text_file_sent_as_text_is_kept_as_its_utf8(lhasa: His) -> None:
    text = "setl_id\tmdtrt_id\tpsn_no\n1\t2\t扎西\n"
    uploaded = lhasa.ok("9101", node(text, "detail.txt"))
    assert fetch(lhasa, uploaded["file_qury_no"], "detail.txt")["output"]["file"] == text.encode()


def test_input_as_a_json_string_and_a_flat_node_are_uploads_too(lhasa: His) -> None:
    envelope = lhasa.envelope("9101", {})
    as_text = lhasa.post({**envelope, "input": jsonutil.dumps(node(base64.b64encode(ZIP).decode()))})
    flat = lhasa.call("9101", node(SIGNED)["fsUploadIn"])
    for uploaded in (as_text, flat):
        assert uploaded["infcode"] == 0, uploaded["err_msg"]
        assert fetch(lhasa, uploaded["output"]["file_qury_no"])["output"]["file"] == ZIP


@pytest.mark.parametrize(
    "path", [DOOR, "/fsi/api/fileupload/upload", DOOR + "/9101", "/mbs/fmi/fsi/api/callFsiService/callService"]
)
def test_a_multipart_upload_of_jsonstr_and_file_is_taken_on_every_door_path(lhasa: His, path: str) -> None:
    envelope = lhasa.envelope("9101", {"fsUploadIn": {"filename": "detail.zip", "fixmedins_code": lhasa.code}})
    answer = multipart(lhasa, envelope, ZIP, path)
    assert answer["infcode"] == 0, answer["err_msg"]
    assert fetch(lhasa, answer["output"]["file_qury_no"])["output"]["file"] == ZIP


def test_a_multipart_jsonstr_without_fsuploadin_takes_the_parts_filename_and_the_callers_code(lhasa: His) -> None:
    answer = multipart(lhasa, lhasa.envelope("9101", {}), ZIP)
    assert answer["infcode"] == 0, answer["err_msg"]
    assert answer["output"]["filename"] == "detail.zip" and answer["output"]["fixmedins_code"] == lhasa.code
    again = multipart(lhasa, lhasa.envelope("9101", {"fsUploadIn": {"in": list(detail_zip(5))}}), ZIP)
    assert again["infcode"] == -1 and "hold different files" in again["err_msg"]


def test_a_multipart_upload_without_a_file_part_is_refused_naming_the_parts(lhasa: His) -> None:
    envelope = lhasa.envelope("9101", {"fsUploadIn": {"filename": "detail.zip", "fixmedins_code": lhasa.code}})
    text_parts = {"jsonStr": (None, jsonutil.dumps(envelope)), "note": (None, "x")}
    answer = lhasa.client.post(DOOR, files=text_parts, headers=gateway_headers(lhasa.paasid, lhasa.token)).json()
    assert answer["infcode"] == -1 and "jsonStr" in answer["err_msg"] and "file" in answer["err_msg"]


def test_a_download_answers_the_bytes_with_their_name_and_a_refusal_answers_json(lhasa: His) -> None:
    uploaded = lhasa.ok("9101", node(base64.b64encode(ZIP).decode(), "对账明细.zip"))
    envelope = lhasa.envelope("9102", {"fsDownloadIn": {"file_qury_no": uploaded["file_qury_no"], "filename": "plc"}})
    raw = lhasa.client.post(DOOR, content=jsonutil.dumps(envelope), headers=gateway_headers(lhasa.paasid, lhasa.token))
    assert raw.status_code == 200 and raw.content == ZIP
    assert raw.headers["content-type"] == "application/octet-stream"
    assert raw.headers["content-disposition"] == (
        "attachment; filename=\"file.zip\"; filename*=UTF-8''%E5%AF%B9%E8%B4%A6%E6%98%8E%E7%BB%86.zip"
    )
    unknown = lhasa.envelope("9102", {"fsDownloadIn": {"file_qury_no": "nope", "filename": "plc"}})
    refused = lhasa.client.post(
        DOOR, content=jsonutil.dumps(unknown), headers=gateway_headers(lhasa.paasid, lhasa.token)
    )
    assert refused.headers["content-type"] == "application/json" and refused.content.startswith(b"{")
    assert refused.json()["infcode"] == -1 and "file_qury_no nope" in refused.json()["err_msg"]


def test_a_stranger_cannot_download_a_file_nor_learn_that_it_exists(lhasa: His, clinic: His) -> None:
    mine = lhasa.ok("9101", node(SIGNED))["file_qury_no"]
    unknown = mine[:-4] + ("0000" if not mine.endswith("0000") else "1111")
    theirs, nothing = fetch(clinic, mine, "detail.zip"), fetch(clinic, unknown, "detail.zip")
    assert theirs["infcode"] == nothing["infcode"] == -1
    assert theirs["err_msg"].replace(mine, unknown) == nothing["err_msg"]
    # their own envelope naming the owner, or the owner's code in fsDownloadIn, changes nothing
    as_owner = clinic.post(
        {
            **clinic.envelope("9102", {"fsDownloadIn": {"file_qury_no": mine, "filename": "plc"}}),
            "fixmedins_code": lhasa.code,
        }
    )
    assert as_owner["infcode"] == -1 and "is not the institution of credential" in as_owner["err_msg"]
    assert fetch(clinic, mine, fixmedins_code=lhasa.code)["infcode"] == -1
    assert fetch(lhasa, mine)["output"]["file"] == ZIP


def test_a_stranger_cannot_upload_as_another_institution(client: TestClient, lhasa: His, clinic: His) -> None:
    as_lhasa = clinic.call("9101", node(SIGNED, fixmedins_code=lhasa.code))
    assert as_lhasa["infcode"] == -1 and "fsUploadIn.fixmedins_code H54010000001" in as_lhasa["err_msg"]
    assert file_rows(client) == 0


def test_an_uploaded_file_asked_for_under_another_name_is_refused_with_its_own(lhasa: His) -> None:
    mine = lhasa.ok("9101", node(SIGNED))["file_qury_no"]
    wrong = fetch(lhasa, mine, "result.zip")
    assert wrong["infcode"] == -1 and "send detail.zip" in wrong["err_msg"]
    assert fetch(lhasa, mine, "C:\\his\\DETAIL.ZIP")["output"]["file"] == ZIP


def test_after_its_deadline_a_file_is_refused_and_the_next_upload_deletes_it(client: TestClient, lhasa: His) -> None:
    old = lhasa.ok("9101", node(SIGNED))["file_qury_no"]
    expire_files(client)
    expired = fetch(lhasa, old)
    assert expired["infcode"] == -1 and "expired at" in expired["err_msg"]
    assert "request the file again" in expired["err_msg"]
    assert file_rows(client) == 1
    lhasa.ok("9101", node(SIGNED))
    assert file_rows(client) == 1  # the expired one is gone, the new one kept


def test_a_repeated_upload_msgid_answers_the_first_file_and_another_file_is_refused(
    client: TestClient, lhasa: His
) -> None:
    msgid = lhasa.msgid()
    first = lhasa.call("9101", node(SIGNED), msgid=msgid)
    again = lhasa.call("9101", node(base64.b64encode(ZIP).decode()), msgid=msgid)  # the same bytes, base64
    assert first["infcode"] == 0 and again["output"] == first["output"]
    assert file_rows(client) == 1
    other = lhasa.call("9101", node(list(detail_zip(4))), msgid=msgid)
    assert other["infcode"] == -1 and "already used for a different request" in other["err_msg"]


def test_a_repeated_download_msgid_reads_the_same_bytes_again_even_signed_out(client: TestClient, lhasa: His) -> None:
    file_qury_no = lhasa.ok("9101", node(SIGNED))["file_qury_no"]
    msgid = lhasa.msgid()
    body = {"fsDownloadIn": {"file_qury_no": file_qury_no, "filename": "plc"}}
    first = lhasa.call("9102", body, msgid=msgid)
    lhasa.ok("9002", {"signOut": {"sign_no": lhasa.sign_no, "opter_no": "001"}})
    assert lhasa.call("9102", body, msgid=msgid) == first
    with client.app.state.runtime.engine.connect() as conn:
        logged = conn.execute(select(message_log.c.response).where(message_log.c.msgid == msgid)).scalar_one()
    assert jsonutil.loads(logged)["output"]["file_qury_no"] == file_qury_no
    other = lhasa.call("9102", {"fsDownloadIn": {"file_qury_no": "x", "filename": "plc"}}, msgid=msgid)
    assert other["infcode"] == -1 and "already used for a different request" in other["err_msg"]


def test_a_body_over_one_mebibyte_is_still_refused_for_every_other_transaction(lhasa: His) -> None:
    padding = {"data": {"psn_no": "1", "memo": "x" * (1024 * 1024)}}
    answer = lhasa.call("1101", padding)
    assert answer["infcode"] == -1 and "over 1048576 bytes" in answer["err_msg"] and "9101" in answer["err_msg"]


# ---------------------------------------------------------------- limits, with small settings


@pytest.fixture
def strict(migrated_url: str, partners: Any) -> Iterator[TestClient]:
    with make_client(
        migrated_url,
        partners,
        file_max_bytes=4096,
        file_live_uploads_per_institution=2,
        file_live_upload_bytes_per_institution=10_000,
    ) as c:
        load_demo(c.app.state.runtime)
        yield c


@pytest.fixture
def strict_his(strict: TestClient) -> His:
    his = His(strict, "H54010000001", "540100")
    his.sign_in()
    return his


def test_a_file_over_the_limit_is_refused_naming_the_limit_in_every_shape(strict: TestClient, strict_his: His) -> None:
    big = bytes(range(256)) * 17  # 4352 bytes
    for content in (base64.b64encode(big).decode(), list(big)):
        answer = strict_his.call("9101", node(content))
        assert answer["infcode"] == -1 and "at most 4 KiB" in answer["err_msg"]
    envelope = strict_his.envelope("9101", {"fsUploadIn": {"filename": "detail.zip"}})
    for sent in (big, big * 250):  # the file over the limit; a body past the room for it is not read on
        over = multipart(strict_his, envelope, sent)
        assert over["infcode"] == -1 and "at most 4 KiB" in over["err_msg"]
    assert multipart(strict_his, envelope, big[:4096])["infcode"] == 0
    assert file_rows(strict) == 1


def test_an_institution_over_its_quota_is_refused_until_its_files_expire(strict: TestClient, strict_his: His) -> None:
    for _ in range(2):
        strict_his.ok("9101", node(SIGNED))
    third = strict_his.call("9101", node(SIGNED))
    assert third["infcode"] == -1 and "already keeps 2 uploaded files" in third["err_msg"]
    other = His(strict, "H54010000002", "540100")
    other.sign_in()
    other.ok("9101", node(SIGNED, fixmedins_code=other.code))  # a quota per institution
    expire_files(strict)
    strict_his.ok("9101", node(SIGNED))
    assert file_rows(strict) == 1
