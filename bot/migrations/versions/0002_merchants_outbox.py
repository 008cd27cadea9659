"""Merchants' settings and staff, and the outbox of messages the bot owes.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.base


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('outbox_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dedupe_key', sa.String(length=200), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('edit_message_id', sa.BigInteger(), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=8), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('available_at', db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('claimed_until', db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('claim_token', sa.String(length=36), nullable=True),
    sa.Column('sent_message_id', sa.BigInteger(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', db.base.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('send', 'edit')", name=op.f('ck_outbox_messages_kind_known')),
    sa.CheckConstraint("state IN ('pending', 'sending', 'sent', 'failed')", name=op.f('ck_outbox_messages_state_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_messages')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_outbox_messages_dedupe_key'))
    )
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_messages_chat_id_id', ['chat_id', 'id'], unique=False)
        batch_op.create_index('ix_outbox_messages_state_available_at', ['state', 'available_at'], unique=False)

    op.create_table('merchant_settings',
    sa.Column('merchant_id', sa.Integer(), nullable=False),
    sa.Column('notify_chat_id', sa.BigInteger(), nullable=True),
    sa.Column('language', sa.String(length=16), nullable=True),
    sa.Column('fx_margin_percent', sa.String(length=20), nullable=False),
    sa.Column('price_ending', sa.String(length=8), nullable=True),
    sa.Column('charge_currency', sa.String(length=8), nullable=False),
    sa.Column('payment_provider', sa.String(length=16), nullable=True),
    sa.Column('payment_config', sa.JSON(), nullable=False),
    sa.Column('updated_at', db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'], name=op.f('fk_merchant_settings_merchant_id_merchants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('merchant_id', name=op.f('pk_merchant_settings')),
    sa.UniqueConstraint('notify_chat_id', name=op.f('uq_merchant_settings_notify_chat_id'))
    )
    op.create_table('merchant_staff',
    sa.Column('merchant_id', sa.Integer(), nullable=False),
    sa.Column('telegram_user_id', sa.BigInteger(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('added_at', db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchants.id'], name=op.f('fk_merchant_staff_merchant_id_merchants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('merchant_id', 'telegram_user_id', name=op.f('pk_merchant_staff'))
    )


def downgrade() -> None:
    op.drop_table('merchant_staff')
    op.drop_table('merchant_settings')
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_messages_state_available_at')
        batch_op.drop_index('ix_outbox_messages_chat_id_id')

    op.drop_table('outbox_messages')
