"""workflow: user role and department; applications, material files, correction notices, permit tasks, joint inspections, audit chain, integrator keys"""

import sqlalchemy as sa
from alembic import op

from service.migrations.schema import JSON, create_indexes, drop_indexes, text, timestamp

revision = '0004'
down_revision = '0003'


def upgrade() -> None:
    op.create_table('application_counter',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_application_counter'))
    )
    op.create_table('audit_event',
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    timestamp('at'),
    sa.Column('actor_id', sa.Uuid(), nullable=True),
    sa.Column('actor_role', text(20), nullable=False),
    sa.Column('subject_kind', text(20), nullable=False),
    sa.Column('subject_id', sa.Uuid(), nullable=False),
    sa.Column('action', text(40), nullable=False),
    sa.Column('from_state', text(30), nullable=True),
    sa.Column('to_state', text(30), nullable=True),
    sa.Column('reason', text(), nullable=False),
    sa.Column('data', JSON, nullable=False),
    sa.Column('prev_hash', text(64), nullable=False),
    sa.Column('hash', text(64), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_audit_event'))
    )
    create_indexes('audit_event', 'subject_id')
    op.create_table('audit_head',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('hash', text(64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_head'))
    )
    # The chain's head starts at the genesis hash; every append locks and moves it.
    op.bulk_insert(sa.table('audit_head', sa.column('id'), sa.column('seq'), sa.column('hash')), [{'id': 1, 'seq': 0, 'hash': '0' * 64}])
    op.create_table('idempotency_key',
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('key', text(100), nullable=False),
    sa.Column('request_sha256', text(64), nullable=False),
    sa.Column('result', JSON, nullable=False),
    timestamp('created_at'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_idempotency_key_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'key', name=op.f('pk_idempotency_key'))
    )
    op.create_table('integrator_key',
    sa.Column('key_sha256', text(64), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    timestamp('created_at'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_integrator_key_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('key_sha256', name=op.f('pk_integrator_key'))
    )
    create_indexes('integrator_key', 'user_id')
    op.create_table('application',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('number', text(20), nullable=False),
    sa.Column('owner_id', sa.Uuid(), nullable=False),
    sa.Column('draft_id', sa.Uuid(), nullable=True),
    sa.Column('channel', text(10), nullable=False),
    sa.Column('registered_by', sa.Uuid(), nullable=True),
    sa.Column('pack_id', text(64), nullable=False),
    sa.Column('pack_version', text(64), nullable=False),
    sa.Column('composition_id', sa.Uuid(), nullable=False),
    sa.Column('composition', JSON, nullable=False),
    sa.Column('form_values', JSON, nullable=False),
    sa.Column('commitments', JSON, nullable=False),
    sa.Column('departments', JSON, nullable=False),
    sa.Column('applicant_name', text(200), nullable=False),
    sa.Column('uscc', text(18), nullable=False),
    sa.Column('status', text(30), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('refusal', JSON, nullable=True),
    timestamp('submitted_at'),
    timestamp('accepted_at', nullable=True),
    timestamp('decided_at', nullable=True),
    sa.ForeignKeyConstraint(['composition_id'], ['stored_composition.id'], name=op.f('fk_application_composition_id_stored_composition')),
    sa.ForeignKeyConstraint(['draft_id'], ['draft.id'], name=op.f('fk_application_draft_id_draft'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['user.id'], name=op.f('fk_application_owner_id_user')),
    sa.ForeignKeyConstraint(['registered_by'], ['user.id'], name=op.f('fk_application_registered_by_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application')),
    sa.UniqueConstraint('draft_id', name=op.f('uq_application_draft_id')),
    sa.UniqueConstraint('number', name=op.f('uq_application_number'))
    )
    create_indexes('application', 'applicant_name', 'owner_id', 'status', 'uscc')
    op.create_table('correction_notice',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('application_id', sa.Uuid(), nullable=False),
    sa.Column('items', JSON, nullable=False),
    sa.Column('issued_by', sa.Uuid(), nullable=False),
    timestamp('issued_at'),
    timestamp('resolved_at', nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_correction_notice_application_id_application'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['issued_by'], ['user.id'], name=op.f('fk_correction_notice_issued_by_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_correction_notice'))
    )
    create_indexes('correction_notice', 'application_id')
    op.create_table('inspection',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('application_id', sa.Uuid(), nullable=False),
    sa.Column('owner_id', sa.Uuid(), nullable=False),
    sa.Column('permits', JSON, nullable=False),
    sa.Column('departments', JSON, nullable=False),
    sa.Column('visit_on', sa.Date(), nullable=False),
    sa.Column('status', text(30), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('scheduled_by', sa.Uuid(), nullable=False),
    sa.Column('recorded', JSON, nullable=False),
    sa.Column('rectification', JSON, nullable=False),
    timestamp('reported_at', nullable=True),
    timestamp('created_at'),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_inspection_application_id_application'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['user.id'], name=op.f('fk_inspection_owner_id_user')),
    sa.ForeignKeyConstraint(['scheduled_by'], ['user.id'], name=op.f('fk_inspection_scheduled_by_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection')),
    sa.UniqueConstraint('application_id', name=op.f('uq_inspection_application_id'))
    )
    op.create_table('inspection_finding',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('inspection_id', sa.Uuid(), nullable=False),
    sa.Column('permit', text(64), nullable=False),
    sa.Column('element', text(64), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.Column('note', text(), nullable=False),
    sa.Column('inspector_id', sa.Uuid(), nullable=False),
    timestamp('recorded_at'),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspection.id'], name=op.f('fk_inspection_finding_inspection_id_inspection'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['inspector_id'], ['user.id'], name=op.f('fk_inspection_finding_inspector_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_finding')),
    sa.UniqueConstraint('inspection_id', 'permit', 'element', 'round', name='uq_inspection_finding_inspection_id')
    )
    create_indexes('inspection_finding', 'inspection_id')
    op.create_table('material_file',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('application_id', sa.Uuid(), nullable=False),
    sa.Column('material', text(64), nullable=False),
    sa.Column('sha256', text(64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('media_type', text(50), nullable=False),
    sa.Column('filename', text(255), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    timestamp('uploaded_at'),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_material_file_application_id_application'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_material_file'))
    )
    create_indexes('material_file', 'application_id')
    op.create_table('permit_task',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('application_id', sa.Uuid(), nullable=False),
    sa.Column('owner_id', sa.Uuid(), nullable=False),
    sa.Column('permit', text(64), nullable=False),
    sa.Column('permit_name', text(200), nullable=False),
    sa.Column('department', text(64), nullable=False),
    sa.Column('depends_on', JSON, nullable=False),
    sa.Column('on_commitment', sa.Boolean(), nullable=False),
    sa.Column('follow_up_days', sa.Integer(), nullable=True),
    sa.Column('status', text(30), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('limit_days', sa.Integer(), nullable=False),
    sa.Column('clock_started_on', sa.Date(), nullable=False),
    sa.Column('paused_days', sa.Integer(), nullable=False),
    sa.Column('paused_since', sa.Date(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('decided_by', sa.Uuid(), nullable=True),
    timestamp('decided_at', nullable=True),
    sa.Column('reasons', JSON, nullable=False),
    sa.Column('legal_basis', JSON, nullable=False),
    sa.Column('verification_due', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_permit_task_application_id_application'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by'], ['user.id'], name=op.f('fk_permit_task_decided_by_user')),
    sa.ForeignKeyConstraint(['owner_id'], ['user.id'], name=op.f('fk_permit_task_owner_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_permit_task')),
    sa.UniqueConstraint('application_id', 'permit', name='uq_permit_task_application_id_permit')
    )
    create_indexes('permit_task', 'application_id', 'department', 'due_on', 'status')

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('role', sa.String(length=20), server_default='applicant', nullable=False))
        batch_op.add_column(sa.Column('department', text(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('department')
        batch_op.drop_column('role')
    drop_indexes('permit_task', 'status', 'due_on', 'department', 'application_id')
    op.drop_table('permit_task')
    drop_indexes('inspection_finding', 'inspection_id')
    op.drop_table('inspection_finding')
    op.drop_table('inspection')
    drop_indexes('material_file', 'application_id')
    op.drop_table('material_file')
    drop_indexes('correction_notice', 'application_id')
    op.drop_table('correction_notice')
    drop_indexes('application', 'uscc', 'status', 'owner_id', 'applicant_name')
    op.drop_table('application')
    drop_indexes('integrator_key', 'user_id')
    op.drop_table('integrator_key')
    op.drop_table('idempotency_key')
    op.drop_table('audit_head')
    drop_indexes('audit_event', 'subject_id')
    op.drop_table('audit_event')
    op.drop_table('application_counter')
