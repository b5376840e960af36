"""cost columns stored with each quote, for fast exports

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 05:40:00

Adds fx_margin_pct, total_cost_pct and computed_received_amount to quote and fills them
for every stored quote (remit.quote_costs.recompute); on SQLite the quote's decimals are
rewritten as canonical text on the way.
"""

from alembic import op
import sqlalchemy as sa
import remit.types


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('quote', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fx_margin_pct', remit.types.ExactDecimal(precision=40, scale=4), nullable=True))
        batch_op.add_column(sa.Column('total_cost_pct', remit.types.ExactDecimal(precision=40, scale=4), nullable=True))
        batch_op.add_column(sa.Column('computed_received_amount', remit.types.ExactDecimal(precision=48, scale=6),
                                      nullable=True))
    from remit.quote_costs import recompute
    recompute(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table('quote', schema=None) as batch_op:
        batch_op.drop_column('computed_received_amount')
        batch_op.drop_column('total_cost_pct')
        batch_op.drop_column('fx_margin_pct')
