"""workflow: user role and department; applications, material files, correction notices, permit tasks, joint inspections, audit chain, integrator keys"""

import sqlalchemy as sa
from alembic import op

from service.migrations.schema import Ref, Unique, create_table, day, drop_table, integer, json, permit_of_application, string, text, timestamp, uuid

revision = '0004'
down_revision = '0003'


def upgrade() -> None:
    create_table('application_counter',
        day('day'),
        integer('last'),
        key=('day',),
    )
    create_table('audit_event',
        sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
        timestamp('at'),
        uuid('actor_id', nullable=True),
        string('actor_role', 20),
        string('subject_kind', 20),
        uuid('subject_id'),
        string('action', 40),
        string('from_state', 30, nullable=True),
        string('to_state', 30, nullable=True),
        string('reason'),
        json('data'),
        string('prev_hash', 64),
        string('hash', 64),
        key=('seq',),
        indexes=('subject_id',),
    )
    create_table('audit_head',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        integer('seq'),
        string('hash', 64),
    )
    # The chain's head starts at the genesis hash; every append locks and moves it.
    op.bulk_insert(sa.table('audit_head', sa.column('id'), sa.column('seq'), sa.column('hash')), [{'id': 1, 'seq': 0, 'hash': '0' * 64}])
    create_table('idempotency_key',
        uuid('user_id'),
        string('key', 100),
        string('request_sha256', 64),
        json('result'),
        timestamp('created_at'),
        key=('user_id', 'key'),
        refs=(Ref('user_id', 'user', 'CASCADE'),),
    )
    create_table('integrator_key',
        string('key_sha256', 64),
        uuid('user_id'),
        timestamp('created_at'),
        key=('key_sha256',),
        refs=(Ref('user_id', 'user', 'CASCADE'),),
        indexes=('user_id',),
    )
    create_table('application',
        uuid('id'),
        string('number', 20),
        uuid('owner_id'),
        uuid('draft_id', nullable=True),
        string('channel', 10),
        uuid('registered_by', nullable=True),
        string('pack_id', 64),
        string('pack_version', 64),
        uuid('composition_id'),
        json('composition'),
        json('form_values'),
        json('commitments'),
        json('departments'),
        string('applicant_name', 200),
        string('uscc', 18),
        string('status', 30),
        integer('version'),
        json('refusal', nullable=True),
        timestamp('submitted_at'),
        timestamp('accepted_at', nullable=True),
        timestamp('decided_at', nullable=True),
        refs=(Ref('composition_id', 'stored_composition'), Ref('draft_id', 'draft', 'SET NULL'), Ref('owner_id', 'user'), Ref('registered_by', 'user')),
        unique=('draft_id', 'number'),
        indexes=('applicant_name', 'owner_id', 'status', 'uscc'),
    )
    create_table('correction_notice',
        uuid('id'),
        uuid('application_id'),
        json('items'),
        uuid('issued_by'),
        timestamp('issued_at'),
        timestamp('resolved_at', nullable=True),
        refs=(Ref('application_id', 'application', 'CASCADE'), Ref('issued_by', 'user')),
        indexes=('application_id',),
    )
    create_table('inspection',
        uuid('id'),
        uuid('application_id'),
        uuid('owner_id'),
        json('permits'),
        json('departments'),
        day('visit_on'),
        string('status', 30),
        integer('version'),
        uuid('scheduled_by'),
        json('recorded'),
        json('rectification'),
        timestamp('reported_at', nullable=True),
        timestamp('created_at'),
        refs=(Ref('application_id', 'application', 'CASCADE'), Ref('owner_id', 'user'), Ref('scheduled_by', 'user')),
        unique=('application_id',),
    )
    create_table('inspection_finding',
        uuid('id'),
        uuid('inspection_id'),
        string('permit', 64),
        string('element', 64),
        integer('round'),
        sa.Column('passed', sa.Boolean(), nullable=False),
        string('note'),
        uuid('inspector_id'),
        timestamp('recorded_at'),
        refs=(Ref('inspection_id', 'inspection', 'CASCADE'), Ref('inspector_id', 'user')),
        unique=(Unique('uq_inspection_finding_inspection_id', ('inspection_id', 'permit', 'element', 'round')),),
        indexes=('inspection_id',),
    )
    create_table('material_file',
        uuid('id'),
        uuid('application_id'),
        string('material', 64),
        string('sha256', 64),
        integer('size'),
        string('media_type', 50),
        string('filename', 255),
        integer('round'),
        timestamp('uploaded_at'),
        refs=(Ref('application_id', 'application', 'CASCADE'),),
        indexes=('application_id',),
    )
    create_table('permit_task',
        *permit_of_application(),
        json('depends_on'),
        sa.Column('on_commitment', sa.Boolean(), nullable=False),
        integer('follow_up_days', nullable=True),
        string('status', 30),
        integer('version'),
        integer('limit_days'),
        day('clock_started_on'),
        integer('paused_days'),
        day('paused_since', nullable=True),
        day('due_on'),
        uuid('decided_by', nullable=True),
        timestamp('decided_at', nullable=True),
        json('reasons'),
        json('legal_basis'),
        day('verification_due', nullable=True),
        refs=(Ref('application_id', 'application', 'CASCADE'), Ref('decided_by', 'user'), Ref('owner_id', 'user')),
        unique=(Unique('uq_permit_task_application_id_permit', ('application_id', 'permit')),),
        indexes=('application_id', 'department', 'due_on', 'status'),
    )

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('role', sa.String(length=20), server_default='applicant', nullable=False))
        batch_op.add_column(sa.Column('department', text(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('department')
        batch_op.drop_column('role')
    drop_table('permit_task', 'application_id', 'department', 'due_on', 'status')
    drop_table('inspection_finding', 'inspection_id')
    drop_table('inspection')
    drop_table('material_file', 'application_id')
    drop_table('correction_notice', 'application_id')
    drop_table('application', 'applicant_name', 'owner_id', 'status', 'uscc')
    drop_table('integrator_key', 'user_id')
    drop_table('idempotency_key')
    drop_table('audit_head')
    drop_table('audit_event', 'subject_id')
    drop_table('application_counter')
