"""The send step: a finalised case's letters out through the channel, each exactly once.

Each letter is on record in the outbox as "sending" before the channel is called and marked
sent after: a letter found "sending" after a crash is reconciled with the channel (sent,
not sent, or unknown: then a human decides), never sent twice.
"""

from __future__ import annotations

from pathlib import Path

from runner import metrics
from runner.channels.base import Delivery, Letter, Recipient
from runner.errors import ApplicationError
from runner.steps.context import ROBOT_ACTOR, Robot
from runner.store import CaseRecord, CaseState
from runner.store.records import LetterRecord


class UnprovableError(ApplicationError):
    """A letter's delivery can be proven neither way: a human decides, retrying cannot help."""


def send(robot: Robot, record: CaseRecord) -> tuple[CaseRecord, str | None]:
    """Send the case's pending letters through its kommune's channel (a letter found
    "sending" is reconciled with the same one); the case as sent, and its newest outbox key."""
    store = robot.store
    with robot.timer.timing("send"):
        channel = robot.channel(record)  # before a letter is on record as "sending"
        marked: str | None = None  # a first letter with nothing to reconcile: on record with
        with store.unit():  # the read, as "sending", in one commit
            rows, letter = store.outbox_and_letter(record.id)
            pending = [row for row in rows if row.state != "sent"]
            if pending and pending[0].state == "pending" and letter and letter.pdf_path:
                marked = store.mark_sending(pending[0].key).key
        newest = rows[-1].key if rows else None
        last_sent: str | None = None  # marked sent together with the case (below)
        source_ref: str | None = None  # read once, when a letter is about to go
        filed: str | None = None  # the arkivmelding's Fiks IO message id ([fiks_arkiv])
        for row in pending:
            if last_sent is not None:  # an earlier letter went out: on record before all else
                store.mark_sent(last_sent)
                last_sent = None
            if row.state == "needs_human":
                raise UnprovableError(
                    f"Letter {row.key} could not be proven delivered: {row.last_error}",
                    fix="Check the channel by hand, then mark the letter sent or resend it.",
                )
            if row.state == "sending":
                delivery = channel.reconcile(row.key)
                if delivery is Delivery.delivered:
                    # filed again if the crash came before it was: the same message (above)
                    filed = _file(robot, record, row.key, letter) or filed
                    store.mark_sent(row.key)
                    continue
                if delivery is Delivery.unknown:
                    store.mark_needs_human(row.key, "leveranse kan ikke bekreftes etter krasj")
                    raise UnprovableError(
                        f"Letter {row.key} was being sent when the robot stopped, and "
                        f"channel '{channel.kind}' cannot prove whether it was delivered",
                        fix="Check the channel by hand, then mark the letter sent or resend it.",
                    )
                store.mark_pending(row.key, "ikke levert før avbrudd; sendes på nytt")
            if letter is None or letter.pdf_path is None:
                raise ApplicationError(f"Letter for case {record.id} has no PDF")
            if row.key != marked:
                store.mark_sending(row.key)
            if source_ref is None and channel.answers_source:
                source_ref = store.raw_item(record.id).source_ref
            channel.send(
                Letter(
                    key=row.key,
                    pdf_path=Path(letter.pdf_path),
                    reference=record.reference or str(record.id),
                    recipient_email=row.target or None,
                    source_ref=source_ref,
                    recipient=Recipient.of_case(record.data),
                    title=_title(robot, letter),
                )
            )
            filed = _file(robot, record, row.key, letter) or filed
            last_sent = row.key
            robot_id = robot.definition.id
            metrics.LETTERS_SENT.labels(robot_id, record.kommunenummer or "").inc()
        result = _sent(robot, record, last_sent, [row.key for row in pending], filed)
    return result, newest


def _title(robot: Robot, letter: LetterRecord) -> str:
    """The letter's title as its recipient sees it: "Vedtak – <the robot's title>"."""
    title = robot.definition.title
    return f"Vedtak – {title.nn if letter.malform == 'nn' else title.nb}"


def _file(robot: Robot, record: CaseRecord, key: str, letter: LetterRecord | None) -> str | None:
    """File the sent letter in the kommune's archive over Fiks Arkiv, if it has one: the
    arkivmelding's Fiks IO message id. Before the letter is marked sent, so a crash in
    between files it again, as the same message (runner/fiksarkiv/archiver.py)."""
    kommune = robot.kommune(record)
    if kommune.fiks_arkiv is None or letter is None or letter.pdf_path is None:
        return None
    from runner.fiksarkiv.archiver import archive_entry, archiver_for

    archiver = archiver_for(kommune, robot.settings.data_dir)
    assert archiver is not None
    path = Path(letter.pdf_path)
    entry = archive_entry(
        case=record,
        letter=letter,
        robot=robot.definition,
        kommune=kommune,
        key=key,
        pdf=path.read_bytes(),
        pdf_name=f"{record.reference or record.id}.pdf".replace("/", "-"),
        sent=robot.clock(),
    )
    return str(archiver.file(entry, record.id))


def _sent(
    robot: Robot,
    record: CaseRecord,
    last_sent: str | None,
    keys: list[str],
    filed: str | None = None,
) -> CaseRecord:
    """The case is sent: with the last letter marked sent in the same commit (one
    transaction less per letter). If that commit fails, the letter is still marked sent
    on its own before the error goes on: a letter that went out is never left "sending"
    for want of the case's transition (a stop between the two is reconciled as before)."""
    store = robot.store
    try:
        with store.unit():
            if last_sent is not None:
                store.mark_sent(last_sent)
            return store.transition(
                record.id,
                CaseState.sent,
                actor=ROBOT_ACTOR,
                event="sent",
                data={"channel": robot.definition.channel.kind, "keys": keys}
                | ({"archive_message": filed} if filed else {}),
            )
    except Exception:
        if last_sent is not None:
            store.mark_sent(last_sent)
        raise
