"""certificates after issue: a change application's permits added to and taken off the face"""

import sqlalchemy as sa
from alembic import op

from service.migrations.schema import JSON

revision = '0012_certlife'
down_revision = '0011_queue_names'


def upgrade() -> None:
    with op.batch_alter_table('lifecycle_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('added', JSON, nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('removed', JSON, nullable=False, server_default='[]'))


def downgrade() -> None:
    with op.batch_alter_table('lifecycle_request', schema=None) as batch_op:
        batch_op.drop_column('removed')
        batch_op.drop_column('added')
