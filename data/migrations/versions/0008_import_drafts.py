"""workbench import drafts in the database

`import_drafts` holds a workbench import from its preview to its end (owner, station, expiry, progress),
so that a restart or a second server worker still finds it. Additive: no existing table changes.

Revision ID: 0008_import_drafts
Revises: 0007_import_jobs
"""
from alembic import op
import sqlalchemy as sa


revision = '0008_import_drafts'
down_revision = '0007_import_jobs'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'import_drafts',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('station_id', sa.Integer(), nullable=True),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=True),
        sa.Column('total_rows', sa.Integer(), nullable=False),
        sa.Column('good_rows', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('done', sa.Integer(), nullable=False),
        sa.Column('ids', sa.JSON(), nullable=False),
        sa.Column('message', sa.Text(), nullable=False),
        sa.Column('worker', sa.String(length=100), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['station_id'], ['stations.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_import_drafts_user_id', 'import_drafts', ['user_id'])
    op.create_index('ix_import_drafts_state', 'import_drafts', ['state'])
    op.create_index('ix_import_drafts_expires_at', 'import_drafts', ['expires_at'])


def downgrade() -> None:
    op.drop_index('ix_import_drafts_expires_at', table_name='import_drafts')
    op.drop_index('ix_import_drafts_state', table_name='import_drafts')
    op.drop_index('ix_import_drafts_user_id', table_name='import_drafts')
    op.drop_table('import_drafts')
