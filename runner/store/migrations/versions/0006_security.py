"""The security log (logins, admin actions), idle session timeout and trusted browsers.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _stamp() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "security_events",
        sa.Column("seq", _id(), nullable=False, autoincrement=False),
        sa.Column("at", _stamp(), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_security_events"),
    )
    op.create_table(
        "web_devices",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("user_id", _id(), nullable=False),
        sa.Column("created_at", _stamp(), nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name="pk_web_devices"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_web_devices_user_id_users"),
    )
    op.create_index("ix_web_devices_user_id", "web_devices", ["user_id"])
    with op.batch_alter_table("web_sessions") as batch:
        batch.add_column(sa.Column("last_seen", _stamp(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("web_sessions") as batch:
        batch.drop_column("last_seen")
    op.drop_index("ix_web_devices_user_id", table_name="web_devices")
    op.drop_table("web_devices")
    op.drop_table("security_events")
