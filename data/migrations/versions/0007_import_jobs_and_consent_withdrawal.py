"""import jobs and consent withdrawal

`import_jobs` holds HTTP imports that run in the background (issue 12, item 6);
`seekers.consent_withdrawn_at` marks a seeker who withdrew consent (item 9).

Revision ID: 0007_import_jobs
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa


revision = '0007_import_jobs'
down_revision = '0006_workbench'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'import_jobs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('station_ids', sa.JSON(), nullable=False),
        sa.Column('filename', sa.String(length=200), nullable=True),
        sa.Column('allow_partial', sa.Boolean(), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=True),
        sa.Column('worker', sa.String(length=100), nullable=True),
        sa.Column('total_rows', sa.Integer(), nullable=True),
        sa.Column('report', sa.JSON(), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sqlite_autoincrement=True,
    )
    op.create_index('ix_import_jobs_status', 'import_jobs', ['status'])
    op.create_index('ix_import_jobs_user_id', 'import_jobs', ['user_id'])
    with op.batch_alter_table('seekers') as batch_op:
        batch_op.add_column(sa.Column('consent_withdrawn_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('seekers') as batch_op:
        batch_op.drop_column('consent_withdrawn_at')
    op.drop_index('ix_import_jobs_user_id', table_name='import_jobs')
    op.drop_index('ix_import_jobs_status', table_name='import_jobs')
    op.drop_table('import_jobs')
