"""draft.version: optimistic locking, so a stale save is refused instead of erasing a newer one"""

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'


def upgrade() -> None:
    # Drafts saved before this revision start at version 1, as a new draft does.
    with op.batch_alter_table('draft', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('draft', schema=None) as batch_op:
        batch_op.drop_column('version')
