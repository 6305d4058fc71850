"""Tables of what a HIS sets up before its first bill: files, national catalogues, dictionaries,
item mapping, departments (re-exported by settlement.db)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from settlement.db import metadata

# ---------------------------------------------------------------- files (9101/9102)

# A file an institution uploaded (origin 9101) or the platform generated for it (origin: the infno that
# offered it, e.g. 1301 or 3202), kept until dld_endtime and fetched with 9102 by that institution only.
# Times are the platform's local time, as the national answers carry them.
national_file = Table(
    "national_file",
    metadata,
    Column("file_qury_no", String(30), primary_key=True),
    Column("fixmedins_code", String(30), nullable=False, index=True),
    Column("filename", String(200), nullable=False),
    Column("origin", String(6), nullable=False),
    Column("size", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("dld_endtime", DateTime, nullable=False, index=True),
    Column("content", LargeBinary, nullable=False),
)

# ---------------------------------------------------------------- national catalogues (13xx)

# A published version of one national catalogue (1301-1315): its ver sorts after every earlier ver of
# the family (a HIS asks for what comes after the largest ver it holds). Times are local, as answered.
catalogue_release = Table(
    "catalogue_release",
    metadata,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True),
    Column("family", String(4), nullable=False),
    Column("ver", String(20), nullable=False),
    Column("ver_name", String(100), nullable=False),
    Column("published_at", DateTime, nullable=False),
    Column("operator", String(64), nullable=False),
    Column("source", String(20), nullable=False),  # "csv" | "zip" | "txt" | "demo"
    Column("received", Integer, nullable=False),
    Column("accepted", Integer, nullable=False),
    Column("unchanged", Integer, nullable=False),
    Column("rejected", Integer, nullable=False),
    UniqueConstraint("family", "ver"),
)

# Every version of every record: a release adds a row per record it changes and the family's older row
# of that code stops being current; nothing is deleted. `line` is the record as the downloaded file
# carries it (tab-separated, the national column order, ver/ver_name/updt_time of its release).
catalogue_record = Table(
    "catalogue_record",
    metadata,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True),
    Column("family", String(4), nullable=False),
    Column("code", String(64), nullable=False),
    Column("release_id", BigInteger().with_variant(Integer(), "sqlite"), nullable=False),
    Column("ver", String(20), nullable=False),
    Column("is_current", Boolean, nullable=False),
    Column("vali_flag", String(1), nullable=False),
    Column("rid", String(40), nullable=False),
    Column("crte_time", DateTime, nullable=False),
    Column("updt_time", DateTime, nullable=False),
    Column("digest", String(32), nullable=False),
    Column("line", Text, nullable=False),
)
# One current row per code; the full download reads the family's current rows in code order from it.
Index(
    "uq_catalogue_record_current",
    catalogue_record.c.family,
    catalogue_record.c.code,
    unique=True,
    sqlite_where=catalogue_record.c.is_current,
    postgresql_where=catalogue_record.c.is_current,
)
# An increment (ver after the one a HIS holds) and one release's records.
Index("ix_catalogue_record_ver", catalogue_record.c.family, catalogue_record.c.ver, catalogue_record.c.code)
Index("ix_catalogue_record_updt_time", catalogue_record.c.family, catalogue_record.c.updt_time)

# The HI list (1312, and its price caps 1318 and self-pay shares 1319), written when a payment catalogue
# version is published (settlement.reference), so the queries answer what settlement prices with. One row
# per item and region (insu_admdvs; 000000 for the rows without a region override) and version that
# changed it; when a later version changes or drops the item, the row gets its enddate. Never deleted.
hilist_record = Table(
    "hilist_record",
    metadata,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True),
    Column("hilist_code", String(50), nullable=False),
    Column("insu_admdvs", String(6), nullable=False),
    Column("begndate", Date, nullable=False),
    Column("enddate", Date, nullable=True),  # the day before the version that changed or dropped it applies
    Column("catalogue_id", String(60), nullable=False),
    Column("catalogue_version", String(20), nullable=False),
    Column("hilist_name", String(200), nullable=False),
    Column("med_chrgitm_type", String(6), nullable=False),
    Column("chrgitm_lv", String(3), nullable=False),
    Column("list_type", String(3), nullable=False),
    Column("lmt_used_flag", String(1), nullable=False),
    Column("selfpay_prop", Numeric(5, 4), nullable=False),
    Column("pric_uplmt_amt", Numeric(16, 6), nullable=True),
    Column("vali_flag", String(1), nullable=False),
    Column("rid", String(40), nullable=False),
    Column("is_current", Boolean, nullable=False),
    Column("digest", String(32), nullable=False),
    Column("crte_time", DateTime, nullable=False),
    Column("updt_time", DateTime, nullable=False),
)
# Pages in (updt_time, id) order, the region read from the index too; 1318 pages the capped rows only.
Index("ix_hilist_record_updt_time", hilist_record.c.updt_time, hilist_record.c.id, hilist_record.c.insu_admdvs)
Index(
    "ix_hilist_record_capped",
    hilist_record.c.updt_time,
    hilist_record.c.id,
    hilist_record.c.insu_admdvs,
    sqlite_where=hilist_record.c.pric_uplmt_amt.is_not(None),
    postgresql_where=hilist_record.c.pric_uplmt_amt.is_not(None),
)
Index("ix_hilist_record_code", hilist_record.c.hilist_code, hilist_record.c.insu_admdvs)

# ---------------------------------------------------------------- dictionaries (1901)

# A published dictionary version: the whole set of code tables (its body, JSON), in force from
# effective_from until a later version; never changed once published.
dictionary_version = Table(
    "dictionary_version",
    metadata,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True),
    Column("version", Integer, nullable=False, unique=True),
    Column("effective_from", Date, nullable=False),
    Column("body", Text, nullable=False),
    Column("published_by", String(64), nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=False),
)

# ---------------------------------------------------------------- item mapping (3301/3302)

# An institution's own item code (fixmedins_hilist_id, the medins_list_codg of its fee lines) mapped to a
# national code from begndate to enddate. Revoked (3302) rows stay with vali_flag 0: the history of what
# was in force when. Times are the platform's local time, as the national answers carry them.
item_mapping = Table(
    "item_mapping",
    metadata,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True),
    Column("rid", String(40), nullable=False, unique=True),
    Column("fixmedins_code", String(30), nullable=False),
    Column("fixmedins_hilist_id", String(150), nullable=False),
    Column("fixmedins_hilist_name", String(200), nullable=False),
    Column("list_type", String(30), nullable=False),
    Column("med_list_codg", String(50), nullable=False),
    Column("begndate", Date, nullable=False),
    Column("enddate", Date, nullable=False),
    Column("vali_flag", String(1), nullable=False),
    Column("aprvno", String(100), nullable=True),
    Column("dosform", String(200), nullable=True),
    Column("exct_cont", String(2000), nullable=True),
    Column("item_cont", String(2000), nullable=True),
    Column("prcunt", String(100), nullable=True),
    Column("spec", String(200), nullable=True),
    Column("pacspec", String(100), nullable=True),
    Column("memo", String(500), nullable=True),
    Column("crter_id", String(64), nullable=True),
    Column("crter_name", String(100), nullable=True),
    Column("opter_id", String(64), nullable=True),
    Column("opter_name", String(100), nullable=True),
    Column("crte_time", DateTime, nullable=False),
    Column("updt_time", DateTime, nullable=False),
    Index("ix_item_mapping_own_code", "fixmedins_code", "fixmedins_hilist_id"),
    Index("ix_item_mapping_updt_time", "fixmedins_code", "updt_time"),
)

# ---------------------------------------------------------------- departments (3401-3403)

# An institution's departments, one row per hosp_dept_codg: uploaded (3401/3401A), changed (3402),
# revoked (3403: revoked_at set, the row stays). Times are the platform's local time, as HIS send them.
department = Table(
    "department",
    metadata,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True),
    Column("fixmedins_code", String(30), nullable=False),
    Column("hosp_dept_codg", String(30), nullable=False),
    Column("hosp_dept_name", String(100), nullable=False),
    Column("caty", String(30), nullable=True),
    Column("begntime", DateTime, nullable=False),
    Column("endtime", DateTime, nullable=True),
    Column("itro", String(500), nullable=True),
    Column("dept_resper_name", String(50), nullable=True),
    Column("dept_resper_tel", String(50), nullable=True),
    Column("dept_med_serv_scp", String(500), nullable=True),
    Column("dept_estbdat", DateTime, nullable=True),
    Column("aprv_bed_cnt", Integer, nullable=True),
    Column("hi_crtf_bed_cnt", Integer, nullable=True),
    Column("poolarea_no", String(6), nullable=True),
    Column("dr_psncnt", Integer, nullable=True),
    Column("phar_psncnt", Integer, nullable=True),
    Column("nurs_psncnt", Integer, nullable=True),
    Column("tecn_psncnt", Integer, nullable=True),
    Column("memo", String(500), nullable=True),
    Column("uploaded_at", DateTime, nullable=False),
    Column("changed_at", DateTime, nullable=False),
    Column("revoked_at", DateTime, nullable=True),
    UniqueConstraint("fixmedins_code", "hosp_dept_codg"),
)
