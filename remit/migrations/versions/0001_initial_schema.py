"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 00:13:45.039139
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import remit.types


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('collectionrun',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('started_at', remit.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', remit.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('stored', sa.Integer(), nullable=False),
    sa.Column('quarantined', sa.Integer(), nullable=False),
    sa.Column('rejected', sa.Integer(), nullable=False),
    sa.Column('http_calls', sa.Integer(), nullable=False),
    sa.Column('bytes', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('raw_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('collectionrun', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_collectionrun_source'), ['source'], unique=False)

    op.create_table('currency',
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('minor_units', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_table('provider',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('firm_type', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('website', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('in_catalog', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('slug')
    )
    op.create_table('country',
    sa.Column('iso3', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('iso2', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=True),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('currency_code', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=True),
    sa.ForeignKeyConstraint(['currency_code'], ['currency.code'], ),
    sa.PrimaryKeyConstraint('iso3'),
    sa.UniqueConstraint('iso2')
    )
    op.create_table('referencerate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('base', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('quote', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('rate', remit.types.ExactDecimal(precision=28, scale=12), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('fetched_at', remit.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('raw_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['run_id'], ['collectionrun.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source', 'base', 'quote', 'as_of', name='uq_rate')
    )
    with op.batch_alter_table('referencerate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referencerate_as_of'), ['as_of'], unique=False)

    op.create_table('corridor',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_country', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('destination_country', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('send_currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('receive_currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('in_catalog', sa.Boolean(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['destination_country'], ['country.iso3'], ),
    sa.ForeignKeyConstraint(['receive_currency'], ['currency.code'], ),
    sa.ForeignKeyConstraint(['send_currency'], ['currency.code'], ),
    sa.ForeignKeyConstraint(['source_country'], ['country.iso3'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source_country', 'destination_country')
    )
    op.create_table('service',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('corridor_id', sa.Integer(), nullable=False),
    sa.Column('payment_instrument', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('access_point', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('pickup_method', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('speed', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('receiving_network_coverage', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
    sa.ForeignKeyConstraint(['corridor_id'], ['corridor.id'], ),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('provider_id', 'corridor_id', 'payment_instrument', 'access_point', 'pickup_method', 'speed', name='uq_service_attributes')
    )
    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_corridor_id'), ['corridor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_provider_id'), ['provider_id'], unique=False)

    op.create_table('quote',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('source_ref', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('reported_provider', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('collection_method', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('collected_at', remit.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('source_dated_at', remit.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('period', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('send_amount', remit.types.ExactDecimal(precision=24, scale=6), nullable=False),
    sa.Column('send_currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('amount_tier', sa.Integer(), nullable=True),
    sa.Column('fee', remit.types.ExactDecimal(precision=24, scale=6), nullable=False),
    sa.Column('fee_currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('fee_mode', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('receiving_fee', remit.types.ExactDecimal(precision=24, scale=6), nullable=True),
    sa.Column('exchange_rate', remit.types.ExactDecimal(precision=28, scale=12), nullable=True),
    sa.Column('received_amount', remit.types.ExactDecimal(precision=24, scale=6), nullable=True),
    sa.Column('receive_currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('reference_rate', remit.types.ExactDecimal(precision=28, scale=12), nullable=True),
    sa.Column('reference_rate_source', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('reference_rate_date', sa.Date(), nullable=True),
    sa.Column('transparent', sa.Boolean(), nullable=False),
    sa.Column('promotional', sa.Boolean(), nullable=False),
    sa.Column('indicative', sa.Boolean(), nullable=False),
    sa.Column('raw_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.ForeignKeyConstraint(['run_id'], ['collectionrun.id'], ),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source', 'source_ref', name='uq_quote_source_ref')
    )
    with op.batch_alter_table('quote', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quote_collected_at'), ['collected_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_quote_period'), ['period'], unique=False)
        batch_op.create_index(batch_op.f('ix_quote_run_id'), ['run_id'], unique=False)
        batch_op.create_index('ix_quote_service_collected', ['service_id', 'collected_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('quote', schema=None) as batch_op:
        batch_op.drop_index('ix_quote_service_collected')
        batch_op.drop_index(batch_op.f('ix_quote_run_id'))
        batch_op.drop_index(batch_op.f('ix_quote_period'))
        batch_op.drop_index(batch_op.f('ix_quote_collected_at'))

    op.drop_table('quote')
    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_provider_id'))
        batch_op.drop_index(batch_op.f('ix_service_corridor_id'))

    op.drop_table('service')
    op.drop_table('corridor')
    with op.batch_alter_table('referencerate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referencerate_as_of'))

    op.drop_table('referencerate')
    op.drop_table('country')
    op.drop_table('provider')
    op.drop_table('currency')
    with op.batch_alter_table('collectionrun', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_collectionrun_source'))

    op.drop_table('collectionrun')
