"""scheduler lease

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 01:05:17.187902
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import remit.types


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('schedulerlease',
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('holder', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('expires_at', remit.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )


def downgrade() -> None:
    op.drop_table('schedulerlease')
