"""Real HIS software's 9101 uploads and 9102 downloads, in the shapes its public code sends, and what it
reads back. Facts and field names only, from:

- liutao2019/IBORN_HIS_ALL at d64c67dd (Foshan, C#, Newtonsoft), MEDICAL/顺德医保/佛山新医保接口/API.GZSI/:
  Models/Request/RequestGzsiModel9101.cs (fsUploadIn.in is a List<int>), Common/Function.cs
  (AuthGetFileData: the file as sbyte[], so the list holds -128..127), UI/ucGDSITool.cs (up9101:
  filename Path.GetFileName of ...\\file.zip, fixmedins_code the institution, reads output.file_qury_no;
  down9102: file_qury_no of 3202, filename Path.GetFileName of the local ...\\outputfile.zip, fixmedins_code
  the institution), Models/Response/ResponseGzsiModel9101.cs (output: file_qury_no, filename,
  fixmedins_code, dld_endtime as strings), Business/AbstractService.cs (a 9102 answer is the file's bytes,
  taken for an error only when its UTF-8 text contains "error"), Class/HttpHelper.cs (POST to URL + infno);
  MEDICAL/广州医保/API.GZSI/Class/HttpHelper.cs (Guangzhou: every 9102 answer written to a .ZIP as is).
- S-117-John/nhis-web at 35007830 (Zhongshan, Java):
  src/main/java/com/zebone/nhis/compay/ins/zsrm/service/qgyb/ZsrmQGService.java (uploadDetailedFile: the
  detail zip named yyyyMMddHHmmss.zip, `in` a byte[] put into a json-lib JSONObject, which writes it as a
  list of signed bytes; the answer's output read again as JSON for file_qury_no);
  src/main/java/com/zebone/nhis/compay/pub/service/NationalInsuranceUpDownService.java (uploadFile: `in` a
  byte[] through fastjson, which writes base64; the answer's output read as file_qury_no, filename,
  fixmedins_code, dld_endtime; downFile: fsDownloadIn fixmedins_code "plc", filename the one answered,
  the body of an HTTP 200 saved as the zip and read as tab-separated lines),
  src/main/java/com/zebone/nhis/common/support/HttpClientUtil.java (sendHttpDownload: JSON in, bytes out).
- binzhe12123/Medical at 57b1455 (Shenzhen): SZSI_Smart/YBTest/js/YBSYB.js (SYB9102: fsDownloadIn
  file_qury_no and filename as answered, fixmedins_code "plc"),
  SY.Com.Medical.WebApi/Controllers/Clinic/SYBController.cs (Down9102: fixmedins_code "plc"),
  SY.Com.Medical.Model/SYB/Up9101.cs (Out9101.dld_endtime read into a DateTime).
- liwerAKM/YbRefund at c585c95 (Jiangsu, C#): YbRefund/BusinessCSB/CSBHelper.cs (a 9102 answer whose
  Content-Type contains application/octet-stream is the file; any other answer is parsed as the JSON
  envelope).
- hzg19700304/medical-insurance-interface-SDK at ee13b12 (Python SDK): public/医保接口协议详细技术规范文档.md
  §4.3-4.4 (9101 as multipart/form-data to …/callService: part jsonStr the envelope, part file the zip as
  application/zip; 9102 answered with Content-Type application/octet-stream and
  Content-Disposition: attachment; filename="…").
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import zipfile
from types import SimpleNamespace
from typing import Any

from clients import fs_csharp, sz_js, zs_java
from compat_support import ClientSession
from support import PEOPLE, ZHAXI, His

from medshared import jsonutil
from medshared.national import gateway_headers, parse_request
from settlement.store import SqlStore
from settlement.usecases.common import Call
from settlement.usecases.files import offer_download

CALL_SERVICE = "/fsi/api/rsfComIfsService/callService"
DETAIL = "5401202611240000000001\t5401202611240000000002\t54010000000000000001\t22.00\t15.40\t0.00\t0\r\n"


def detail_zip(name: str = "detail.txt") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 11, 24, 10, 0, 0)), DETAIL)
    return buffer.getvalue()


def lines_of(content: bytes) -> list[list[str]]:
    """What NationalInsuranceUpDownService.getZipContent makes of a downloaded zip."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return [line.split("\t") for name in archive.namelist() for line in archive.read(name).decode().splitlines()]


def signed(content: bytes) -> list[int]:
    return [b - 256 if b > 127 else b for b in content]


def style_post(session: ClientSession, infno: str, input_: Any) -> Any:
    """One call in the style's own envelope, path, content type and nonce; the raw HTTP answer."""
    style, env = session.style, session.env
    env.seq += 1
    env.now += dt.timedelta(milliseconds=1037)
    envelope = style.envelope(env, infno, style.msgid(env, infno), input_)
    return session.client.post(style.path(infno), content=jsonutil.dumps(envelope), headers=session.headers())


def signed_in(client: Any, style: Any) -> ClientSession:
    session = ClientSession(client, style, dict(PEOPLE[ZHAXI]))
    session.call("9001")
    return session


def offered(client: Any, content: bytes, filename: str, infno: str = "3202") -> dict[str, Any]:
    """A file a transaction offered the demo institution (as 13xx and 3202 do), its answer."""
    envelope = His(client, "H54010000001", "540100").envelope(infno, {})
    call = Call(
        req=parse_request(envelope),
        inst=SimpleNamespace(admdvs="540100"),
        received=dt.datetime.now(),
        file_rules=client.app.state.front_door.file_rules,
    )
    with client.app.state.runtime.unit_of_work() as session:
        return offer_download(SqlStore(session), call, content, filename=filename)


# ---------------------------------------------------------------- Foshan (C#): signed List<int>


def test_foshan_uploads_a_signed_byte_list_and_downloads_under_its_own_local_name(client: Any) -> None:
    session = signed_in(client, fs_csharp.STYLE)
    content = detail_zip()
    fs_upload_in = {"in": signed(content), "filename": "file.zip", "fixmedins_code": session.env.fixmedins_code}
    uploaded = style_post(session, "9101", {"fsUploadIn": fs_upload_in}).json()
    assert uploaded["infcode"] == 0, uploaded["err_msg"]
    output = uploaded["output"]
    assert all(isinstance(output[k], str) for k in ("file_qury_no", "filename", "fixmedins_code", "dld_endtime"))

    # the 3202 result is fetched as ...\outputfile.zip, a name of the client's own
    result = offered(client, detail_zip("result.txt"), "result.zip")
    fs_download_in = {"file_qury_no": result["file_qury_no"], "filename": "outputfile.zip",
                      "fixmedins_code": session.env.fixmedins_code}  # fmt: skip
    answer = style_post(session, "9102", {"fsDownloadIn": fs_download_in})
    assert answer.status_code == 200 and answer.content == detail_zip("result.txt")
    # its own check for a failed download: the body's text contains "error"; a refusal is the JSON
    # envelope (infcode -1), which it would take for the file, so the zip it then opens is what tells
    refused = style_post(session, "9102", {"fsDownloadIn": {**fs_download_in, "file_qury_no": "0"}})
    assert refused.json()["infcode"] == -1 and refused.content.startswith(b"{")


# ---------------------------------------------------------------- Zhongshan (Java): json-lib and fastjson


def test_zhongshan_json_lib_sends_the_zip_as_signed_bytes_and_reads_output_as_json(client: Any) -> None:
    session = signed_in(client, zs_java.STYLE)
    content = detail_zip()
    name = f"{dt.datetime.now():%Y%m%d%H%M%S}.zip"
    fs_upload_in = {"in": signed(content), "filename": name, "fixmedins_code": session.env.fixmedins_code}
    answer = style_post(session, "9101", {"fsUploadIn": fs_upload_in}).json()
    assert str(answer["infcode"]) == "0", answer["err_msg"]
    file_qury_no = jsonutil.loads(jsonutil.dumps(answer["output"]))["file_qury_no"]
    assert isinstance(file_qury_no, str) and len(file_qury_no) <= 30


def test_zhongshan_fastjson_sends_base64_and_downloads_with_plc_into_tab_separated_lines(client: Any) -> None:
    session = signed_in(client, zs_java.STYLE)
    content = detail_zip()
    name = f"3202_{dt.datetime.now():%Y%m%d%H%M%S}_12345.zip"
    fs_upload_in = {"in": base64.b64encode(content).decode(), "filename": name,
                    "fixmedins_code": session.env.fixmedins_code}  # fmt: skip
    uploaded = style_post(session, "9101", {"fsUploadIn": fs_upload_in}).json()
    assert uploaded["infcode"] == 0, uploaded["err_msg"]
    assert set(uploaded["output"]) >= {"file_qury_no", "filename", "fixmedins_code", "dld_endtime"}

    result = offered(client, detail_zip("result.txt"), "result.zip")
    fs_download_in = {"file_qury_no": result["file_qury_no"], "filename": result["filename"], "fixmedins_code": "plc"}
    answer = style_post(session, "9102", {"fsDownloadIn": fs_download_in})
    assert answer.status_code == 200
    assert lines_of(answer.content) == [DETAIL.rstrip("\r\n").split("\t")]


# ---------------------------------------------------------------- Shenzhen (JS / C#): plc as the code


def test_shenzhen_downloads_a_catalogue_file_with_plc_as_the_institution(client: Any) -> None:
    session = signed_in(client, sz_js.STYLE)
    catalogue = offered(client, detail_zip("1301.txt"), "1301_20261124.txt.zip", infno="1301")
    dt.datetime.strptime(catalogue["dld_endtime"], "%Y-%m-%d %H:%M:%S")  # Out9101/13xx: a C# DateTime
    fs_download_in = {"file_qury_no": catalogue["file_qury_no"], "filename": catalogue["filename"],
                      "fixmedins_code": "plc"}  # fmt: skip
    answer = style_post(session, "9102", {"fsDownloadIn": fs_download_in})
    assert answer.content == detail_zip("1301.txt")


# ---------------------------------------------------------------- Jiangsu (C#): the content type decides


def download_json(his: His, file_qury_no: str, filename: str, path: str = CALL_SERVICE) -> Any:
    """A 9102 posted as application/json;charset=utf-8 (CSBHelper.cs), the raw HTTP answer."""
    envelope = his.envelope("9102", {"fsDownloadIn": {"file_qury_no": file_qury_no, "filename": filename}})
    headers = {"content-type": "application/json;charset=utf-8", **_signed(his)}
    return his.client.post(path, content=jsonutil.dumps(envelope), headers=headers)


def test_a_client_that_tells_the_file_by_its_content_type_gets_json_for_a_refusal(client: Any, lhasa: His) -> None:
    result = offered(client, detail_zip(), "result.zip")
    ok = download_json(lhasa, result["file_qury_no"], "plc")
    assert "application/octet-stream" in ok.headers["content-type"] and ok.content == detail_zip()
    missing = download_json(lhasa, "x", "plc")
    assert "application/octet-stream" not in missing.headers["content-type"]
    assert missing.json()["infcode"] == -1


# ---------------------------------------------------------------- the SDK's multipart form


def test_the_sdk_posts_jsonstr_and_file_as_multipart_and_reads_the_attachment_name(lhasa: His) -> None:
    content = detail_zip()
    envelope = lhasa.envelope("9101", {"fsUploadIn": {"filename": "upload.zip", "fixmedins_code": lhasa.code}})
    for path in (CALL_SERVICE, "/fsi/api/fileupload/upload"):
        answer = lhasa.client.post(
            path,
            files={"jsonStr": (None, jsonutil.dumps(envelope)), "file": ("upload.zip", content, "application/zip")},
            headers=_signed(lhasa),
        ).json()
        assert answer["infcode"] == 0, answer["err_msg"]
        assert answer["output"]["filename"] == "upload.zip"
        envelope = lhasa.envelope("9101", envelope["input"])  # a new msgid for the second path
    fetched = download_json(lhasa, answer["output"]["file_qury_no"], "upload.zip", "/fsi/api/fileupload/download")
    assert fetched.headers["content-type"] == "application/octet-stream"
    assert fetched.headers["content-disposition"].startswith('attachment; filename="upload.zip"')
    assert fetched.content == content


def _signed(his: His) -> dict[str, str]:
    return gateway_headers(his.paasid, his.token)
