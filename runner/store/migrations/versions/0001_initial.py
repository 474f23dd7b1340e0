"""Initial schema: raw items, cases, the audit trail, decisions, letters and the outbox.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _document() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _stamp() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "raw_items",
        sa.Column("id", _id(), primary_key=True, autoincrement=True),
        sa.Column("robot_id", sa.String(100), nullable=False),
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("source_ref", sa.Text(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("received_at", _stamp(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_raw_items"),
        sa.UniqueConstraint("robot_id", "content_hash", name="uq_raw_items_robot_id_content_hash"),
    )
    op.create_table(
        "cases",
        sa.Column("id", _id(), primary_key=True, autoincrement=True),
        sa.Column("raw_item_id", _id(), nullable=False),
        sa.Column("robot_id", sa.String(100), nullable=False),
        sa.Column("case_type", sa.String(100)),
        sa.Column("reference", sa.String(200)),
        sa.Column("kommunenummer", sa.String(4)),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("outcome", sa.String(100)),
        sa.Column("route", sa.String(20)),
        sa.Column("reasons", _document(), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("deadline", sa.Date()),
        sa.Column("data", _document(), nullable=False),
        sa.Column("errors", _document(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text()),
        sa.Column("lease_owner", sa.String(200)),
        sa.Column("lease_expires_at", _stamp()),
        sa.Column("created_at", _stamp(), nullable=False),
        sa.Column("updated_at", _stamp(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("event_seq", sa.Integer(), nullable=False),
        sa.Column("event_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_cases"),
        sa.ForeignKeyConstraint(
            ["raw_item_id"], ["raw_items.id"], name="fk_cases_raw_item_id_raw_items"
        ),
        sa.UniqueConstraint("raw_item_id", name="uq_cases_raw_item_id"),
    )
    op.create_index("ix_cases_reference", "cases", ["reference"])
    op.create_index("ix_cases_state_robot", "cases", ["state", "robot_id"])
    op.create_index("ix_cases_state_deadline", "cases", ["state", "deadline"])
    op.create_index("ix_cases_kommune_state", "cases", ["kommunenummer", "state"])
    op.create_table(
        "events",
        sa.Column("id", _id(), primary_key=True, autoincrement=True),
        sa.Column("case_id", _id(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", _stamp(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(100), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_events"),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_events_case_id_cases"),
        sa.UniqueConstraint("case_id", "seq", name="uq_events_case_id_seq"),
    )
    op.create_table(
        "decisions",
        sa.Column("id", _id(), primary_key=True, autoincrement=True),
        sa.Column("case_id", _id(), nullable=False),
        sa.Column("created_at", _stamp(), nullable=False),
        sa.Column("inputs_hash", sa.String(100), nullable=False),
        sa.Column("rule_set_id", sa.String(100), nullable=False),
        sa.Column("rule_set_version", sa.String(50), nullable=False),
        sa.Column("rule_set_hash", sa.String(100), nullable=False),
        sa.Column("decision_date", sa.String(32), nullable=False),
        sa.Column("parameters", _document(), nullable=False),
        sa.Column("results", _document(), nullable=False),
        sa.Column("outcome", sa.String(100), nullable=False),
        sa.Column("route", sa.String(20), nullable=False),
        sa.Column("reasons", _document(), nullable=False),
        sa.Column("matched", sa.Text(), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("amounts", _document(), nullable=False),
        sa.Column("template_id", sa.String(200)),
        sa.Column("template_hash", sa.String(100)),
        sa.PrimaryKeyConstraint("id", name="pk_decisions"),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_decisions_case_id_cases"),
    )
    op.create_index("ix_decisions_case_id", "decisions", ["case_id"])
    op.create_table(
        "letters",
        sa.Column("id", _id(), primary_key=True, autoincrement=True),
        sa.Column("case_id", _id(), nullable=False),
        sa.Column("decision_id", _id(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("malform", sa.String(2), nullable=False),
        sa.Column("markdown", sa.Text(), nullable=False),
        sa.Column("template_id", sa.String(200)),
        sa.Column("template_hash", sa.String(100)),
        sa.Column("pdf_path", sa.Text()),
        sa.Column("sha256", sa.String(64)),
        sa.Column("created_at", _stamp(), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("approved_by", sa.String(200)),
        sa.Column("approved_at", _stamp()),
        sa.PrimaryKeyConstraint("id", name="pk_letters"),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_letters_case_id_cases"),
        sa.ForeignKeyConstraint(
            ["decision_id"], ["decisions.id"], name="fk_letters_decision_id_decisions"
        ),
        sa.UniqueConstraint("case_id", "version", name="uq_letters_case_id_version"),
    )
    op.create_index("ix_letters_decision_id", "letters", ["decision_id"])
    op.create_table(
        "outbox",
        sa.Column("id", _id(), primary_key=True, autoincrement=True),
        sa.Column("case_id", _id(), nullable=False),
        sa.Column("letter_id", _id(), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("channel", sa.String(50), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text()),
        sa.Column("created_at", _stamp(), nullable=False),
        sa.Column("updated_at", _stamp(), nullable=False),
        sa.Column("sent_at", _stamp()),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_outbox_case_id_cases"),
        sa.ForeignKeyConstraint(["letter_id"], ["letters.id"], name="fk_outbox_letter_id_letters"),
        sa.UniqueConstraint("key", name="uq_outbox_key"),
    )
    op.create_index("ix_outbox_case_id", "outbox", ["case_id"])
    op.create_index("ix_outbox_letter_id", "outbox", ["letter_id"])
    op.create_index("ix_outbox_state", "outbox", ["state"])


def downgrade() -> None:
    for table in ("outbox", "letters", "decisions", "events", "cases", "raw_items"):
        op.drop_table(table)
