"""The review page's reads: queue, reason counts, quarantine, outbox and dashboard figures.

Every query is limited to the user's kommuner in SQL, so a page never loads another
kommune's rows. A case belongs to the served kommune Settings.owner names: one without a
kommunenummer (none could be read from its item) only in a deployment of one kommune.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    exists,
    false,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.sql.functions import Function

from runner.store.review import assignments, quarantine_handled
from runner.store.schema import cases, decisions, letters, outbox, raw_items, utcnow
from runner.store.states import CaseState

PAGE_SIZE = 50


@dataclass(frozen=True)
class QueueFilter:
    """What the caseworker filtered the queue on."""

    robot: str | None = None
    reason: str | None = None
    min_age_days: int | None = None
    kommune: str | None = None
    assignee: str | None = None  # "Mine saker": the cases this user has taken
    page: int = 1


@dataclass(frozen=True)
class QueueRow:
    """One waiting case as the queue shows it."""

    id: int
    reference: str | None
    robot_id: str
    kommunenummer: str | None
    outcome: str | None
    route: str | None
    reasons: list[str]
    urgent: bool
    deadline: date | None
    created_at: datetime
    version: int
    assignee: str | None


def _reasons(dialect: str) -> Any:
    """The elements of cases.reasons as a table-valued function (one row per reason)."""
    function: Function[Any] = (
        func.jsonb_array_elements_text(cases.c.reasons)
        if dialect == "postgresql"
        else func.json_each(cases.c.reasons)
    )
    return function.table_valued("value").alias("reason")


def kommune_scope(kommuner: list[str], served: frozenset[str]) -> ColumnElement[bool]:
    """Rows the user's served kommuner own (Settings.owner): of their kommunenummer, and
    those without one only when the deployment serves just the user's kommune."""
    own = sorted(set(kommuner) & served)
    if not own:
        return false()
    condition: ColumnElement[bool] = cases.c.kommunenummer.in_(own)
    if len(served) == 1:
        condition = or_(condition, cases.c.kommunenummer.is_(None))
    return condition


def unowned_scope(served: frozenset[str]) -> ColumnElement[bool]:
    """Rows of a kommune not served, and rows whose kommune could not be read: the
    deployment admin's (in a deployment of one kommune, the latter are that kommune's too)."""
    return or_(cases.c.kommunenummer.is_(None), cases.c.kommunenummer.not_in(sorted(served)))


def _queue_where(
    conn: Connection, kommuner: list[str], flt: QueueFilter, *, with_reason: bool
) -> list[ColumnElement[bool]]:
    allowed = [k for k in kommuner if flt.kommune in (None, k)]
    where: list[ColumnElement[bool]] = [
        cases.c.state == CaseState.pending_review.value,
        cases.c.kommunenummer.in_(allowed) if allowed else false(),
    ]
    if flt.robot:
        where.append(cases.c.robot_id == flt.robot)
    if flt.min_age_days:
        where.append(cases.c.created_at <= utcnow() - timedelta(days=flt.min_age_days))
    if flt.assignee:  # an alias: the queue's own join of assignments must not correlate
        taken = assignments.alias("taken")
        where.append(
            exists(
                select(true())
                .select_from(taken)
                .where(taken.c.case_id == cases.c.id, taken.c.username == flt.assignee)
            )
        )
    if with_reason and flt.reason:
        reason = _reasons(conn.dialect.name)
        where.append(exists(select(true()).select_from(reason).where(reason.c.value == flt.reason)))
    return where


def queue(conn: Connection, kommuner: list[str], flt: QueueFilter) -> tuple[list[QueueRow], int]:
    """One page of waiting cases, urgent first, then by legal deadline; and how many match."""
    where = _queue_where(conn, kommuner, flt, with_reason=True)
    query: Select[Any] = (
        select(
            cases.c.id,
            cases.c.reference,
            cases.c.robot_id,
            cases.c.kommunenummer,
            cases.c.outcome,
            cases.c.route,
            cases.c.reasons,
            cases.c.urgent,
            cases.c.deadline,
            cases.c.created_at,
            cases.c.version,
            assignments.c.username,
        )
        .outerjoin(assignments, assignments.c.case_id == cases.c.id)
        .where(*where)
        .order_by(cases.c.urgent.desc(), cases.c.deadline.asc().nulls_last(), cases.c.id)
        .limit(PAGE_SIZE)
        .offset((max(flt.page, 1) - 1) * PAGE_SIZE)
    )
    rows = [QueueRow(*row) for row in conn.execute(query)]
    total = conn.execute(select(func.count()).select_from(cases).where(*where)).scalar_one()
    return rows, int(total)


def reason_results(conn: Connection, case_ids: list[int]) -> dict[int, dict[str, str]]:
    """Per case, each rule's result in its newest decision (rule id → oppfylt, uavklart, …):
    the queue shows a reason with its result, not just the rule's title."""
    if not case_ids:
        return {}
    newest = (
        select(func.max(decisions.c.id))
        .where(decisions.c.case_id.in_(case_ids))
        .group_by(decisions.c.case_id)
    )
    query = select(decisions.c.case_id, decisions.c.results).where(decisions.c.id.in_(newest))
    found: dict[int, dict[str, str]] = {}
    for case_id, results in conn.execute(query):
        found[int(case_id)] = {
            str(r.get("rule_id")): str(r.get("outcome"))
            for r in results or []
            if isinstance(r, dict)
        }
    return found


def reason_counts(conn: Connection, kommuner: list[str], flt: QueueFilter) -> dict[str, int]:
    """How many waiting cases (under the other filters) each reason holds."""
    reason = _reasons(conn.dialect.name)
    query = (
        select(reason.c.value, func.count())
        .select_from(cases)
        .join(reason, true())
        .where(*_queue_where(conn, kommuner, flt, with_reason=False))
        .group_by(reason.c.value)
        .order_by(func.count().desc())
    )
    return {str(value): int(count) for value, count in conn.execute(query)}


@dataclass(frozen=True)
class QuarantineRow:
    """A quarantined item not yet handled."""

    id: int
    robot_id: str
    kommunenummer: str | None
    source_ref: str
    errors: list[dict[str, str]]
    updated_at: datetime


def quarantine(
    conn: Connection, scope: ColumnElement[bool], *, limit: int = 200
) -> list[QuarantineRow]:
    """Quarantined items in `scope` (kommune_scope, unowned_scope) that nobody has marked
    handled since."""
    query = (
        select(
            cases.c.id,
            cases.c.robot_id,
            cases.c.kommunenummer,
            raw_items.c.source_ref,
            cases.c.errors,
            cases.c.updated_at,
        )
        .join(raw_items, raw_items.c.id == cases.c.raw_item_id)
        .outerjoin(quarantine_handled, quarantine_handled.c.case_id == cases.c.id)
        .where(cases.c.state == CaseState.quarantined.value)
        .where(scope)
        .where(
            or_(
                quarantine_handled.c.case_id.is_(None),
                quarantine_handled.c.handled_at < cases.c.updated_at,
            )
        )
        .order_by(cases.c.id.desc())
        .limit(limit)
    )
    return [QuarantineRow(*row) for row in conn.execute(query)]


def sent_letters(conn: Connection, kommuner: list[str], *, limit: int = 50) -> list[Any]:
    """The newest outbox rows of the user's kommuner."""
    query = (
        select(
            outbox.c.key,
            outbox.c.state,
            outbox.c.channel,
            outbox.c.sent_at,
            outbox.c.case_id,
            cases.c.reference,
            letters.c.version,
        )
        .join(cases, cases.c.id == outbox.c.case_id)
        .join(letters, letters.c.id == outbox.c.letter_id)
        .where(cases.c.kommunenummer.in_(kommuner))
        .order_by(outbox.c.id.desc())
        .limit(limit)
    )
    return list(conn.execute(query))


@dataclass(frozen=True)
class Dashboard:
    """Figures for the dashboard."""

    by_state: dict[tuple[str, str], int]
    per_day: list[tuple[date, int]]
    waiting: int
    median_days: float | None
    oldest_days: float | None


def dashboard(
    conn: Connection, kommuner: list[str], served: frozenset[str], today: date
) -> Dashboard:
    """Counts by robot and state, cases received per day (30 days), time in the queue."""
    scope = kommune_scope(kommuner, served)
    by_state = {
        (robot, state): int(count)
        for robot, state, count in conn.execute(
            select(cases.c.robot_id, cases.c.state, func.count())
            .where(scope)
            .group_by(cases.c.robot_id, cases.c.state)
        )
    }
    start = today - timedelta(days=29)
    day = func.date(cases.c.created_at)
    counted = {
        str(when): int(count)
        for when, count in conn.execute(
            select(day, func.count())
            .where(
                scope,
                cases.c.created_at
                >= datetime(start.year, start.month, start.day, tzinfo=utcnow().tzinfo),
            )
            .group_by(day)
        )
    }
    per_day = [
        (start + timedelta(days=n), counted.get(str(start + timedelta(days=n)), 0))
        for n in range(30)
    ]
    waiting_where = and_(
        cases.c.state == CaseState.pending_review.value, cases.c.kommunenummer.in_(kommuner)
    )
    waiting = int(conn.execute(select(func.count()).where(waiting_where)).scalar_one())
    median = oldest = None
    if waiting:
        now = utcnow()
        ordered = select(cases.c.created_at).where(waiting_where).order_by(cases.c.created_at)
        first = conn.execute(ordered.limit(1)).scalar_one()
        middle = conn.execute(ordered.limit(1).offset(waiting // 2)).scalar_one()
        oldest = (now - first).total_seconds() / 86400
        median = (now - middle).total_seconds() / 86400
    return Dashboard(by_state, per_day, waiting, median, oldest)
