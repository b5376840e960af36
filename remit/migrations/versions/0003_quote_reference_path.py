"""reference rate path and staleness on quotes

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 01:00:29.001812
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import remit.types


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('quote', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reference_rate_path', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True))
        batch_op.add_column(sa.Column('reference_rate_stale', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))



def downgrade() -> None:
    with op.batch_alter_table('quote', schema=None) as batch_op:
        batch_op.drop_column('reference_rate_stale')
        batch_op.drop_column('reference_rate_path')

