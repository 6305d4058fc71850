"""The HIS front door: authenticate, de-duplicate by msgid, run one transaction per call.

Each business call is one unit of work: its effect, its outbox events and the stored
answer (for msgid replay) commit together. A refused call (infcode -1) stores nothing,
so the HIS may correct it and send it again with the same msgid.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import simplejson
from medshared import jsonutil
from medshared.db import labelled_columns, split_row
from medshared.events import utcnow
from medshared.money import ZERO, money
from medshared.national import (
    EnvelopeError,
    GatewayHeaders,
    GatewayRefused,
    NationalRequest,
    parse_request,
    response,
)
from medshared.outbox import stage
from medshared.runtime import Runtime
from medshared.security import RateLimiter, first_use_of_nonce, rate_limited_message
from sqlalchemy import and_, bindparam, delete, insert, literal, select, update
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from settlement import readmodels as rm
from settlement import reference
from settlement.clients import EvoucherClient, RemoteCareClient
from settlement.config import Settings
from settlement.db import (
    account_entry,
    accumulator,
    chronic_filing,
    fee_line,
    gateway_credential,
    gateway_nonce,
    institution,
    message_log,
    outbox,
    settlement,
    sign_in,
    visit,
)
from settlement.domain import inputs as inp
from settlement.domain import visits as vs
from settlement.domain.errors import Refused, Unauthenticated
from settlement.messaging import contracts
from settlement.policy import (
    Accumulators,
    Breakdown,
    FeeLine,
    SettlementRuleError,
    VisitContext,
    classify_line,
    covering_filing,
    crossed_thresholds,
    scope_of,
    settle,
)
from settlement.policy.model import SETLINFO_AMOUNTS

DT = "%Y-%m-%d %H:%M:%S"
PAY_LOC = {"local": "2", "in_province": "3", "cross_province": "4"}
CLR_WAY = {"11": "1", "21": "3", "41": "1"}
PSN_INSU_STAS = {"active": "1", "suspended": "2", "terminated": "4"}
OUTPATIENT_MED_TYPES = ("11", "13", "14", "41")
INPATIENT_MED_TYPES = ("21", "24")
ACCUMULATOR_FIELDS = tuple(c.name for c in accumulator.columns if c.name not in ("psn_no", "year"))


@dataclass
class Call:
    req: NationalRequest
    inst: Any  # the institution's row
    received: dt.datetime
    sender: str = ""  # the x-tif-paasid that signed the call; msgids are unique per sender
    holder: dict[str, Any] | None = None  # the person an ecToken resolved to
    remote: dict[str, Any] | None = None  # remote-care's answer for 2501/2502

    @property
    def now(self) -> dt.datetime:
        return self.received

    def node(self, name: str) -> Any:
        if name not in self.req.input:
            raise Refused(f"input.{name} is required for infno {self.req.infno}", code="INPUT_INVALID")
        return self.req.input[name]


@dataclass
class Outcome:
    output: Any
    psn_no: str | None = None
    ref_id: str | None = None


def _new_id(prefix: str, moment: dt.datetime) -> str:
    """30 characters: admdvs-like prefix (6) + yyyyMMddHHmmss + 10 random digits."""
    return f"{prefix[:6]}{moment:%Y%m%d%H%M%S}{secrets.randbelow(10**10):010d}"


# What makes two requests "the same" for msgid replay: the transaction and its content.
# A HIS that retries after a timeout may stamp a new inf_time, sign in again or change
# operator; that is still the same request and must get the original answer.
_REQUEST_IDENTITY = ("infno", "fixmedins_code", "mdtrtarea_admvs", "insuplc_admdvs", "input")


def body_hash(body: Any) -> str:
    identity = {key: body.get(key) for key in _REQUEST_IDENTITY}
    canonical = simplejson.dumps(identity, sort_keys=True, use_decimal=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class Gate:
    """The rows an envelope names, each None when absent: its signer, institution, sign-in and msgid."""

    credential: Any
    institution: Any
    sign_in: Any
    message: Any


_GATE_TABLES = (gateway_credential, institution, sign_in, message_log)


def _gate_statement() -> Any:
    anchor = select(literal(1).label("anchor")).subquery()
    source = (
        anchor.outerjoin(gateway_credential, gateway_credential.c.paasid == bindparam("sender"))
        .outerjoin(institution, institution.c.fixmedins_code == bindparam("fixmedins_code"))
        .outerjoin(sign_in, sign_in.c.sign_no == bindparam("sign_no"))
        .outerjoin(message_log, and_(message_log.c.sender == bindparam("sender"), message_log.c.msgid == bindparam("msgid")))
    )
    return select(*labelled_columns(*_GATE_TABLES)).select_from(source)


# Built once: constructing a statement of this size costs more than running it.
_GATE = _gate_statement()


def _read_gate(s: Session, req: NationalRequest, sender: str) -> Gate:
    """Fetch the four rows in one statement: each is looked up by its key, joined to a one-row anchor."""
    params = {"sender": sender, "fixmedins_code": req.fixmedins_code, "sign_no": req.sign_no, "msgid": req.msgid}
    return Gate(*split_row(s.execute(_GATE, params).one(), *_GATE_TABLES))


_VISIT = select(visit).where(visit.c.mdtrt_id == bindparam("mdtrt_id"))
_VISIT_FOR_UPDATE = _VISIT.with_for_update()
# Updates take their SET columns from the parameters; the keys they match on are b_-prefixed.
_SET_VISIT = update(visit).where(visit.c.mdtrt_id == bindparam("b_mdtrt_id"))
_ACCUMULATOR = select(accumulator).where(accumulator.c.psn_no == bindparam("psn_no"), accumulator.c.year == bindparam("year"))
_ACCUMULATOR_FOR_UPDATE = _ACCUMULATOR.with_for_update()
_STORE_ACCUMULATORS = update(accumulator).where(
    accumulator.c.psn_no == bindparam("b_psn_no"), accumulator.c.year == bindparam("b_year")
)


def _stored_message(s: Session, sender: str, msgid: str) -> Any:
    return s.execute(select(message_log).where(message_log.c.sender == sender, message_log.c.msgid == msgid)).first()


class FrontDoor:
    def __init__(
        self, runtime: Runtime, settings: Settings, evoucher: EvoucherClient, remote_care: RemoteCareClient
    ) -> None:
        self.runtime = runtime
        self.settings = settings
        self.evoucher = evoucher
        self.remote_care = remote_care
        self.limiter = RateLimiter(settings.institution_rate_per_second, settings.institution_rate_burst)
        self._handlers: dict[str, Callable[[Session, Call], Outcome]] = {
            "9001": self._sign_in,
            "9002": self._sign_out,
            "1101": self._person_info,
            "2001": self._treatment_check,
            "2201": self._register,
            "2202": self._cancel_register,
            "2203": self._visit_info,
            "2203A": self._visit_info,
            "2204": self._outpatient_fees,
            "2205": self._cancel_outpatient_fees,
            "2206": self._settle_call,
            "2207": self._settle_call,
            "2208": self._reverse_call,
            "2401": self._admit,
            "2402": self._discharge,
            "2403": self._change_admission,
            "2404": self._cancel_admission,
            "2405": self._undo_discharge,
            "2301": self._inpatient_fees,
            "2302": self._cancel_inpatient_fees,
            "2303": self._settle_call,
            "2304": self._settle_call,
            "2305": self._reverse_call,
            "2501": self._referral_filing,
            "2502": self._revoke_referral,
            "2503": self._chronic_filing,
            "2504": self._revoke_chronic,
            "2601": self._reversal,
            "3201": self._totals,
            "5203": self._settlement_query,
            "5206": self._cumulative_query,
        }

    # ------------------------------------------------------------------ the envelope

    def call(self, headers: Mapping[str, str], raw: bytes) -> tuple[int, dict[str, Any]]:
        received = dt.datetime.now()
        admdvs = self.settings.platform_admdvs

        def refuse(message: str, status: int = 200) -> tuple[int, dict[str, Any]]:
            return status, response(admdvs=admdvs, received=received, err_msg=message)

        try:
            body = jsonutil.loads(raw)
        except ValueError:
            return refuse("the request body is not JSON; send the national envelope as a JSON object")
        try:
            req = parse_request(body)
        except EnvelopeError as exc:
            return refuse(str(exc))
        digest = body_hash(body)
        sender = headers.get("x-tif-paasid", "")
        try:
            with self.runtime.factory() as session:
                # One read for every row the envelope names, then the nonce: one short transaction.
                gate = _read_gate(session, req, sender)
                inst = self._authenticate(gate, headers, req)
                self._spend_nonce_within_rate(session, headers)
            stored = self._replay(gate.message, req, digest)
            if stored is not None:
                return 200, stored
            if req.infno != "9001":
                self._check_sign_no(gate.sign_in, req)
            handler = self._handlers.get(req.infno)
            if handler is None:
                raise Refused(
                    f"infno {req.infno} is not offered by this platform; see docs/his-integration.md "
                    "for the transactions it answers",
                    code="INFNO_UNSUPPORTED",
                )
            c = Call(req=req, inst=inst, received=received, sender=sender)
            self._call_out(c)
            try:
                with self.runtime.unit_of_work() as session:
                    outcome = handler(session, c)
                    answer = response(admdvs=admdvs, received=received, output=outcome.output)
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
                    stored = self._replay(_stored_message(session, sender, req.msgid), req, digest)
                if stored is None:
                    raise
                return 200, stored
            return 200, answer
        except Refused as exc:
            return refuse(exc.message, exc.http_status)
        except SettlementRuleError as exc:
            return refuse(exc.message)

    def _authenticate(self, gate: Gate, headers: Mapping[str, str], req: NationalRequest) -> Any:
        try:
            gateway = GatewayHeaders(headers)
            acts_for: str | None
            if gateway.paasid == self.settings.mobile_pay_paasid:
                token, acts_for = self.settings.mobile_pay_token, None
            else:
                cred = gate.credential
                if cred is None:
                    raise Unauthenticated(f"x-tif-paasid {gateway.paasid} is not a registered credential")
                if cred.demo and self.settings.is_production:
                    raise Unauthenticated("demo credentials are refused in production; ask the bureau for a credential")
                token, acts_for = cred.token, cred.fixmedins_code
            gateway.verify(token, max_skew_seconds=self.settings.signature_max_skew_seconds)
        except GatewayRefused as exc:
            raise Unauthenticated(str(exc)) from None
        paasid = gateway.paasid
        if acts_for is not None and acts_for != req.fixmedins_code:
            raise Refused(
                f"fixmedins_code {req.fixmedins_code} is not the institution of credential {paasid}",
                code="FORBIDDEN",
                http_status=403,
            )
        inst = gate.institution
        if inst is None:
            raise Refused(
                f"fixmedins_code {req.fixmedins_code} is not a designated institution", code="UNKNOWN_INSTITUTION"
            )
        if req.mdtrtarea_admvs != inst.admdvs:
            raise Refused(
                f"mdtrtarea_admvs must be {inst.admdvs}, the admdvs of {req.fixmedins_code}", code="WRONG_TREATING_AREA"
            )
        return inst

    def _spend_nonce_within_rate(self, s: Session, headers: Mapping[str, str]) -> None:
        """After the signature: the institution's rate, then the nonce, which is spent even if the call fails."""
        paasid, nonce = headers.get("x-tif-paasid", ""), headers.get("x-tif-nonce", "")
        wait = self.limiter.retry_after(paasid)
        if wait:
            raise Refused(rate_limited_message(paasid, wait), code="RATE_LIMITED", http_status=429)
        try:
            fresh = first_use_of_nonce(s, gateway_nonce, paasid, nonce, self.settings.signature_max_skew_seconds)
            s.commit()
        except IntegrityError:
            fresh = False
        if not fresh:
            raise Unauthenticated("x-tif-nonce was already used: sign every request, retries too, with a new nonce")

    def _replay(self, row: Any, req: NationalRequest, digest: str) -> dict[str, Any] | None:
        if row is None:
            return None
        if row.body_hash != digest:
            raise Refused(
                f"msgid {req.msgid} was already used for a different request; every new request needs a "
                "new msgid (resend the original body to get its answer again)",
                code="MSGID_REUSED",
            )
        return dict(jsonutil.loads(row.response))

    def _check_sign_no(self, row: Any, req: NationalRequest) -> None:
        if row is None or row.fixmedins_code != req.fixmedins_code or row.signed_out_at is not None:
            raise Refused(
                "sign_no is missing, unknown or signed out; sign in with 9001 and send its sign_no",
                code="NOT_SIGNED_IN",
            )

    def _call_out(self, c: Call) -> None:
        """Calls to other services happen before the transaction, so no lock waits on the network."""
        infno = c.req.infno
        data = c.req.input.get("mdtrtinfo" if infno == "2401" else "data")
        if infno in ("1101", "2201", "2206", "2207", "2401", "2303", "2304") and isinstance(data, dict):
            if data.get("mdtrt_cert_type") == "01" and data.get("mdtrt_cert_no"):
                c.holder = self.evoucher.resolve(str(data["mdtrt_cert_no"]), c.req.fixmedins_code)
        if infno == "2501":
            c.remote = self._file_referral(c)
        if infno == "2502":
            d = inp.read(inp.CancelFiling, c.node("data"), "input.data")
            c.remote = self.remote_care.revoke_referral(d.trt_dcla_detl_sn, d.psn_no, d.memo or "")

    # ------------------------------------------------------------------ helpers

    def _check_cert(self, s: Session, c: Call, psn: Row[Any], cert_type: str, cert_no: str) -> None:
        if cert_type == "01":
            if c.holder is None or c.holder.get("psn_no") != psn.psn_no:
                raise Refused(f"the e-voucher presented does not belong to psn_no {psn.psn_no}", code="CERT_MISMATCH")
        elif cert_type == "02":
            if cert_no.upper() != psn.certno.upper():
                raise Refused(f"mdtrt_cert_no is not the ID number of psn_no {psn.psn_no}", code="CERT_MISMATCH")
        else:
            raise _cert_unsupported(cert_type)

    def _visit(self, s: Session, c: Call, mdtrt_id: str, psn_no: str, *, lock: bool = False) -> Row[Any]:
        query = _VISIT_FOR_UPDATE if lock and s.get_bind().dialect.name == "postgresql" else _VISIT
        row = s.execute(query, {"mdtrt_id": mdtrt_id}).first()
        if row is None or row.fixmedins_code != c.req.fixmedins_code:
            raise Refused(f"mdtrt_id {mdtrt_id} is not a visit of {c.req.fixmedins_code}", code="VISIT_UNKNOWN")
        if row.psn_no != psn_no:
            raise Refused(f"mdtrt_id {mdtrt_id} belongs to another person than psn_no {psn_no}", code="VISIT_UNKNOWN")
        if c.req.insuplc_admdvs != row.insuplc_admdvs:
            raise Refused(
                f"insuplc_admdvs must be {row.insuplc_admdvs}, the person's pool for this visit", code="WRONG_POOL"
            )
        return row

    def _set_status(self, s: Session, mdtrt_id: str, status: str, **values: Any) -> None:
        s.execute(_SET_VISIT, {"b_mdtrt_id": mdtrt_id, "status": status, **values})

    def _open_visit(
        self,
        s: Session,
        c: Call,
        kind: str,
        status: str,
        psn_no: str,
        insutype: str,
        begntime: dt.datetime,
        ipt_otp_no: str,
        cert_type: str,
        med_type: str | None,
        dise_codg: str | None,
    ) -> str:
        psn = rm.person_by_psn_no(s, psn_no)
        rm.insured_on(s, psn, insutype, c.req.insuplc_admdvs, begntime.date())
        mdtrt_id = _new_id(c.inst.admdvs, c.now)
        s.execute(
            insert(visit),
            {
                "mdtrt_id": mdtrt_id,
                "psn_no": psn_no,
                "insutype": insutype,
                "kind": kind,
                "status": status,
                "fixmedins_code": c.req.fixmedins_code,
                "mdtrtarea_admvs": c.inst.admdvs,
                "insuplc_admdvs": c.req.insuplc_admdvs,
                "ipt_otp_no": ipt_otp_no,
                "mdtrt_cert_type": cert_type,
                "med_type": med_type,
                "dise_codg": dise_codg,
                "begntime": begntime,
                "created_at": utcnow(),
            },
        )
        return mdtrt_id

    # ------------------------------------------------------------------ 9001 / 9002 / 1101 / 2001

    def _sign_in(self, s: Session, c: Call) -> Outcome:
        d = inp.read(inp.SignIn, c.node("signIn"), "input.signIn")
        sign_no = _new_id(c.inst.admdvs, c.now)
        s.execute(
            insert(sign_in).values(
                sign_no=sign_no, fixmedins_code=c.req.fixmedins_code, opter_no=d.opter_no, signed_in_at=utcnow()
            )
        )
        return Outcome({"signinoutb": {"sign_time": c.now.strftime(DT), "sign_no": sign_no}}, ref_id=sign_no)

    def _sign_out(self, s: Session, c: Call) -> Outcome:
        d = inp.read(inp.SignOut, c.node("signOut"), "input.signOut")
        if d.sign_no != c.req.sign_no:
            raise Refused("signOut.sign_no must be the sign_no this call is made under", code="INPUT_INVALID")
        s.execute(update(sign_in).where(sign_in.c.sign_no == d.sign_no).values(signed_out_at=utcnow()))
        return Outcome({"signoutoutb": {"sign_time": c.now.strftime(DT)}}, ref_id=d.sign_no)

    def _person_info(self, s: Session, c: Call) -> Outcome:
        d = inp.read(inp.PersonQuery, c.node("data"), "input.data")
        if d.mdtrt_cert_type == "01":
            assert c.holder is not None  # resolved in _call_out or refused there
            psn = rm.person_by_psn_no(s, str(c.holder["psn_no"]))
        elif d.mdtrt_cert_type == "02":
            psn = rm.person_by_certno(s, d.mdtrt_cert_no)
        else:
            raise _cert_unsupported(d.mdtrt_cert_type)
        moment = d.begntime or c.now
        insuinfo = []
        for e in rm.enrollments(s, psn.psn_no):
            status = rm.status_on(e, moment.date())
            if status is None:
                continue
            suspended = [p for p in jsonutil.loads(e.periods) if p["status"] != "active"]
            insuinfo.append(
                {
                    "balc": rm.balance(s, psn.psn_no, e.insutype) if e.insutype == "310" else money(ZERO),
                    "insutype": e.insutype,
                    "psn_type": e.psn_type,
                    "psn_insu_stas": PSN_INSU_STAS.get(status, status),
                    "psn_insu_date": e.begndate.isoformat(),
                    "paus_insu_date": suspended[-1]["begndate"] if suspended and status != "active" else None,
                    "cvlserv_flag": e.cvlserv_flag,
                    "insuplc_admdvs": e.insuplc_admdvs,
                    "emp_name": e.emp_name,
                }
            )
        if not insuinfo:
            raise Refused(f"psn_no {psn.psn_no} holds no insurance on {moment.date()}", code="NOT_ENROLLED")
        idetinfo = [
            {
                "psn_idet_type": r.psn_idet_type,
                "psn_type_lv": r.psn_type_lv,
                "memo": r.memo,
                "begntime": r.begntime.strftime(DT),
                "endtime": r.endtime.strftime(DT) if r.endtime else None,
            }
            for r in rm.identities_on(s, psn.psn_no, moment)
        ]
        return Outcome(
            {"baseinfo": _baseinfo(psn, c.now), "insuinfo": insuinfo, "idetinfo": idetinfo}, psn_no=psn.psn_no
        )

    def _treatment_check(self, s: Session, c: Call) -> Outcome:
        d = inp.read(inp.TreatmentCheck, c.node("data"), "input.data")
        psn = rm.person_by_psn_no(s, d.psn_no)
        fund = "310100" if d.insutype == "310" else "390100"
        try:
            enr = rm.insured_on(s, psn, d.insutype, c.req.insuplc_admdvs, d.begntime.date())
            scope_of(d.med_type)
            flag, reason = "1", ""
            begndate, enddate = enr.begndate.isoformat(), enr.enddate.isoformat() if enr.enddate else None
        except (Refused, SettlementRuleError) as exc:
            flag, reason, begndate, enddate = "0", exc.message, None, None
        return Outcome(
            [
                {
                    "psn_no": psn.psn_no,
                    "trt_chk_type": "01",
                    "fund_pay_type": fund,
                    "trt_enjymnt_flag": flag,
                    "begndate": begndate,
                    "enddate": enddate,
                    "trt_chk_rslt": reason,
                }
            ],
            psn_no=psn.psn_no,
        )

    # ------------------------------------------------------------------ outpatient 2201-2205

    def _register(self, s: Session, c: Call) -> Outcome:
        d = inp.read(inp.Register, c.node("data"), "input.data")
        psn = rm.person_by_psn_no(s, d.psn_no)
        self._check_cert(s, c, psn, d.mdtrt_cert_type, d.mdtrt_cert_no)
        mdtrt_id = self._open_visit(
            s,
            c,
            vs.OUTPATIENT,
            vs.REGISTERED,
            d.psn_no,
            d.insutype,
            d.begntime,
            d.ipt_otp_no,
            d.mdtrt_cert_type,
            None,
            None,
        )
        return Outcome(
            {"data": {"mdtrt_id": mdtrt_id, "psn_no": d.psn_no, "ipt_otp_no": d.ipt_otp_no}},
            psn_no=d.psn_no,
            ref_id=mdtrt_id,
        )

    def _cancel_register(self, s: Session, c: Call) -> Outcome:
        d = inp.read(inp.CancelRegister, c.node("data"), "input.data")
        v = self._visit(s, c, d.mdtrt_id, d.psn_no, lock=True)
        return self._cancel_visit(s, v, "2202")

    def _cancel_visit(self, s: Session, v: Row[Any], action: str) -> Outcome:
        vs.require(action, v.kind, v.status, v.mdtrt_id)
        s.execute(delete(fee_line).where(fee_line.c.mdtrt_id == v.mdtrt_id))
        self._set_status(s, v.mdtrt_id, vs.CANCELLED)
        return Outcome(None, psn_no=v.psn_no, ref_id=v.mdtrt_id)

    def _visit_info(self, s: Session, c: Call) -> Outcome:
        d = inp.read(inp.VisitInfo, c.node("mdtrtinfo"), "input.mdtrtinfo")
        v = self._visit(s, c, d.mdtrt_id, d.psn_no, lock=True)
        vs.require("2203", v.kind, v.status, v.mdtrt_id)
        if d.med_type not in OUTPATIENT_MED_TYPES:
            raise Refused(
                f"med_type {d.med_type} is not an outpatient type; use 11, 13, 14 or 41 "
                "(inpatient stays are opened with 2401)",
                code="MED_TYPE_UNSUPPORTED",
            )
        if d.med_type == "14" and not rm.chronic_filing_active(s, d.psn_no, d.dise_codg, d.begntime.date()):
            raise Refused(
                "门诊慢特病 (med_type 14) needs an active chronic-disease filing (2503) for dise_codg "
                f"{d.dise_codg or '(empty)'}; file it first or use med_type 11",
                code="CHRONIC_FILING_REQUIRED",
            )
        self._set_status(s, v.mdtrt_id, vs.INFO_UPLOADED, med_type=d.med_type, dise_codg=d.dise_codg)
        return Outcome(None, psn_no=d.psn_no, ref_id=v.mdtrt_id)

    def _outpatient_fees(self, s: Session, c: Call) -> Outcome:
        return self._upload_fees(s, c, "2204")

    def _inpatient_fees(self, s: Session, c: Call) -> Outcome:
        return self._upload_fees(s, c, "2301")

    def _upload_fees(self, s: Session, c: Call, infno: str) -> Outcome:
        lines = inp.read_list(inp.FeeDetail, c.node("feedetail"), "input.feedetail")
        first = lines[0]
        if any(x.mdtrt_id != first.mdtrt_id or x.psn_no != first.psn_no for x in lines):
            raise Refused("all lines of one upload must carry the same mdtrt_id and psn_no", code="INPUT_INVALID")
        v = self._visit(s, c, first.mdtrt_id, first.psn_no, lock=True)
        vs.require(infno, v.kind, v.status, v.mdtrt_id)
        existing = {r.feedetl_sn: r for r in s.execute(select(fee_line).where(fee_line.c.mdtrt_id == v.mdtrt_id)).all()}
        seen: set[str] = set()
        catalogue = reference.catalogue_on(s, c.now.date())
        result, rows = [], []
        for x in lines:
            if x.feedetl_sn in existing or x.feedetl_sn in seen:
                raise Refused(
                    f"feedetl_sn {x.feedetl_sn} was already uploaded for this visit; each line needs its "
                    "own feedetl_sn",
                    code="DUPLICATE_LINE",
                )
            seen.add(x.feedetl_sn)
            if infno == "2204" and not x.chrg_bchno:
                raise Refused(f"fee line {x.feedetl_sn}: chrg_bchno is required", code="INPUT_INVALID")
            if x.cnt < 0 or x.det_item_fee_sumamt < 0:
                self._check_refund(x, existing, infno)
            classified = classify_line(
                FeeLine(x.feedetl_sn, x.med_list_codg, x.cnt, x.pric, x.det_item_fee_sumamt, x.init_feedetl_sn),
                catalogue,
                c.inst.admdvs,
            )
            rows.append(
                {
                    "mdtrt_id": v.mdtrt_id,
                    "feedetl_sn": x.feedetl_sn,
                    "chrg_bchno": x.chrg_bchno,
                    "init_feedetl_sn": x.init_feedetl_sn,
                    "med_list_codg": x.med_list_codg,
                    "medins_list_codg": x.medins_list_codg,
                    "cnt": x.cnt,
                    "pric": x.pric,
                    "det_item_fee_sumamt": x.det_item_fee_sumamt,
                    "fulamt_ownpay_amt": classified.fulamt_ownpay_amt,
                    "overlmt_amt": classified.overlmt_amt,
                    "preselfpay_amt": classified.preselfpay_amt,
                    "inscp_scp_amt": classified.inscp_scp_amt,
                    "chrgitm_lv": classified.chrgitm_lv,
                    "selfpay_prop": classified.selfpay_prop,
                    "pric_uplmt_amt": classified.pric_uplmt_amt,
                    "fee_ocur_time": x.fee_ocur_time,
                }
            )
            result.append(
                {
                    "feedetl_sn": x.feedetl_sn,
                    "det_item_fee_sumamt": money(x.det_item_fee_sumamt),
                    "cnt": x.cnt,
                    "pric": x.pric,
                    "pric_uplmt_amt": classified.pric_uplmt_amt,
                    "selfpay_prop": classified.selfpay_prop,
                    "fulamt_ownpay_amt": money(classified.fulamt_ownpay_amt),
                    "overlmt_amt": money(classified.overlmt_amt),
                    "preselfpay_amt": money(classified.preselfpay_amt),
                    "inscp_scp_amt": money(classified.inscp_scp_amt),
                    "chrgitm_lv": classified.chrgitm_lv,
                    "memo": None,
                }
            )
        s.execute(insert(fee_line), rows)  # every line in one statement
        return Outcome({"result": result}, psn_no=first.psn_no, ref_id=v.mdtrt_id)

    @staticmethod
    def _check_refund(x: inp.FeeDetail, existing: Mapping[str, Row[Any]], infno: str) -> None:
        if infno != "2301":
            raise Refused(
                f"fee line {x.feedetl_sn}: outpatient lines cannot be negative; withdraw lines with 2205",
                code="INPUT_INVALID",
            )
        original = existing.get(x.init_feedetl_sn or "")
        if original is None:
            raise Refused(
                f"refund line {x.feedetl_sn} must name the uploaded line it refunds in init_feedetl_sn",
                code="INPUT_INVALID",
            )
        if original.med_list_codg != x.med_list_codg or -x.cnt > original.cnt:
            raise Refused(
                f"refund line {x.feedetl_sn} must refund the same item as line {original.feedetl_sn} "
                f"and at most its quantity {original.cnt}",
                code="INPUT_INVALID",
            )

    def _cancel_outpatient_fees(self, s: Session, c: Call) -> Outcome:
        d = inp.read(inp.CancelFees2205, c.node("data"), "input.data")
        v = self._visit(s, c, d.mdtrt_id, d.psn_no, lock=True)
        vs.require("2205", v.kind, v.status, v.mdtrt_id)
        where = [fee_line.c.mdtrt_id == v.mdtrt_id, fee_line.c.setl_id.is_(None)]
        if d.chrg_bchno != "0000":
            where.append(fee_line.c.chrg_bchno == d.chrg_bchno)
        return self._delete_lines(s, v, where, f"chrg_bchno {d.chrg_bchno}")

    def _cancel_inpatient_fees(self, s: Session, c: Call) -> Outcome:
        d = inp.read(inp.CancelFees2302, c.node("data"), "input.data")
        v = self._visit(s, c, d.mdtrt_id, d.psn_no, lock=True)
        vs.require("2302", v.kind, v.status, v.mdtrt_id)
        where = [fee_line.c.mdtrt_id == v.mdtrt_id, fee_line.c.setl_id.is_(None)]
        if d.feedetl_sn != "0000":
            where.append(fee_line.c.feedetl_sn == d.feedetl_sn)
        return self._delete_lines(s, v, where, f"feedetl_sn {d.feedetl_sn}")

    def _delete_lines(self, s: Session, v: Row[Any], where: list[Any], what: str) -> Outcome:
        deleted = s.execute(delete(fee_line).where(*where)).rowcount
        if not deleted:
            raise Refused(f"no unsettled fee lines match {what} on mdtrt_id {v.mdtrt_id}", code="NOTHING_TO_DELETE")
        return Outcome(None, psn_no=v.psn_no, ref_id=v.mdtrt_id)

    # ------------------------------------------------------------------ inpatient 2401-2405

    def _admit(self, s: Session, c: Call) -> Outcome:
        d = inp.read(inp.Admit, c.node("mdtrtinfo"), "input.mdtrtinfo")
        if d.med_type not in INPATIENT_MED_TYPES:
            raise Refused(f"med_type {d.med_type} is not an inpatient type; use 21 or 24", code="MED_TYPE_UNSUPPORTED")
        psn = rm.person_by_psn_no(s, d.psn_no)
        self._check_cert(s, c, psn, d.mdtrt_cert_type, d.mdtrt_cert_no)
        mdtrt_id = self._open_visit(
            s,
            c,
            vs.INPATIENT,
            vs.ADMITTED,
            d.psn_no,
            d.insutype,
            d.begntime,
            d.ipt_no,
            d.mdtrt_cert_type,
            d.med_type,
            d.dise_codg,
        )
        return Outcome({"result": {"mdtrt_id": mdtrt_id}}, psn_no=d.psn_no, ref_id=mdtrt_id)

    def _discharge(self, s: Session, c: Call) -> Outcome:
        d = inp.read(inp.Discharge, c.node("dscginfo"), "input.dscginfo")
        v = self._visit(s, c, d.mdtrt_id, d.psn_no, lock=True)
        vs.require("2402", v.kind, v.status, v.mdtrt_id)
        if d.endtime < v.begntime:
            raise Refused(f"endtime {d.endtime:%Y-%m-%d %H:%M:%S} is before the admission", code="INPUT_INVALID")
        self._set_status(s, v.mdtrt_id, vs.DISCHARGED, endtime=d.endtime)
        return Outcome(None, psn_no=d.psn_no, ref_id=v.mdtrt_id)

    def _change_admission(self, s: Session, c: Call) -> Outcome:
        d = inp.read(inp.AdmissionChange, c.node("adminfo"), "input.adminfo")
        v = self._visit(s, c, d.mdtrt_id, d.psn_no, lock=True)
        vs.require("2403", v.kind, v.status, v.mdtrt_id)
        if d.med_type is not None and d.med_type not in INPATIENT_MED_TYPES:
            raise Refused(f"med_type {d.med_type} is not an inpatient type; use 21 or 24", code="MED_TYPE_UNSUPPORTED")
        changes = {k: getattr(d, k) for k in ("med_type", "begntime", "dise_codg") if getattr(d, k) is not None}
        self._set_status(s, v.mdtrt_id, v.status, **changes)
        return Outcome(None, psn_no=d.psn_no, ref_id=v.mdtrt_id)

    def _cancel_admission(self, s: Session, c: Call) -> Outcome:
        d = inp.read(inp.VisitRef, c.node("data"), "input.data")
        v = self._visit(s, c, d.mdtrt_id, d.psn_no, lock=True)
        self._refuse_if_settled(s, v)
        return self._cancel_visit(s, v, "2404")

    def _refuse_if_settled(self, s: Session, v: Row[Any]) -> None:
        open_setl = s.execute(
            select(settlement.c.setl_id).where(
                settlement.c.mdtrt_id == v.mdtrt_id,
                settlement.c.init_setl_id.is_(None),
                settlement.c.reversed_by.is_(None),
            )
        ).first()
        if open_setl is not None:
            raise Refused(
                f"mdtrt_id {v.mdtrt_id} has settlement {open_setl.setl_id}; reverse it first", code="OUT_OF_ORDER"
            )

    def _undo_discharge(self, s: Session, c: Call) -> Outcome:
        d = inp.read(inp.VisitRef, c.node("data"), "input.data")
        v = self._visit(s, c, d.mdtrt_id, d.psn_no, lock=True)
        vs.require("2405", v.kind, v.status, v.mdtrt_id)
        self._set_status(s, v.mdtrt_id, vs.ADMITTED, endtime=None)
        return Outcome(None, psn_no=d.psn_no, ref_id=v.mdtrt_id)

    # ------------------------------------------------------------------ settlement 2206/2207/2303/2304

    def _settle_call(self, s: Session, c: Call) -> Outcome:
        d = inp.read(inp.Settle, c.node("data"), "input.data")
        return self._settle(s, c, d, final=c.req.infno in ("2207", "2304"))

    def _settle(self, s: Session, c: Call, d: inp.Settle, *, final: bool) -> Outcome:
        infno = c.req.infno
        inpatient = infno in ("2303", "2304")
        mid = inpatient and d.mid_setl_flag == "1"
        v = self._visit(s, c, d.mdtrt_id, d.psn_no, lock=final)
        vs.require(infno + ("-mid" if mid else ""), v.kind, v.status, v.mdtrt_id)
        psn = rm.person_by_psn_no(s, d.psn_no)
        self._check_cert(s, c, psn, d.mdtrt_cert_type, d.mdtrt_cert_no)
        if d.insutype != v.insutype:
            raise Refused(f"insutype {d.insutype} differs from the visit's {v.insutype}", code="INPUT_INVALID")
        enr = rm.insured_on(s, psn, v.insutype, c.req.insuplc_admdvs, v.begntime.date())
        if d.med_type and d.med_type != v.med_type:
            raise Refused(
                f"med_type {d.med_type} differs from the visit's {v.med_type} (2203 / 2401); "
                "correct the visit or the settlement request",
                code="INPUT_INVALID",
            )
        rows = s.execute(
            select(fee_line)
            .where(fee_line.c.mdtrt_id == v.mdtrt_id, fee_line.c.setl_id.is_(None))
            .order_by(fee_line.c.id)
        ).all()
        if not rows:
            earlier = s.execute(
                select(settlement.c.setl_id).where(
                    settlement.c.mdtrt_id == v.mdtrt_id,
                    settlement.c.init_setl_id.is_(None),
                    settlement.c.reversed_by.is_(None),
                )
            ).first()
            if earlier is not None:
                raise Refused(
                    f"mdtrt_id {v.mdtrt_id} is already settled (setl_id {earlier.setl_id}) and has no new "
                    "fee lines; reverse that settlement before settling again",
                    code="ALREADY_SETTLED",
                )
            raise Refused(
                f"mdtrt_id {v.mdtrt_id} has no unsettled fee lines; upload them "
                f"({'2301' if inpatient else '2204'}) first",
                code="NOTHING_TO_SETTLE",
            )
        uploaded = sum((r.det_item_fee_sumamt for r in rows), ZERO)
        if money(uploaded) != money(d.medfee_sumamt):
            raise Refused(
                f"medfee_sumamt {money(d.medfee_sumamt)} does not match the {len(rows)} unsettled fee lines "
                f"uploaded for this visit, which total {money(uploaded)}",
                code="MEDFEE_MISMATCH",
            )

        day = c.now.date()
        catalogue = reference.catalogue_on(s, day)
        policy = reference.region_policy_on(s, enr.insuplc_admdvs, v.insutype, day)
        assistance = reference.assistance_policy_on(s, enr.insuplc_admdvs, day)
        lines = [
            classify_line(
                FeeLine(r.feedetl_sn, r.med_list_codg, r.cnt, r.pric, r.det_item_fee_sumamt, r.init_feedetl_sn),
                catalogue,
                c.inst.admdvs,
            )
            for r in rows
        ]
        visit_moment = v.begntime
        identity = rm.assistance_identity(s, psn.psn_no, visit_moment)
        accum = _lock_accumulators(s, psn.psn_no, day.year) if final else _read_accumulators(s, psn.psn_no, day.year)
        balance = rm.balance(s, psn.psn_no, "310") if v.insutype == "310" else ZERO
        dedc_applied = sum(
            s.execute(select(settlement.c.act_pay_dedc).where(settlement.c.mdtrt_id == v.mdtrt_id)).scalars(), ZERO
        )
        ctx = VisitContext(
            insutype=v.insutype,
            psn_type=enr.psn_type,
            med_type=v.med_type,
            hosp_lv=c.inst.hosp_lv,
            insuplc_admdvs=enr.insuplc_admdvs,
            treating_admdvs=c.inst.admdvs,
            tier=enr.tier,
            cvlserv_flag=enr.cvlserv_flag == "1",
            filing=covering_filing(rm.filings(s, psn.psn_no), c.inst.admdvs, visit_moment.date()),
            identity=identity,
            acct_balance=balance,
            acct_used_flag=d.acct_used_flag == "1",
            mdtrt_dedc_applied=dedc_applied,
            chronic_filing_active=rm.chronic_filing_active(s, psn.psn_no, v.dise_codg, visit_moment.date()),
        )
        bd = settle(lines, ctx, policy, assistance, accum)
        setl_id = _new_id(c.inst.admdvs, c.now) if final else None
        versions = {"catalogue": f"{catalogue.catalogue_id}:{catalogue.version}", "policy": policy.ref}
        if len(bd.policy_refs) > 1:
            versions["assistance"] = bd.policy_refs[1]
        setlinfo = _setlinfo(psn, enr, v, bd, d, c, setl_id)
        details = [_detail(x) for x in bd.setldetail]
        if not final:
            return Outcome({"setlinfo": setlinfo, "setldetail": details}, psn_no=psn.psn_no)

        assert setl_id is not None
        record = _event_settlement(setlinfo, details, v, c, bd, versions, reversed_=False)
        s.execute(
            insert(settlement),
            {
                "setl_id": setl_id,
                "mdtrt_id": v.mdtrt_id,
                "psn_no": psn.psn_no,
                "infno": infno,
                "medins_setl_id": c.req.msgid,
                "fixmedins_code": c.req.fixmedins_code,
                "insutype": v.insutype,
                "med_type": v.med_type,
                "clr_type": bd.clr_type,
                "clr_optins": c.inst.admdvs,
                "pay_loc": PAY_LOC[bd.location.value],
                "setl_time": c.now,
                "year": day.year,
                "medfee_sumamt": bd.medfee_sumamt,
                "fund_pay_sumamt": bd.fund_pay_sumamt,
                "acct_pay": bd.acct_pay,
                "psn_cash_pay": bd.psn_cash_pay,
                "act_pay_dedc": bd.act_pay_dedc if inpatient else ZERO,
                "mid_setl_flag": "1" if mid else "0",
                "setlinfo": jsonutil.dumps(setlinfo),
                "setldetail": jsonutil.dumps(details),
                "delta": jsonutil.dumps(bd.delta.to_dict()),
                "policy_versions": jsonutil.dumps(versions),
            },
        )
        s.execute(update(fee_line).where(fee_line.c.id.in_([r.id for r in rows])).values(setl_id=setl_id))
        after = accum + bd.delta
        _store_accumulators(s, psn.psn_no, day.year, after)
        if bd.acct_pay:
            _post_account(s, f"pay:{setl_id}", psn.psn_no, -bd.acct_pay, "payment", f"setl_id {setl_id}")
        self._set_status(s, v.mdtrt_id, vs.after_settlement(v.kind, mid, v.status))
        stage(s, outbox, contracts.SETTLEMENTS_TOPIC, contracts.visit_settled(record))
        for crossed in crossed_thresholds(accum, after, identity is not None, policy.monitoring):
            stage(
                s,
                outbox,
                contracts.SETTLEMENTS_TOPIC,
                contracts.cost_threshold_passed(
                    psn.psn_no, day.year, crossed.measure, crossed.threshold, crossed.value
                ),
            )
        return Outcome({"setlinfo": setlinfo, "setldetail": details}, psn_no=psn.psn_no, ref_id=setl_id)

    # ------------------------------------------------------------------ reversal 2208/2305/2601

    def _reverse_call(self, s: Session, c: Call) -> Outcome:
        d = inp.read(inp.Reverse, c.node("data"), "input.data")
        v = self._visit(s, c, d.mdtrt_id, d.psn_no, lock=True)
        expected = vs.OUTPATIENT if c.req.infno == "2208" else vs.INPATIENT
        if v.kind != expected:
            raise Refused(
                f"mdtrt_id {v.mdtrt_id} is an {v.kind} visit; reverse it with "
                f"{'2305' if v.kind == vs.INPATIENT else '2208'}",
                code="WRONG_VISIT_KIND",
            )
        return self._reverse(s, c, v, d.setl_id)

    def _reverse(self, s: Session, c: Call, v: Row[Any], setl_id: str) -> Outcome:
        orig = s.execute(select(settlement).where(settlement.c.setl_id == setl_id)).first()
        if orig is None or orig.mdtrt_id != v.mdtrt_id:
            raise Refused(f"setl_id {setl_id} is not a settlement of mdtrt_id {v.mdtrt_id}", code="SETTLEMENT_UNKNOWN")
        if orig.init_setl_id is not None:
            raise Refused(f"setl_id {setl_id} is itself a reversal and cannot be reversed", code="ALREADY_REVERSED")
        if orig.reversed_by is not None:
            raise Refused(
                f"setl_id {setl_id} was already reversed (reversal setl_id {orig.reversed_by})", code="ALREADY_REVERSED"
            )
        psn = rm.person_by_psn_no(s, orig.psn_no)
        accum = _lock_accumulators(s, orig.psn_no, orig.year)
        delta = Accumulators.from_dict(jsonutil.loads(orig.delta))
        _store_accumulators(s, orig.psn_no, orig.year, accum - delta)
        if orig.acct_pay:
            _post_account(
                s, f"reverse:{setl_id}", orig.psn_no, orig.acct_pay, "reversal", f"setl_id {setl_id} reversed"
            )
        new_id = _new_id(c.inst.admdvs, c.now)
        info = jsonutil.loads(orig.setlinfo)
        for name in SETLINFO_AMOUNTS:
            if name != "balc":
                info[name] = money(-Decimal(info[name]))
        info.update(
            setl_id=new_id,
            setl_time=c.now.strftime(DT),
            medins_setl_id=c.req.msgid,
            balc=rm.balance(s, orig.psn_no, "310") if orig.insutype == "310" else money(ZERO),
        )
        details = [
            dict(
                x,
                inscp_scp_amt=money(-Decimal(x["inscp_scp_amt"])),
                fund_payamt=money(-Decimal(x["fund_payamt"])),
                setl_proc_info=f"冲销 setl_id {setl_id}",
            )
            for x in jsonutil.loads(orig.setldetail)
        ]
        s.execute(
            insert(settlement),
            {
                "setl_id": new_id,
                "mdtrt_id": orig.mdtrt_id,
                "psn_no": orig.psn_no,
                "infno": c.req.infno,
                "medins_setl_id": c.req.msgid,
                "fixmedins_code": orig.fixmedins_code,
                "insutype": orig.insutype,
                "med_type": orig.med_type,
                "clr_type": orig.clr_type,
                "clr_optins": orig.clr_optins,
                "pay_loc": orig.pay_loc,
                "setl_time": c.now,
                "year": orig.year,
                "medfee_sumamt": -orig.medfee_sumamt,
                "fund_pay_sumamt": -orig.fund_pay_sumamt,
                "acct_pay": -orig.acct_pay,
                "psn_cash_pay": -orig.psn_cash_pay,
                "act_pay_dedc": -orig.act_pay_dedc,
                "mid_setl_flag": orig.mid_setl_flag,
                "setlinfo": jsonutil.dumps(info),
                "setldetail": jsonutil.dumps(details),
                "delta": orig.delta,
                "policy_versions": orig.policy_versions,
                "init_setl_id": setl_id,
            },
        )
        s.execute(update(settlement).where(settlement.c.setl_id == setl_id).values(reversed_by=new_id))
        s.execute(update(fee_line).where(fee_line.c.setl_id == setl_id).values(setl_id=None))
        self._set_status(s, v.mdtrt_id, vs.after_reversal(v.kind, orig.mid_setl_flag == "1", v.status))
        record = _event_settlement(
            info, details, v, c, None, jsonutil.loads(orig.policy_versions), reversed_=True, stored=orig, psn=psn
        )
        stage(s, outbox, contracts.SETTLEMENTS_TOPIC, contracts.settlement_reversed(record, setl_id))
        return Outcome({"setlinfo": info, "setldetail": details}, psn_no=orig.psn_no, ref_id=new_id)

    def _reversal(self, s: Session, c: Call) -> Outcome:
        d = inp.read(inp.Reversal, c.node("data"), "input.data")
        logged = s.execute(
            select(message_log).where(message_log.c.sender == c.sender, message_log.c.msgid == d.omsgid)
        ).first()
        if logged is None or logged.fixmedins_code != c.req.fixmedins_code:
            raise Refused(
                f"no successful call of {c.req.fixmedins_code} has msgid {d.omsgid}; nothing to reverse",
                code="ORIGINAL_UNKNOWN",
            )
        if logged.infno != d.oinfno:
            raise Refused(f"msgid {d.omsgid} was infno {logged.infno}, not {d.oinfno}", code="INPUT_INVALID")
        if logged.psn_no != d.psn_no:
            raise Refused(f"msgid {d.omsgid} was not a call for psn_no {d.psn_no}", code="INPUT_INVALID")
        if d.oinfno in ("2207", "2304"):
            orig = s.execute(select(settlement).where(settlement.c.setl_id == logged.ref_id)).first()
            v = self._visit(s, c, orig.mdtrt_id, d.psn_no, lock=True)
            return self._reverse(s, c, v, orig.setl_id)
        if d.oinfno in ("2201", "2401"):
            v = self._visit(s, c, logged.ref_id, d.psn_no, lock=True)
            self._refuse_if_settled(s, v)
            if v.status == vs.CANCELLED:
                raise Refused(f"the visit of msgid {d.omsgid} was already cancelled", code="ALREADY_REVERSED")
            s.execute(delete(fee_line).where(fee_line.c.mdtrt_id == v.mdtrt_id))
            self._set_status(s, v.mdtrt_id, vs.CANCELLED)
            return Outcome(None, psn_no=d.psn_no, ref_id=v.mdtrt_id)
        raise Refused(
            "2601 reverses a registration (2201), an admission (2401) or a settlement (2207 / 2304)",
            code="INPUT_INVALID",
        )

    # ------------------------------------------------------------------ filings 2501-2504

    def _file_referral(self, c: Call) -> dict[str, Any]:
        d = inp.read(inp.ReferralFiling, c.node("refmedin"), "input.refmedin")
        with self.runtime.factory() as s:
            psn = rm.person_by_psn_no(s, d.psn_no)
            insured = {e.insuplc_admdvs for e in rm.enrollments(s, psn.psn_no)}
        if c.req.insuplc_admdvs not in insured:
            raise Refused(
                f"insuplc_admdvs {c.req.insuplc_admdvs or '(empty)'} is not psn_no {d.psn_no}'s pool", code="WRONG_POOL"
            )
        body = dict(
            c.req.input["refmedin"],
            psn_no=d.psn_no,
            insuplc_admdvs=c.req.insuplc_admdvs,
            fixmedins_code=c.req.fixmedins_code,
        )
        return self.remote_care.file_referral(body)

    def _referral_filing(self, s: Session, c: Call) -> Outcome:
        assert c.remote is not None
        sn = str(c.remote["trt_dcla_detl_sn"])
        return Outcome(
            {"result": {"trt_dcla_detl_sn": sn, "filing_id": c.remote.get("filing_id")}},
            psn_no=c.req.input["refmedin"]["psn_no"],
            ref_id=sn,
        )

    def _revoke_referral(self, s: Session, c: Call) -> Outcome:
        d = inp.read(inp.CancelFiling, c.node("data"), "input.data")
        return Outcome(None, psn_no=d.psn_no, ref_id=d.trt_dcla_detl_sn)

    def _chronic_filing(self, s: Session, c: Call) -> Outcome:
        d = inp.read(inp.ChronicFiling, c.node("data"), "input.data")
        psn = rm.person_by_psn_no(s, d.psn_no)
        rm.insured_on(s, psn, d.insutype, c.req.insuplc_admdvs, d.begndate)
        if d.enddate is not None and d.enddate < d.begndate:
            raise Refused("enddate is before begndate", code="INPUT_INVALID")
        sn = _new_id(c.inst.admdvs, c.now)
        s.execute(
            insert(chronic_filing).values(
                trt_dcla_detl_sn=sn,
                psn_no=d.psn_no,
                insutype=d.insutype,
                opsp_dise_code=d.opsp_dise_code,
                opsp_dise_name=d.opsp_dise_name,
                fixmedins_code=c.req.fixmedins_code,
                begndate=d.begndate,
                enddate=d.enddate,
                revoked=False,
            )
        )
        return Outcome({"result": {"trt_dcla_detl_sn": sn}}, psn_no=d.psn_no, ref_id=sn)

    def _revoke_chronic(self, s: Session, c: Call) -> Outcome:
        d = inp.read(inp.CancelFiling, c.node("data"), "input.data")
        row = s.execute(select(chronic_filing).where(chronic_filing.c.trt_dcla_detl_sn == d.trt_dcla_detl_sn)).first()
        if row is None or row.psn_no != d.psn_no:
            raise Refused(
                f"trt_dcla_detl_sn {d.trt_dcla_detl_sn} is not a chronic-disease filing of psn_no {d.psn_no}",
                code="FILING_UNKNOWN",
            )
        if row.revoked:
            raise Refused(f"chronic-disease filing {d.trt_dcla_detl_sn} was already revoked", code="ALREADY_REVOKED")
        s.execute(
            update(chronic_filing).where(chronic_filing.c.trt_dcla_detl_sn == d.trt_dcla_detl_sn).values(revoked=True)
        )
        return Outcome(None, psn_no=d.psn_no, ref_id=d.trt_dcla_detl_sn)

    # ------------------------------------------------------------------ 3201 / 5203 / 5206

    def _totals(self, s: Session, c: Call) -> Outcome:
        d = inp.read(inp.TotalsReconciliation, c.node("data"), "input.data")
        begin = dt.datetime.combine(d.stmt_begndate, dt.time.min)
        end = dt.datetime.combine(d.stmt_enddate, dt.time.max)
        rows = s.execute(
            select(settlement).where(
                settlement.c.fixmedins_code == c.req.fixmedins_code,
                settlement.c.insutype == d.insutype,
                settlement.c.clr_type == d.clr_type,
                settlement.c.clr_optins == d.setl_optins,
                settlement.c.setl_time >= begin,
                settlement.c.setl_time <= end,
            )
        ).all()
        ours = {
            "medfee_sumamt": sum((r.medfee_sumamt for r in rows), ZERO),
            "fund_pay_sumamt": sum((r.fund_pay_sumamt for r in rows), ZERO),
            "acct_pay": sum((r.acct_pay for r in rows), ZERO),
        }
        count = sum(1 if r.init_setl_id is None else -1 for r in rows)
        diffs = [
            f"{k}: platform {money(v)}, HIS {money(getattr(d, k))}"
            for k, v in ours.items()
            if money(v) != money(getattr(d, k))
        ]
        if count != d.fixmedins_setl_cnt:
            diffs.append(f"fixmedins_setl_cnt: platform {count}, HIS {d.fixmedins_setl_cnt}")
        dscr = "对账一致" if not diffs else "对账不一致: " + "; ".join(diffs)
        return Outcome(
            {"stmtinfo": {"setl_optins": d.setl_optins, "stmt_rslt": "0" if not diffs else "1", "stmt_rslt_dscr": dscr}}
        )

    def _settlement_query(self, s: Session, c: Call) -> Outcome:
        d = inp.read(inp.SettlementQuery, c.node("data"), "input.data")
        row = s.execute(select(settlement).where(settlement.c.setl_id == d.setl_id)).first()
        if (
            row is None
            or row.psn_no != d.psn_no
            or row.mdtrt_id != d.mdtrt_id
            or row.fixmedins_code != c.req.fixmedins_code
        ):
            raise Refused(
                f"no settlement {d.setl_id} of psn_no {d.psn_no} on mdtrt_id {d.mdtrt_id} at this institution",
                code="SETTLEMENT_UNKNOWN",
            )
        info = jsonutil.loads(row.setlinfo)
        info["refd_setl_flag"] = "1" if row.reversed_by or row.init_setl_id else "0"
        return Outcome({"setlinfo": info, "setldetail": jsonutil.loads(row.setldetail)}, psn_no=d.psn_no)

    def _cumulative_query(self, s: Session, c: Call) -> Outcome:
        d = inp.read(inp.CumulativeQuery, c.node("data"), "input.data")
        psn = rm.person_by_psn_no(s, d.psn_no)
        year = int(d.cum_ym[:4])
        accum = _read_accumulators(s, psn.psn_no, year)
        cuminfo = [
            {"cum_ym": d.cum_ym, "year": year, "cum_type_code": name, "cum": money(getattr(accum, name))}
            for name in ACCUMULATOR_FIELDS
        ]
        return Outcome({"cuminfo": cuminfo}, psn_no=psn.psn_no)


# ---------------------------------------------------------------------- module helpers


def _cert_unsupported(cert_type: str) -> Refused:
    if cert_type == "03":
        return Refused(
            "social-security cards (mdtrt_cert_type 03) are not supported here; use the e-voucher (01) "
            "or the ID number (02)",
            code="CERT_UNSUPPORTED",
        )
    return Refused(
        f"mdtrt_cert_type {cert_type} is unknown; use 01 (e-voucher) or 02 (ID number)", code="CERT_UNSUPPORTED"
    )


def _age(brdy: dt.date | None, today: dt.date) -> Decimal | None:
    if brdy is None:
        return None
    years = today.year - brdy.year - ((today.month, today.day) < (brdy.month, brdy.day))
    return Decimal(years).quantize(Decimal("0.1"))


def _baseinfo(psn: Row[Any], now: dt.datetime) -> dict[str, Any]:
    return {
        "psn_no": psn.psn_no,
        "psn_cert_type": psn.psn_cert_type,
        "certno": psn.certno,
        "psn_name": psn.psn_name,
        "gend": psn.gend,
        "naty": psn.naty,
        "brdy": psn.brdy.isoformat() if psn.brdy else None,
        "age": _age(psn.brdy, now.date()),
        "expContent": None,
    }


def _setlinfo(
    psn: Row[Any], enr: Row[Any], v: Row[Any], bd: Breakdown, d: inp.Settle, c: Call, setl_id: str | None
) -> dict[str, Any]:
    info: dict[str, Any] = {
        "mdtrt_id": v.mdtrt_id,
        "setl_id": setl_id,
        **_baseinfo(psn, c.now),
        "insutype": v.insutype,
        "psn_type": enr.psn_type,
        "cvlserv_flag": enr.cvlserv_flag,
        "setl_time": c.now.strftime(DT) if setl_id else None,
        "mdtrt_cert_type": d.mdtrt_cert_type,
        "med_type": v.med_type,
    }
    info.pop("expContent")
    info.update({name: money(getattr(bd, name)) for name in SETLINFO_AMOUNTS})
    info.update(
        pool_prop_selfpay=bd.pool_prop_selfpay,
        acct_mulaid_pay=money(ZERO),
        hifdm_pay=money(ZERO),
        medins_setl_id=c.req.msgid,
        clr_optins=c.inst.admdvs,
        clr_way=CLR_WAY[bd.clr_type],
        clr_type=bd.clr_type,
    )
    return info


def _detail(x: Any) -> dict[str, Any]:
    return {
        "fund_pay_type": x.fund_pay_type,
        "fund_pay_type_name": x.fund_pay_type_name,
        "inscp_scp_amt": money(x.inscp_scp_amt),
        "crt_payb_lmt_amt": None if x.crt_payb_lmt_amt is None else money(x.crt_payb_lmt_amt),
        "fund_payamt": money(x.fund_payamt),
        "setl_proc_info": x.setl_proc_info,
    }


def _event_settlement(
    info: dict[str, Any],
    details: list[dict[str, Any]],
    v: Row[Any],
    c: Call,
    bd: Breakdown | None,
    versions: dict[str, str],
    *,
    reversed_: bool,
    stored: Row[Any] | None = None,
    psn: Row[Any] | None = None,
) -> dict[str, Any]:
    """The `settlement` snapshot of docs/events.md."""
    payload = {
        "setl_id": info["setl_id"],
        "mdtrt_id": v.mdtrt_id,
        "psn_no": v.psn_no,
        "psn_name": info["psn_name"],
        "certno": info["certno"],
        "medins_setl_id": c.req.msgid,
        "infno": c.req.infno,
        "fixmedins_code": v.fixmedins_code,
        "insutype": v.insutype,
        "med_type": v.med_type,
        "mdtrt_cert_type": v.mdtrt_cert_type,
        "insuplc_admdvs": v.insuplc_admdvs,
        "mdtrtarea_admvs": v.mdtrtarea_admvs,
        "pay_loc": PAY_LOC[bd.location.value] if bd else stored.pay_loc,  # type: ignore[union-attr]
        "clr_type": info["clr_type"],
        "clr_optins": info["clr_optins"],
        "setl_time": info["setl_time"],
    }
    payload.update({name: info[name] for name in SETLINFO_AMOUNTS})
    payload.update(
        pool_prop_selfpay=info["pool_prop_selfpay"], setldetail=details, policy_versions=versions, reversed=reversed_
    )
    return payload


def _read_accumulators(s: Session, psn_no: str, year: int) -> Accumulators:
    row = s.execute(_ACCUMULATOR, {"psn_no": psn_no, "year": year}).first()
    if row is None:
        return Accumulators()
    return Accumulators(**{name: getattr(row, name) for name in ACCUMULATOR_FIELDS})


def _lock_accumulators(s: Session, psn_no: str, year: int) -> Accumulators:
    """Take the person's yearly row lock (PostgreSQL); SQLite already serialises writers."""
    query = _ACCUMULATOR_FOR_UPDATE if s.get_bind().dialect.name == "postgresql" else _ACCUMULATOR
    key = {"psn_no": psn_no, "year": year}
    row = s.execute(query, key).first()
    if row is None:
        try:
            with s.begin_nested():
                s.execute(insert(accumulator), key | dict.fromkeys(ACCUMULATOR_FIELDS, ZERO))
        except IntegrityError:
            pass  # another settlement created it first; its lock is taken below
        row = s.execute(query, key).first()
    return Accumulators(**{name: getattr(row, name) for name in ACCUMULATOR_FIELDS})


def _store_accumulators(s: Session, psn_no: str, year: int, value: Accumulators) -> None:
    s.execute(_STORE_ACCUMULATORS, {"b_psn_no": psn_no, "b_year": year} | {name: getattr(value, name) for name in ACCUMULATOR_FIELDS})


def _post_account(s: Session, entry_id: str, psn_no: str, amount: Decimal, kind: str, memo: str) -> None:
    s.execute(
        insert(account_entry).values(
            entry_id=entry_id, psn_no=psn_no, insutype="310", amount=amount, kind=kind, memo=memo, posted_at=utcnow()
        )
    )
