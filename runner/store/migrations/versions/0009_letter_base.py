"""A letter version with a caseworker's hand edits names the robot's draft they were made on,
so a new draft can carry the edits over (three-way merge, runner/letters/edits.py).

Revision ID: 0009_letter_base
Revises: 0008_follow_ups
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_letter_base"
down_revision: str | Sequence[str] | None = "0008_follow_ups"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # SQLite adds a column with its reference in place; altering the table through a copy
        # (Alembic's batch mode) would drop a table the outbox refers to.
        op.execute(
            "ALTER TABLE letters ADD COLUMN based_on INTEGER "
            "CONSTRAINT fk_letters_based_on_letters REFERENCES letters (id)"
        )
        return
    op.add_column("letters", sa.Column("based_on", _id(), nullable=True))
    op.create_foreign_key("fk_letters_based_on_letters", "letters", "letters", ["based_on"], ["id"])


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint("fk_letters_based_on_letters", "letters", type_="foreignkey")
    op.drop_column("letters", "based_on")
