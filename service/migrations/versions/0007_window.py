"""window: the walk-in applicant's identity on an application registered at the counter"""

import sqlalchemy as sa
from alembic import op

from service.migrations.schema import JSON

revision = '0007_window'
down_revision = '0006'


def upgrade() -> None:
    with op.batch_alter_table('application') as batch:
        batch.add_column(sa.Column('walk_in', JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('application') as batch:
        batch.drop_column('walk_in')
