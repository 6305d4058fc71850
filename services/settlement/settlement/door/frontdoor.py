"""The HIS front door: parse the envelope, pass the gateway, replay or run one transaction.

Each business call is one unit of work: its effect, its outbox events and the stored answer
(for msgid replay) commit together. A refused call (infcode -1) stores nothing, so the HIS may
correct it and send it again with the same msgid.

A 9101 upload carries its file in input.fsUploadIn.in (or beside the envelope, as a multipart part):
the door takes the file out before the envelope is read, so the 40000-character input limit holds for
the rest, and the request's identity for msgid replay names the file by its SHA-256. A 9102 download
answers the file's bytes, not the JSON envelope; repeated with its msgid it reads the file again (a
file never changes), so a retry gets the same bytes while the file lives.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from prometheus_client.core import CounterMetricFamily
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from medshared import jsonutil
from medshared.db import statement_at_a_time
from medshared.events import utcnow
from medshared.hotsql import HotWrite
from medshared.limits import MAX_BODY_BYTES
from medshared.national import EnvelopeError, NationalRequest, extra_fields, parse_request, refusal, response
from medshared.runtime import Runtime
from settlement.adapters import EvoucherClient, RemoteCareClient
from settlement.config import Settings
from settlement.db import message_log
from settlement.domain import inputs as inp
from settlement.domain.errors import Refused
from settlement.domain.files import decode_bytes, size_text
from settlement.policy import SettlementRuleError
from settlement.store import SqlStore
from settlement.usecases.common import Call, FileAnswer, Outcome
from settlement.usecases.files import too_large

from . import gateway as gw
from .table import TRANSACTIONS, Transaction

_LOG_CALL = HotWrite(insert(message_log))

UPLOAD_INFNO = "9101"
# A download reads an immutable file: repeated with its msgid it is read again, never answered from the log.
REREAD_ON_REPLAY = frozenset({"9102"})

Answer = dict[str, Any] | FileAnswer


@dataclass(frozen=True)
class Attachment:
    """The file part of a multipart/form-data 9101, taken apart from its jsonStr envelope at the edge;
    `refusal` says why it could not be (too large, no file part) when it could not."""

    content: bytes | None = None
    filename: str = ""
    refusal: str | None = None


@dataclass(frozen=True)
class Ports:
    """What the door's transactions reach beyond their own unit of work."""

    runtime: Runtime
    evoucher: EvoucherClient
    remote_care: RemoteCareClient


class FrontDoor:
    def __init__(
        self, runtime: Runtime, settings: Settings, evoucher: EvoucherClient, remote_care: RemoteCareClient
    ) -> None:
        self.runtime = runtime
        self.settings = settings
        self.ports = Ports(runtime, evoucher, remote_care)
        self.gateway = gw.Gateway(settings)
        self.file_rules = settings.file_rules()
        self.supervise = settings.supervision
        self.extra_fields: Counter[str] = Counter()

    def call(
        self,
        headers: Mapping[str, str],
        raw: bytes,
        *,
        path_infno: str | None = None,
        attachment: Attachment | None = None,
    ) -> tuple[int, Answer]:
        """One national call: HTTP status and the national answer (infcode 0 or -1), or the file a
        9102 answers. `attachment`: the file part of a multipart 9101, whose envelope is `raw`."""
        received = dt.datetime.now()

        def refuse(error: Exception, status: int = 200) -> tuple[int, dict[str, Any]]:
            return status, refusal(error, admdvs=self.settings.platform_admdvs, received=received)

        if attachment is not None and attachment.refusal is not None:
            return refuse(EnvelopeError(attachment.refusal))
        try:
            body = jsonutil.loads(raw)
        except ValueError:
            if len(raw) > MAX_BODY_BYTES:
                return refuse(EnvelopeError(_over_body_limit()))
            return refuse(EnvelopeError("the request body is not JSON; send the national envelope as a JSON object"))
        try:
            if _infno_of(body, path_infno) == UPLOAD_INFNO:
                content = self._take_file(body, attachment)
            elif len(raw) > MAX_BODY_BYTES:
                raise EnvelopeError(_over_body_limit())
            else:
                content = None
            req = parse_request(body, infno=path_infno)
        except (EnvelopeError, Refused) as exc:
            return refuse(exc)
        self.extra_fields.update(extra_fields(body))
        try:
            return 200, self._answer(req, headers, received, content)
        except Refused as exc:
            return refuse(exc, exc.http_status)
        except SettlementRuleError as exc:
            return refuse(exc)

    def _take_file(self, body: Any, attachment: Attachment | None) -> bytes | None:
        """Take a 9101's file out of its envelope (input.fsUploadIn.in, or the multipart part) and leave
        its SHA-256 in its place: the envelope stays within the input limit, and a repeated msgid with
        another file is a different request."""
        node = _upload_node(body, create=attachment is not None)
        where = "input.fsUploadIn.in"
        sent = node.pop("in", None) if node is not None else None
        content = None if sent in (None, "", []) else decode_bytes(sent, where)
        if attachment is not None:
            if content is not None and content != attachment.content:
                raise Refused(
                    f"{where} and the multipart part file hold different files: send the file once",
                    code="INPUT_INVALID",
                )
            content = attachment.content
            if node is not None and attachment.filename and not node.get("filename"):
                node["filename"] = attachment.filename
        if content is not None:
            if len(content) > self.file_rules.max_bytes:
                raise too_large(len(content), self.file_rules.max_bytes)
            if node is not None:
                node["in"] = "sha256:" + hashlib.sha256(content).hexdigest()
        return content

    def _answer(
        self, req: NationalRequest, headers: Mapping[str, str], received: dt.datetime, content: bytes | None
    ) -> Answer:
        sender = headers.get("x-tif-paasid", "")
        digest = gw.body_hash(req)
        with self.runtime.factory() as session:
            # One read for every row the envelope names, then the nonce: each one statement that
            # stands alone, so neither waits for a BEGIN or a COMMIT.
            committed = statement_at_a_time(session)
            gate = gw.read_gate(session, req, sender)
            inst, channel = self.gateway.authenticate(gate, headers, req)
            self.gateway.spend_nonce_within_rate(session, headers, commit=not committed)
        stored = gw.replay(gate.message, req, digest)
        if stored is not None and req.infno not in REREAD_ON_REPLAY:
            return stored
        if req.infno != "9001" and stored is None:
            gw.check_sign_no(gate.sign_in, req)
        row = TRANSACTIONS.get(req.infno)
        if row is None:
            raise Refused(
                f"infno {req.infno} is not offered by this platform; see docs/his-integration.md "
                "for the transactions it answers",
                code="INFNO_UNSUPPORTED",
            )
        call = Call(
            req=req,
            inst=inst,
            received=received,
            sender=sender,
            channel=channel,
            attachment=content,
            file_rules=self.file_rules,
            supervise=self.supervise,
        )
        data = _read_input(row, req)
        if row.prepare is not None:
            row.prepare(self.ports, call, data)
        outcome: Outcome | None = None
        try:
            with self.runtime.unit_of_work() as session:
                outcome = row.use_case(SqlStore(session), call, data)
                answer = response(admdvs=self.settings.platform_admdvs, received=received, output=outcome.output)
                if stored is not None:  # a download read again for its repeated msgid: logged once
                    return outcome.file or answer
                _LOG_CALL.run(
                    session,
                    {
                        "sender": sender,
                        "msgid": req.msgid,
                        "fixmedins_code": req.fixmedins_code,
                        "infno": req.infno,
                        "body_hash": digest,
                        "psn_no": outcome.psn_no,
                        "ref_id": outcome.ref_id,
                        "response": jsonutil.dumps(answer),
                        "received_at": utcnow(),
                    },
                )
        except IntegrityError:
            # The same msgid committed concurrently: answer as a replay would.
            with self.runtime.factory() as session:
                stored = gw.replay(gw.stored_message(session, sender, req.msgid), req, digest)
            if stored is None:
                # Another call wrote the same record (a department, a mapping) at the same moment.
                raise Refused(
                    "another call changed the same record at the same moment; send this call again",
                    code="CONCURRENT_CHANGE",
                ) from None
            if outcome is not None and outcome.file is not None:
                return outcome.file
            return stored
        assert outcome is not None
        return outcome.file or answer

    def collect(self) -> Iterator[Any]:
        """Prometheus: envelope fields the spec does not list, by name (known ones) or as "other"."""
        family = CounterMetricFamily(
            "national_envelope_extra_fields", "Envelope fields accepted and ignored, by field", labels=["field"]
        )
        for field, count in sorted(self.extra_fields.items()):
            family.add_metric([field], count)
        yield family


def _over_body_limit() -> str:
    return (
        f"the request body is over {MAX_BODY_BYTES} bytes ({size_text(MAX_BODY_BYTES)}); only a 9101 file "
        "upload may be larger: send less per request"
    )


def _field(body: Mapping[str, Any], name: str) -> Any:
    """An envelope field under its own name or in another case (INFNO, Input), as parse_request reads it."""
    if name in body:
        return body[name]
    return next((value for key, value in body.items() if isinstance(key, str) and key.lower() == name), None)


def _infno_of(body: Any, path_infno: str | None) -> str:
    if path_infno:
        return path_infno.strip().upper()
    infno = _field(body, "infno") if isinstance(body, dict) else None
    return str(infno).strip().upper() if isinstance(infno, (str, int)) else ""


def _upload_node(body: Any, *, create: bool) -> dict[str, Any] | None:
    """input.fsUploadIn of a 9101 envelope (the input sent as a JSON string too, or flat, without the
    wrapper), or None; `create` makes an empty node when the envelope has none (a multipart jsonStr)."""
    if not isinstance(body, dict):
        return None
    key = next((k for k in body if isinstance(k, str) and k.lower() == "input"), "input")
    input_ = body.get(key)
    if isinstance(input_, str) and input_.strip().startswith("{"):
        try:
            input_ = body[key] = jsonutil.loads(input_)
        except ValueError:
            return None
    if input_ in (None, "") and create:
        input_ = body[key] = {}
    if not isinstance(input_, dict):
        return None
    node = input_.get("fsUploadIn")
    if isinstance(node, dict):
        return node
    if node is None and ("filename" in input_ or "in" in input_) and not isinstance(input_.get("in"), dict):
        return input_  # the node's fields straight under input
    if node is None and create:
        node = input_["fsUploadIn"] = {}
        return node
    return None


def _read_input(row: Transaction, req: NationalRequest) -> Any:
    where = f"input.{row.node}"
    node = req.input.get(row.node)
    for other in row.also:  # a name deployed clients send for the node (druginfo for data ...)
        if node is None and req.input.get(other) is not None:
            node, where = req.input[other], f"input.{other}"
    if node is None and req.input and not any(isinstance(v, (dict, list)) for v in req.input.values()):
        # The node's fields sent straight under input, without the wrapper ({"opter_no": ..} for
        # {"signIn": {"opter_no": ..}}): one flat object can only be the node.
        node, where = req.input, "input"
    if node is None:
        raise Refused(f"{where} is required for infno {req.infno}", code="INPUT_INVALID")
    if row.many:
        return inp.read_list(row.model, node, where)
    return inp.read(row.model, node, where)
