"""National catalogues (13xx): downloads 1301-1315, the paged queries 1304/1312/1318/1319, and publishing.

A download answers a file of the family's records changed after the ver the HIS holds ("0": all of
them, each in its latest version), kept with the file service for 9102. The HI list queries (1312,
1318, 1319) read the rows written when a payment catalogue version is published (publish_hilist),
so they answer what settlement prices with.

Choices where the spec leaves room, and why:
- ver: a release's ver sorts after every earlier ver of its family (refused otherwise), because clients
  keep the largest ver they hold (openhis GzybBaseInfoDmnService.Header: ORDER BY VER DESC) and send it.
  "0", "" or none is everything; so is a ver this platform never issued for the family (another
  platform's, or a client's own start value: openhis sends F001_0000_A for 1305 from nothing), since
  answering by its ordering could leave out records the HIS never had.
- An incremental file holds each changed record once, in its latest version; records are never
  deleted: an operator ends one with vali_flag 0, and that row is downloaded like any change.
- The file is a zip of one UTF-8 txt named as the zip without ".zip" (openhis unzips it and opens
  filename minus .zip), no header, LF line ends, dates in Java's form (see domain.catalogues).
- Pages hold at most 1000 rows; a larger page_size is refused, not clamped (a client looping until
  a short page would stop early and miss rows).
- The HI list has a row per item and region per payment-catalogue version that changed it (begndate =
  the version's effective_from); when a later version changes or drops the item, the row's enddate
  becomes the day before that version applies (and its updt_time the publication, so a HIS polling
  updt_time sees it end), as the national list dates its rows and settlement's catalogue_on picks the
  version in force. A version effective no later than the row replaces it: the row's vali_flag turns 0.
  A query for a region (insu_admdvs) answers that region's rows, its province's and the rows without
  an override (000000), as settlement resolves an item.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from medshared.errors import NotFound
from medshared.national import INF_TIME_FORMAT
from settlement import outputs
from settlement.domain import catalogues as cat
from settlement.domain.errors import Refused
from settlement.policy import Catalogue, CatalogueItem

from .common import Call, Outcome, new_id
from .files import offer_download
from .ports import Store
from .ports.catalogues import HilistFilter, RecordFilter

BATCH = 1000
REJECTIONS_KEPT = 1000  # the report lists the first thousand rejected rows; it counts all of them

# ---------------------------------------------------------------- 1301-1315: the file of changed records


def download(store: Store, call: Call, data: cat.CatalogueDownload) -> Outcome:
    family = cat.family(call.req.infno)
    after = cat.since(data.ver)
    if after is not None and store.catalogue_release(family.infno, after) is None:
        after = None  # a ver this platform never issued: everything, rather than guess what it missed
    stem = new_id(call.inst.admdvs, call.now)
    content = cat.zip_lines(f"{stem}.txt", store.catalogue_lines(family.infno, after))
    return Outcome(offer_download(store, call, content, filename=f"{stem}.txt.zip"))


# ---------------------------------------------------------------- 1304: a page of the family's records


def naty_drugs(store: Store, call: Call, data: cat.NatyDrugQuery) -> Outcome:
    family = cat.FAMILIES["1304"]
    where = RecordFilter(
        updt_since=data.updt_time, code=data.med_list_codg, vali_flag=data.vali_flag, ver=cat.since(data.ver)
    )
    total, rows = store.catalogue_record_page(family.infno, where, _offset(data), data.page_size)
    return Outcome(cat.page([cat.as_json(family, row.line) for row in rows], total, data))


def _offset(query: cat.PageQuery) -> int:
    return (query.page_num - 1) * query.page_size


# ---------------------------------------------------------------- 1312 / 1318 / 1319: the HI list


def regions_of(admdvs: str | None) -> tuple[str, ...]:
    """The insu_admdvs rows a region reads: its own, its province's, and those without an override."""
    if not admdvs:
        return ()
    return tuple(dict.fromkeys((admdvs, admdvs[:2] + "0000", cat.NATIONAL_ADMDVS)))


def hilist(store: Store, call: Call, data: cat.HilistQuery) -> Outcome:
    where = HilistFilter(
        capped_only=call.req.infno == "1318",
        updt_since=data.updt_time,
        hilist_code=data.hilist_code,
        regions=regions_of(data.insu_admdvs),
        name_contains=data.hilist_name,
        chrgitm_lv=data.chrgitm_lv,
        med_chrgitm_type=data.med_chrgitm_type,
        list_type=data.list_type,
        vali_flag=data.vali_flag,
        in_force_on=data.query_date,
    )
    total, rows = store.hilist_page(where, _offset(data), data.page_size)
    shape = _HILIST_SHAPES[call.req.infno]
    return Outcome(cat.page([shape(row) for row in rows], total, data))


def _audit(row: Any) -> dict[str, Any]:
    return {
        "vali_flag": row.vali_flag,
        "rid": row.rid,
        "updt_time": row.updt_time.strftime(INF_TIME_FORMAT),
        "crter_id": None,
        "crter_name": None,
        "crte_time": row.crte_time.strftime(INF_TIME_FORMAT),
        "crte_optins_no": None,
        "opter_id": None,
        "opter_name": None,
        "opt_time": None,
        "optins_no": None,
        "poolarea_no": None if row.insu_admdvs == cat.NATIONAL_ADMDVS else row.insu_admdvs,
    }


def _head(row: Any) -> dict[str, Any]:
    return {
        "hilist_code": row.hilist_code,
        "insu_admdvs": row.insu_admdvs,
        "begndate": row.begndate.isoformat(),
        "enddate": row.enddate.isoformat() if row.enddate else None,
    }


def _hilist_row(row: Any) -> dict[str, Any]:
    return {
        **_head(row),
        "hilist_name": row.hilist_name,
        "med_chrgitm_type": row.med_chrgitm_type,
        "chrgitm_lv": row.chrgitm_lv,
        "lmt_used_flag": row.lmt_used_flag,
        "list_type": row.list_type,
        "med_use_flag": "1",
        "matn_used_flag": "1",
        "hilist_use_type": "1",
        "lmt_cpnd_type": "0",
        "wubi": None,
        "pinyin": None,
        "memo": None,
        **_audit(row),
    }


# 1318: the cap is the platform's own price line (限价类型 1); above it the difference is the person's to
# pay (超限处理方式 1: 超出部分自付), as settlement splits an over-cap line into overlmt_amt.
def _lmtprc_row(row: Any) -> dict[str, Any]:
    return {
        **_head(row),
        "hilist_lmtpric_type": "1",
        "overlmt_dspo_way": "1",
        "hilist_pric_uplmt_amt": row.pric_uplmt_amt,
        **_audit(row),
        "tabname": None,
    }


# 1319: one share for every insured person (人员类别 0) of the item's 先自付 kind (1).
def _selfpay_row(row: Any) -> dict[str, Any]:
    return {
        **_head(row),
        "selfpay_prop_psn_type": "0",
        "selfpay_prop_type": "1",
        "selfpay_prop": row.selfpay_prop,
        **_audit(row),
        "tabname": None,
    }


_HILIST_SHAPES: dict[str, Callable[[Any], dict[str, Any]]] = {
    "1312": _hilist_row,
    "1318": _lmtprc_row,
    "1319": _selfpay_row,
}

# 目录类别 by the item's 医疗收费项目类别: 09/11 西药中成药 101, 10 中药饮片 102, 08 医用耗材 301, else 医疗服务项目 201.
_LIST_TYPE_BY_CHRGITM_TYPE = {"09": "101", "11": "101", "10": "102", "08": "301"}


def list_type_of(med_chrgitm_type: str) -> str:
    return _LIST_TYPE_BY_CHRGITM_TYPE.get(med_chrgitm_type, "201")


def _hilist_values(item: CatalogueItem, admdvs: str, catalogue: Catalogue) -> dict[str, Any]:
    chrgitm_type = outputs.chrgitm_type(item.med_list_codg, item)
    values = {
        "hilist_code": item.med_list_codg,
        "insu_admdvs": admdvs,
        "hilist_name": item.name,
        "med_chrgitm_type": chrgitm_type,
        "chrgitm_lv": item.chrgitm_lv,
        "list_type": list_type_of(chrgitm_type),
        "lmt_used_flag": item.lmt_used_flag,
        "selfpay_prop": Decimal(item.selfpay_prop),
        "pric_uplmt_amt": None if item.pric_uplmt_amt is None else Decimal(item.pric_uplmt_amt),
        "vali_flag": "1",
    }
    values["digest"] = _hilist_digest(values)
    values |= {"begndate": catalogue.effective_from, "catalogue_id": catalogue.catalogue_id}
    values["catalogue_version"] = catalogue.version
    return values


def _hilist_digest(values: dict[str, Any]) -> str:
    keys = (
        "hilist_name",
        "med_chrgitm_type",
        "chrgitm_lv",
        "list_type",
        "lmt_used_flag",
        "selfpay_prop",
        "pric_uplmt_amt",
        "vali_flag",
    )
    payload = "\x1f".join(_text(values[k]) for k in keys)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")  # 0.10 and 0.1000 (as stored) are one share
    return str(value)


def _rid(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode("utf-8")).hexdigest()[:32]


def publish_hilist(store: Store, catalogue: Catalogue, published_at: dt.datetime) -> dict[str, int]:
    """Write the HI-list rows a payment catalogue version changes, and end the rows it supersedes or
    drops; counts of rows written, unchanged and ended."""
    entries: Iterator[tuple[str, CatalogueItem]] = (
        (admdvs, item)
        for admdvs, items in [(cat.NATIONAL_ADMDVS, catalogue.items), *catalogue.overrides.items()]
        for item in items
    )
    seen: set[tuple[str, str]] = set()
    counts = {"written": 0, "unchanged": 0, "ended": 0}
    first = not store.has_hilist()  # the first version: nothing to compare with or to end

    def write(batch: list[dict[str, Any]]) -> None:
        current = {} if first else store.current_hilist([(v["hilist_code"], v["insu_admdvs"]) for v in batch])
        fresh, ended = [], []
        for values in batch:
            old = current.get((values["hilist_code"], values["insu_admdvs"]))
            if old is not None and old.digest == values["digest"] and _in_force(old):
                counts["unchanged"] += 1
                continue
            key = (catalogue.catalogue_id, catalogue.version, values["hilist_code"], values["insu_admdvs"])
            values["rid"] = _rid(*key)
            values["crte_time"] = old.crte_time if old is not None else published_at
            values["updt_time"] = published_at
            fresh.append(values)
            if old is not None:  # the new row is the item's latest from now on
                counts["ended"] += _in_force(old)
                ending = _ending(old, catalogue.effective_from) if _in_force(old) else (old.enddate, old.vali_flag)
                ended.append((int(old.id), *ending, False))
        store.end_hilist(ended, published_at)
        store.add_hilist(fresh)
        counts["written"] += len(fresh)

    batch: list[dict[str, Any]] = []
    for admdvs, item in entries:
        if (item.med_list_codg, admdvs) in seen:
            continue  # an item listed twice: the first one prices, as Catalogue.lookup finds it
        seen.add((item.med_list_codg, admdvs))
        batch.append(_hilist_values(item, admdvs, catalogue))
        if len(batch) >= BATCH:
            write(batch)
            batch = []
    write(batch)
    if first:
        return counts
    # What the new version no longer lists ends the day before the version applies.
    gone = [key for key in store.current_hilist_keys() if key not in seen]
    for i in range(0, len(gone), BATCH):
        current = store.current_hilist(gone[i : i + BATCH])
        # A dropped item's row stays its latest row, now with an end.
        ended = [(int(old.id), *_ending(old, catalogue.effective_from), True) for old in current.values()]
        store.end_hilist(ended, published_at)
        counts["ended"] += len(ended)
    return counts


def _in_force(row: Any) -> bool:
    return bool(row.vali_flag == "1" and row.enddate is None)


def _ending(old: Any, effective_from: dt.date) -> tuple[dt.date | None, str]:
    """How a row in force ends: the day before the version that changes or drops its item applies (as the
    national list dates a superseded row's enddate); a version from the same day or earlier replaces it
    altogether, so it is no longer valid (vali_flag 0)."""
    if effective_from > old.begndate:
        return effective_from - dt.timedelta(days=1), "1"
    return None, "0"


# ---------------------------------------------------------------- operators: publish a family's release


@dataclass
class Report:
    family: str
    ver: str
    ver_name: str
    received: int = 0
    accepted: int = 0
    unchanged: int = 0
    rejected_count: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    published: bool = False

    def reject(self, row: int, reason: str) -> None:
        self.rejected_count += 1
        if len(self.rejected) < REJECTIONS_KEPT:
            self.rejected.append({"row": row, "reason": reason})

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class NothingPublished(Refused):
    """No row of the file was new or changed: no release is made (its ver stays free)."""

    def __init__(self, report: Report) -> None:
        super().__init__(
            f"nothing to publish for {report.family}: {report.unchanged} rows unchanged, "
            f"{report.rejected_count} rejected; no release {report.ver} was made",
            code="NOTHING_PUBLISHED",
        )
        self.report = report
        self.extra = {"report": report.as_dict()}


def publish(
    store: Store,
    infno: str,
    rows: Iterable[tuple[int, list[str]]],
    *,
    now: dt.datetime,
    operator: str,
    source: str,
    ver: str | None = None,
    ver_name: str | None = None,
    progress: Callable[[int], Any] | None = None,
) -> Report:
    """Publish a release of family `infno` from the rows of an operator's file (row number, cells)."""
    family = cat.family(infno)
    latest = store.latest_catalogue_release(infno)
    latest_ver = latest.ver if latest is not None else None
    ver = cat.check_new_ver(infno, ver or cat.next_ver(now.date(), latest_ver), latest_ver)
    report = Report(infno, ver, (ver_name or f"{family.name} {ver}")[:100])
    release = _Release(store, report, now, operator, source, first=latest is None)
    first_row: dict[str, int] = {}
    header: tuple[str, ...] | None = None
    batch: list[dict[str, str]] = []
    for index, (number, cells) in enumerate(rows):
        if index == 0:
            header = cat.header_of(family, cells)
            if header is not None:
                continue
        report.received += 1
        if progress is not None:
            progress(1)
        try:
            values = cat.read_record(family, cells, header)
        except cat.RowProblem as exc:
            report.reject(number, str(exc))
            continue
        code = values[family.key]
        if code in first_row:
            report.reject(number, f"{family.key} {code} is on row {first_row[code]} too; each record once a release")
            continue
        first_row[code] = number
        batch.append(values)
        if len(batch) >= BATCH:
            _write(store, family, batch, report, release, now)
            batch = []
    _write(store, family, batch, report, release, now)
    if release.id is None:
        raise NothingPublished(report)
    report.published = True
    store.finish_catalogue_release(
        release.id,
        {
            "received": report.received,
            "accepted": report.accepted,
            "unchanged": report.unchanged,
            "rejected": report.rejected_count,
        },
    )
    return report


class _Release:
    """The release row, made when the first new or changed record comes (a file of nothing new makes none)."""

    def __init__(
        self, store: Store, report: Report, now: dt.datetime, operator: str, source: str, *, first: bool
    ) -> None:
        self.store, self.report, self.now, self.operator, self.source = store, report, now, operator, source
        self.first = first  # the family's first release: no record to compare with or to supersede
        self.id: int | None = None

    def made(self) -> int:
        if self.id is None:
            self.id = self.store.add_catalogue_release(
                {
                    "family": self.report.family,
                    "ver": self.report.ver,
                    "ver_name": self.report.ver_name,
                    "published_at": self.now,
                    "operator": self.operator,
                    "source": self.source,
                    **dict.fromkeys(("received", "accepted", "unchanged", "rejected"), 0),
                }
            )
        return self.id


def _write(
    store: Store,
    family: cat.Family,
    batch: list[dict[str, str]],
    report: Report,
    release: _Release,
    now: dt.datetime,
) -> None:
    codes = [values[family.key] for values in batch]
    current = {} if release.first else store.current_catalogue_records(family.infno, codes)
    fresh = []
    for values in batch:
        code = values[family.key]
        digest = cat.digest(family, values)
        old = current.get(code)
        if old is not None and old.digest == digest:
            report.unchanged += 1
            continue
        crte_time = old.crte_time if old is not None else now
        rid = _rid(family.infno, report.ver, code)
        values = values | {
            "rid": rid,
            "crte_time": cat.java_time(crte_time),
            "updt_time": cat.java_time(now),
            "ver": report.ver,
            "ver_name": report.ver_name,
        }
        fresh.append(
            {
                "code": code,
                "release_id": release.made(),
                "ver": report.ver,
                "vali_flag": values.get("vali_flag") or "1",
                "rid": rid,
                "crte_time": crte_time,
                "updt_time": now,
                "digest": digest,
                "line": cat.render(family, values),
            }
        )
    store.add_catalogue_records(family.infno, fresh, supersede=not release.first)
    report.accepted += len(fresh)


# ---------------------------------------------------------------- operators: read releases


def release_view(row: Any) -> dict[str, Any]:
    return {
        "family": row.family,
        "name": cat.FAMILIES[row.family].name,
        "ver": row.ver,
        "ver_name": row.ver_name,
        "published_at": row.published_at.strftime(INF_TIME_FORMAT),
        "operator": row.operator,
        "source": row.source,
        "received": row.received,
        "accepted": row.accepted,
        "unchanged": row.unchanged,
        "rejected": row.rejected,
    }


def release_records(store: Store, infno: str, ver: str, offset: int, limit: int) -> dict[str, Any]:
    family = cat.family(infno)
    release = store.catalogue_release(infno, ver)
    if release is None:
        raise NotFound("RELEASE_UNKNOWN", f"{infno} has no release {ver}; GET the releases to see its versions")
    total, rows = store.release_records(infno, ver, offset, limit)
    return {
        "release": release_view(release),
        "total": total,
        "offset": offset,
        "records": [cat.as_json(family, row.line) | {"current": bool(row.is_current)} for row in rows],
    }
