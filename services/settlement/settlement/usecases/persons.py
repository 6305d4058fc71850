"""9001 / 9002 sign-in and sign-out, 1101 person information, 2001 treatment check."""

from __future__ import annotations

from medshared import jsonutil
from medshared.money import ZERO
from settlement import outputs
from settlement.domain import eligibility
from settlement.domain import inputs as inp
from settlement.domain.errors import Refused
from settlement.policy import SettlementRuleError, scope_of

from .common import Call, Outcome, cert_unsupported, new_id
from .ports import Store


def sign_in(store: Store, call: Call, data: inp.SignIn) -> Outcome:
    sign_no = new_id(call.inst.admdvs, call.now)
    store.add_sign_in(sign_no, call.req.fixmedins_code, data.opter_no)
    return Outcome({"signinoutb": {"sign_time": outputs.when(call.now), "sign_no": sign_no}}, ref_id=sign_no)


def sign_out(store: Store, call: Call, data: inp.SignOut) -> Outcome:
    if data.sign_no != call.req.sign_no:
        raise Refused("signOut.sign_no must be the sign_no this call is made under", code="INPUT_INVALID")
    store.sign_out(data.sign_no)
    return Outcome({"signoutoutb": {"sign_time": outputs.when(call.now)}}, ref_id=data.sign_no)


def person_info(store: Store, call: Call, data: inp.PersonQuery) -> Outcome:
    if data.mdtrt_cert_type == "01":
        assert call.holder is not None  # resolved before the transaction, or refused there
        psn = store.person(str(call.holder["psn_no"]))
    elif data.mdtrt_cert_type == "02":
        psn = store.person_by_certno(data.mdtrt_cert_no)
    else:
        raise cert_unsupported(data.mdtrt_cert_type)
    moment = data.begntime or call.now
    insurances = []
    for enrollment in store.enrollments(psn.psn_no):
        status = eligibility.status_on(enrollment, moment.date())
        if status is None:
            continue
        periods = jsonutil.loads(enrollment.periods) if isinstance(enrollment.periods, str) else enrollment.periods
        paused = [p for p in periods if p["status"] != "active"]
        balc = store.balance(psn.psn_no, enrollment.insutype) if enrollment.insutype == "310" else ZERO
        paus_insu_date = paused[-1]["begndate"] if paused and status != "active" else None
        insurances.append(outputs.insuinfo(enrollment, status, balc, paus_insu_date))
    if not insurances:
        raise Refused(f"psn_no {psn.psn_no} holds no insurance on {moment.date()}", code="NOT_ENROLLED")
    identities = [outputs.idetinfo(r) for r in store.identities_on(psn.psn_no, moment)]
    output = {"baseinfo": outputs.baseinfo(psn, call.now), "insuinfo": insurances, "idetinfo": identities}
    return Outcome(output, psn_no=psn.psn_no)


def treatment_check(store: Store, call: Call, data: inp.TreatmentCheck) -> Outcome:
    psn = store.person(data.psn_no)
    fund = "310100" if data.insutype == "310" else "390100"
    try:
        enrollment = eligibility.insured_on(
            psn, store.enrollments(psn.psn_no), data.insutype, call.req.insuplc_admdvs, data.begntime.date()
        )
        scope_of(data.med_type)
    except (Refused, SettlementRuleError) as exc:
        row = outputs.trtinfo(psn.psn_no, fund, False, None, None, exc.message)
    else:
        enddate = enrollment.enddate.isoformat() if enrollment.enddate else None
        row = outputs.trtinfo(psn.psn_no, fund, True, enrollment.begndate.isoformat(), enddate, "")
    return Outcome({"trtinfo": [row]}, psn_no=psn.psn_no)
