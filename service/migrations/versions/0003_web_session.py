"""web_session: server-side sessions (the cookie holds only a random id)"""

from service.migrations.schema import Ref, create_table, drop_table, json, string, timestamp, uuid

revision = '0003'
down_revision = '0002'


def upgrade() -> None:
    create_table('web_session',
        string('id_hash', 64),
        uuid('user_id', nullable=True),
        json('data'),
        timestamp('created_at'),
        timestamp('idle_expires_at'),
        timestamp('expires_at'),
        key=('id_hash',),
        refs=(Ref('user_id', 'user', 'CASCADE'),),
        indexes=('user_id', 'idle_expires_at', 'expires_at'),
    )


def downgrade() -> None:
    drop_table('web_session', 'user_id', 'idle_expires_at', 'expires_at')
