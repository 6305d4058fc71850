"""National catalogues (13xx): the families, their columns in the national order, versions, pages and files.

A family's records are published in releases; each release has a version (`ver`) that sorts after every
earlier one of its family, so "what changed after the ver I hold" is "records whose ver sorts after it"
(a ver the platform never issued asks for everything: usecases.catalogues).
1301-1315 answer a file (a zip holding one tab-separated txt, no header line, one record a line, the
columns in the national order below); 1304 and 1312/1318/1319 answer a page of JSON records.

Where the column orders come from (the downloaded file has no header: position is all a client has):
- newtouch-cloud/openhis Newtouch.HIS.Sett/Newtouch.Domain/ReportTemplateVO/G_yb_*_bVO.cs: the national
  column names, one class per family (its history commit 68c8c623 also holds WinServiceAPI/
  NeiMengGuYiBaoApp/Models/Output/YiBao/Output_1304.cs, Output_1312.cs, Output_1318.cs, Output_1319.cs,
  the paged answers); the client inserts each downloaded line positionally into a table of these columns
  (WinServiceAPI/NeiMengGuYiBaoApp/Service/ClassSqlHelper.cs Insert9102).
- liutao2019/IBORN_HIS_ALL MEDICAL/广州医保/API.GZSI/UI/frmGoodUpload.cs InsertYB1301..InsertYB1315: a
  Guangzhou client reading the downloaded txt by position, values[0]..values[n], each labelled.
Both agree for 1301, 1302, 1303, 1305, 1306, 1307, 1309 and 1310. For 1308, 1311, 1313, 1314 and 1315
the openhis classes list ver_name (and for 1311 dise_cont) elsewhere; the order here is the Guangzhou
reader's, which reads real files by position. Both readers take every line as a record (no header),
tab-separated, and dates as Java writes them ("Thu Nov 30 00:00:00 CST 2006"; the Guangzhou reader
parses crte_time/updt_time only in that form), so the file carries every date and time that way.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import itertools
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any

from pydantic import field_validator

from medshared.national import page_frame

from .errors import Refused
from .inputs import Date, DateTime, _Required


def _cols(text: str) -> tuple[str, ...]:
    return tuple(text.split())


@dataclass(frozen=True)
class Family:
    infno: str
    name: str
    columns: tuple[str, ...]
    paged: bool = False  # 1304 answers pages of JSON records; the others a file

    @property
    def key(self) -> str:
        """The record's identity: the family's first column (医疗目录编码, or the list's record id)."""
        return self.columns[0]


# The platform writes these; an operator's file may leave them empty (vali_flag defaults to "1").
PLATFORM_COLUMNS = frozenset({"rid", "crte_time", "updt_time", "ver", "ver_name"})

_AUDIT = "vali_flag rid crte_time updt_time"
FAMILIES: dict[str, Family] = {
    f.infno: f
    for f in (
        Family(
            "1301",
            "西药中成药目录",
            _cols(
                "med_list_codg drug_prodname genname_codg drug_genname chemname alis eng_name reg_name "
                "drugstdcode drug_dosform drug_dosform_name drug_type drug_type_name drug_spec drug_spec_code "
                "reg_dosform reg_spec reg_spec_code each_dos used_frqu acdbas nat_drug_no used_mtd tcmpat_flag "
                "prodplac_type prodplac_type_name prcunt_type otc_flag otc_flag_name pacmatl pacmatl_name pacspec "
                "pac_cnt efcc_atd rute manl begndate enddate min_useunt min_salunt min_unt min_pac_cnt min_pacunt "
                "min_prepunt minpacunt_name min_prepunt_name convrat drug_expy min_prcunt wubi pinyin subpck_fcty "
                "prodentp_code prodentp_name sp_lmtpric_drug_flag sp_drug_flag lmt_usescp lmt_used_flag "
                "drug_regno drug_regcert_begndate drug_regcert_enddate aprvno aprvno_begndate aprvno_enddate "
                "mkt_stas mkt_stas_name drug_reg_appvletr_elecacs splm_appy_appvletr_file nat_hi_druglist_memo "
                "bas_medn_flag_name bas_medn_flag advaltax_adjm_drug_flag advaltax_adjm_drug_name "
                "lstd_druglist_drug hi_nego_drug_flag hi_nego_drug_name nhc_drug_codg memo "
                f"{_AUDIT} ver ver_name chld_medc co_name conseval_drug dstr dstr_coner dstr_auth_file_elecacs "
                "nat_hi_druglist_dosform nat_hi_druglist_chrgitm_lv"
            ),
        ),
        Family(
            "1302",
            "中药饮片目录",
            _cols(
                "med_list_codg tcmherb_name cpnd_flag qlt_reg tcmherb_year med_part safe_mtr cnvl_used natfla "
                f"mertpm cat begndate enddate {_AUDIT} ver ver_name mlms_name efcc_atd psdg_mtd ecy_type "
                "mlms_cat_souc nat_hi_pay_pol prov_hi_pay_pol std_name std_pagen std_elecacs"
            ),
        ),
        Family(
            "1303",
            "医疗机构制剂目录",
            _cols(
                "med_list_codg drug_prodname alis eng_name dosform dosform_name reg_dosform ing efcc_atd chrt "
                "drug_spec drug_spec_code reg_spec reg_spec_code rute stog used_frqu each_dos drug_type "
                "drug_type_name otc_flag otc_flag_name pacmatl pacmatl_name pacspec manl pac_cnt min_useunt "
                "min_salunt min_unt min_pac_cnt min_pacunt min_prepunt min_prepunt_name drug_expy min_prcunt defs "
                "mnan tabo prodentp_code prodentp_name prodentp_addr sp_lmtpric_drug_flag aprvno aprvno_begndate "
                "aprvno_enddate drug_regno drug_regcert_begndate drug_regcert_enddate convrat lmt_usescp "
                "minpacunt_name reg_name subpck_fcty mkt_stas drug_reg_appvletr_elecacs splm_appy_appvletr_file "
                "nat_hi_druglist_no nat_hi_druglist_memo advaltax_adjm_drug_flag advaltax_adjm_drug_name "
                "lstd_druglist_drug nhc_drug_codg memo vali_flag begntime endtime rid crte_time updt_time ver "
                "ver_name selfprep_pmtno chld_medc eld_patn_medc medins_coner_name medins_coner_tel "
                "selfprep_pmtno_elecacs"
            ),
        ),
        # 1304 is a paged query: its record is the answer's data[] row (openhis Output_1304.cs).
        Family(
            "1304",
            "民族药品目录",
            _cols(
                "med_list_codg drug_prodname genname_codg drug_genname ethdrug_type chemname alis eng_name dosform "
                "each_dos used_frqu nat_drug_no used_mtd ing chrt defs tabo mnan stog drug_spec prcunt_type "
                "otc_flag pacmatl pacspec min_useunt min_salunt manl rute begndate enddate pham_type memo pac_cnt "
                "min_unt min_pac_cnt min_pacunt min_prepunt drug_expy efcc_atd min_prcunt wubi pinyin "
                f"{_AUDIT} crter_id crter_name crte_optins_no opter_id opter_name opt_time optins_no ver"
            ),
            paged=True,
        ),
        Family(
            "1305",
            "医疗服务项目目录",
            _cols(
                "med_list_codg prcunt prcunt_name trt_item_dscr trt_exct_cont trt_item_cont vali_flag memo "
                "servitem_type servitem_name item_dscr begndate enddate rid ver ver_name"
            ),
        ),
        Family(
            "1306",
            "医用耗材目录",
            _cols(
                "med_list_codg mcs_name udi hi_genname_code hi_genname prod_mol spec_code spec mcs_type spec_mol "
                "matl_code mcs_matl pacspec pac_cnt prod_pacmatl pacunt prod_convrat min_useunt prodplac_type "
                "prodplac_type_name prodstrd prodexpy perf_stru_comp apb_scp prod_istr prod_img_no prod_qlt_std "
                "manl oth_cert_matl sped_flag sped_name comb_name case_flag lmt_used_flag hi_lmt_scp min_salunt "
                "highval_mcs_flag matl_type_code impt_matl_hmorgn_flag stlz_flag stlz_flag_name "
                "impt_itvt_clss_flag impt_itvt_clss_name dspo_used_flag dspo_used_flag_name reger_name begndate "
                "enddate med_equ_mgt_type med_equ_mgt_type_name reg_fil_no reg_fil_prod_name stru_comp oth_cont "
                "aprv_date reger_addr regcert_expy_begntime regcert_expy_endtime prodentp_code prodentp_name "
                "manu_addr agnt_entp agnt_entp_addr manu_nat_regn aftsal_serins reg_fil_elec_file prod_img "
                "vali_flag rid ver ver_name"
            ),
        ),
        Family(
            "1307",
            "疾病与诊断目录",
            _cols(
                "diag_list_id cpr cpr_code_scp cpr_name sec_code_scp sec_name cgy_code cgy_name sor_code sor_name "
                "diag_code diag_name used_std natstd_diag_code natstd_diag_name clnc_diag_code clnc_diag_name "
                f"memo {_AUDIT} ver ver_name"
            ),
        ),
        Family(
            "1308",
            "手术操作目录",
            _cols(
                "oprn_std_list_id cpr cpr_code_scp cpr_name cgy_code cgy_name sor_code sor_name dtls_code "
                "dtls_name oprn_oprt_code oprn_oprt_name used_std rtl_oprn_oprt_code rtl_oprn_oprt_name "
                f"clnc_oprn_oprt_code clnc_oprn_oprt_name memo {_AUDIT} ver ver_name"
            ),
        ),
        Family(
            "1309",
            "门诊慢特病种目录",
            _cols(
                "opsp_dise_code opsp_dise_majcls_name opsp_dise_subd_clss_name admdvs memo "
                f"{_AUDIT} ver dise_cont ver_name trt_guide_pagen trt_guide_elecacs opsp_dise_name "
                "opsp_dise_majcls_code"
            ),
        ),
        Family(
            "1310",
            "按病种付费病种目录",
            _cols(
                "dise_setl_list_id bydise_setl_list_code bydise_setl_dise_name qua_oprn_oprt_code "
                f"qua_oprn_oprt_name {_AUDIT} ver dise_cont memo ver_name trt_guide_pagen trt_guide_elecacs"
            ),
        ),
        Family(
            "1311",
            "日间手术治疗病种目录",
            _cols(
                f"daysrg_trt_list_id daysrg_dise_list_code daysrg_dise_name {_AUDIT} ver ver_name dise_cont "
                "memo trt_guide_pagen trt_guide_elecacs qua_oprn_oprt_name qua_oprn_oprt_code"
            ),
        ),
        Family(
            "1313",
            "肿瘤形态学目录",
            _cols(f"tmor_mpy_id tmor_cell_type_code tmor_cell_type mpy_type_code mpy_type {_AUDIT} ver ver_name"),
        ),
        Family(
            "1314",
            "中医疾病目录",
            _cols(
                "tcm_diag_id caty_cgy_code caty_cgy_name spcy_sys_taxa_code spcy_sys_taxa_name dise_type_code "
                f"dise_type_name memo {_AUDIT} ver ver_name"
            ),
        ),
        Family(
            "1315",
            "中医证候目录",
            _cols(
                "tcmsymp_id sds_cgy_code sds_cgy_name sds_attr_code sds_attr sds_type_code sds_type_name memo "
                f"{_AUDIT} ver ver_name"
            ),
        ),
    )
}
DOWNLOADS = tuple(f.infno for f in FAMILIES.values() if not f.paged)

# The HI list answers (1312, 1318, 1319): data[] rows of openhis Output_1312.cs, Output_1318.cs,
# Output_1319.cs (NeiMengGuYiBaoApp/Models/Output/YiBao, history commit 68c8c623), the same fields
# as its catalogue page lists (Newtouch.HIS.Sett/Newtouch.Web/Content/js/PatientManage/HospiterRes/catalogl.js).
_HILIST_AUDIT = "vali_flag rid updt_time crter_id crter_name crte_time crte_optins_no opter_id opter_name opt_time"
HILIST_COLUMNS = _cols(
    "hilist_code hilist_name insu_admdvs begndate enddate med_chrgitm_type chrgitm_lv lmt_used_flag list_type "
    f"med_use_flag matn_used_flag hilist_use_type lmt_cpnd_type wubi pinyin memo {_HILIST_AUDIT} optins_no "
    "poolarea_no"
)
LMTPRC_COLUMNS = _cols(
    "hilist_code hilist_lmtpric_type overlmt_dspo_way insu_admdvs begndate enddate hilist_pric_uplmt_amt "
    f"{_HILIST_AUDIT} optins_no tabname poolarea_no"
)
SELFPAY_COLUMNS = _cols(
    "hilist_code selfpay_prop_psn_type selfpay_prop_type insu_admdvs begndate enddate selfpay_prop "
    f"{_HILIST_AUDIT} optins_no tabname poolarea_no"
)
HILIST_QUERIES = {"1312": HILIST_COLUMNS, "1318": LMTPRC_COLUMNS, "1319": SELFPAY_COLUMNS}
# The rows of the payment catalogue with no region override: insu_admdvs 000000 ("every region").
NATIONAL_ADMDVS = "000000"


def family(infno: str) -> Family:
    found = FAMILIES.get(infno)
    if found is None:
        raise Refused(
            f"{infno} is not a national catalogue; use one of {', '.join(sorted(FAMILIES))}", code="FAMILY_UNKNOWN"
        )
    return found


# ---------------------------------------------------------------- versions

VER = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_.\-]{0,19}$")
EVERYTHING = ("", "0", "null")


def since(ver: str | None) -> str | None:
    """The version a HIS holds, or None when it holds nothing ("0", empty or missing: everything)."""
    text = (ver or "").strip()
    return None if text.lower() in EVERYTHING else text


def check_new_ver(infno: str, ver: str, latest: str | None) -> str:
    """A new release's version: the national C20 shape, sorting after the family's latest release."""
    if not VER.match(ver):
        raise Refused(
            f"ver {ver!r} must be 1 to 20 letters, digits, '_', '.' or '-', starting with a letter or digit",
            code="VER_INVALID",
        )
    if latest is not None and ver <= latest:
        raise Refused(
            f"ver {ver!r} of {infno} must sort after its latest release {latest!r}: a HIS keeps the largest "
            "ver it holds and asks for what comes after it",
            code="VER_NOT_NEWER",
        )
    return ver


def next_ver(today: dt.date, latest: str | None) -> str:
    """yyyyMMdd and a 4-digit sequence, after the latest release of the family."""
    base = f"{today:%Y%m%d}"
    seq = 1
    if latest is not None and latest.startswith(base) and latest[len(base) :].isdigit():
        seq = int(latest[len(base) :]) + 1
    return f"{base}{seq:04d}"


# ---------------------------------------------------------------- dates as the national file writes them

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_JAVA = re.compile(r"^(\w{3}) (\w{3}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2}) \w{2,5} (\d{4})$")


def is_date_column(name: str) -> bool:
    return name.endswith(("date", "time"))


def java_time(moment: dt.datetime | dt.date) -> str:
    """Java's Date.toString() in China Standard Time, as the national catalogue files carry dates."""
    if not isinstance(moment, dt.datetime):
        moment = dt.datetime.combine(moment, dt.time.min)
    return (
        f"{_DAYS[moment.weekday()]} {_MONTHS[moment.month - 1]} {moment.day:02d} "
        f"{moment:%H:%M:%S} CST {moment.year:04d}"
    )


def parse_time(text: str) -> dt.datetime | None:
    """A date cell: Java's form, yyyy-MM-dd[ HH:mm:ss], yyyy/MM/dd or yyyyMMdd; None when empty."""
    value = text.strip()
    if not value:
        return None
    m = _JAVA.match(value)
    if m and m.group(2) in _MONTHS:
        day, hh, mm, ss, year = (int(m.group(i)) for i in (3, 4, 5, 6, 7))
        return dt.datetime(year, _MONTHS.index(m.group(2)) + 1, day, hh, mm, ss)
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y-%m-%d %H:%M"):
        try:
            return dt.datetime.strptime(value, fmt)
        except ValueError:
            continue
    raise ValueError(value)


# ---------------------------------------------------------------- one record: read, compare, write


class RowProblem(ValueError):
    """Why one row of an operator's file cannot be published; the report shows it beside the row number."""


def clean(value: str) -> str:
    text = value.strip()
    if text.lower() == "null":
        return ""
    # A tab or line break inside a value would split the record in the tab-separated file.
    return text.replace("\t", " ").replace("\r", " ").replace("\n", " ")


def read_record(fam: Family, cells: Sequence[str], header: Sequence[str] | None) -> dict[str, str]:
    """The values of one row, by column; raises RowProblem naming the column and what to send."""
    if header is None:
        if len(cells) == len(fam.columns) + 1 and not cells[-1].strip():
            cells = cells[:-1]  # the line ends with a tab
        if len(cells) != len(fam.columns):
            raise RowProblem(
                f"has {len(cells)} values; {fam.infno} {fam.name} has {len(fam.columns)} columns in the national "
                f"order ({', '.join(fam.columns[:4])}, ...), or send a header row naming the columns"
            )
        values = {name: clean(cell) for name, cell in zip(fam.columns, cells, strict=True)}
    else:
        values = dict.fromkeys(fam.columns, "")
        for name, cell in zip(header, cells, strict=False):
            if name in values:
                values[name] = clean(cell)
    key = values[fam.key]
    if not key:
        raise RowProblem(f"{fam.key} is empty; every record needs its {fam.key}")
    if len(key) > 64:
        raise RowProblem(f"{fam.key} has {len(key)} characters; at most 64")
    flag = values.get("vali_flag", "")
    if flag not in ("", "0", "1"):
        raise RowProblem(f"vali_flag must be 1 (valid) or 0 (no longer valid), got {flag!r}")
    if "vali_flag" in values and not flag:
        values["vali_flag"] = "1"
    for name, value in values.items():
        if name in PLATFORM_COLUMNS or not value or not is_date_column(name):
            continue
        try:
            moment = parse_time(value)
        except ValueError:
            raise RowProblem(
                f"{name} must be a date (yyyy-MM-dd, yyyy-MM-dd HH:mm:ss, or as the national file writes it: "
                f"Thu Nov 30 00:00:00 CST 2006), got {value!r}"
            ) from None
        values[name] = java_time(moment) if moment else ""
    return values


def header_of(fam: Family, cells: Sequence[str]) -> tuple[str, ...] | None:
    """The first row as a header when it names the family's columns (and its key), else None."""
    names = tuple(cell.strip().lower().lstrip("\ufeff") for cell in cells)
    known = set(fam.columns)
    if fam.key in names and all(name in known for name in names if name):
        return names
    return None


def digest(fam: Family, values: dict[str, str]) -> str:
    """What makes two versions of a record the same: every column the operator sends."""
    payload = "\x1f".join(values.get(name, "") for name in fam.columns if name not in PLATFORM_COLUMNS)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


def render(fam: Family, values: dict[str, str]) -> str:
    """The record as a line of the downloaded file, without its line break."""
    return "\t".join(values.get(name, "") for name in fam.columns)


def parse_line(fam: Family, line: str) -> dict[str, str]:
    return dict(zip(fam.columns, line.split("\t"), strict=False))


def as_json(fam: Family, line: str) -> dict[str, Any]:
    """A stored record as a JSON row: empty values null, dates and times as yyyy-MM-dd HH:mm:ss."""
    out: dict[str, Any] = {}
    for name, value in parse_line(fam, line).items():
        if not value:
            out[name] = None
        elif is_date_column(name):
            moment = parse_time(value)
            out[name] = moment.strftime("%Y-%m-%d %H:%M:%S") if moment else None
        else:
            out[name] = value
    return out


# ---------------------------------------------------------------- files


def zip_lines(inner_name: str, lines: Iterable[str]) -> bytes:
    """The downloaded file: a zip holding `inner_name`, the lines written as they come (UTF-8, LF)."""
    buffer = io.BytesIO()
    entry = zipfile.ZipInfo(inner_name, date_time=(2026, 1, 1, 0, 0, 0))  # a fixed stamp: same lines, same bytes
    entry.compress_type = zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive, archive.open(entry, "w") as member:
        chunk: list[str] = []
        for line in lines:
            chunk.append(line)
            if len(chunk) >= 2000:
                member.write(("\n".join(chunk) + "\n").encode("utf-8"))
                chunk.clear()
        if chunk:
            member.write(("\n".join(chunk) + "\n").encode("utf-8"))
    return buffer.getvalue()


def _text(stream: IO[bytes]) -> IO[str]:
    """UTF-8 (with or without BOM), else GB18030 (files saved by Excel on a Chinese Windows)."""
    head = stream.read(65536)
    stream.seek(0)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        encoding = "utf-8-sig"
    except UnicodeDecodeError:
        encoding = "gb18030"
    return io.TextIOWrapper(stream, encoding=encoding, newline="")


class UnreadableFile(ValueError):
    pass


def rows_of(stream: IO[bytes]) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) of an operator's file: the national zip (its tab-separated txt), a
    tab-separated txt, or CSV. Row numbers count from 1, as a spreadsheet shows them."""
    start = stream.read(4)
    stream.seek(0)
    if start.startswith(b"PK"):
        try:
            archive = zipfile.ZipFile(stream)
        except zipfile.BadZipFile:
            raise UnreadableFile(
                "the file starts like a zip but is not one; send the zip the platform issued"
            ) from None
        members = [m for m in archive.infolist() if not m.is_dir()]
        if len(members) != 1:
            raise UnreadableFile(f"the zip holds {len(members)} files; the national zip holds one txt")
        yield from _split(_text(archive.open(members[0])))
        return
    yield from _split(_text(stream))


def _split(text: IO[str]) -> Iterator[tuple[int, list[str]]]:
    """Tab-separated when the first line holds a tab (the national txt), else CSV."""
    first = text.readline()
    lines = itertools.chain([first], text)
    if "\t" in first:
        for number, line in enumerate(lines, start=1):
            line = line.rstrip("\r\n")
            if line.strip():
                yield number, line.split("\t")
        return
    for number, cells in enumerate(csv.reader(lines), start=1):
        if any(cell.strip() for cell in cells):
            yield number, cells


# ---------------------------------------------------------------- inputs and pages

MAX_PAGE_SIZE = 1000


class CatalogueDownload(_Required):
    """input.data of 1301-1315: the version the HIS holds."""

    ver: str | None = None


class PageQuery(_Required):
    """The paging fields of 1304/1312/1318/1319 (and the records updated since updt_time)."""

    page_num: int = 1
    page_size: int = 100
    updt_time: DateTime | None = None
    vali_flag: str | None = None

    @field_validator("page_num")
    @classmethod
    def _page_num(cls, value: int) -> int:
        if value < 1:
            raise ValueError("must be 1 or more (pages count from 1)")
        return value

    @field_validator("page_size")
    @classmethod
    def _page_size(cls, value: int) -> int:
        if not 1 <= value <= MAX_PAGE_SIZE:
            raise ValueError(f"must be between 1 and {MAX_PAGE_SIZE}; ask for the next page_num for more")
        return value


class NatyDrugQuery(PageQuery):
    """1304: 民族药品目录查询."""

    med_list_codg: str | None = None
    ver: str | None = None


class HilistQuery(PageQuery):
    """1312 医保目录信息查询, 1318 限价, 1319 先自付比例: the filters the HI list is kept by."""

    hilist_code: str | None = None
    insu_admdvs: str | None = None
    hilist_name: str | None = None
    chrgitm_lv: str | None = None
    med_chrgitm_type: str | None = None
    list_type: str | None = None
    query_date: Date | None = None


def page(rows: list[dict[str, Any]], total: int, query: PageQuery) -> dict[str, Any]:
    """The national paged answer (the PageHelper shape clients read: openhis Output_1312.cs)."""
    return {**page_frame(total, len(rows), query.page_num, query.page_size), "data": rows}
