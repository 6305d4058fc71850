"""Drive a recorded client style through the settlement service, and read the spec's output lists.

`ClientSession` plays one client: its msgid, envelope, body shapes, path, content type and
gateway nonce, with the deployment values of the demo institution. Each call checks that the
door answered infcode 0 and that every output path the client reads is there with the type its
parser needs; a failure names the style, the infno and what the door said.

`spec_outputs()` turns the output descriptions of ../shared/reference/national-interface.md
into a field list per infno: node, array or object, each field with its type (N = number,
C = text, D = date, DT = date-time) and whether the spec lets it be null.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from clients import DT, Ctx, Env, Read, Style

from medshared import jsonutil
from medshared.national import gateway_signature

INSTITUTION = ("H54010000001", "拉萨市第一人民医院(演示)", "540100")

# ------------------------------------------------------------------ reading an answer


def resolve(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    """Every (concrete path, value) a path names; raises KeyError naming the missing part."""
    parts = re.findall(r"[^.\[\]]+|\[\d*\]", path)
    yield from _walk(value, parts, "")


def _walk(value: Any, parts: list[str], where: str) -> Iterator[tuple[str, Any]]:
    if not parts:
        yield where, value
        return
    head, rest = parts[0], parts[1:]
    if head.startswith("["):
        if not isinstance(value, list):
            raise KeyError(f"{where or 'output'} is {_kind(value)}, the client reads it as a list")
        if head == "[]":  # an empty list: nothing for the client to read
            for i, item in enumerate(value):
                yield from _walk(item, rest, f"{where}[{i}]")
            return
        index = int(head[1:-1])
        if index >= len(value):
            raise KeyError(f"{where}[{index}] is missing")
        yield from _walk(value[index], rest, f"{where}[{index}]")
        return
    name = f"{where}.{head}" if where else head
    if not isinstance(value, dict):
        raise KeyError(f"{where or 'output'} is {_kind(value)}, the client reads {head} from it")
    if head not in value:
        raise KeyError(f"{name} is missing")
    yield from _walk(value[head], rest, name)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return f"{type(value).__name__} {value!r}"


def _numeric(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, Decimal)):
        return True
    if isinstance(value, str):
        try:
            Decimal(value)
        except InvalidOperation:
            return False
        return True
    return False


def kind_problem(value: Any, kind: str) -> str | None:
    """Why `value` cannot be read as `kind` (see clients.Read), or None when it can."""
    nullable = kind.endswith("?")
    base = kind.rstrip("?")
    if value is None:
        return None if nullable else f"is null; the client needs {base}"
    ok = {
        "text": not isinstance(value, (list, dict)),
        "str": isinstance(value, str),
        "decimal": _numeric(value),
        "number": _numeric(value) and not isinstance(value, str),
        "list": isinstance(value, list),
        "object": isinstance(value, dict),
    }[base]
    return None if ok else f"is {_kind(value)}; the client needs {base}"


def problems(output: Any, wanted: tuple[Read, ...]) -> list[str]:
    found = []
    for read in wanted:
        try:
            for where, value in resolve(output, read.path):
                problem = kind_problem(value, read.kind)
                if problem:
                    found.append(f"{where} {problem}")
        except KeyError as exc:
            found.append(str(exc.args[0]))
    return found


# ------------------------------------------------------------------ one client


class Refused(AssertionError):
    pass


@dataclass
class ClientSession:
    client: Any  # the settlement service's TestClient
    style: Style
    psn: dict[str, Any]
    env: Env = field(init=False)
    ctx: Ctx = field(init=False)
    trail: list[str] = field(default_factory=list)
    last_input: Any = None

    def __post_init__(self) -> None:
        code, name, admdvs = INSTITUTION
        # The client's clock: it starts now, on a millisecond of 7 (a one-digit millisecond makes
        # the shortest msgid of clients that print it unpadded), and moves on 1.037 s per call.
        start = dt.datetime.now().replace(microsecond=7000)
        self.env = Env(code, name, admdvs, opter="001", opter_name="收费员", now=start)
        self.ctx = Ctx(psn=self.psn)

    # the gateway headers, signed with the demo credential, with this client's nonce shape
    def headers(self) -> dict[str, str]:
        code = INSTITUTION[0]
        timestamp, nonce = str(int(time.time())), self.style.nonce()
        return {
            "content-type": self.style.content_type,
            "x-tif-paasid": code,
            "x-tif-timestamp": timestamp,
            "x-tif-nonce": nonce,
            "x-tif-signature": gateway_signature(timestamp, f"demo-{code}", nonce),
        }

    def call(self, infno: str) -> Any:
        style, env, ctx = self.style, self.env, self.ctx
        env.seq += 1
        env.now += dt.timedelta(milliseconds=1037)
        msgid = style.msgid(env, infno)
        ctx.msgid, ctx.now = msgid, env.inf_time
        self.last_input = style.bodies[infno](ctx)
        envelope = style.envelope(env, infno, msgid, self.last_input)
        path = style.path(infno)
        answer = self.client.post(path, content=jsonutil.dumps(envelope), headers=self.headers())
        where = f"{style.name} {infno} (msgid {msgid!r}, {len(msgid)} chars, POST {path})"
        try:
            body = jsonutil.loads(answer.content)
        except ValueError:
            raise Refused(f"{where}: HTTP {answer.status_code}, not JSON: {answer.text[:200]}") from None
        if not isinstance(body, dict) or "infcode" not in body:
            raise Refused(f"{where}: HTTP {answer.status_code}, not the national envelope: {str(body)[:300]}")
        if body["infcode"] != 0:
            raise Refused(f"{where}: refused (HTTP {answer.status_code}): {body.get('err_msg')}")
        output = body.get("output")
        found = problems(output, style.reads.get(infno, ()))
        if found:
            raise Refused(f"{where}: answered, but the client cannot read it: " + "; ".join(found))
        ctx.out[infno] = output
        self.trail.append(infno)
        self._remember(infno, output)
        return output

    def _remember(self, infno: str, output: Any) -> None:
        env, ctx = self.env, self.ctx
        if infno == "9001":
            env.sign_no = str(output["signinoutb"]["sign_no"])
        elif infno == "1101":
            env.insuplc = str(output["insuinfo"][0]["insuplc_admdvs"])
        elif infno == "2201":
            ctx.mdtrt_id = str(output["data"]["mdtrt_id"])
        elif infno == "2401":
            ctx.mdtrt_id = str(output["result"]["mdtrt_id"])
        elif infno in ("2207", "2304"):
            ctx.setl_id = str(output["setlinfo"]["setl_id"])


def run_chain(session: ClientSession, kind: str) -> dict[str, Any]:
    """9001 (once) and 1101, then the style's outpatient or inpatient chain; the outputs by infno."""
    style, ctx = session.style, session.ctx
    if not session.env.sign_no:
        session.call("9001")
    steps = style.outpatient if kind == "outpatient" else ("1101", *style.inpatient)
    ctx.lines = style.make_lines(kind)
    ctx.chrg_bchno = f"B{session.env.now:%H%M%S}"
    for infno in steps:
        if infno == "1101" and "1101" in ctx.out:
            continue
        session.call(infno)
        if infno == "2204":  # the settlement names the batch the upload used (some use its msgid)
            ctx.chrg_bchno = str(session.last_input["feedetail"][0].get("chrg_bchno") or ctx.chrg_bchno)
    return dict(ctx.out)


def amount(value: Any) -> Decimal:
    return Decimal(str(value))


def setlinfo_adds_up(setlinfo: dict[str, Any], lines_total: str) -> list[str]:
    """The identities every settlement answer keeps, to the cent."""
    a = {k: amount(setlinfo[k]) for k in SETTLEMENT_AMOUNTS}
    checks = {
        "medfee_sumamt equals the uploaded lines": a["medfee_sumamt"] == Decimal(lines_total),
        "medfee_sumamt = fulamt_ownpay_amt + overlmt_selfpay + preselfpay_amt + inscp_scp_amt": a["medfee_sumamt"]
        == a["fulamt_ownpay_amt"] + a["overlmt_selfpay"] + a["preselfpay_amt"] + a["inscp_scp_amt"],
        "medfee_sumamt = fund_pay_sumamt + psn_part_amt + hosp_part_amt": a["medfee_sumamt"]
        == a["fund_pay_sumamt"] + a["psn_part_amt"] + a["hosp_part_amt"],
        "psn_part_amt = acct_pay + psn_cash_pay": a["psn_part_amt"] == a["acct_pay"] + a["psn_cash_pay"],
        "fund_pay_sumamt = the sum of the fund columns": a["fund_pay_sumamt"]
        == sum((a[k] for k in FUND_COLUMNS), Decimal(0)),
    }
    return [f"{name} ({', '.join(f'{k}={a[k]}' for k in a)})" for name, ok in checks.items() if not ok]


FUND_COLUMNS = (
    "hifp_pay",
    "cvlserv_pay",
    "hifes_pay",
    "hifmi_pay",
    "hifob_pay",
    "maf_pay",
    "oth_pay",
)
SETTLEMENT_AMOUNTS = (
    "medfee_sumamt",
    "fulamt_ownpay_amt",
    "overlmt_selfpay",
    "preselfpay_amt",
    "inscp_scp_amt",
    "fund_pay_sumamt",
    "psn_part_amt",
    "acct_pay",
    "psn_cash_pay",
    "hosp_part_amt",
    *FUND_COLUMNS,
)


# ------------------------------------------------------------------ the spec's output lists

SPEC_PATH = Path(__file__).resolve().parents[5] / "shared" / "reference" / "national-interface.md"

# Where the spec file does not name the output node ("Output (list): ...", "Output: field"), the
# node the clients read: S-117-John/nhis-web src/main/java/com/zebone/nhis/pro/zsba/compay/ins/
# qgyb/vo/BottomClass/Output2001Trtinfo.java and Output2501Result.java.
UNNAMED_LIST_NODE = {"2001": "trtinfo"}
UNNAMED_NODE = {"2501": "result"}
PRE_SETTLEMENTS = (
    "2206",
    "2303",
)  # "setl_time ... (null in pre-settle)"; "2207 adds setl_id"


@dataclass
class Field:
    name: str
    type: str | None  # "N" number, "C" text, "D" date, "DT" date-time, None when the spec gives none
    nullable: bool = False


@dataclass
class Node:
    name: str
    array: bool
    fields: dict[str, Field] = field(default_factory=dict)

    def add(self, f: Field) -> None:
        old = self.fields.get(f.name)
        self.fields[f.name] = Field(
            f.name,
            f.type or (old.type if old else None),
            f.nullable or bool(old and old.nullable),
        )


class SpecMissing(AssertionError):
    pass


def spec_text() -> str:
    if not SPEC_PATH.is_file():
        raise SpecMissing(
            f"the national interface reference is not at {SPEC_PATH}: the output-completeness test "
            "reads shared/reference/national-interface.md beside the repository; put a copy of "
            "shared/ next to the checkout"
        )
    return SPEC_PATH.read_text(encoding="utf-8")


_TYPE = re.compile(r"^(N\(\d+,\d+\)|N\d*|C\d*|DT|D)\b")
_INFNO = re.compile(r"\b(\d{4}A?)\b")


def _type_of(token: str) -> str | None:
    m = _TYPE.match(token.strip())
    if not m:
        return None
    t = m.group(1)
    return "N" if t.startswith("N") else ("DT" if t == "DT" else ("D" if t == "D" else "C"))


def field_types(text: str) -> dict[str, str]:
    """Every type the reference states for a field name anywhere: tables and `name TYPE` lists."""
    types: dict[str, str] = {}
    for row in re.findall(r"^\|([^\n]+)\|$", text, re.MULTILINE):
        cells = [c.strip() for c in row.split("|")]
        for i, cell in enumerate(cells[:-1]):
            t = _type_of(cells[i + 1]) if i + 1 < len(cells) else None
            for name in re.findall(r"`?([a-z][a-z0-9_]+)`?", cell) if t else ():
                if re.fullmatch(r"[a-z][a-z0-9_]*_[a-z0-9_]+|[a-z]+", name) and cell.replace("`", "").strip():
                    types.setdefault(name, t)
            if t:
                break
    for name, token in re.findall(r"\b([a-z][a-z0-9_]*)\s+(N\(\d+,\d+\)|DT|D|C\d+|N\d+)(?![A-Za-z0-9])", text):
        types.setdefault(name, _type_of(token) or "C")
    return types


def _fields_in(segment: str, types: dict[str, str]) -> list[Field]:
    out = []
    for part in re.split(r";|,(?![^()]*\))", segment):
        m = re.match(r"\s*`?([a-z][A-Za-z0-9_]*)`?\s*(.*)", part)
        if not m:
            continue
        name, rest = m.group(1), m.group(2)
        t = _type_of(rest) or types.get(name)
        out.append(Field(name, t))
    return out


def spec_outputs() -> dict[str, dict[str, Node]]:
    """infno -> node name -> Node, from section 6 of the reference."""
    text = spec_text()
    types = field_types(text)
    section = text[text.index("## 6. Key transaction schemas") : text.index("## 7. Code tables")]
    out: dict[str, dict[str, Node]] = {}

    def node(infno: str, name: str, array: bool) -> Node:
        nodes = out.setdefault(infno, {})
        if name not in nodes:
            nodes[name] = Node(name, array)
        return nodes[name]

    for sub in re.split(r"^### ", section, flags=re.MULTILINE)[1:]:
        title, _, body = sub.partition("\n")
        title_infnos = _INFNO.findall(title)
        current = title_infnos  # a line naming its own infno narrows it
        lines = body.splitlines()
        i = 0
        while i < len(lines):
            line = lines[i]
            lead = re.match(r"^- \d{4}A?(?:\s*/\s*\d{4}A?)*", line)
            if lead:
                current = _INFNO.findall(lead.group(0))
            # "9001 output `signinoutb`: f T; f T."  /  "Output `setlinfo`: a, b, ...; plus `setldetail[]`."
            for m in re.finditer(
                r"(?:(\d{4}A?) )?[Oo]utput `([a-z]+)(\[\])?`(?: \(([^)]*)\))?:\s*([^\n]+)",
                line,
            ):
                who = [m.group(1)] if m.group(1) else _owners(m.group(4), current)
                fields = m.group(5)
                if "identical in shape" in fields:
                    continue
                listed = re.sub(r"\([^)]*\)", "", fields.split(". ")[0].split("; plus")[0])
                listed = listed.replace("all amount fields as in 2207", "")
                for infno in who:
                    n = node(infno, m.group(2), bool(m.group(3)))
                    for f in _fields_in(listed, types):
                        n.add(f)
                    if "plus `setldetail[]`" in fields:
                        node(infno, "setldetail", True)
            # "Output `signoutoutb.sign_time` DT."  /  "Output `result.mdtrt_id`."
            for m in re.finditer(r"[Oo]utput `([a-z]+)\.([a-z_]+)`(?:\s+(DT|D|C\d+|N\S*))?", line):
                for infno in current:
                    node(infno, m.group(1), False).add(
                        Field(
                            m.group(2),
                            _type_of(m.group(3) or "") or types.get(m.group(2)),
                        )
                    )
            # "Output: trt_dcla_detl_sn."  (the node is not named: fields directly under output)
            for m in re.finditer(r"Output: ([a-z_][^.]*)", line):
                for infno in current[:1]:
                    for f in _fields_in(m.group(1), types):
                        node(infno, UNNAMED_NODE.get(infno, ""), False).add(f)
            # "Output (list): psn_no; trt_chk_type ...;"
            m = re.match(r"^Output \(list\): (.+)$", line)
            if m:
                for infno in current:
                    n = node(infno, UNNAMED_LIST_NODE.get(infno, ""), True)
                    for f in _fields_in(m.group(1), types):
                        n.add(f)
            # "- `baseinfo` (object): f T; ..."
            m = re.match(r"^- `([a-z]+)` \((object|array)[^)]*\): (.+)$", line)
            if m:
                for infno in current:
                    n = node(infno, m.group(1), m.group(2) == "array")
                    for f in _fields_in(m.group(3), types):
                        n.add(f)
            # "2204 output `result[]` (one per line): a; b; c N(16,6) (price cap); ..." over lines
            m = re.match(r"^(\d{4}A?) output `([a-z]+)(\[\])?` \([^)]*\):\s*(.*)$", line)
            if m:
                chunk = m.group(4)
                while not chunk.rstrip().endswith(".") and i + 1 < len(lines):
                    i += 1
                    chunk += " " + lines[i]
                n = node(m.group(1), m.group(2), bool(m.group(3)))
                for f in _fields_in(re.sub(r"\([^)]*\)", "", chunk), types):
                    n.add(f)
            # a table right after "Output `setlinfo` (2206/2207; ...)"
            m = re.match(r"^Output `([a-z]+)` \(([^)]*)\):?$", line)
            if m and i + 2 < len(lines) and lines[i + 1].startswith("|"):
                who = _owners(m.group(2), current)
                i += 3
                while i < len(lines) and lines[i].startswith("|"):
                    cells = [c.strip() for c in lines[i].strip("|").split("|")]
                    t = _type_of(cells[1]) if len(cells) > 1 else None
                    for name in re.findall(r"[a-z][a-z0-9_]+", cells[0]):
                        pre = "null in pre-settle" in lines[i]
                        for infno in who:
                            nullable = pre and infno in PRE_SETTLEMENTS
                            node(infno, m.group(1), False).add(Field(name, t or types.get(name), nullable))
                    i += 1
                for infno in who:  # "2207 adds setl_id": the trial has none to give
                    if infno in PRE_SETTLEMENTS and "setl_id" in out[infno][m.group(1)].fields:
                        out[infno][m.group(1)].fields["setl_id"].nullable = True
                continue
            i += 1

    _copy_shapes(section, out, types)
    return out


def _owners(parenthetical: str | None, current: list[str]) -> list[str]:
    found = _INFNO.findall(parenthetical.split(";")[0]) if parenthetical else []
    return found or current


def _copy_shapes(section: str, out: dict[str, dict[str, Node]], types: dict[str, str]) -> None:
    """The reference's "like 2204", "identical in shape to 2207", "as in 2207", "like 2208 incl. x"."""

    def copy(src: str, dst: str, pre: bool = False) -> None:
        for name, n in out.get(src, {}).items():
            target = out.setdefault(dst, {}).setdefault(name, Node(name, n.array))
            for f in n.fields.values():
                nullable = f.nullable or (pre and f.name in ("setl_id", "setl_time"))
                target.add(Field(f.name, f.type, nullable if pre else f.nullable))

    identity = set(out.get("1101", {}).get("baseinfo", Node("", False)).fields)  # age is a number, not an amount
    amounts = [
        f
        for f in out.get("2207", {}).get("setlinfo", Node("", False)).fields.values()
        if f.type == "N" and f.name not in identity
    ]
    # 2208: "all amount fields as in 2207 ... plus setldetail[]"
    if "all amount fields as in 2207" in section and "2208" in out:
        for f in amounts:
            out["2208"]["setlinfo"].add(f)
        copy_detail = out.get("2207", {}).get("setldetail")
        if copy_detail:
            out["2208"]["setldetail"] = Node("setldetail", True, dict(copy_detail.fields))
    for m in re.finditer(r"(\d{4})[^\n]*?Output `result\[\]` like (\d{4})", section):
        copy(m.group(2), m.group(1))
    for m in re.finditer(r"- (\d{4}) / (\d{4}) `data`[^\n]*identical in shape to (\d{4})", section):
        copy(m.group(3), m.group(1), pre=m.group(1) in PRE_SETTLEMENTS)
        copy(m.group(3), m.group(2))
    for m in re.finditer(r"- (\d{4}) `data`[^\n]*Output like (\d{4}) incl\. `([a-z_]+)`", section):
        copy(m.group(2), m.group(1))
        out.setdefault(m.group(1), {}).setdefault("setlinfo", Node("setlinfo", False)).add(
            Field(m.group(3), types.get(m.group(3), "N"))
        )


def spec_problems(output: Any, nodes: dict[str, Node]) -> list[str]:
    """What an answer lacks against the spec's list: missing nodes/fields, wrong types, null numbers."""
    found: list[str] = []
    for name, n in nodes.items():
        where = f"output.{name}" if name else "output"
        value = output if not name else (output.get(name, _MISSING) if isinstance(output, dict) else _MISSING)
        if value is _MISSING:
            found.append(f"{where} is missing")
            continue
        if n.array and not isinstance(value, list):
            found.append(f"{where} is {_kind(value)}; the spec lists an array")
            continue
        if not n.array and not isinstance(value, dict):
            found.append(f"{where} is {_kind(value)}; the spec lists an object")
            continue
        items = value if n.array else [value]
        for i, item in enumerate(items):
            at = f"{where}[{i}]" if n.array else where
            for f in n.fields.values():
                if not isinstance(item, dict) or f.name not in item:
                    found.append(f"{at}.{f.name} is missing")
                    continue
                problem = _type_problem(item[f.name], f)
                if problem:
                    found.append(f"{at}.{f.name} {problem}")
    return found


_MISSING = object()


def _type_problem(value: Any, f: Field) -> str | None:
    if value is None:
        return "is null; the spec types it as a number" if f.type == "N" and not f.nullable else None
    if f.type == "N" and not (isinstance(value, (int, Decimal)) and not isinstance(value, bool)):
        return f"is {_kind(value)}; the spec types it as a number"
    if f.type in ("C", "D", "DT") and not isinstance(value, str):
        return f"is {_kind(value)}; the spec types it as text"
    if f.type == "DT" and isinstance(value, str):
        try:
            dt.datetime.strptime(value, DT)
        except ValueError:
            return f"is {value!r}; the spec's date-time is yyyy-MM-dd HH:mm:ss"
    if f.type == "D" and isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return f"is {value!r}; the spec's date is yyyy-MM-dd"
    return None
