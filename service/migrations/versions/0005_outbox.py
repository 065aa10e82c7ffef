"""outbox: work owed with the change it follows (notifications, reminders, e-mail), and users' notifications"""

from alembic import op

from service.migrations.schema import Ref, create_table, drop_table, integer, json, string, timestamp, uuid

revision = '0005'
down_revision = '0004'


def upgrade() -> None:
    create_table('outbox',
        integer('id'),
        string('key', 200),
        string('topic', 20),
        json('payload'),
        timestamp('created_at'),
        integer('attempts'),
        timestamp('next_attempt_at'),
        timestamp('claimed_until', nullable=True),
        timestamp('delivered_at', nullable=True),
        timestamp('failed_at', nullable=True),
        string('last_error'),
        unique=('key',),
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_pending', ['delivered_at', 'failed_at', 'next_attempt_at'], unique=False)
    create_table('notification',
        uuid('id'),
        string('key', 250),
        uuid('user_id'),
        string('title', 200),
        string('body'),
        timestamp('created_at'),
        refs=(Ref('user_id', 'user', 'CASCADE'),),
        unique=('key',),
        indexes=('user_id',),
    )


def downgrade() -> None:
    drop_table('notification', 'user_id')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_pending')
    drop_table('outbox')
