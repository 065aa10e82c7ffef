"""periods a time limit does not count (行政许可法 Art. 45): the procedure a task's clock stops for, and the joint clock's pause"""

import sqlalchemy as sa
from alembic import op

from service.migrations.schema import json

revision = '0018_not_counted'
down_revision = '0017_joint_limit'


def upgrade() -> None:
    with op.batch_alter_table('permit_task') as batch:
        batch.add_column(json('not_counted', nullable=True))
    with op.batch_alter_table('application') as batch:
        batch.add_column(sa.Column('joint_paused_since', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('application') as batch:
        batch.drop_column('joint_paused_since')
    with op.batch_alter_table('permit_task') as batch:
        batch.drop_column('not_counted')
