"""What a HIS needs before its first bill: files, national catalogues, dictionaries, item mapping, departments.

Revision ID: e14a0c0de001
Revises: d3adbe77e501
Create Date: 2026-12-02 08:00:00
"""
import sqlalchemy as sa
from alembic import op


revision = "e14a0c0de001"
down_revision = "d3adbe77e501"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # ---- files (9101/9102)
    op.create_table(
        "national_file",
        sa.Column("file_qury_no", sa.String(length=30), nullable=False),
        sa.Column("fixmedins_code", sa.String(length=30), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("origin", sa.String(length=6), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("dld_endtime", sa.DateTime(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("file_qury_no", name=op.f("pk_national_file")),
    )
    op.create_index(op.f("ix_national_file_fixmedins_code"), "national_file", ["fixmedins_code"], unique=False)
    op.create_index(op.f("ix_national_file_dld_endtime"), "national_file", ["dld_endtime"], unique=False)
    # ---- national catalogues (13xx)
    ident = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "catalogue_release",
        sa.Column("id", ident, autoincrement=True, nullable=False),
        sa.Column("family", sa.String(length=4), nullable=False),
        sa.Column("ver", sa.String(length=20), nullable=False),
        sa.Column("ver_name", sa.String(length=100), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.Column("operator", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("accepted", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalogue_release")),
        sa.UniqueConstraint("family", "ver", name=op.f("uq_catalogue_release_family_ver")),
    )
    op.create_table(
        "catalogue_record",
        sa.Column("id", ident, autoincrement=True, nullable=False),
        sa.Column("family", sa.String(length=4), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("release_id", ident, nullable=False),
        sa.Column("ver", sa.String(length=20), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("vali_flag", sa.String(length=1), nullable=False),
        sa.Column("rid", sa.String(length=40), nullable=False),
        sa.Column("crte_time", sa.DateTime(), nullable=False),
        sa.Column("updt_time", sa.DateTime(), nullable=False),
        sa.Column("digest", sa.String(length=32), nullable=False),
        sa.Column("line", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalogue_record")),
    )
    op.create_index(
        "uq_catalogue_record_current",
        "catalogue_record",
        ["family", "code"],
        unique=True,
        sqlite_where=sa.text("is_current"),
        postgresql_where=sa.text("is_current"),
    )
    op.create_index("ix_catalogue_record_ver", "catalogue_record", ["family", "ver", "code"])
    op.create_index("ix_catalogue_record_updt_time", "catalogue_record", ["family", "updt_time"])
    op.create_table(
        "hilist_record",
        sa.Column("id", ident, autoincrement=True, nullable=False),
        sa.Column("hilist_code", sa.String(length=50), nullable=False),
        sa.Column("insu_admdvs", sa.String(length=6), nullable=False),
        sa.Column("begndate", sa.Date(), nullable=False),
        sa.Column("enddate", sa.Date(), nullable=True),
        sa.Column("catalogue_id", sa.String(length=60), nullable=False),
        sa.Column("catalogue_version", sa.String(length=20), nullable=False),
        sa.Column("hilist_name", sa.String(length=200), nullable=False),
        sa.Column("med_chrgitm_type", sa.String(length=6), nullable=False),
        sa.Column("chrgitm_lv", sa.String(length=3), nullable=False),
        sa.Column("list_type", sa.String(length=3), nullable=False),
        sa.Column("lmt_used_flag", sa.String(length=1), nullable=False),
        sa.Column("selfpay_prop", sa.Numeric(precision=5, scale=4), nullable=False),
        sa.Column("pric_uplmt_amt", sa.Numeric(precision=16, scale=6), nullable=True),
        sa.Column("vali_flag", sa.String(length=1), nullable=False),
        sa.Column("rid", sa.String(length=40), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("digest", sa.String(length=32), nullable=False),
        sa.Column("crte_time", sa.DateTime(), nullable=False),
        sa.Column("updt_time", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hilist_record")),
    )
    op.create_index("ix_hilist_record_updt_time", "hilist_record", ["updt_time", "id", "insu_admdvs"])
    op.create_index(
        "ix_hilist_record_capped",
        "hilist_record",
        ["updt_time", "id", "insu_admdvs"],
        sqlite_where=sa.text("pric_uplmt_amt IS NOT NULL"),
        postgresql_where=sa.text("pric_uplmt_amt IS NOT NULL"),
    )
    op.create_index("ix_hilist_record_code", "hilist_record", ["hilist_code", "insu_admdvs"])
    # ---- dictionaries (1901)
    op.create_table(
        "dictionary_version",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("published_by", sa.String(length=64), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dictionary_version")),
        sa.UniqueConstraint("version", name=op.f("uq_dictionary_version_version")),
    )
    # ---- item mapping (3301/3302)
    op.create_table(
        "item_mapping",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("rid", sa.String(length=40), nullable=False),
        sa.Column("fixmedins_code", sa.String(length=30), nullable=False),
        sa.Column("fixmedins_hilist_id", sa.String(length=150), nullable=False),
        sa.Column("fixmedins_hilist_name", sa.String(length=200), nullable=False),
        sa.Column("list_type", sa.String(length=30), nullable=False),
        sa.Column("med_list_codg", sa.String(length=50), nullable=False),
        sa.Column("begndate", sa.Date(), nullable=False),
        sa.Column("enddate", sa.Date(), nullable=False),
        sa.Column("vali_flag", sa.String(length=1), nullable=False),
        sa.Column("aprvno", sa.String(length=100), nullable=True),
        sa.Column("dosform", sa.String(length=200), nullable=True),
        sa.Column("exct_cont", sa.String(length=2000), nullable=True),
        sa.Column("item_cont", sa.String(length=2000), nullable=True),
        sa.Column("prcunt", sa.String(length=100), nullable=True),
        sa.Column("spec", sa.String(length=200), nullable=True),
        sa.Column("pacspec", sa.String(length=100), nullable=True),
        sa.Column("memo", sa.String(length=500), nullable=True),
        sa.Column("crter_id", sa.String(length=64), nullable=True),
        sa.Column("crter_name", sa.String(length=100), nullable=True),
        sa.Column("opter_id", sa.String(length=64), nullable=True),
        sa.Column("opter_name", sa.String(length=100), nullable=True),
        sa.Column("crte_time", sa.DateTime(), nullable=False),
        sa.Column("updt_time", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_mapping")),
        sa.UniqueConstraint("rid", name=op.f("uq_item_mapping_rid")),
    )
    op.create_index("ix_item_mapping_own_code", "item_mapping", ["fixmedins_code", "fixmedins_hilist_id"], unique=False)
    op.create_index("ix_item_mapping_updt_time", "item_mapping", ["fixmedins_code", "updt_time"], unique=False)
    # ---- departments (3401-3403)
    op.create_table(
        "department",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("fixmedins_code", sa.String(length=30), nullable=False),
        sa.Column("hosp_dept_codg", sa.String(length=30), nullable=False),
        sa.Column("hosp_dept_name", sa.String(length=100), nullable=False),
        sa.Column("caty", sa.String(length=30), nullable=True),
        sa.Column("begntime", sa.DateTime(), nullable=False),
        sa.Column("endtime", sa.DateTime(), nullable=True),
        sa.Column("itro", sa.String(length=500), nullable=True),
        sa.Column("dept_resper_name", sa.String(length=50), nullable=True),
        sa.Column("dept_resper_tel", sa.String(length=50), nullable=True),
        sa.Column("dept_med_serv_scp", sa.String(length=500), nullable=True),
        sa.Column("dept_estbdat", sa.DateTime(), nullable=True),
        sa.Column("aprv_bed_cnt", sa.Integer(), nullable=True),
        sa.Column("hi_crtf_bed_cnt", sa.Integer(), nullable=True),
        sa.Column("poolarea_no", sa.String(length=6), nullable=True),
        sa.Column("dr_psncnt", sa.Integer(), nullable=True),
        sa.Column("phar_psncnt", sa.Integer(), nullable=True),
        sa.Column("nurs_psncnt", sa.Integer(), nullable=True),
        sa.Column("tecn_psncnt", sa.Integer(), nullable=True),
        sa.Column("memo", sa.String(length=500), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_department")),
        sa.UniqueConstraint(
            "fixmedins_code", "hosp_dept_codg", name=op.f("uq_department_fixmedins_code_hosp_dept_codg")
        ),
    )
    pass


def downgrade() -> None:
    # ---- departments (3401-3403)
    op.drop_table("department")
    # ---- item mapping (3301/3302)
    op.drop_index("ix_item_mapping_updt_time", table_name="item_mapping")
    op.drop_index("ix_item_mapping_own_code", table_name="item_mapping")
    op.drop_table("item_mapping")
    # ---- dictionaries (1901)
    op.drop_table("dictionary_version")
    # ---- national catalogues (13xx)
    op.drop_index("ix_hilist_record_code", table_name="hilist_record")
    op.drop_index("ix_hilist_record_capped", table_name="hilist_record")
    op.drop_index("ix_hilist_record_updt_time", table_name="hilist_record")
    op.drop_table("hilist_record")
    op.drop_index("ix_catalogue_record_updt_time", table_name="catalogue_record")
    op.drop_index("ix_catalogue_record_ver", table_name="catalogue_record")
    op.drop_index("uq_catalogue_record_current", table_name="catalogue_record")
    op.drop_table("catalogue_record")
    op.drop_table("catalogue_release")
    # ---- files (9101/9102)
    op.drop_index(op.f("ix_national_file_dld_endtime"), table_name="national_file")
    op.drop_index(op.f("ix_national_file_fixmedins_code"), table_name="national_file")
    op.drop_table("national_file")
    pass
