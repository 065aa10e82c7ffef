"""permit tasks: which are granted only after the joint visit's on-site check, for the desks' lists of held tasks"""

import sqlalchemy as sa
from alembic import op

revision = '0014_task_on_site'
down_revision = '0013_account_disabled'


def upgrade() -> None:
    with op.batch_alter_table('permit_task') as batch:
        batch.add_column(sa.Column('on_site', sa.Boolean(), nullable=False, server_default=sa.false()))
    # As inspection.checklist reads a composition when the window accepts: a permit needing a visit, not taken on 告知承诺.
    connection = op.get_bind()
    application = sa.table('application', sa.column('id', sa.Uuid()), sa.column('composition', sa.JSON()))
    task = sa.table('permit_task', sa.column('application_id', sa.Uuid()), sa.column('permit', sa.String()),
                    sa.column('on_site', sa.Boolean()))
    accepted = sa.select(application.c.id, application.c.composition).where(
        application.c.id.in_(sa.select(task.c.application_id).distinct())
    )
    for row in connection.execute(accepted).all():
        permits = row.composition['permits']
        on_site = [p['id'] for p in permits if p.get('inspection', False) and not p['commitment']['chosen']]
        if on_site:
            connection.execute(
                task.update().where(task.c.application_id == row.id, task.c.permit.in_(on_site)).values(on_site=True)
            )


def downgrade() -> None:
    with op.batch_alter_table('permit_task') as batch:
        batch.drop_column('on_site')
