"""A kommune's follow-up of what it sent: the archive's answers and SvarUt's delivery statuses.

For each kommune served, by `saksrobot run` after its robots and by `saksrobot worker` every
`follow_up_seconds`, one holder at a time per kommune (runner/store/leases.py):

(a) The archive answers each arkivmelding ([fiks_arkiv]) on the kommune's own Fiks IO account.
    Where a robot of the deployment reads that account as its source, the source hands each
    answer to ArchiveReplies as it reads (runner/run.py take_archive_replies); otherwise the
    follow-up reads the account and hands each answer to the same ArchiveReplies. Any other
    message there is quarantined for the kommune with the reason, its encrypted body kept
    (runner/sources/fiksio.py refused_item). A message is acknowledged only once on record.
(b) The kommune's own SvarUt account is asked how the kommune's letters sent through it and
    not yet final fare (runner/channels/svarut.py follow_deliveries): a letter not delivered
    parks its case.

A service out of reach is logged (no personal data) and never fatal: the next round asks again.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from runner.channels.make import svarut_channel
from runner.errors import FieldProblem, SaksrobotError
from runner.fiksio.receive import Delivery
from runner.kommuner.settings import FiksIoSettings, KommuneSettings
from runner.logs import get_logger
from runner.models.robot import RobotDefinition
from runner.pipeline import Pipeline
from runner.problems import problem
from runner.settings import Settings
from runner.sources.boundary import redacted_trace
from runner.sources.make import fiks_io_account
from runner.store import Store

__all__ = [
    "FOLLOW_UP_HOLD",
    "FollowUpReport",
    "after_run",
    "follow_up",
    "follow_up_kommune",
    "reads_answers",
]

log = get_logger("saksrobot.followup")

#: How long a follow-up that was begun holds its kommune: a holder that died frees it then.
FOLLOW_UP_HOLD = 600.0
#: Where the follow-up keeps the messages it refuses (`refused/<message id>.cms`), as the
#: Fiks IO source does under its own folder (by default the same one).
FIKS_IO_FOLDER = "fiksio"


@dataclass
class FollowUpReport:
    """What one kommune's follow-up did."""

    kommunenummer: str
    answers: int = 0  # the archive's answers put on their cases
    refused: int = 0  # other messages on the account, quarantined
    statuses: int = 0  # new SvarUt statuses
    #: services out of reach, or a failure nobody foresaw, in Norwegian (details in the log)
    problems: list[str] = field(default_factory=list)


def follow_up(
    settings: Settings,
    store: Store,
    robots: Mapping[str, RobotDefinition],
    *,
    holder: str,
    interval: float = 0.0,
    stopped: Callable[[], bool] = lambda: False,
) -> list[FollowUpReport]:
    """Follow up every kommune served that has something to follow (`robots`: all of the
    deployment's), unless another holder is at it or it was done less than `interval`
    seconds ago. A stop requested is honoured between kommuner."""
    reports = []
    for number in sorted(settings.served):
        kommune = settings.kommune_for(number)
        if stopped() or not _has_any(settings, robots, kommune):
            continue
        taken = store.leases.take_follow_up(number, holder, interval=interval, hold=FOLLOW_UP_HOLD)
        if not taken:
            continue
        try:
            reports.append(follow_up_kommune(settings, store, robots, kommune))
        finally:
            store.leases.end_follow_up(number, holder)
    return reports


def after_run(settings: Settings, store: Store) -> list[FollowUpReport]:
    """`saksrobot run`'s follow-up after its robots: every kommune, now (one a worker is
    following up at this moment is left to it)."""
    from runner.models.robot import load_robots

    robots = load_robots(settings.content_dir / "robots")
    holder = f"run:{socket.gethostname()}:{os.getpid()}"
    return follow_up(settings, store, robots, holder=holder)


def follow_up_kommune(
    settings: Settings,
    store: Store,
    robots: Mapping[str, RobotDefinition],
    kommune: KommuneSettings,
) -> FollowUpReport:
    """The kommune's follow-up, now: its archive's answers (where no robot reads its Fiks IO
    account) and SvarUt's statuses (of its letters, from its own [svarut] account)."""
    report = FollowUpReport(kommune.kommunenummer)
    account = kommune.fiks_io
    if account is not None and reads_answers(settings, robots, kommune):

        def take() -> None:
            _take_answers(settings, store, robots, kommune, account, report)

        _guarded(report, "archive_answers", "arkivets svar på Fiks IO-kontoen", take)
    channel = svarut_channel(kommune)
    if channel is not None:

        def follow() -> None:
            from runner.channels.svarut import follow_deliveries

            report.statuses = follow_deliveries(settings, store, channel, kommune)

        _guarded(report, "svarut_status", "leveransestatus fra SvarUt", follow)
    log.info(
        "follow_up_done",
        kommune=kommune.kommunenummer,
        answers=report.answers,
        refused=report.refused,
        statuses=report.statuses,
        problems=len(report.problems),
    )
    return report


def reads_answers(
    settings: Settings, robots: Mapping[str, RobotDefinition], kommune: KommuneSettings
) -> bool:
    """Whether the follow-up reads the kommune's Fiks IO account: it files over Fiks Arkiv,
    and no robot of the deployment reads that account as its source (that robot's source
    takes the answers as it reads)."""
    account = kommune.fiks_io
    if kommune.fiks_arkiv is None or account is None:
        return False
    read = fiks_io_account(settings)
    by_robot = any(robot.source.kind == "fiksio" for robot in robots.values())
    return not (by_robot and read is not None and read.account_id == account.account_id)


def _has_any(
    settings: Settings, robots: Mapping[str, RobotDefinition], kommune: KommuneSettings
) -> bool:
    return reads_answers(settings, robots, kommune) or kommune.svarut is not None


def _guarded(report: FollowUpReport, what: str, shown: str, action: Callable[[], None]) -> None:
    """Run one part of the follow-up; a failure is logged and told, never raised: the next
    round tries again (a message not yet on record stays on the queue)."""
    try:
        action()
    except SaksrobotError as error:  # ours say what failed (a service out of reach)
        log.warning(f"{what}_unavailable", kommune=report.kommunenummer, error=error.message)
        report.problems.append(f"{shown} kunne ikke hentes: {error.message}")
    except Exception as error:  # type and trace only: the message may quote a case
        name = type(error).__name__
        log.error(f"{what}_failed", kommune=report.kommunenummer, exception=name,
                  trace=redacted_trace(error))  # fmt: skip
        report.problems.append(
            f"{shown} kunne ikke hentes (uventet feil: {name}); det prøves igjen ved neste "
            "runde. Står feilen igjen, gi driftsansvarlig denne meldingen (sporet står i loggen)"
        )


def _take_answers(
    settings: Settings,
    store: Store,
    robots: Mapping[str, RobotDefinition],
    kommune: KommuneSettings,
    account: FiksIoSettings,
    report: FollowUpReport,
) -> None:
    """Every message now on the kommune's account: an archive answer onto its case, anything
    else quarantined for the kommune. Each is acknowledged when the next is asked for."""
    from runner.fiksarkiv.archiver import sent_folder
    from runner.fiksarkiv.replies import ArchiveReplies
    from runner.fiksio.setup import fiks_io_receiver
    from runner.sources.fiksio import refused_item

    replies = ArchiveReplies(store, sent_folder(settings.data_dir))
    folder = settings.data_dir / FIKS_IO_FOLDER
    keeper: Pipeline | None = None  # built only when a message must be quarantined
    for delivery in fiks_io_receiver(account, kommune.maskinporten).messages():
        if replies(delivery):
            report.answers += 1
            continue
        refused = foreign_problem(delivery, account, kommune)
        reason = f"{refused.reason}. {refused.fix}"
        item = refused_item(folder, delivery, reason, [refused], kommune.kommunenummer)
        if keeper is None:
            keeper = _keeper(settings, store, robots)
        keeper.take_in(item)
        report.refused += 1


def foreign_problem(
    delivery: Delivery, account: FiksIoSettings, kommune: KommuneSettings
) -> FieldProblem:
    """Why a message on the kommune's account that is no archive answer is quarantined, and
    who should take it (words in runner/problems.py)."""
    where = {"account": str(account.account_id), "kommune": kommune.name}
    if delivery.metadata is None or delivery.error is not None:
        problems = "; ".join(str(p) for p in delivery.error.problems) if delivery.error else ""
        return problem("fiksio_foreign_unreadable", **where, problems=problems)
    return problem(
        "fiksio_foreign_type",
        **where,
        message_type=delivery.metadata.message_type,
        sender=str(delivery.metadata.sender_account),
    )


def _keeper(settings: Settings, store: Store, robots: Mapping[str, RobotDefinition]) -> Pipeline:
    """The pipeline a refused message is taken in (and quarantined) by: the deployment's
    first robot by id (a case needs a robot; the kommune's caseworkers see it in quarantine
    with the reason, which names the account it came to)."""
    from runner.run import make_pipeline

    return make_pipeline(settings, store, robots[min(robots)])
