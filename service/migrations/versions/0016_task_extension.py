"""permit tasks: the working days one approved extension of the time limit adds (行政许可法 Art. 42(1))"""

import sqlalchemy as sa
from alembic import op

revision = '0016_task_extension'
down_revision = '0015_notification_english'


def upgrade() -> None:
    with op.batch_alter_table('permit_task') as batch:
        batch.add_column(sa.Column('extended_days', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('permit_task') as batch:
        batch.drop_column('extended_days')
