"""The HIS front door: parse the envelope, pass the gateway, replay or run one transaction.

Each business call is one unit of work: its effect, its outbox events and the stored answer
(for msgid replay) commit together. A refused call (infcode -1) stores nothing, so the HIS may
correct it and send it again with the same msgid.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from prometheus_client.core import CounterMetricFamily
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from medshared import jsonutil
from medshared.events import utcnow
from medshared.national import EnvelopeError, NationalRequest, extra_fields, parse_request, refusal, response
from medshared.runtime import Runtime
from settlement.adapters import EvoucherClient, RemoteCareClient
from settlement.config import Settings
from settlement.db import message_log
from settlement.domain import inputs as inp
from settlement.domain.errors import Refused
from settlement.policy import SettlementRuleError
from settlement.store import SqlStore
from settlement.usecases.common import Call, Outcome

from . import gateway as gw
from .table import TRANSACTIONS, Transaction


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
        self.extra_fields: Counter[str] = Counter()

    def call(
        self, headers: Mapping[str, str], raw: bytes, *, path_infno: str | None = None
    ) -> tuple[int, dict[str, Any]]:
        """One national call: HTTP status and the national answer (infcode 0 or -1)."""
        received = dt.datetime.now()

        def refuse(error: Exception, status: int = 200) -> tuple[int, dict[str, Any]]:
            return status, refusal(error, admdvs=self.settings.platform_admdvs, received=received)

        try:
            body = jsonutil.loads(raw)
        except ValueError:
            return refuse(EnvelopeError("the request body is not JSON; send the national envelope as a JSON object"))
        try:
            req = parse_request(body, infno=path_infno)
        except EnvelopeError as exc:
            return refuse(exc)
        self.extra_fields.update(extra_fields(body))
        try:
            return 200, self._answer(req, headers, received)
        except Refused as exc:
            return refuse(exc, exc.http_status)
        except SettlementRuleError as exc:
            return refuse(exc)

    def _answer(self, req: NationalRequest, headers: Mapping[str, str], received: dt.datetime) -> dict[str, Any]:
        sender = headers.get("x-tif-paasid", "")
        digest = gw.body_hash(req)
        with self.runtime.factory() as session:
            # One read for every row the envelope names, then the nonce: one short transaction.
            gate = gw.read_gate(session, req, sender)
            inst, channel = self.gateway.authenticate(gate, headers, req)
            self.gateway.spend_nonce_within_rate(session, headers)
        stored = gw.replay(gate.message, req, digest)
        if stored is not None:
            return stored
        if req.infno != "9001":
            gw.check_sign_no(gate.sign_in, req)
        row = TRANSACTIONS.get(req.infno)
        if row is None:
            raise Refused(
                f"infno {req.infno} is not offered by this platform; see docs/his-integration.md "
                "for the transactions it answers",
                code="INFNO_UNSUPPORTED",
            )
        call = Call(req=req, inst=inst, received=received, sender=sender, channel=channel)
        data = _read_input(row, req)
        if row.prepare is not None:
            row.prepare(self.ports, call, data)
        try:
            with self.runtime.unit_of_work() as session:
                outcome: Outcome = row.use_case(SqlStore(session), call, data)
                answer = response(admdvs=self.settings.platform_admdvs, received=received, output=outcome.output)
                session.execute(
                    insert(message_log),
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
                raise
            return stored
        return answer

    def collect(self) -> Iterator[Any]:
        """Prometheus: envelope fields the spec does not list, by name (known ones) or as "other"."""
        family = CounterMetricFamily(
            "national_envelope_extra_fields", "Envelope fields accepted and ignored, by field", labels=["field"]
        )
        for field, count in sorted(self.extra_fields.items()):
            family.add_metric([field], count)
        yield family


def _read_input(row: Transaction, req: NationalRequest) -> Any:
    where = f"input.{row.node}"
    node = req.input.get(row.node)
    if node is None and req.input and not any(isinstance(v, (dict, list)) for v in req.input.values()):
        # The node's fields sent straight under input, without the wrapper ({"opter_no": ..} for
        # {"signIn": {"opter_no": ..}}): one flat object can only be the node.
        node, where = req.input, "input"
    if node is None:
        raise Refused(f"{where} is required for infno {req.infno}", code="INPUT_INVALID")
    if row.many:
        return inp.read_list(row.model, node, where)
    return inp.read(row.model, node, where)
