"""A kommune's follow-up (archive answers, SvarUt statuses): who holds it, when it last ended.

Revision ID: 0008_follow_ups
Revises: 0007_decisions
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_follow_ups"
down_revision: str | Sequence[str] | None = "0007_decisions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _stamp() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "follow_ups",
        sa.Column("kommunenummer", sa.String(4), nullable=False),
        sa.Column("holder", sa.String(200)),
        sa.Column("held_until", _stamp()),
        sa.Column("done_at", _stamp()),
        sa.PrimaryKeyConstraint("kommunenummer", name="pk_follow_ups"),
    )


def downgrade() -> None:
    op.drop_table("follow_ups")
