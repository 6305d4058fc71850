"""Request and response shapes of real HIS integrations, recorded as data.

Each module in this package describes one client style harvested from public HIS integration
code: the envelope its builder produces, the `input` body it sends per infno, where it posts,
and the output fields it reads back (with the type its parser needs). Facts and field names
only; each module names the repository and paths it was read from.

A body template is a function of `Ctx` (the person, the ids the platform issued so far, the
fee lines and the outputs already received), so the chains can run against a fresh database.
Values that a deployment configures (institution code, admdvs, operator) come from `Env`;
everything a client's code decides (value types, null vs "" vs missing, msgid shape, extra
fields, path, content type) is reproduced as the client does it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

CANONICAL_PATH = "/fsi/api/rsfComIfsService/callService"
DT = "%Y-%m-%d %H:%M:%S"

# Fee lines every style uploads (its own value types applied): an item with a price cap and one
# without (the catalogue's 二甲双胍片 has no cap, so the platform has no pric_uplmt_amt to give).
OUTPATIENT_ITEMS = (
    ("001102000010000", "1", "15.00"),
    ("XA10BAA059A001010100001", "2", "3.50"),
)
INPATIENT_ITEMS = (("001101000010000", "3", "45.00"), ("002501010010000", "1", "25.00"))

BEGNTIME = "2026-11-24 09:00:00"
FEE_TIME = "2026-11-24 09:30:00"
ADMITTED = "2026-11-24 08:00:00"
DISCHARGED = "2026-11-27 10:00:00"


@dataclass(frozen=True)
class Line:
    sn: str
    code: str
    cnt: str
    pric: str

    @property
    def total(self) -> str:
        return str((Decimal(self.cnt) * Decimal(self.pric)).quantize(Decimal("0.01")))


@dataclass
class Env:
    """What a deployment configures, and the client's session state (its sign_no, its clock)."""

    fixmedins_code: str
    fixmedins_name: str
    admdvs: str  # the institution's admdvs: mdtrtarea_admvs
    opter: str
    opter_name: str
    now: dt.datetime
    seq: int = 0
    sign_no: str = ""
    insuplc: str = ""  # the person's pool once 1101 answered it

    @property
    def inf_time(self) -> str:
        return self.now.strftime(DT)


@dataclass
class Ctx:
    """What a body template may use: the person, the platform's ids so far and earlier outputs."""

    psn: Mapping[str, Any]
    msgid: str = ""  # the msgid of the request being built (some clients reuse it in the body)
    now: str = ""  # the client's clock at this request, yyyy-MM-dd HH:mm:ss
    mdtrt_id: str = ""
    setl_id: str = ""
    chrg_bchno: str = ""
    lines: tuple[Line, ...] = ()
    out: dict[str, Any] = field(default_factory=dict)  # infno -> the output of its last success

    @property
    def total(self) -> str:
        return str(sum((Decimal(x.total) for x in self.lines), Decimal("0.00")))

    def setlinfo(self, infno: str) -> dict[str, Any]:
        return dict((self.out.get(infno) or {}).get("setlinfo") or {})


@dataclass(frozen=True)
class Read:
    """One output path the client reads and what its parser needs there.

    kinds: "text" any non-null scalar (C#/Java/JS coerce scalars to their string);
    "str" a JSON string (Go's encoding/json does not coerce); "text?" the key may hold null;
    "decimal" a non-null number or numeric string (a non-nullable C# decimal);
    "decimal?" null or a number/numeric string; "number" a JSON number (arithmetic on it);
    "list" / "object" the node's shape. Paths: a.b, a[0].b, a[].b (every element).
    """

    path: str
    kind: str


def reads(kind: str, *paths: str) -> tuple[Read, ...]:
    return tuple(Read(p, kind) for p in paths)


Body = Callable[[Ctx], dict[str, Any]]


@dataclass(frozen=True)
class Style:
    name: str
    language: str
    province: str
    sources: tuple[str, ...]  # repository: path, ...
    msgid: Callable[[Env, str], str]  # (env, infno) -> msgid
    envelope: Callable[[Env, str, str, Any], dict[str, Any]]  # (env, infno, msgid, input)
    path: Callable[[str], str]  # infno -> the path it posts to
    content_type: str
    nonce: Callable[[], str]
    bodies: dict[str, Body]
    reads: dict[str, tuple[Read, ...]]
    outpatient: tuple[str, ...]
    inpatient: tuple[str, ...]  # () when the client has no inpatient code
    make_lines: Callable[[str], tuple[Line, ...]]  # "outpatient" / "inpatient" -> its fee lines
    # Where the suite does not send what the source sends, and why (kept to the door's strict rules).
    deviations: tuple[str, ...] = ()


def numbered(prefix: str, items: tuple[tuple[str, str, str], ...]) -> tuple[Line, ...]:
    return tuple(Line(f"{prefix}{i}", code, cnt, pric) for i, (code, cnt, pric) in enumerate(items, 1))


def styles() -> dict[str, Style]:
    from . import fs_csharp, go_gateway, hn_python, js_csharp, nm_csharp, sz_js, zs_java

    found = [m.STYLE for m in (nm_csharp, sz_js, hn_python, js_csharp, zs_java, go_gateway, fs_csharp)]
    return {s.name: s for s in found}
