"""deadlines: scheduled actions, accountability ledger, rating / second handling columns

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 05:20:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reopened_at", storage.types.AwareDateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column("double_check", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column("extensions", sa.Integer(), nullable=False,
                                      server_default="0"))
        batch_op.add_column(sa.Column("rating", sqlmodel.sql.sqltypes.AutoString(length=16),
                                      nullable=False, server_default=""))
        batch_op.add_column(sa.Column("planned_version", sa.Integer(), nullable=False,
                                      server_default="0"))
    # tickets changed since their deadline actions were planned (all of them, right after this
    # migration: the first sweep plans the existing tickets)
    unplanned = sa.text("version <> planned_version")
    op.create_index("ix_ticket_unplanned", "ticket", ["id"], sqlite_where=unplanned,
                    postgresql_where=unplanned)

    op.create_table(
        "scheduled_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("due_at", storage.types.AwareDateTime(timezone=True), nullable=False),
        sa.Column("deadline", storage.types.AwareDateTime(timezone=True), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_at", storage.types.AwareDateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ticket_id", "kind", "deadline",
                            name="uq_scheduled_action_ticket_kind_deadline"),
    )
    with op.batch_alter_table("scheduled_action", schema=None) as batch_op:
        batch_op.create_index("ix_scheduled_action_status_due_at", ["status", "due_at"])
        batch_op.create_index(batch_op.f("ix_scheduled_action_ticket_id"), ["ticket_id"])

    op.create_table(
        "accountability",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("department", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("deadline", storage.types.AwareDateTime(timezone=True), nullable=False),
        sa.Column("at", storage.types.AwareDateTime(timezone=True), nullable=False),
        sa.Column("accountable", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ticket_id", "kind", "deadline",
                            name="uq_accountability_ticket_kind_deadline"),
    )
    with op.batch_alter_table("accountability", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_accountability_ticket_id"), ["ticket_id"])
        batch_op.create_index(batch_op.f("ix_accountability_department"), ["department"])
        batch_op.create_index(batch_op.f("ix_accountability_accountable"), ["accountable"])

    # the outbox sender looks for earlier rows of the same chat (strict per-chat order)
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_chat_id_status", ["chat_id", "status"])
        batch_op.create_index("ix_outbox_status_claimed_at", ["status", "claimed_at"])


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_status_claimed_at")
        batch_op.drop_index("ix_outbox_chat_id_status")
    with op.batch_alter_table("accountability", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accountability_accountable"))
        batch_op.drop_index(batch_op.f("ix_accountability_department"))
        batch_op.drop_index(batch_op.f("ix_accountability_ticket_id"))
    op.drop_table("accountability")
    with op.batch_alter_table("scheduled_action", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scheduled_action_ticket_id"))
        batch_op.drop_index("ix_scheduled_action_status_due_at")
    op.drop_table("scheduled_action")
    op.drop_index("ix_ticket_unplanned", table_name="ticket")
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_column("planned_version")
        batch_op.drop_column("rating")
        batch_op.drop_column("extensions")
        batch_op.drop_column("double_check")
        batch_op.drop_column("reopened_at")
