"""settlement_tables

Revision ID: f38ce0414af1
Revises: (none)
Create Date: 2026-11-24 20:41:54.661490
"""
from alembic import op
import sqlalchemy as sa


revision = 'f38ce0414af1'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('account_entry',
    sa.Column('entry_id', sa.String(length=80), nullable=False),
    sa.Column('psn_no', sa.String(length=30), nullable=False),
    sa.Column('insutype', sa.String(length=6), nullable=False),
    sa.Column('amount', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('memo', sa.String(length=200), nullable=True),
    sa.Column('posted_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('entry_id', name=op.f('pk_account_entry'))
    )
    with op.batch_alter_table('account_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_entry_psn_no'), ['psn_no'], unique=False)

    op.create_table('accumulator',
    sa.Column('psn_no', sa.String(length=30), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('outpatient_dedc', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('chronic_dedc', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('hifp_outpatient', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('hifp_main', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('hifob_paid', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('hifmi_base', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('hifmi_paid', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('maf_base', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('maf_paid', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('total_cost', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('self_paid', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.PrimaryKeyConstraint('psn_no', 'year', name=op.f('pk_accumulator'))
    )
    op.create_table('catalogue_version',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('catalogue_id', sa.String(length=60), nullable=False),
    sa.Column('version', sa.String(length=20), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalogue_version')),
    sa.UniqueConstraint('catalogue_id', 'version', name=op.f('uq_catalogue_version_catalogue_id_version'))
    )
    op.create_table('chronic_filing',
    sa.Column('trt_dcla_detl_sn', sa.String(length=30), nullable=False),
    sa.Column('psn_no', sa.String(length=30), nullable=False),
    sa.Column('insutype', sa.String(length=6), nullable=False),
    sa.Column('opsp_dise_code', sa.String(length=30), nullable=False),
    sa.Column('opsp_dise_name', sa.String(length=200), nullable=False),
    sa.Column('fixmedins_code', sa.String(length=30), nullable=False),
    sa.Column('begndate', sa.Date(), nullable=False),
    sa.Column('enddate', sa.Date(), nullable=True),
    sa.Column('revoked', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('trt_dcla_detl_sn', name=op.f('pk_chronic_filing'))
    )
    with op.batch_alter_table('chronic_filing', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chronic_filing_psn_no'), ['psn_no'], unique=False)

    op.create_table('enrollment',
    sa.Column('enrollment_id', sa.String(length=40), nullable=False),
    sa.Column('psn_no', sa.String(length=30), nullable=False),
    sa.Column('insutype', sa.String(length=6), nullable=False),
    sa.Column('insuplc_admdvs', sa.String(length=6), nullable=False),
    sa.Column('psn_type', sa.String(length=6), nullable=False),
    sa.Column('emp_name', sa.String(length=200), nullable=True),
    sa.Column('cvlserv_flag', sa.String(length=1), nullable=False),
    sa.Column('tier', sa.String(length=6), nullable=True),
    sa.Column('begndate', sa.Date(), nullable=False),
    sa.Column('enddate', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('periods', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('enrollment_id', name=op.f('pk_enrollment'))
    )
    with op.batch_alter_table('enrollment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enrollment_psn_no'), ['psn_no'], unique=False)

    op.create_table('fee_line',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('mdtrt_id', sa.String(length=30), nullable=False),
    sa.Column('feedetl_sn', sa.String(length=30), nullable=False),
    sa.Column('chrg_bchno', sa.String(length=30), nullable=True),
    sa.Column('init_feedetl_sn', sa.String(length=30), nullable=True),
    sa.Column('med_list_codg', sa.String(length=50), nullable=False),
    sa.Column('medins_list_codg', sa.String(length=150), nullable=True),
    sa.Column('cnt', sa.Numeric(precision=16, scale=4), nullable=False),
    sa.Column('pric', sa.Numeric(precision=16, scale=6), nullable=False),
    sa.Column('det_item_fee_sumamt', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('fulamt_ownpay_amt', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('overlmt_amt', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('preselfpay_amt', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('inscp_scp_amt', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('chrgitm_lv', sa.String(length=3), nullable=False),
    sa.Column('selfpay_prop', sa.Numeric(precision=5, scale=4), nullable=False),
    sa.Column('pric_uplmt_amt', sa.Numeric(precision=16, scale=6), nullable=True),
    sa.Column('setl_id', sa.String(length=30), nullable=True),
    sa.Column('fee_ocur_time', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fee_line')),
    sa.UniqueConstraint('mdtrt_id', 'feedetl_sn', name=op.f('uq_fee_line_mdtrt_id_feedetl_sn'))
    )
    with op.batch_alter_table('fee_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fee_line_mdtrt_id'), ['mdtrt_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fee_line_setl_id'), ['setl_id'], unique=False)

    op.create_table('filing',
    sa.Column('filing_id', sa.String(length=40), nullable=False),
    sa.Column('psn_no', sa.String(length=30), nullable=False),
    sa.Column('insuplc_admdvs', sa.String(length=6), nullable=False),
    sa.Column('filing_type', sa.String(length=30), nullable=False),
    sa.Column('target_admdvs', sa.String(length=6), nullable=False),
    sa.Column('begndate', sa.Date(), nullable=False),
    sa.Column('enddate', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('trt_dcla_detl_sn', sa.String(length=30), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('filing_id', name=op.f('pk_filing'))
    )
    with op.batch_alter_table('filing', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_filing_psn_no'), ['psn_no'], unique=False)

    op.create_table('gateway_credential',
    sa.Column('paasid', sa.String(length=64), nullable=False),
    sa.Column('fixmedins_code', sa.String(length=30), nullable=False),
    sa.Column('token', sa.String(length=200), nullable=False),
    sa.Column('demo', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('paasid', name=op.f('pk_gateway_credential'))
    )
    with op.batch_alter_table('gateway_credential', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gateway_credential_fixmedins_code'), ['fixmedins_code'], unique=False)

    op.create_table('identity',
    sa.Column('identity_id', sa.String(length=40), nullable=False),
    sa.Column('psn_no', sa.String(length=30), nullable=False),
    sa.Column('psn_idet_type', sa.String(length=6), nullable=False),
    sa.Column('psn_type_lv', sa.String(length=6), nullable=True),
    sa.Column('begntime', sa.DateTime(), nullable=False),
    sa.Column('endtime', sa.DateTime(), nullable=True),
    sa.Column('memo', sa.String(length=500), nullable=True),
    sa.Column('revoked', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('identity_id', name=op.f('pk_identity'))
    )
    with op.batch_alter_table('identity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_identity_psn_no'), ['psn_no'], unique=False)

    op.create_table('inbox_message',
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('topic', sa.String(length=100), nullable=False),
    sa.Column('event_type', sa.String(length=100), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_inbox_message'))
    )
    op.create_table('institution',
    sa.Column('fixmedins_code', sa.String(length=30), nullable=False),
    sa.Column('fixmedins_name', sa.String(length=200), nullable=False),
    sa.Column('admdvs', sa.String(length=6), nullable=False),
    sa.Column('hosp_lv', sa.String(length=10), nullable=False),
    sa.PrimaryKeyConstraint('fixmedins_code', name=op.f('pk_institution'))
    )
    op.create_table('message_log',
    sa.Column('msgid', sa.String(length=30), nullable=False),
    sa.Column('fixmedins_code', sa.String(length=30), nullable=False),
    sa.Column('infno', sa.String(length=6), nullable=False),
    sa.Column('body_hash', sa.String(length=64), nullable=False),
    sa.Column('psn_no', sa.String(length=30), nullable=True),
    sa.Column('ref_id', sa.String(length=40), nullable=True),
    sa.Column('response', sa.Text(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('msgid', name=op.f('pk_message_log'))
    )
    with op.batch_alter_table('message_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_message_log_psn_no'), ['psn_no'], unique=False)

    op.create_table('outbox_message',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('topic', sa.String(length=100), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('event_type', sa.String(length=100), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_message')),
    sa.UniqueConstraint('event_id', name=op.f('uq_outbox_message_event_id'))
    )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_message_published_at'), ['published_at'], unique=False)

    op.create_table('person',
    sa.Column('psn_no', sa.String(length=30), nullable=False),
    sa.Column('psn_cert_type', sa.String(length=6), nullable=False),
    sa.Column('certno', sa.String(length=50), nullable=False),
    sa.Column('psn_name', sa.String(length=50), nullable=False),
    sa.Column('gend', sa.String(length=6), nullable=True),
    sa.Column('naty', sa.String(length=3), nullable=True),
    sa.Column('brdy', sa.Date(), nullable=True),
    sa.Column('death_date', sa.Date(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('psn_no', name=op.f('pk_person'))
    )
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_certno'), ['certno'], unique=False)

    op.create_table('policy_version',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('policy_id', sa.String(length=60), nullable=False),
    sa.Column('version', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('admdvs', sa.String(length=6), nullable=False),
    sa.Column('insutype', sa.String(length=6), nullable=True),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_policy_version')),
    sa.UniqueConstraint('policy_id', 'version', name=op.f('uq_policy_version_policy_id_version'))
    )
    op.create_table('settlement',
    sa.Column('setl_id', sa.String(length=30), nullable=False),
    sa.Column('mdtrt_id', sa.String(length=30), nullable=False),
    sa.Column('psn_no', sa.String(length=30), nullable=False),
    sa.Column('infno', sa.String(length=6), nullable=False),
    sa.Column('medins_setl_id', sa.String(length=30), nullable=False),
    sa.Column('fixmedins_code', sa.String(length=30), nullable=False),
    sa.Column('insutype', sa.String(length=6), nullable=False),
    sa.Column('med_type', sa.String(length=6), nullable=False),
    sa.Column('clr_type', sa.String(length=6), nullable=False),
    sa.Column('clr_optins', sa.String(length=6), nullable=False),
    sa.Column('pay_loc', sa.String(length=3), nullable=False),
    sa.Column('setl_time', sa.DateTime(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('medfee_sumamt', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('fund_pay_sumamt', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('acct_pay', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('psn_cash_pay', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('act_pay_dedc', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('mid_setl_flag', sa.String(length=1), nullable=False),
    sa.Column('setlinfo', sa.Text(), nullable=False),
    sa.Column('setldetail', sa.Text(), nullable=False),
    sa.Column('delta', sa.Text(), nullable=False),
    sa.Column('policy_versions', sa.Text(), nullable=False),
    sa.Column('init_setl_id', sa.String(length=30), nullable=True),
    sa.Column('reversed_by', sa.String(length=30), nullable=True),
    sa.PrimaryKeyConstraint('setl_id', name=op.f('pk_settlement')),
    sa.UniqueConstraint('reversed_by', name=op.f('uq_settlement_reversed_by'))
    )
    with op.batch_alter_table('settlement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_settlement_fixmedins_code'), ['fixmedins_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_settlement_mdtrt_id'), ['mdtrt_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_settlement_psn_no'), ['psn_no'], unique=False)

    op.create_table('sign_in',
    sa.Column('sign_no', sa.String(length=30), nullable=False),
    sa.Column('fixmedins_code', sa.String(length=30), nullable=False),
    sa.Column('opter_no', sa.String(length=30), nullable=False),
    sa.Column('signed_in_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('signed_out_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('sign_no', name=op.f('pk_sign_in'))
    )
    with op.batch_alter_table('sign_in', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_fixmedins_code'), ['fixmedins_code'], unique=False)

    op.create_table('visit',
    sa.Column('mdtrt_id', sa.String(length=30), nullable=False),
    sa.Column('psn_no', sa.String(length=30), nullable=False),
    sa.Column('insutype', sa.String(length=6), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('fixmedins_code', sa.String(length=30), nullable=False),
    sa.Column('mdtrtarea_admvs', sa.String(length=6), nullable=False),
    sa.Column('insuplc_admdvs', sa.String(length=6), nullable=False),
    sa.Column('ipt_otp_no', sa.String(length=30), nullable=False),
    sa.Column('mdtrt_cert_type', sa.String(length=3), nullable=False),
    sa.Column('med_type', sa.String(length=6), nullable=True),
    sa.Column('dise_codg', sa.String(length=30), nullable=True),
    sa.Column('begntime', sa.DateTime(), nullable=False),
    sa.Column('endtime', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('mdtrt_id', name=op.f('pk_visit'))
    )
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visit_fixmedins_code'), ['fixmedins_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_visit_psn_no'), ['psn_no'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visit_psn_no'))
        batch_op.drop_index(batch_op.f('ix_visit_fixmedins_code'))

    op.drop_table('visit')
    with op.batch_alter_table('sign_in', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_in_fixmedins_code'))

    op.drop_table('sign_in')
    with op.batch_alter_table('settlement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_settlement_psn_no'))
        batch_op.drop_index(batch_op.f('ix_settlement_mdtrt_id'))
        batch_op.drop_index(batch_op.f('ix_settlement_fixmedins_code'))

    op.drop_table('settlement')
    op.drop_table('policy_version')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_certno'))

    op.drop_table('person')
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_message_published_at'))

    op.drop_table('outbox_message')
    with op.batch_alter_table('message_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_message_log_psn_no'))

    op.drop_table('message_log')
    op.drop_table('institution')
    op.drop_table('inbox_message')
    with op.batch_alter_table('identity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_identity_psn_no'))

    op.drop_table('identity')
    with op.batch_alter_table('gateway_credential', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gateway_credential_fixmedins_code'))

    op.drop_table('gateway_credential')
    with op.batch_alter_table('filing', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_filing_psn_no'))

    op.drop_table('filing')
    with op.batch_alter_table('fee_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fee_line_setl_id'))
        batch_op.drop_index(batch_op.f('ix_fee_line_mdtrt_id'))

    op.drop_table('fee_line')
    with op.batch_alter_table('enrollment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enrollment_psn_no'))

    op.drop_table('enrollment')
    with op.batch_alter_table('chronic_filing', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chronic_filing_psn_no'))

    op.drop_table('chronic_filing')
    op.drop_table('catalogue_version')
    op.drop_table('accumulator')
    with op.batch_alter_table('account_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_entry_psn_no'))

    op.drop_table('account_entry')
