"""9001 / 9002 sign-in and sign-out, 1101 person information, 2001 treatment check."""

from __future__ import annotations

from medshared import jsonutil
from medshared.events import utcnow
from medshared.money import ZERO
from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from settlement import outputs
from settlement import readmodels as rm
from settlement.db import sign_in as sign_in_table
from settlement.domain import inputs as inp
from settlement.domain.errors import Refused
from settlement.policy import SettlementRuleError, scope_of

from .common import Call, Outcome, cert_unsupported, new_id


def sign_in(session: Session, call: Call, data: inp.SignIn) -> Outcome:
    sign_no = new_id(call.inst.admdvs, call.now)
    session.execute(
        insert(sign_in_table).values(
            sign_no=sign_no, fixmedins_code=call.req.fixmedins_code, opter_no=data.opter_no, signed_in_at=utcnow()
        )
    )
    return Outcome({"signinoutb": {"sign_time": outputs.when(call.now), "sign_no": sign_no}}, ref_id=sign_no)


def sign_out(session: Session, call: Call, data: inp.SignOut) -> Outcome:
    if data.sign_no != call.req.sign_no:
        raise Refused("signOut.sign_no must be the sign_no this call is made under", code="INPUT_INVALID")
    session.execute(
        update(sign_in_table).where(sign_in_table.c.sign_no == data.sign_no).values(signed_out_at=utcnow())
    )
    return Outcome({"signoutoutb": {"sign_time": outputs.when(call.now)}}, ref_id=data.sign_no)


def person_info(session: Session, call: Call, data: inp.PersonQuery) -> Outcome:
    if data.mdtrt_cert_type == "01":
        assert call.holder is not None  # resolved before the transaction, or refused there
        psn = rm.person_by_psn_no(session, str(call.holder["psn_no"]))
    elif data.mdtrt_cert_type == "02":
        psn = rm.person_by_certno(session, data.mdtrt_cert_no)
    else:
        raise cert_unsupported(data.mdtrt_cert_type)
    moment = data.begntime or call.now
    insurances = []
    for enrollment in rm.enrollments(session, psn.psn_no):
        status = rm.status_on(enrollment, moment.date())
        if status is None:
            continue
        paused = [p for p in jsonutil.loads(enrollment.periods) if p["status"] != "active"]
        balc = rm.balance(session, psn.psn_no, enrollment.insutype) if enrollment.insutype == "310" else ZERO
        paus_insu_date = paused[-1]["begndate"] if paused and status != "active" else None
        insurances.append(outputs.insuinfo(enrollment, status, balc, paus_insu_date))
    if not insurances:
        raise Refused(f"psn_no {psn.psn_no} holds no insurance on {moment.date()}", code="NOT_ENROLLED")
    identities = [outputs.idetinfo(r) for r in rm.identities_on(session, psn.psn_no, moment)]
    output = {"baseinfo": outputs.baseinfo(psn, call.now), "insuinfo": insurances, "idetinfo": identities}
    return Outcome(output, psn_no=psn.psn_no)


def treatment_check(session: Session, call: Call, data: inp.TreatmentCheck) -> Outcome:
    psn = rm.person_by_psn_no(session, data.psn_no)
    fund = "310100" if data.insutype == "310" else "390100"
    try:
        enrollment = rm.insured_on(session, psn, data.insutype, call.req.insuplc_admdvs, data.begntime.date())
        scope_of(data.med_type)
    except (Refused, SettlementRuleError) as exc:
        row = outputs.trtinfo(psn.psn_no, fund, False, None, None, exc.message)
    else:
        enddate = enrollment.enddate.isoformat() if enrollment.enddate else None
        row = outputs.trtinfo(psn.psn_no, fund, True, enrollment.begndate.isoformat(), enddate, "")
    return Outcome({"trtinfo": [row]}, psn_no=psn.psn_no)
