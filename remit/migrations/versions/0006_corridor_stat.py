"""corridor statistics

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 03:10:00.000000
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import remit.types


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def _percent(name: str) -> sa.Column:
    return sa.Column(name, remit.types.ExactDecimal(precision=28, scale=12), nullable=True)


def upgrade() -> None:
    op.create_table('corridorstat',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('corridor_id', sa.Integer(), nullable=False),
    sa.Column('period', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
    sa.Column('period_kind', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('amount_tier', sa.Integer(), nullable=False),
    sa.Column('services', sa.Integer(), nullable=False),
    sa.Column('unknown_cost', sa.Integer(), nullable=False),
    sa.Column('quotes', sa.Integer(), nullable=False),
    _percent('average'), _percent('median'), _percent('minimum'), _percent('smart'),
    sa.Column('smart_services', sa.Integer(), nullable=False),
    _percent('share_under_3_pct'), _percent('share_under_5_pct'),
    sa.Column('computed_at', remit.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['corridor_id'], ['corridor.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('corridor_id', 'period', 'amount_tier', name='uq_corridor_stat')
    )
    op.create_index(op.f('ix_corridorstat_corridor_id'), 'corridorstat', ['corridor_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_corridorstat_corridor_id'), table_name='corridorstat')
    op.drop_table('corridorstat')
