"""initial schema: user, stored_composition, draft"""

import sqlalchemy as sa

from service.migrations.schema import Ref, create_indexes, create_table, day, drop_table, json, string, timestamp, uuid

revision = '0001'
down_revision = None


def upgrade() -> None:
    create_table('stored_composition',
        string('pack_id', 64),
        string('pack_version', 64),
        day('as_of'),
        json('input'),
        string('output_sha256', 64),
        uuid('id'),
        timestamp('created_at'),
        indexes=('pack_id',),
    )
    create_table('user',
        string('email', 254, nullable=True),
        string('phone', 11, nullable=True),
        string('display_name', 100),
        uuid('id'),
        string('password_hash', 255),
        timestamp('created_at'),
    )
    create_indexes('user', 'email', 'phone', unique=True)
    create_table('draft',
        string('pack_id', 64),
        json('industries'),
        json('scope'),
        json('answers'),
        json('commit'),
        json('form_values'),
        uuid('id'),
        uuid('owner_id'),
        uuid('composition_id', nullable=True),
        sa.Column('status', sa.String(length=20), nullable=False),
        timestamp('created_at'),
        timestamp('updated_at'),
        refs=(Ref('composition_id', 'stored_composition'), Ref('owner_id', 'user', 'CASCADE')),
        indexes=('owner_id',),
    )


def downgrade() -> None:
    drop_table('draft', 'owner_id')
    drop_table('user', 'email', 'phone')
    drop_table('stored_composition', 'pack_id')
