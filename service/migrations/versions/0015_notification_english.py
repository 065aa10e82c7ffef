"""notifications: each in English too, beside the Chinese (the page shows the reader's language, the e-mail both)"""

import sqlalchemy as sa
from alembic import op

from service.migrations.schema import text

revision = '0015_notification_english'
down_revision = '0014_task_on_site'


def upgrade() -> None:
    # Earlier notifications have no English: the page shows them in Chinese.
    with op.batch_alter_table('notification') as batch:
        batch.add_column(sa.Column('title_en', text(200), nullable=False, server_default=''))
        batch.add_column(sa.Column('body_en', text(), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('notification') as batch:
        batch.drop_column('body_en')
        batch.drop_column('title_en')
