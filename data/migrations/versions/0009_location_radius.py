"""the resolver's radius on every located row; 陪同招聘会 once per seeker and fair

- `location_radius_km` (nullable float) on stations, employers, postings, seekers, trainings and events:
  the place resolver's radius of uncertainty for the stored point. Existing rows keep NULL, which reads
  as their precision's default radius (`matcher.geo.places.stored_radius_km`), as before this revision.
- `event_escorts`: one row per (event, seeker) for which a counsellor recorded 陪同招聘会; the unique pair
  replaces the old same-day window, under which two fairs on one day collided.
Additive: no existing column or row changes.

Revision ID: 0009_location_radius
Revises: 0008_import_drafts
"""
from alembic import op
import sqlalchemy as sa


revision = '0009_location_radius'
down_revision = '0008_import_drafts'
branch_labels = None
depends_on = None

LOCATED = ('stations', 'employers', 'postings', 'seekers', 'trainings', 'events')


def upgrade() -> None:
    for table in LOCATED:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('location_radius_km', sa.Float(), nullable=True))
    op.create_table(
        'event_escorts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('seeker_id', sa.Integer(), nullable=False),
        sa.Column('service_record_id', sa.Integer(), nullable=True),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['seeker_id'], ['seekers.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('event_id', 'seeker_id', name='uq_event_escorts_event_seeker'),
        sqlite_autoincrement=True,
    )
    op.create_index('ix_event_escorts_event_id', 'event_escorts', ['event_id'])
    op.create_index('ix_event_escorts_seeker_id', 'event_escorts', ['seeker_id'])


def downgrade() -> None:
    op.drop_index('ix_event_escorts_seeker_id', table_name='event_escorts')
    op.drop_index('ix_event_escorts_event_id', table_name='event_escorts')
    op.drop_table('event_escorts')
    for table in reversed(LOCATED):
        with op.batch_alter_table(table) as batch:
            batch.drop_column('location_radius_km')
