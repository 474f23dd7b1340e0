"""The store's tables (SQLAlchemy Core), column types and the JSON encoding they share."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import PurePath
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator, TypeEngine

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal | PurePath):
        return str(value)
    if isinstance(value, set | frozenset):
        return sorted(value)
    if hasattr(value, "model_dump"):  # pydantic models
        return value.model_dump(mode="json")
    if hasattr(value, "as_dict"):  # runner.errors.FieldProblem
        return value.as_dict()
    raise TypeError(f"{type(value).__name__} cannot be stored as JSON")


def dumps_json(value: Any) -> str:
    """Encode a value for a JSON column (dates, enums, pydantic models become plain JSON)."""
    return json.dumps(value, ensure_ascii=False, default=_json_default, allow_nan=False)


def canonical_json(value: Any) -> str:
    """One exact text for a JSON value: sorted keys, no spaces. Hashes are taken over it."""
    return json.dumps(
        value,
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        default=_json_default,
        allow_nan=False,
    )


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC and always read back timezone-aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use datetime.now(UTC)")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


#: Primary and foreign keys: BIGINT on PostgreSQL, the rowid alias INTEGER on SQLite.
Id: TypeEngine[int] = BigInteger().with_variant(Integer(), "sqlite")
#: Queryable JSON (JSONB) on PostgreSQL; the audit trail uses plain JSON to keep its text exact.
Document: TypeEngine[Any] = JSON().with_variant(JSONB(), "postgresql")

raw_items = Table(
    "raw_items",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("robot_id", String(100), nullable=False),
    Column("source", String(100), nullable=False),
    Column("source_ref", Text, nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("size", Integer, nullable=False),
    Column("received_at", UTCDateTime, nullable=False),
    UniqueConstraint("robot_id", "content_hash"),
)

cases = Table(
    "cases",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("raw_item_id", Id, ForeignKey("raw_items.id"), nullable=False, unique=True),
    Column("robot_id", String(100), nullable=False),
    Column("case_type", String(100)),
    Column("reference", String(200), index=True),
    Column("kommunenummer", String(4)),
    Column("state", String(20), nullable=False),
    Column("outcome", String(100)),
    Column("route", String(20)),
    Column("reasons", Document, nullable=False),
    Column("urgent", Boolean, nullable=False),
    Column("deadline", Date),
    Column("data", Document, nullable=False),
    Column("errors", Document, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text),
    Column("lease_owner", String(200)),
    Column("lease_expires_at", UTCDateTime),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    # The seq and hash of the case's newest event: the head of its audit chain.
    Column("event_seq", Integer, nullable=False),
    Column("event_hash", String(64), nullable=False),
    # How often the case was taken up again after its processing was cut short (a run or a
    # worker died holding it) without a move since: it is parked past a limit (flow.py).
    Column("interruptions", Integer, nullable=False, server_default="0"),
    # The review queue: by state and robot, by legal deadline, per kommune. Their leading
    # columns also serve lookups by state alone and by kommunenummer alone.
    Index("ix_cases_state_robot", "state", "robot_id"),
    Index("ix_cases_state_deadline", "state", "deadline"),
    Index("ix_cases_kommune_state", "kommunenummer", "state"),
)

events = Table(
    "events",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", Id, ForeignKey("cases.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("kind", String(100), nullable=False),
    Column("data", JSON, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    UniqueConstraint("case_id", "seq"),  # also the index by case
)

decisions = Table(
    "decisions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", Id, ForeignKey("cases.id"), nullable=False, index=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("inputs_hash", String(100), nullable=False),
    Column("rule_set_id", String(100), nullable=False),
    Column("rule_set_version", String(50), nullable=False),
    Column("rule_set_hash", String(100), nullable=False),
    Column("decision_date", String(32), nullable=False),
    Column("parameters", Document, nullable=False),
    Column("results", Document, nullable=False),
    Column("outcome", String(100), nullable=False),
    Column("route", String(20), nullable=False),
    Column("reasons", Document, nullable=False),
    Column("matched", Text, nullable=False),
    Column("urgent", Boolean, nullable=False),
    Column("amounts", Document, nullable=False),
    Column("template_id", String(200)),
    Column("template_hash", String(100)),
    # The kommune's own rule parameters (`k`) the decision was made with (null before 0004).
    Column("kommune_parameters", Document),
)

letters = Table(
    "letters",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", Id, ForeignKey("cases.id"), nullable=False),
    Column("decision_id", Id, ForeignKey("decisions.id"), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("malform", String(2), nullable=False),
    Column("markdown", Text, nullable=False),
    Column("template_id", String(200)),  # None for a version a human edited
    Column("template_hash", String(100)),
    Column("pdf_path", Text),
    Column("sha256", String(64)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("approved_by", String(200)),
    Column("approved_at", UTCDateTime),
    # For a version with a caseworker's hand edits: the robot's draft (a version of the same
    # letter) they were made on, the base a new draft's three-way merge carries them from.
    Column("based_on", Id, ForeignKey("letters.id")),
    UniqueConstraint("case_id", "version"),  # also the index by case
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", Id, ForeignKey("cases.id"), nullable=False, index=True),
    Column("letter_id", Id, ForeignKey("letters.id"), nullable=False, index=True),
    Column("key", String(200), nullable=False, unique=True),
    Column("channel", String(50), nullable=False),
    Column("target", Text, nullable=False),
    Column("state", String(20), nullable=False, index=True),
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime),
)
