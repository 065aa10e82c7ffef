"""initial schema: user, stored_composition, draft"""

import sqlalchemy as sa
from alembic import op

from service.migrations.schema import JSON, create_indexes, drop_indexes, text, timestamp

revision = '0001'
down_revision = None


def upgrade() -> None:
    op.create_table('stored_composition',
    sa.Column('pack_id', text(64), nullable=False),
    sa.Column('pack_version', text(64), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('input', JSON, nullable=False),
    sa.Column('output_sha256', text(64), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    timestamp('created_at'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stored_composition'))
    )
    create_indexes('stored_composition', 'pack_id')
    op.create_table('user',
    sa.Column('email', text(254), nullable=True),
    sa.Column('phone', text(11), nullable=True),
    sa.Column('display_name', text(100), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('password_hash', text(255), nullable=False),
    timestamp('created_at'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user'))
    )
    create_indexes('user', 'email', 'phone', unique=True)
    op.create_table('draft',
    sa.Column('pack_id', text(64), nullable=False),
    sa.Column('industries', JSON, nullable=False),
    sa.Column('scope', JSON, nullable=False),
    sa.Column('answers', JSON, nullable=False),
    sa.Column('commit', JSON, nullable=False),
    sa.Column('form_values', JSON, nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('owner_id', sa.Uuid(), nullable=False),
    sa.Column('composition_id', sa.Uuid(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    timestamp('created_at'),
    timestamp('updated_at'),
    sa.ForeignKeyConstraint(['composition_id'], ['stored_composition.id'], name=op.f('fk_draft_composition_id_stored_composition')),
    sa.ForeignKeyConstraint(['owner_id'], ['user.id'], name=op.f('fk_draft_owner_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_draft'))
    )
    create_indexes('draft', 'owner_id')


def downgrade() -> None:
    drop_indexes('draft', 'owner_id')
    op.drop_table('draft')
    drop_indexes('user', 'phone', 'email')
    op.drop_table('user')
    drop_indexes('stored_composition', 'pack_id')
    op.drop_table('stored_composition')
