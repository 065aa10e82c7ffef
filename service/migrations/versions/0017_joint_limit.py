"""applications: the joint handling's time limit and its one extension (行政许可法 Art. 42(2)); accepted ones get theirs"""

import sqlalchemy as sa
from alembic import op

from composer.workdays import add_working_days

revision = '0017_joint_limit'
down_revision = '0016_task_extension'

JOINT_DAYS = 45  # service/workflow/joint.py at this revision: a migration keeps the figure it was written with


def upgrade() -> None:
    with op.batch_alter_table('application') as batch:
        batch.add_column(sa.Column('joint_due_on', sa.Date(), nullable=True))
        batch.add_column(sa.Column('joint_extended_days', sa.Integer(), nullable=False, server_default='0'))
        batch.create_index('ix_application_joint_due_on', ['joint_due_on'])
    application = sa.table('application', sa.column('id', sa.Uuid()), sa.column('joint_due_on', sa.Date()))
    task = sa.table('permit_task', sa.column('application_id', sa.Uuid()), sa.column('clock_started_on', sa.Date()))
    connection = op.get_bind()
    started = sa.select(task.c.application_id, sa.func.min(task.c.clock_started_on)).group_by(task.c.application_id)
    for application_id, on in connection.execute(started).all():
        due = add_working_days(on, JOINT_DAYS)
        connection.execute(application.update().where(application.c.id == application_id).values(joint_due_on=due))


def downgrade() -> None:
    with op.batch_alter_table('application') as batch:
        batch.drop_index('ix_application_joint_due_on')
        batch.drop_column('joint_extended_days')
        batch.drop_column('joint_due_on')
