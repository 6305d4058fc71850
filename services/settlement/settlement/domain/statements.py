"""Detail reconciliation (3202), clearing applications (3203/3204), institution monthly statements: the rules.

Pure: the inputs, the comparison of a HIS's settlement lines with the platform's, the month's
figures of an institution and the check of a clearing application against them. The files of
3202 are read and written in statement_files.py.

Choices where the spec leaves room, and why
- stmt_rslt of a line: 0 对平 (both sides agree), 1 中心多 (the platform has the settlement, the HIS
  file does not list it), 2 医药机构多 (the file lists it, the platform has no such settlement of the
  institution in the period), 3 数据不一致 (an id, an amount or refd_setl_flag differs; the memo names
  each field with both values). These are the codes a deployed client translates
  (S-117-John/nhis-web NationalTool.getRsltDes); the reference leaves the dictionary open (7.8).
- refd_setl_flag is 1 on a settlement once it is reversed and on the reversal itself (its own setl_id,
  amounts negated), as deployed clients write their files (nhis-web NationalInsuChkMapper.xml). Both
  sides saying 1 agree. A refund line whose three amounts are written positive, the exact negation
  of the platform's, is read as that refund: the meaning is plain.
- The call's refd_setl_flag: 0 or absent, the file lists every settlement of the period, reversed
  ones and reversals included (what Zebone's and Foshan's clients send with 0); 1, only settlements no
  reversal touched, and the platform leaves the others out of its side (a Powersi client's switch
  "REFD_SETL_FLAG = 1 则只查询正常的").
- The call's totals are compared with the platform's as 3201 does, into fileinfo.stmt_rslt and
  stmt_rslt_dscr (one client reads fileinfo.stmt_rslt). cash_payamt agrees as the cash share
  (psn_cash_pay) or the person's whole share (cash + account): deployed clients send either.
  fixmedins_setl_cnt agrees as the number of settlement lines or the net count (settlements minus
  reversals, what 3201 counts): clients count rows.
- A period is whole days, at most MAX_PERIOD_DAYS; a file at most FileLimits.max_rows lines.
- A month's statement holds every settlement and reversal whose setl_time falls in the month: a
  reversal nets in the month it happened, not in its original's. So a closed month never changes,
  its statement is generated once and stays true, and a late reversal is cleared with the month
  the money went back.
- A month is closed CLOSE_GRACE after it ends, so a call received at 23:59:59 has committed.
- owed_amt = fund_pay_sumamt + acct_pay: the bureau pays the institution out of the personal
  accounts too; by_fund sums setldetail by fund_pay_type (310200 is the account).
- 3203 is checked against the issued statement's line for its clr_type: psntime = the net count,
  medfee_sumamt, fund_appy_sum = fund_pay_sumamt (or fund + account, for clients whose fund total
  includes the account; reference 13.10), cash_payamt = psn_cash_pay, acct_pay. med_sumfee and
  clr_way are kept as sent: clients send the medical total or the in-scope total as 医保认可费用总额,
  and an empty clr_way.
- setlym is yyyyMM or yyyy-MM; when it is neither (one client cuts it from a date's text form), the
  month begndate..enddate lie in is used, when both lie in one month.
- A month without settlements of a clr_type may be applied for with zeros: it matches the statement.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, model_validator

from medshared.money import ZERO, money

from .errors import Refused
from .inputs import Amount, Date, Flag, _Required
from .statement_files import DetailRow

MATCHED, PLATFORM_ONLY, HIS_ONLY, DIFFERENT = "0", "1", "2", "3"
RESULT_NAMES = {MATCHED: "对平", PLATFORM_ONLY: "中心多", HIS_ONLY: "医药机构多", DIFFERENT: "数据不一致"}
MAX_PERIOD_DAYS = 31
CLOSE_GRACE = dt.timedelta(minutes=10)
ACCOUNT_FUND = "310200"
MEMO_MAX = 500  # memo C500
AMOUNT_NAMES = ("medfee_sumamt", "fund_pay_sumamt", "acct_pay")
DSCR_MAX = 200  # stmt_rslt_dscr C200


def _count(value: Any) -> Any:
    """A count sent as 200, "200", 200.0 or "200.00" (clients serialise counts as decimals too)."""
    if isinstance(value, bool):
        raise ValueError("must be a whole number such as 200")
    if isinstance(value, (str, int, Decimal)):
        try:
            number = Decimal(str(value).strip())
        except ArithmeticError:
            raise ValueError("must be a whole number such as 200") from None
        if not number.is_finite() or number != number.to_integral_value() or number < 0:
            raise ValueError("must be a whole number such as 200")
        return int(number)
    return value


Count = Annotated[int, BeforeValidator(_count)]


def _clr_type(value: Any) -> Any:
    if isinstance(value, str) and not (len(value.strip()) == 2 and value.strip().isdigit()):
        raise ValueError("must be a clearing type (clr_type) such as 11 (outpatient), 21 (inpatient) or 41 (pharmacy)")
    return value


ClrType = Annotated[str, AfterValidator(_clr_type)]


class _AnyCase(_Required):
    """Keys in another case (REFD_SETL_FLAG, as two clients send it) read as the spec's, unless both are sent."""

    @model_validator(mode="before")
    @classmethod
    def _lower_keys(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        lowered = dict(value)
        for key, item in value.items():
            if isinstance(key, str) and key.lower() not in value:
                lowered[key.lower()] = item
        return lowered


class DetailReconciliation(_AnyCase):
    """input.data of 3202."""

    setl_optins: str
    file_qury_no: str
    stmt_begndate: Date
    stmt_enddate: Date
    medfee_sumamt: Amount
    fund_pay_sumamt: Amount
    cash_payamt: Amount
    fixmedins_setl_cnt: Count
    clr_type: ClrType | None = None
    insutype: str | None = None
    refd_setl_flag: Flag | None = None


class ClearingApplication(_AnyCase):
    """input.data of 3203."""

    clr_type: ClrType
    clr_way: str | None = None
    setlym: str | None = None
    psntime: Count
    medfee_sumamt: Amount
    med_sumfee: Amount
    fund_appy_sum: Amount
    cash_payamt: Amount
    acct_pay: Amount
    begndate: Date
    enddate: Date


class ClearingRevocation(_AnyCase):
    """input.data of 3204."""

    clr_appy_evt_id: str


# ---------------------------------------------------------------- months and periods


def month_of(day: dt.date) -> str:
    return f"{day:%Y-%m}"


def parse_month(text: str | None) -> str | None:
    """yyyy-MM from yyyy-MM or yyyyMM; None when it is neither."""
    cleaned = (text or "").strip()
    for fmt in ("%Y-%m", "%Y%m"):
        try:
            return month_of(dt.datetime.strptime(cleaned, fmt))
        except ValueError:
            continue
    return None


def month_bounds(month: str) -> tuple[dt.datetime, dt.datetime]:
    """The month's first instant and the next month's first instant."""
    start = dt.datetime.strptime(month + "-01", "%Y-%m-%d")
    nxt = (start + dt.timedelta(days=32)).replace(day=1)
    return start, nxt


def month_closed(month: str, now: dt.datetime) -> bool:
    return now >= month_bounds(month)[1] + CLOSE_GRACE


def check_period(begin: dt.date, end: dt.date) -> None:
    if end < begin:
        raise Refused(
            f"stmt_enddate {end} is before stmt_begndate {begin}; send the period's first and last day",
            code="INPUT_INVALID",
        )
    days = (end - begin).days + 1
    if days > MAX_PERIOD_DAYS:
        raise Refused(
            f"the period {begin} to {end} is {days} days; reconcile at most {MAX_PERIOD_DAYS} days a call "
            "(a day or a month at a time)",
            code="PERIOD_TOO_LONG",
        )


# ---------------------------------------------------------------- 3202: the comparison


@dataclass(frozen=True)
class PlatformSettlement:
    setl_id: str
    mdtrt_id: str
    psn_no: str
    msgid: str  # the request msgid that settled it (medins_setl_id)
    setl_time: dt.datetime
    medfee_sumamt: Decimal
    fund_pay_sumamt: Decimal
    acct_pay: Decimal
    psn_cash_pay: Decimal
    init_setl_id: str | None = None  # set on a reversal: the settlement it reverses
    reversed_by: str | None = None  # set on a settlement once reversed

    @property
    def refd_setl_flag(self) -> str:
        return "1" if self.init_setl_id or self.reversed_by else "0"

    @property
    def why_refunded(self) -> str:
        if self.init_setl_id:
            return f"the reversal of setl_id {self.init_setl_id}"
        if self.reversed_by:
            return f"reversed by setl_id {self.reversed_by}"
        return "not reversed"


@dataclass(frozen=True)
class ResultRow:
    psn_no: str
    mdtrt_id: str
    setl_id: str
    msgid: str | None
    stmt_rslt: str
    refd_setl_flag: str
    memo: str
    medfee_sumamt: Decimal | None
    fund_pay_sumamt: Decimal | None
    acct_pay: Decimal | None

    def cells(self) -> tuple[object, ...]:
        """The fields in result.txt's order (statement_files.RESULT_COLUMNS); amounts with two decimals."""
        amounts = [None if a is None else f"{a:.2f}" for a in (self.medfee_sumamt, self.fund_pay_sumamt, self.acct_pay)]
        return (self.psn_no, self.mdtrt_id, self.setl_id, self.msgid, self.stmt_rslt, self.refd_setl_flag,
                self.memo[:MEMO_MAX], *amounts)  # fmt: skip


def _platform_row(p: PlatformSettlement, result: str, memo: str) -> ResultRow:
    return ResultRow(p.psn_no, p.mdtrt_id, p.setl_id, p.msgid, result, p.refd_setl_flag, memo,
                     p.medfee_sumamt, p.fund_pay_sumamt, p.acct_pay)  # fmt: skip


def differences(his: DetailRow, ours: PlatformSettlement) -> list[str]:
    """Each field where the HIS line and the platform's settlement differ, with both values."""
    found = [
        f"{name}: platform {getattr(ours, name)}, HIS {getattr(his, name)}"
        for name in ("mdtrt_id", "psn_no")
        if getattr(ours, name) != getattr(his, name)
    ]
    # Decimals compare by value (65.0 == 65.00); both sides are exact to the cent.
    theirs = (his.medfee_sumamt, his.fund_pay_sumamt, his.acct_pay)
    platform = (ours.medfee_sumamt, ours.fund_pay_sumamt, ours.acct_pay)
    if theirs != platform:
        refund_written_positive = ours.init_setl_id is not None and theirs == tuple(-x for x in platform)
        if not refund_written_positive:
            found += [
                f"{name}: platform {money(p)}, HIS {money(t)}"
                for name, p, t in zip(AMOUNT_NAMES, platform, theirs, strict=True)
                if p != t
            ]
    if his.refd_setl_flag != ours.refd_setl_flag:
        found.append(f"refd_setl_flag: platform {ours.refd_setl_flag} ({ours.why_refunded}), HIS {his.refd_setl_flag}")
    return found


def compare(
    his_rows: Sequence[DetailRow],
    platform: Sequence[PlatformSettlement],
    *,
    period: str,
    elsewhere: Mapping[str, PlatformSettlement] | None = None,
) -> list[ResultRow]:
    """One result line per settlement in either set: the file's lines in their order, then the
    platform's settlements the file does not list, by setl_time. `elsewhere` holds the institution's
    settlements the file lists that fall outside the period or the call's filters (to say so)."""
    ours = {p.setl_id: p for p in platform}
    elsewhere = elsewhere or {}
    results: list[ResultRow] = []
    for row in his_rows:
        mine = ours.pop(row.setl_id, None)
        if mine is None:
            other = elsewhere.get(row.setl_id)
            where = (
                f"this institution's setl_id {row.setl_id} was settled at {other.setl_time:%Y-%m-%d %H:%M:%S}, "
                f"outside {period} or the clr_type/insutype asked"
                if other is not None
                else f"no settlement setl_id {row.setl_id} of this institution on the platform in {period}"
            )
            results.append(
                ResultRow(
                    row.psn_no,
                    row.mdtrt_id,
                    row.setl_id,
                    None,
                    HIS_ONLY,
                    row.refd_setl_flag,
                    f"{RESULT_NAMES[HIS_ONLY]}: {where}",
                    None,
                    None,
                    None,
                )
            )
            continue
        found = differences(row, mine)
        if found:
            results.append(_platform_row(mine, DIFFERENT, f"{RESULT_NAMES[DIFFERENT]}: " + "; ".join(found)))
        else:
            results.append(_platform_row(mine, MATCHED, RESULT_NAMES[MATCHED]))
    for mine in sorted(ours.values(), key=lambda p: (p.setl_time, p.setl_id)):
        memo = (
            f"{RESULT_NAMES[PLATFORM_ONLY]}: settled at {mine.setl_time:%Y-%m-%d %H:%M:%S} "
            f"({mine.why_refunded}); the HIS file does not list it"
        )
        results.append(_platform_row(mine, PLATFORM_ONLY, memo))
    return results


@dataclass(frozen=True)
class SentTotals:
    medfee_sumamt: Decimal
    fund_pay_sumamt: Decimal
    cash_payamt: Decimal
    fixmedins_setl_cnt: int


def summary(sent: SentTotals, platform: Sequence[PlatformSettlement], results: Sequence[ResultRow]) -> tuple[str, str]:
    """fileinfo.stmt_rslt and stmt_rslt_dscr: the call's totals against the platform's, and the lines' tally."""
    medfee = sum((p.medfee_sumamt for p in platform), ZERO)
    fund = sum((p.fund_pay_sumamt for p in platform), ZERO)
    cash = sum((p.psn_cash_pay for p in platform), ZERO)
    acct = sum((p.acct_pay for p in platform), ZERO)
    lines = len(platform)
    net = sum(-1 if p.init_setl_id else 1 for p in platform)
    diffs = []
    if money(sent.medfee_sumamt) != money(medfee):
        diffs.append(f"medfee_sumamt: platform {money(medfee)}, HIS {money(sent.medfee_sumamt)}")
    if money(sent.fund_pay_sumamt) != money(fund):
        diffs.append(f"fund_pay_sumamt: platform {money(fund)}, HIS {money(sent.fund_pay_sumamt)}")
    if money(sent.cash_payamt) not in (money(cash), money(cash + acct)):
        diffs.append(f"cash_payamt: platform {money(cash)}, HIS {money(sent.cash_payamt)}")
    if sent.fixmedins_setl_cnt not in (lines, net):
        diffs.append(f"fixmedins_setl_cnt: platform {lines}, HIS {sent.fixmedins_setl_cnt}")
    tally = {code: sum(1 for r in results if r.stmt_rslt == code) for code in RESULT_NAMES}
    counted = ", ".join(f"{n} {RESULT_NAMES[code]}" for code, n in tally.items() if n)
    agrees = not diffs and tally[MATCHED] == len(results)
    text = ("对账一致: " if agrees else "对账不一致: ") + "; ".join([counted, *diffs])  # the tally survives a cut
    return ("0" if agrees else "1"), text[:DSCR_MAX]


# ---------------------------------------------------------------- a month's figures


@dataclass(frozen=True)
class MonthSource:
    """One settlement (or reversal) of the month, as the statement counts it."""

    clr_type: str
    reversal: bool
    medfee_sumamt: Decimal
    fund_pay_sumamt: Decimal
    acct_pay: Decimal
    psn_cash_pay: Decimal
    funds: tuple[tuple[str, Decimal], ...] = ()  # setldetail: (fund_pay_type, fund_payamt)


@dataclass
class Figures:
    setl_cnt: int = 0  # net: settlements minus reversals
    settlements: int = 0  # lines: settlements and reversals
    medfee_sumamt: Decimal = ZERO
    fund_pay_sumamt: Decimal = ZERO
    acct_pay: Decimal = ZERO
    psn_cash_pay: Decimal = ZERO
    by_fund: dict[str, Decimal] = field(default_factory=dict)

    @property
    def owed_amt(self) -> Decimal:
        """What the funds owe the institution: the funds' share and the personal accounts'."""
        return self.fund_pay_sumamt + self.acct_pay

    def add(self, row: MonthSource) -> None:
        self.setl_cnt += -1 if row.reversal else 1
        self.settlements += 1
        self.medfee_sumamt += row.medfee_sumamt
        self.fund_pay_sumamt += row.fund_pay_sumamt
        self.acct_pay += row.acct_pay
        self.psn_cash_pay += row.psn_cash_pay
        for fund, amount in row.funds:
            self.by_fund[fund] = self.by_fund.get(fund, ZERO) + amount

    def to_dict(self) -> dict[str, Any]:
        return {
            "setl_cnt": self.setl_cnt,
            "settlements": self.settlements,
            "medfee_sumamt": money(self.medfee_sumamt),
            "fund_pay_sumamt": money(self.fund_pay_sumamt),
            "acct_pay": money(self.acct_pay),
            "psn_cash_pay": money(self.psn_cash_pay),
            "owed_amt": money(self.owed_amt),
            "by_fund": {k: money(v) for k, v in sorted(self.by_fund.items()) if v},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Figures:
        return cls(
            setl_cnt=int(data["setl_cnt"]),
            settlements=int(data["settlements"]),
            medfee_sumamt=Decimal(str(data["medfee_sumamt"])),
            fund_pay_sumamt=Decimal(str(data["fund_pay_sumamt"])),
            acct_pay=Decimal(str(data["acct_pay"])),
            psn_cash_pay=Decimal(str(data["psn_cash_pay"])),
            by_fund={k: Decimal(str(v)) for k, v in data.get("by_fund", {}).items()},
        )


def month_figures(rows: Iterable[MonthSource]) -> tuple[Figures, dict[str, Figures]]:
    """The month's total and its lines by clr_type, reversals netted where they happened."""
    total = Figures()
    lines: dict[str, Figures] = {}
    for row in rows:
        total.add(row)
        lines.setdefault(row.clr_type, Figures()).add(row)
    return total, dict(sorted(lines.items()))


# ---------------------------------------------------------------- 3203: the application


def application_month(app: ClearingApplication) -> str:
    """The month applied for: setlym, which begndate..enddate must lie in."""
    if app.enddate < app.begndate:
        raise Refused(f"enddate {app.enddate} is before begndate {app.begndate}", code="INPUT_INVALID")
    sent = parse_month(app.setlym)
    dated = month_of(app.begndate) if month_of(app.begndate) == month_of(app.enddate) else None
    month = sent or dated
    if month is None:
        raise Refused(
            f"setlym {app.setlym!r} is not a month: send it as yyyyMM (e.g. 202611), with begndate and enddate "
            "in that month",
            code="INPUT_INVALID",
        )
    start, nxt = month_bounds(month)
    if not (start.date() <= app.begndate <= app.enddate < nxt.date()):
        raise Refused(
            f"begndate {app.begndate} and enddate {app.enddate} must lie in setlym {month.replace('-', '')}: "
            "a clearing application covers one month",
            code="INPUT_INVALID",
        )
    return month


def application_differences(app: ClearingApplication, line: Figures) -> list[str]:
    """Each amount of a 3203 that differs from the statement's line for its clr_type, with both values."""
    found = []
    if app.psntime != line.setl_cnt:
        found.append(f"psntime {app.psntime}, statement {line.setl_cnt}")
    pairs = (
        ("medfee_sumamt", app.medfee_sumamt, (line.medfee_sumamt,)),
        ("fund_appy_sum", app.fund_appy_sum, (line.fund_pay_sumamt, line.fund_pay_sumamt + line.acct_pay)),
        ("cash_payamt", app.cash_payamt, (line.psn_cash_pay,)),
        ("acct_pay", app.acct_pay, (line.acct_pay,)),
    )
    for name, sent, accepted in pairs:
        if money(sent) not in [money(a) for a in accepted]:
            found.append(f"{name} {money(sent)}, statement {money(accepted[0])}")
    return found
