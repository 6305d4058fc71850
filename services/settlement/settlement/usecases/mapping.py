"""Item mapping (目录对照): 3301 uploads an institution's mappings of its own item codes to national
codes, 3302 revokes them; 1317 pages through the institution's mappings and 1316 through the same
mappings matched with the payment catalogue's item. Fee lines (usecases.fees) are priced by them.

An institution reads and changes only its own mappings: every store call names the caller.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from medshared.national import INF_TIME_FORMAT, page_frame
from settlement.domain import mapping as mp
from settlement.domain.errors import Refused
from settlement.policy import CatalogueItem

from .common import Call, Outcome
from .ports import Store


def upload(store: Store, call: Call, items: list[mp.MappingUpload]) -> Outcome:
    """3301: all mappings of the call or none. A mapping sent again is not stored twice (a changed
    enddate or description is written over it); one that would overlap another valid mapping of the
    same own code is refused, naming it."""
    code = call.req.fixmedins_code
    store.lock_item_mappings(code)
    today = call.now.date()
    stored = mp.by_own_code(store.item_mappings(code, {x.fixmedins_hilist_id for x in items}))
    indexes: dict[dt.date, dict[str, CatalogueItem]] = {}
    added: dict[str, mp.ItemMapping] = {}
    changed: dict[str, mp.ItemMapping] = {}
    for i, sent in enumerate(items):
        where = f"data[{i}]" if len(items) > 1 else "data"
        mp.check_period(sent, where)
        day = mp.check_day(sent.begndate, sent.end, today)
        if day not in indexes:
            indexes[day] = _catalogue_index(store, call, day, today)
        if sent.med_list_codg not in indexes[day]:
            raise Refused(
                f"{where}: med_list_codg {sent.med_list_codg} is not in the payment catalogue in force on {day}; "
                f"map fixmedins_hilist_id {sent.fixmedins_hilist_id} to a national code the catalogue lists",
                code="CODE_UNKNOWN",
            )
        existing = stored.setdefault(sent.fixmedins_hilist_id, [])
        same = mp.repeated(existing, sent, where)
        if same is None:
            new = mp.mapping_from(code, sent, call.now, call.req.opter, call.req.opter_name)
            existing.append(new)
            added[new.rid] = new
            continue
        now = mp.with_changes(same, sent, call.now, call.req.opter, call.req.opter_name)
        if now is not same:
            existing[existing.index(same)] = now
            (added if now.rid in added else changed)[now.rid] = now
    store.add_item_mappings(list(added.values()))
    store.update_item_mappings(list(changed.values()))
    return Outcome(None)


def _catalogue_index(store: Store, call: Call, day: dt.date, today: dt.date) -> dict[str, CatalogueItem]:
    try:
        catalogue = store.catalogue_on(day)
    except Refused:
        if day == today:
            raise
        catalogue = store.catalogue_on(today)  # a mapping wholly before the first catalogue: today's decides
    return mp.catalogue_index(catalogue, call.inst.admdvs)


def revoke(store: Store, call: Call, items: list[mp.MappingRevoke]) -> Outcome:
    """3302: the caller's valid mappings of the own code to the national code (every period) become
    vali_flag 0. Fee lines already uploaded keep the national code they were priced with."""
    code = call.req.fixmedins_code
    store.lock_item_mappings(code)
    stored = mp.by_own_code(store.item_mappings(code, {x.fixmedins_hilist_id for x in items}))
    doomed: dict[str, mp.ItemMapping] = {}
    for sent in items:
        found = [m for m in stored.get(sent.fixmedins_hilist_id, []) if m.med_list_codg == sent.med_list_codg]
        if not found or (sent.fixmedins_code and sent.fixmedins_code != code):
            # Another institution's mapping answers as an unknown one: its existence is not the caller's to learn.
            raise Refused(
                f"no valid mapping of fixmedins_hilist_id {sent.fixmedins_hilist_id} to med_list_codg "
                f"{sent.med_list_codg} is on record for {code}; 1317 lists your mappings",
                code="MAPPING_UNKNOWN",
            )
        for m in found:
            doomed[m.rid] = mp.revoked(m, call.now, call.req.opter, call.req.opter_name)
    store.update_item_mappings(list(doomed.values()))
    return Outcome(None)


def institution_mappings(store: Store, call: Call, q: mp.MappingQuery) -> Outcome:
    """1317 医药机构目录匹配信息查询: the caller's mappings, valid and revoked, a page at a time."""
    total, rows = _page(store, call, q, q.med_list_codg, "1317")
    return Outcome(
        {**page_frame(total, len(rows), q.page_num, q.page_size), "data": [_row_1317(m, call) for m in rows]}
    )


def catalogue_matches(store: Store, call: Call, q: mp.MappingQuery) -> Outcome:
    """1316 医疗目录与医保目录匹配信息查询: the caller's mappings, each matched with the payment catalogue's
    item for its national code on query_date (today when not sent); hilist_code is null when that
    catalogue does not list it. The platform's 医保目录 is keyed by the national code itself."""
    if q.hilist_code and q.med_list_codg and q.hilist_code != q.med_list_codg:
        return Outcome({**page_frame(0, 0, q.page_num, q.page_size), "data": []})
    total, rows = _page(store, call, q, q.hilist_code or q.med_list_codg, "1316")
    day = q.query_date or call.now.date()
    try:
        index = mp.catalogue_index(store.catalogue_on(day), call.inst.admdvs)
    except Refused:
        index = {}  # no catalogue in force that day: no mapping matches an item
    data = [_row_1316(m, index.get(m.med_list_codg), day, call) for m in rows]
    return Outcome({**page_frame(total, len(rows), q.page_num, q.page_size), "data": data})


def _page(store: Store, call: Call, q: mp.MappingQuery, national: str | None, infno: str) -> tuple[int, list[Any]]:
    code = call.req.fixmedins_code
    if q.fixmedins_code and q.fixmedins_code != code:
        raise Refused(
            f"{infno} lists the calling institution's own mappings: send fixmedins_code {code} or leave it empty",
            code="INPUT_INVALID",
        )
    selected = mp.query_filter(q, national=national)
    return store.item_mapping_page(code, selected, (q.page_num - 1) * q.page_size, q.page_size)


def _when(moment: dt.datetime) -> str:
    return moment.strftime(INF_TIME_FORMAT)


def _record(m: mp.ItemMapping, call: Call) -> dict[str, Any]:
    """The fields 1316 and 1317 rows share: validity, record id, who and when. The area fields carry
    the institution's admdvs: a mapping is recorded in the institution's own area."""
    area = call.inst.admdvs
    return {
        "list_type": m.list_type,
        "insu_admdvs": area,
        "begndate": m.begndate.isoformat(),
        "enddate": m.enddate.isoformat(),
        "vali_flag": m.vali_flag,
        "rid": m.rid,
        "updt_time": _when(m.updt_time),
        "crter_id": m.crter_id,
        "crter_name": m.crter_name,
        "crte_time": _when(m.crte_time),
        "crte_optins_no": area,
        "opter_id": m.opter_id,
        "opter_name": m.opter_name,
        "opt_time": _when(m.updt_time),
        "optins_no": area,
        "poolarea_no": area,
    }


def _row_1317(m: mp.ItemMapping, call: Call) -> dict[str, Any]:
    row = {
        "fixmedins_code": m.fixmedins_code,
        "medins_list_codg": m.fixmedins_hilist_id,
        "medins_list_name": m.fixmedins_hilist_name,
        "med_list_codg": m.med_list_codg,
        "aprvno": m.aprvno,
        "dosform": m.dosform,
        "exct_cont": m.exct_cont,
        "item_cont": m.item_cont,
        "prcunt": m.prcunt,
        "spec": m.spec,
        "pacspec": m.pacspec,
        "memo": m.memo,
    }
    return {**row, **_record(m, call)}


def _row_1316(m: mp.ItemMapping, item: CatalogueItem | None, day: dt.date, call: Call) -> dict[str, Any]:
    row = {
        "med_list_codg": m.med_list_codg,
        "hilist_code": item.med_list_codg if item else None,
        "hilist_name": item.name if item else None,
        "chrgitm_lv": item.chrgitm_lv if item else None,
        "medins_list_codg": m.fixmedins_hilist_id,
        "medins_list_name": m.fixmedins_hilist_name,
        "memo": m.memo if item else f"{m.med_list_codg} is not in the payment catalogue in force on {day}",
    }
    return {**row, **_record(m, call)}
