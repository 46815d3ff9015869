"""trainings, events, event participants, registrations and training declines (issue 14)

Chained after 0004_ids; ids are never reused (SQLite AUTOINCREMENT), like postings and seekers.

Revision ID: 0005
Revises: 0004_ids
Create Date: 2026-11-30 04:16:48.908605
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004_ids'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=True),
    sa.Column('external_id', sa.String(length=100), nullable=True),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('link', sa.String(length=300), nullable=True),
    sa.Column('organiser', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('seats', sa.Integer(), nullable=True),
    sa.Column('seats_taken', sa.Integer(), nullable=False),
    sa.Column('registration_deadline', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('street_code', sa.String(length=12), nullable=True),
    sa.Column('address', sa.String(length=200), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('location_precision', sa.String(length=16), nullable=True),
    sa.ForeignKeyConstraint(['station_id'], ['stations.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('station_id', 'external_id', name='uq_events_station_external'),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_events_starts_at'), ['starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_station_id'), ['station_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_street_code'), ['street_code'], unique=False)

    op.create_table('trainings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=True),
    sa.Column('external_id', sa.String(length=100), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('provider', sa.String(length=200), nullable=False),
    sa.Column('occupation_codes', sa.JSON(), nullable=False),
    sa.Column('certificate', sa.String(length=100), nullable=True),
    sa.Column('certificate_canonical', sa.String(length=100), nullable=True),
    sa.Column('certificate_level', sa.String(length=20), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('schedule_days', sa.String(length=8), nullable=True),
    sa.Column('schedule_time', sa.String(length=8), nullable=True),
    sa.Column('schedule_text', sa.String(length=200), nullable=False),
    sa.Column('duration_hours', sa.Float(), nullable=True),
    sa.Column('fee', sa.Float(), nullable=True),
    sa.Column('subsidised', sa.Boolean(), nullable=False),
    sa.Column('eligibility_text', sa.Text(), nullable=False),
    sa.Column('seats', sa.Integer(), nullable=True),
    sa.Column('seats_taken', sa.Integer(), nullable=False),
    sa.Column('registration_deadline', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('street_code', sa.String(length=12), nullable=True),
    sa.Column('address', sa.String(length=200), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('location_precision', sa.String(length=16), nullable=True),
    sa.ForeignKeyConstraint(['station_id'], ['stations.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('station_id', 'external_id', name='uq_trainings_station_external'),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('trainings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trainings_certificate_canonical'), ['certificate_canonical'], unique=False)
        batch_op.create_index(batch_op.f('ix_trainings_station_id'), ['station_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_trainings_street_code'), ['street_code'], unique=False)

    op.create_table('event_participants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('employer', sa.String(length=200), nullable=False),
    sa.Column('posting_title', sa.String(length=200), nullable=True),
    sa.Column('posting_ref', sa.String(length=100), nullable=True),
    sa.Column('posting_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['posting_id'], ['postings.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('event_participants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_participants_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_participants_posting_id'), ['posting_id'], unique=False)

    op.create_table('activity_registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('training_id', sa.Integer(), nullable=True),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('seeker_id', sa.Integer(), nullable=False),
    sa.Column('registered_by', sa.Integer(), nullable=True),
    sa.Column('by_counsellor', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('active_key', sa.String(length=40), nullable=True),
    sa.Column('service_record_id', sa.Integer(), nullable=True),
    sa.Column('ledger_seq', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registered_by'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['seeker_id'], ['seekers.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['training_id'], ['trainings.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('active_key'),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('activity_registrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_registrations_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_registrations_seeker_id'), ['seeker_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_registrations_training_id'), ['training_id'], unique=False)

    op.create_table('training_declines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seeker_id', sa.Integer(), nullable=False),
    sa.Column('certificate', sa.String(length=100), nullable=False),
    sa.Column('training_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('declined_by', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['declined_by'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['seeker_id'], ['seekers.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['training_id'], ['trainings.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('training_declines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_declines_seeker_id'), ['seeker_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('training_declines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_declines_seeker_id'))

    op.drop_table('training_declines')
    with op.batch_alter_table('activity_registrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_registrations_training_id'))
        batch_op.drop_index(batch_op.f('ix_activity_registrations_seeker_id'))
        batch_op.drop_index(batch_op.f('ix_activity_registrations_event_id'))

    op.drop_table('activity_registrations')
    with op.batch_alter_table('event_participants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_participants_posting_id'))
        batch_op.drop_index(batch_op.f('ix_event_participants_event_id'))

    op.drop_table('event_participants')
    with op.batch_alter_table('trainings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trainings_street_code'))
        batch_op.drop_index(batch_op.f('ix_trainings_station_id'))
        batch_op.drop_index(batch_op.f('ix_trainings_certificate_canonical'))

    op.drop_table('trainings')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_events_street_code'))
        batch_op.drop_index(batch_op.f('ix_events_station_id'))
        batch_op.drop_index(batch_op.f('ix_events_starts_at'))

    op.drop_table('events')

