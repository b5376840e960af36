"""World Bank corridor averages

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 02:50:00.000000
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import remit.types


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('corridoraverage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_country', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('destination_country', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('period', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('amount_tier', sa.Integer(), nullable=False),
    sa.Column('total_cost_pct', remit.types.ExactDecimal(precision=28, scale=12), nullable=False),
    sa.Column('raw_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['run_id'], ['collectionrun.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source_country', 'destination_country', 'period', 'amount_tier', name='uq_corridor_average')
    )


def downgrade() -> None:
    op.drop_table('corridoraverage')
