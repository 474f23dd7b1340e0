"""Review page: caseworker accounts, web sessions, case assignments, handled quarantine items.

Revision ID: 0002
Revises: 0001
Create Date: 2026-03-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _stamp() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", _id(), primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(100), nullable=False),
        sa.Column("full_name", sa.String(200), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("kommuner", sa.JSON(), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", _stamp()),
        sa.Column("created_at", _stamp(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("username", name="uq_users_username"),
    )
    op.create_table(
        "web_sessions",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("user_id", _id(), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", _stamp(), nullable=False),
        sa.Column("expires_at", _stamp(), nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name="pk_web_sessions"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_web_sessions_user_id_users"),
    )
    op.create_index("ix_web_sessions_user_id", "web_sessions", ["user_id"])
    op.create_table(
        "assignments",
        sa.Column("case_id", _id(), nullable=False),
        sa.Column("username", sa.String(100), nullable=False),
        sa.Column("assigned_by", sa.String(100), nullable=False),
        sa.Column("assigned_at", _stamp(), nullable=False),
        sa.PrimaryKeyConstraint("case_id", name="pk_assignments"),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_assignments_case_id_cases"),
    )
    op.create_index("ix_assignments_username", "assignments", ["username"])
    op.create_index(
        "ix_cases_review_queue",
        "cases",
        ["state", "kommunenummer", "urgent", "deadline", "robot_id", "created_at", "reasons"],
    )
    op.create_table(
        "quarantine_handled",
        sa.Column("case_id", _id(), nullable=False),
        sa.Column("handled_by", sa.String(100), nullable=False),
        sa.Column("handled_at", _stamp(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("case_id", name="pk_quarantine_handled"),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name="fk_quarantine_handled_case_id_cases"
        ),
    )


def downgrade() -> None:
    op.drop_index("ix_cases_review_queue", table_name="cases")
    for table in ("quarantine_handled", "assignments", "web_sessions", "users"):
        op.drop_table(table)
