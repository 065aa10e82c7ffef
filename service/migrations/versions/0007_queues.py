"""queues: open-task indexes for the task queues and dashboards, due_soon_on, the decisions' tally, name search"""

import math
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

import sqlalchemy as sa
from alembic import op

from composer.workdays import add_working_days, working_days_within
from service.migrations.schema import create_table, drop_table, integer, string

revision = '0007_queues'
down_revision = '0007_window'

OPEN = sa.text("status IN ('waiting_dependency', 'pending', 'rectification_needed')")
BEIJING = timedelta(hours=8)


def _beijing(at: datetime) -> date:
    return ((at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC) + BEIJING).date()


def upgrade() -> None:
    with op.batch_alter_table('permit_task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_soon_on', sa.Date(), nullable=True))
    bind = op.get_bind()
    task = sa.table(
        'permit_task',
        *(sa.column(c) for c in ('id', 'department', 'permit', 'permit_name', 'status', 'clock_started_on')),
        *(sa.column(c) for c in ('limit_days', 'paused_days', 'decided_at', 'due_soon_on')),
    )
    tally: dict[tuple[str, str], list[int | str]] = {}
    for row in bind.execute(sa.select(task)).mappings():
        started = row['clock_started_on']
        started = started if isinstance(started, date) else date.fromisoformat(started)
        soon = add_working_days(started, math.ceil(Fraction(4, 5) * row['limit_days']) + row['paused_days'])
        bind.execute(sa.update(task).where(task.c.id == row['id']).values(due_soon_on=soon))
        if row['decided_at'] is not None and row['status'] not in ('cancelled',):
            decided = row['decided_at']
            decided = decided if isinstance(decided, datetime) else datetime.fromisoformat(decided)
            days = max(working_days_within(started, (_beijing(decided) - started).days) - row['paused_days'], 0)
            line = tally.setdefault((row['department'], row['permit']), [row['permit_name'], 0, 0, 0])
            line[1], line[2], line[3] = int(line[1]) + 1, int(line[2]) + days, int(line[3]) + row['limit_days']
    with op.batch_alter_table('permit_task', schema=None) as batch_op:
        batch_op.alter_column('due_soon_on', existing_type=sa.Date(), nullable=False)
        batch_op.create_index('ix_permit_task_open_queue', ['department', 'due_on', 'id'], unique=False,
                              postgresql_where=OPEN, sqlite_where=OPEN)
        batch_op.create_index('ix_permit_task_open_district', ['due_on', 'id'], unique=False,
                              postgresql_where=OPEN, sqlite_where=OPEN)
        batch_op.create_index('ix_permit_task_open_figures',
                              ['department', 'permit', 'permit_name', 'due_on', 'due_soon_on', 'paused_since'],
                              unique=False, postgresql_where=OPEN, sqlite_where=OPEN)

    decisions = create_table('decision_tally',
        string('department', 64),
        string('permit', 64),
        string('permit_name', 200),
        integer('decided'),
        integer('days'),
        integer('limit_days'),
        key=('department', 'permit'),
    )
    if tally:
        op.bulk_insert(decisions, [
            {'department': d, 'permit': p, 'permit_name': n, 'decided': k, 'days': s, 'limit_days': lim}
            for (d, p), (n, k, s, lim) in tally.items()
        ])

    if bind.dialect.name == 'postgresql':
        # Trigrams find part of a name anywhere in it (CJK included under a UTF-8 ctype).
        # The extension is per database: named by the schema it already lives in, a test schema can share it.
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
        home = bind.execute(sa.text(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'"
        )).scalar_one()
        op.create_index('ix_application_applicant_name_trgm', 'application', ['applicant_name'], unique=False,
                        postgresql_using='gin', postgresql_ops={'applicant_name': f'"{home}".gin_trgm_ops'})


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_index('ix_application_applicant_name_trgm', table_name='application')
    drop_table('decision_tally')
    with op.batch_alter_table('permit_task', schema=None) as batch_op:
        batch_op.drop_index('ix_permit_task_open_figures', postgresql_where=OPEN, sqlite_where=OPEN)
        batch_op.drop_index('ix_permit_task_open_district', postgresql_where=OPEN, sqlite_where=OPEN)
        batch_op.drop_index('ix_permit_task_open_queue', postgresql_where=OPEN, sqlite_where=OPEN)
        batch_op.drop_column('due_soon_on')
