"""The caseworker's answers to a case's open points, and internal notes on cases.

Revision ID: 0007_decisions
Revises: 0007_sso
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_decisions"
down_revision: str | Sequence[str] | None = "0007_sso"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _stamp() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "point_answers",
        sa.Column("id", _id(), nullable=False, autoincrement=True),
        sa.Column("case_id", _id(), nullable=False),
        sa.Column("decision_id", _id(), nullable=False),
        sa.Column("rule_id", sa.String(100), nullable=False),
        sa.Column("robot_outcome", sa.String(20), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("assessment", sa.Text(), nullable=False),
        sa.Column("answered_by", sa.String(100), nullable=False),
        sa.Column("answered_at", _stamp(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_point_answers"),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_point_answers_case_id_cases"),
        sa.ForeignKeyConstraint(
            ["decision_id"], ["decisions.id"], name="fk_point_answers_decision_id_decisions"
        ),
    )
    op.create_index("ix_point_answers_case_id", "point_answers", ["case_id"])
    op.create_table(
        "case_notes",
        sa.Column("id", _id(), nullable=False, autoincrement=True),
        sa.Column("case_id", _id(), nullable=False),
        sa.Column("author", sa.String(100), nullable=False),
        sa.Column("written_at", _stamp(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_case_notes"),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_case_notes_case_id_cases"),
    )
    op.create_index("ix_case_notes_case_id", "case_notes", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_case_notes_case_id", table_name="case_notes")
    op.drop_table("case_notes")
    op.drop_index("ix_point_answers_case_id", table_name="point_answers")
    op.drop_table("point_answers")
