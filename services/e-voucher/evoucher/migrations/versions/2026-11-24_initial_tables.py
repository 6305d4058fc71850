"""Initial tables: vouchers, QR codes, ecTokens, family bindings, pay orders, read models, outbox, inbox.

Revision ID: 51eb22296a7c
Revises: 
Create Date: 2026-11-24 20:37:55.235538
"""
import sqlalchemy as sa
from alembic import op

revision = '51eb22296a7c'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ec_token',
    sa.Column('ec_token', sa.String(length=40), nullable=False),
    sa.Column('voucher_id', sa.String(length=32), nullable=False),
    sa.Column('psn_no', sa.String(length=30), nullable=False),
    sa.Column('fixmedins_code', sa.String(length=30), nullable=False),
    sa.Column('business_type', sa.String(length=5), nullable=False),
    sa.Column('operator_id', sa.String(length=20), nullable=False),
    sa.Column('office_name', sa.String(length=30), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('ec_token', name=op.f('pk_ec_token'))
    )
    with op.batch_alter_table('ec_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ec_token_psn_no'), ['psn_no'], unique=False)

    op.create_table('family_binding',
    sa.Column('binding_id', sa.String(length=32), nullable=False),
    sa.Column('guardian_psn_no', sa.String(length=30), nullable=False),
    sa.Column('dependant_psn_no', sa.String(length=30), nullable=False),
    sa.Column('relation', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('consented_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('binding_id', name=op.f('pk_family_binding'))
    )
    with op.batch_alter_table('family_binding', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_family_binding_dependant_psn_no'), ['dependant_psn_no'], unique=False)
        batch_op.create_index(batch_op.f('ix_family_binding_guardian_psn_no'), ['guardian_psn_no'], unique=False)

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
    sa.Column('gateway_token', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('fixmedins_code', name=op.f('pk_institution'))
    )
    op.create_table('mobile_session',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('openid', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_mobile_session'))
    )
    with op.batch_alter_table('mobile_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mobile_session_openid'), ['openid'], unique=False)

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

    op.create_table('pay_order',
    sa.Column('serial', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('pay_ord_id', sa.String(length=32), nullable=False),
    sa.Column('pay_token', sa.String(length=64), nullable=False),
    sa.Column('fixmedins_code', sa.String(length=30), nullable=False),
    sa.Column('med_org_ord', sa.String(length=64), nullable=False),
    sa.Column('psn_no', sa.String(length=30), nullable=False),
    sa.Column('insuplc_admdvs', sa.String(length=6), nullable=False),
    sa.Column('mdtrtarea_admvs', sa.String(length=6), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('request', sa.Text(), nullable=False),
    sa.Column('medfee_sumamt', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('callback_url', sa.String(length=500), nullable=False),
    sa.Column('pay_auth_no', sa.String(length=40), nullable=True),
    sa.Column('pay_auth_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ec_token', sa.String(length=40), nullable=True),
    sa.Column('mdtrt_id', sa.String(length=40), nullable=True),
    sa.Column('setl_id', sa.String(length=40), nullable=True),
    sa.Column('setlinfo', sa.Text(), nullable=True),
    sa.Column('fund_pay_sumamt', sa.Numeric(precision=16, scale=2), nullable=True),
    sa.Column('acct_pay', sa.Numeric(precision=16, scale=2), nullable=True),
    sa.Column('psn_cash_pay', sa.Numeric(precision=16, scale=2), nullable=True),
    sa.Column('charge_id', sa.String(length=64), nullable=True),
    sa.Column('reversal_setl_id', sa.String(length=40), nullable=True),
    sa.Column('fail_reason', sa.String(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('notified_status', sa.String(length=16), nullable=True),
    sa.PrimaryKeyConstraint('serial', name=op.f('pk_pay_order')),
    sa.UniqueConstraint('fixmedins_code', 'med_org_ord', name=op.f('uq_pay_order_fixmedins_code_med_org_ord')),
    sa.UniqueConstraint('pay_auth_no', name=op.f('uq_pay_order_pay_auth_no')),
    sa.UniqueConstraint('pay_ord_id', name=op.f('uq_pay_order_pay_ord_id'))
    )
    with op.batch_alter_table('pay_order', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pay_order_psn_no'), ['psn_no'], unique=False)
        batch_op.create_index(batch_op.f('ix_pay_order_status'), ['status'], unique=False)

    op.create_table('person',
    sa.Column('psn_no', sa.String(length=30), nullable=False),
    sa.Column('psn_cert_type', sa.String(length=6), nullable=False),
    sa.Column('certno', sa.String(length=50), nullable=False),
    sa.Column('psn_name', sa.String(length=50), nullable=False),
    sa.Column('gend', sa.String(length=6), nullable=True),
    sa.Column('naty', sa.String(length=3), nullable=True),
    sa.Column('brdy', sa.String(length=10), nullable=True),
    sa.Column('death_date', sa.String(length=10), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('psn_no', name=op.f('pk_person'))
    )
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_certno'), ['certno'], unique=False)

    op.create_table('person_enrollment',
    sa.Column('enrollment_id', sa.String(length=40), nullable=False),
    sa.Column('psn_no', sa.String(length=30), nullable=False),
    sa.Column('insutype', sa.String(length=6), nullable=False),
    sa.Column('insuplc_admdvs', sa.String(length=6), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('enrollment_id', name=op.f('pk_person_enrollment'))
    )
    with op.batch_alter_table('person_enrollment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_enrollment_psn_no'), ['psn_no'], unique=False)

    op.create_table('qr_code',
    sa.Column('qr_id', sa.String(length=32), nullable=False),
    sa.Column('voucher_id', sa.String(length=32), nullable=False),
    sa.Column('psn_no', sa.String(length=30), nullable=False),
    sa.Column('shown_by_openid', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decoded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decoded_by', sa.String(length=30), nullable=True),
    sa.PrimaryKeyConstraint('qr_id', name=op.f('pk_qr_code'))
    )
    op.create_table('settlement',
    sa.Column('setl_id', sa.String(length=40), nullable=False),
    sa.Column('psn_no', sa.String(length=30), nullable=False),
    sa.Column('fixmedins_code', sa.String(length=30), nullable=False),
    sa.Column('insuplc_admdvs', sa.String(length=6), nullable=False),
    sa.Column('mdtrt_cert_type', sa.String(length=3), nullable=False),
    sa.Column('med_type', sa.String(length=6), nullable=True),
    sa.Column('medfee_sumamt', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('fund_pay_sumamt', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('acct_pay', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('psn_cash_pay', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('setl_time', sa.String(length=19), nullable=True),
    sa.Column('original_setl_id', sa.String(length=40), nullable=True),
    sa.Column('reversed', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('setl_id', name=op.f('pk_settlement'))
    )
    with op.batch_alter_table('settlement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_settlement_insuplc_admdvs'), ['insuplc_admdvs'], unique=False)
        batch_op.create_index(batch_op.f('ix_settlement_psn_no'), ['psn_no'], unique=False)

    op.create_table('voucher',
    sa.Column('voucher_id', sa.String(length=32), nullable=False),
    sa.Column('psn_no', sa.String(length=30), nullable=False),
    sa.Column('openid', sa.String(length=64), nullable=False),
    sa.Column('active_psn_no', sa.String(length=30), nullable=True),
    sa.Column('active_openid', sa.String(length=64), nullable=True),
    sa.Column('insuplc_admdvs', sa.String(length=6), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('activated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('voucher_id', name=op.f('pk_voucher')),
    sa.UniqueConstraint('active_openid', name=op.f('uq_voucher_active_openid')),
    sa.UniqueConstraint('active_psn_no', name=op.f('uq_voucher_active_psn_no'))
    )
    with op.batch_alter_table('voucher', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_voucher_psn_no'), ['psn_no'], unique=False)

    op.create_table('voucher_change',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('voucher_id', sa.String(length=32), nullable=False),
    sa.Column('command', sa.String(length=12), nullable=False),
    sa.Column('actor', sa.String(length=12), nullable=False),
    sa.Column('actor_id', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_voucher_change'))
    )
    with op.batch_alter_table('voucher_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_voucher_change_voucher_id'), ['voucher_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('voucher_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_voucher_change_voucher_id'))

    op.drop_table('voucher_change')
    with op.batch_alter_table('voucher', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_voucher_psn_no'))

    op.drop_table('voucher')
    with op.batch_alter_table('settlement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_settlement_psn_no'))
        batch_op.drop_index(batch_op.f('ix_settlement_insuplc_admdvs'))

    op.drop_table('settlement')
    op.drop_table('qr_code')
    with op.batch_alter_table('person_enrollment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_enrollment_psn_no'))

    op.drop_table('person_enrollment')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_certno'))

    op.drop_table('person')
    with op.batch_alter_table('pay_order', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pay_order_status'))
        batch_op.drop_index(batch_op.f('ix_pay_order_psn_no'))

    op.drop_table('pay_order')
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_message_published_at'))

    op.drop_table('outbox_message')
    with op.batch_alter_table('mobile_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mobile_session_openid'))

    op.drop_table('mobile_session')
    op.drop_table('institution')
    op.drop_table('inbox_message')
    with op.batch_alter_table('family_binding', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_family_binding_guardian_psn_no'))
        batch_op.drop_index(batch_op.f('ix_family_binding_dependant_psn_no'))

    op.drop_table('family_binding')
    with op.batch_alter_table('ec_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ec_token_psn_no'))

    op.drop_table('ec_token')
