"""Retention: personal data that has outlived its period leaves the working store.

Three kinds (`saksrobot retention`; the periods are settings, runner/settings.py:
RetentionSettings):

- a quarantined item's raw input, its errors and facts (it never became a case): the item is
  then marked handled, so it leaves the quarantine list;
- a sent case's personal data: its raw input and facts, the text of its letters, the values
  its rules read (and their explanations, which quote them) and the letter's recipient. The
  decision (outcome, rules, legal basis, amounts), the letter's file and hash and the case
  trail stay; the letter files themselves are the archive's (the channel handed them over);
- security-log events (logins with source addresses, admin actions), oldest first. The
  chain stays checkable: the run's own `retention` event names the last event removed and
  its hash, and `audit verify` starts from there (securitylog.verify_security_chain).

Cases still open (received, validated, evaluated, waiting for review, approved, finalised,
parked, returned) and rejected ones are never touched. Every case changed gets a
`personal_data_removed` event in its trail; every run (a dry run too) is a `retention` event
in the security log with what it removed, by kind and count.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, delete, func, insert, select, update

from runner.store.cases import lock_case, record_event
from runner.store.review import quarantine_handled
from runner.store.schema import cases, decisions, letters, outbox, raw_items, utcnow
from runner.store.securitylog import security_events
from runner.store.states import CaseState

if TYPE_CHECKING:
    from runner.store.store import Store

#: The kind of the security-log event every run records.
RETENTION_EVENT = "retention"
#: The case event recording what left a case.
REMOVED_EVENT = "personal_data_removed"
#: What a rule result loses (emptied, so it keeps its shape): the values it read and the
#: explanation, which quotes them.
_RESULT_KEYS_REMOVED = ("values", "explanation")


@dataclass(frozen=True)
class RetentionDue:
    """What a run removes: case ids per kind, and the security-log events up to a seq."""

    quarantined: tuple[int, ...]
    finished: tuple[int, ...]
    security_through: int | None  # events with seq ≤ this go (None: none)
    security_count: int

    def counts(self) -> dict[str, int]:
        return {
            "quarantined": len(self.quarantined),
            "finished": len(self.finished),
            "security_log": self.security_count,
        }


def _with_content() -> Any:
    """Cases whose raw input is still there (a removed one is empty bytes)."""
    return func.length(raw_items.c.content) > 0


class RetentionStore:
    """Finding and removing what is due; each call one transaction."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def due(
        self,
        *,
        quarantined_before: datetime,
        finished_before: Callable[[str | None, str | None], datetime],
        security_before: datetime,
    ) -> RetentionDue:
        """What has outlived its period: quarantined before `quarantined_before`, sent
        before finished_before(kommunenummer, case_type), logged before `security_before`
        (never the newest security event: the chain goes on from it)."""
        joined = cases.join(raw_items, raw_items.c.id == cases.c.raw_item_id)
        with self._store._read() as conn:
            quarantined = conn.execute(
                select(cases.c.id)
                .select_from(joined)
                .where(cases.c.state == CaseState.quarantined.value)
                .where(cases.c.updated_at < quarantined_before, _with_content())
                .order_by(cases.c.id)
            ).scalars()
            quarantined_ids = tuple(int(case_id) for case_id in quarantined)
            sent = conn.execute(
                select(cases.c.id, cases.c.kommunenummer, cases.c.case_type, cases.c.updated_at)
                .select_from(joined)
                .where(cases.c.state == CaseState.sent.value, _with_content())
                .order_by(cases.c.id)
            ).all()
            finished = tuple(
                int(row.id)
                for row in sent
                if row.updated_at < finished_before(row.kommunenummer, row.case_type)
            )
            newest = select(func.max(security_events.c.seq)).scalar_subquery()
            through, count = conn.execute(
                select(func.max(security_events.c.seq), func.count()).where(
                    security_events.c.at < security_before, security_events.c.seq < newest
                )
            ).one()
        return RetentionDue(
            quarantined_ids, finished, int(through) if through else None, int(count)
        )

    def remove(self, due: RetentionDue, *, actor: str, periods: dict[str, Any]) -> RetentionDue:
        """Remove what `due` names (skipping a case that moved since, e.g. retried) and record
        the run; returns what was removed. One transaction: all of it, or nothing."""
        store = self._store
        with store.unit(), store._write() as conn:
            quarantined = tuple(
                case_id
                for case_id in due.quarantined
                if _clear_quarantined(conn, case_id, actor, periods["quarantine_days"])
            )
            finished = tuple(
                case_id for case_id in due.finished if _clear_sent(conn, case_id, actor)
            )
            anchor = None
            if due.security_through is not None:
                anchor = conn.execute(
                    select(security_events.c.hash).where(
                        security_events.c.seq == due.security_through
                    )
                ).scalar_one()
                conn.execute(
                    delete(security_events).where(security_events.c.seq <= due.security_through)
                )
            removed = RetentionDue(quarantined, finished, due.security_through, due.security_count)
            pruned = (
                {"pruned_through": due.security_through, "anchor_hash": anchor} if anchor else {}
            )
            store.users.log.record(
                RETENTION_EVENT,
                actor=actor,
                dry_run=False,
                removed=removed.counts(),
                periods=periods,
                **pruned,
            )
        return removed

    def record_dry_run(self, due: RetentionDue, *, actor: str, periods: dict[str, Any]) -> None:
        """A dry run is on record too: who looked, and what would have gone."""
        self._store.users.log.record(
            RETENTION_EVENT, actor=actor, dry_run=True, due=due.counts(), periods=periods
        )


def _case_state(conn: Connection, case_id: int) -> str:
    lock_case(conn, case_id)
    state: str = conn.execute(select(cases.c.state).where(cases.c.id == case_id)).scalar_one()
    return state


def _clear_raw(conn: Connection, case_id: int) -> None:
    raw_item = select(cases.c.raw_item_id).where(cases.c.id == case_id).scalar_subquery()
    conn.execute(update(raw_items).where(raw_items.c.id == raw_item).values(content=b""))


def _clear_quarantined(conn: Connection, case_id: int, actor: str, days: int) -> bool:
    if _case_state(conn, case_id) != CaseState.quarantined:
        return False  # sent back in since it was found
    _clear_raw(conn, case_id)
    conn.execute(
        update(cases).where(cases.c.id == case_id).values(data={}, errors=[], last_error=None)
    )
    removed = ["raw_input", "facts", "errors"]
    record_event(conn, case_id, actor=actor, kind=REMOVED_EVENT, data={"removed": removed})
    note = f"oppbevaringstiden ({days} dager) er ute; innholdet er slettet"
    conn.execute(delete(quarantine_handled).where(quarantine_handled.c.case_id == case_id))
    conn.execute(
        insert(quarantine_handled).values(
            case_id=case_id, handled_by=actor, handled_at=utcnow(), note=note
        )
    )
    record_event(conn, case_id, actor=actor, kind="quarantine_handled", data={"note": note})
    return True


def _clear_sent(conn: Connection, case_id: int, actor: str) -> bool:
    if _case_state(conn, case_id) != CaseState.sent:
        return False
    _clear_raw(conn, case_id)
    conn.execute(update(cases).where(cases.c.id == case_id).values(data={}))
    conn.execute(update(letters).where(letters.c.case_id == case_id).values(markdown=""))
    conn.execute(update(outbox).where(outbox.c.case_id == case_id).values(target=""))
    for decision_id, results in conn.execute(
        select(decisions.c.id, decisions.c.results).where(decisions.c.case_id == case_id)
    ).all():
        kept = [
            {**result, **{key: {} for key in _RESULT_KEYS_REMOVED}}
            if isinstance(result, dict)
            else result
            for result in results or []
        ]
        conn.execute(update(decisions).where(decisions.c.id == decision_id).values(results=kept))
    removed = ["raw_input", "facts", "letter_text", "values_read", "recipient"]
    record_event(conn, case_id, actor=actor, kind=REMOVED_EVENT, data={"removed": removed})
    return True
