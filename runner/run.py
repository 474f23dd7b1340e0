"""Run a robot over its source: reconcile, resume, take in, process, summarise."""

from __future__ import annotations

import signal
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from runner.casework.intake import guarded_items, intake_problem
from runner.channels.make import make_channels
from runner.errors import ConfigurationError, NotFoundError, SaksrobotError
from runner.letters import LetterTemplates, PdfRenderer
from runner.logs import get_logger
from runner.models.robot import RobotDefinition, load_robots
from runner.pipeline import BATCH_SIZE, Pipeline, RetryPolicy
from runner.rules import RuleSetCatalog
from runner.settings import Settings
from runner.sources import FolderSource, Source, WorkItemsSource
from runner.sources.base import RawItem
from runner.sources.configs import DibkSchemaChoice
from runner.store import CaseRecord, Store

log = get_logger("saksrobot.run")


@dataclass
class CaseReport:
    """What happened to one case in a run (one line of `saksrobot run --json`)."""

    case_id: int
    reference: str | None
    source_ref: str
    state: str
    outcome: str | None
    route: str | None
    reasons: list[str]
    letter: str | None
    duplicate: bool = False
    errors: list[dict[str, str]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "reference": self.reference,
            "source_ref": self.source_ref,
            "state": self.state,
            "outcome": self.outcome,
            "route": self.route,
            "reasons": self.reasons,
            "letter": self.letter,
            "duplicate": self.duplicate,
            "errors": self.errors,
        }


@dataclass
class RunSummary:
    """Counts for one robot's run, as shown in the summary table."""

    robot_id: str
    received: int = 0
    duplicates: int = 0
    quarantined: int = 0
    finalised: int = 0
    review: int = 0
    parked: int = 0
    resumed: int = 0
    stopped_early: bool = False
    #: What could not be taken in at all (the source failed, not one item): in Norwegian
    source_problems: list[str] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)
    stage_ms: dict[str, float] = field(default_factory=dict)
    outbox: Path | None = None


class StopFlag:
    """Set by SIGTERM/SIGINT: the current case finishes, then the run stops cleanly."""

    def __init__(self) -> None:
        self.event = threading.Event()

    def __bool__(self) -> bool:
        return self.event.is_set()

    @contextmanager
    def installed(self) -> Iterator[StopFlag]:
        if threading.current_thread() is not threading.main_thread():
            yield self
            return

        def handler(signum: int, frame: FrameType | None) -> None:
            log.info("stop_requested", signal=signal.Signals(signum).name)
            self.event.set()

        previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            yield self
        finally:
            for sig, old in previous.items():
                signal.signal(sig, old)


def find_robot(settings: Settings, robot_id: str) -> RobotDefinition:
    robots = load_robots(settings.content_dir / "robots")
    if robot_id not in robots:
        known = ", ".join(sorted(robots)) or "(none)"
        raise NotFoundError(f"No robot '{robot_id}'", fix=f"Known robots: {known}.")
    return robots[robot_id]


def make_source(settings: Settings, robot: RobotDefinition, inbox: Path | None) -> Source:
    config = robot.source
    if isinstance(config, DibkSchemaChoice) and config.reads_dibk:
        from runner.sources.dibk_schema import form_schema

        form_schema(config.xsd)  # an XSD that cannot be used stops the robot before it reads
    if config.kind == "folder":
        path = inbox if inbox is not None else settings.data_dir / config.path
        return FolderSource(
            path,
            max_bytes=settings.max_input_bytes,
            pattern=config.pattern,
            retry_attempts=settings.retry_attempts,
            retry_delay=settings.retry_delay_seconds,
        )
    if config.kind == "workitems":
        path = inbox if inbox is not None else settings.data_dir / config.path
        return WorkItemsSource(path, max_bytes=settings.max_input_bytes)
    from runner.sources.make import make_mapped_source

    return make_mapped_source(settings, config, inbox)


def make_pipeline(
    settings: Settings, store: Store, robot: RobotDefinition, *, retry: RetryPolicy | None = None
) -> Pipeline:
    content = settings.content_dir
    catalog = RuleSetCatalog.load(content / "rules")
    if not catalog.versions(robot.rule_set):
        raise ConfigurationError(
            f"Robot {robot.id} uses rule set '{robot.rule_set}', which does not exist",
            file=content / "robots",
            fix=f"Add rules/{robot.rule_set}/ or correct rule_set: in the robot file.",
        )
    templates = LetterTemplates(content / "templates")
    for outcome, template_id in robot.letters.items():
        for malform in ("nb", "nn"):
            if not templates.exists(template_id, malform):
                raise ConfigurationError(
                    f"Robot {robot.id}: no template {template_id} ({malform}) for '{outcome}'",
                    file=content / "templates",
                    fix=f"Create templates/{template_id}.{malform}.md.j2.",
                )
    return Pipeline(
        settings=settings,
        store=store,
        robot=robot,
        catalog=catalog,
        templates=templates,
        pdf=PdfRenderer(),
        channels=make_channels(settings, robot),
        retry=retry,
    )


def report_for(
    record: CaseRecord,
    source_ref: str,
    store: Store,
    duplicate: bool,
    outbox_key: str | None = None,
) -> CaseReport:
    """One case's report; its letter is the newest outbox row's (outbox_key, if known)."""
    letter = None
    if record.state == "sent":
        if outbox_key is None:
            rows = store.outbox_for_case(record.id)
            outbox_key = rows[-1].key if rows else None
        letter = outbox_key + ".pdf" if outbox_key else None
    return CaseReport(
        case_id=record.id,
        reference=record.reference,
        source_ref=source_ref,
        state=record.state,
        outcome=record.outcome,
        route=record.route,
        reasons=list(record.reasons or []),
        letter=letter,
        duplicate=duplicate,
        errors=list(record.errors or []),
    )


def run_robot(
    settings: Settings,
    store: Store,
    robot: RobotDefinition,
    *,
    inbox: Path | None = None,
    on_case: Callable[[CaseReport], None] | None = None,
    on_total: Callable[[int], None] | None = None,
    stop: StopFlag | None = None,
    retry: RetryPolicy | None = None,
    on_wait: Callable[[str], None] | None = None,
    intake_only: bool = False,
) -> RunSummary:
    """Run one robot over its source once. Bad items are quarantined; the run goes on.
    (The kommuner's follow-up, after the run's robots: runner/followup.py after_run.)

    Only one run per robot and data_dir at a time: a second one waits for the first
    (on_wait gets the message saying so); a stop requested while waiting ends it.
    With intake_only the items are only stored (as `received`): `saksrobot worker`s process.
    """
    from runner.casework.lock import RunStopped, remove_stale_temp_files, robot_lock

    pipeline = make_pipeline(settings, store, robot, retry=retry)
    source = make_source(settings, robot, inbox)
    take_archive_replies(settings, store, source)
    summary = RunSummary(robot_id=robot.id, outbox=settings.outbox)
    stop = stop if stop is not None else StopFlag()  # an unset StopFlag is falsy
    try:
        with robot_lock(settings.data_dir, robot.id, on_wait=on_wait, stopped=lambda: bool(stop)):
            remove_stale_temp_files([settings.outbox, pipeline.letters_dir], robot.id)
            _run_locked(
                pipeline, source, store, summary, inbox, on_case, on_total, stop, intake_only
            )
    except RunStopped:
        summary.stopped_early = True
    summary.stage_ms = {k: v * 1000 for k, v in pipeline.timer.totals.items()}
    return summary


def take_archive_replies(settings: Settings, store: Store, source: Source) -> None:
    """A Fiks IO source of a kommune that files over Fiks Arkiv also takes the archive's
    answers, which come to the same account, and puts them on their cases, with the same
    ArchiveReplies the follow-up uses where no robot reads the account (runner/followup.py)."""
    from runner.sources.fiksio import FiksIoSource

    if isinstance(source, FiksIoSource) and settings.kommune.fiks_arkiv is not None:
        from runner.fiksarkiv.archiver import sent_folder
        from runner.fiksarkiv.replies import ArchiveReplies

        source.replies = ArchiveReplies(store, sent_folder(settings.data_dir))


def _run_locked(
    pipeline: Pipeline,
    source: Source,
    store: Store,
    summary: RunSummary,
    inbox: Path | None,
    on_case: Callable[[CaseReport], None] | None,
    on_total: Callable[[int], None] | None,
    stop: StopFlag,
    intake_only: bool = False,
) -> None:
    base_dir = inbox if inbox is not None else getattr(source, "path", None)

    def account(report: CaseReport) -> None:
        if report.state == "quarantined":
            summary.quarantined += 1
        elif report.state == "sent":
            summary.finalised += 1
        elif report.state == "pending_review":
            summary.review += 1
        elif report.state == "parked":
            summary.parked += 1
        if report.outcome and report.state != "quarantined":
            summary.outcomes[report.outcome] += 1
        if on_case is not None:
            on_case(report)

    resumed = [] if intake_only else pipeline.resume_ids()
    for first in range(0, len(resumed), BATCH_SIZE):
        if stop:
            summary.stopped_early = True
            return
        records = store.get_cases(resumed[first : first + BATCH_SIZE])
        for record in pipeline.process_resumed([(record, base_dir) for record in records]):
            summary.resumed += 1
            source_ref = store.raw_item(record.id).source_ref
            key = pipeline.sent_outbox_key(record.id)
            account(report_for(record, source_ref, store, False, key))

    # Each item is stored on its own (a source may let go of it once it is); the cases
    # taken in are then processed a batch at a time, and whatever was taken in before a
    # stop is processed before the run ends.
    taken: list[tuple[CaseRecord, RawItem]] = []

    def process_taken() -> None:
        batch = [(record, item.base_dir or base_dir) for record, item in taken]
        for record, (_, item) in zip(pipeline.process_batch(batch), taken, strict=True):
            key = pipeline.sent_outbox_key(record.id)
            account(report_for(record, item.source_ref, store, False, key))
        taken.clear()

    if on_total is not None:
        on_total(source.count())
    for item in guarded_items(source, summary.source_problems):
        if stop:
            summary.stopped_early = True
            break
        try:
            record, created = pipeline.take_in(item)
        except SaksrobotError:  # ours say what is wrong and how to fix it, as before
            raise
        except Exception as error:  # the item stays in its source and is read again next run
            summary.source_problems.append(intake_problem(source, error, item.source_ref))
            continue
        if not created:
            summary.duplicates += 1
            report = report_for(record, item.source_ref, store, True)
            if on_case is not None:
                on_case(report)
            continue
        summary.received += 1
        if intake_only:
            if on_case is not None:
                on_case(report_for(record, item.source_ref, store, False))
            continue
        taken.append((record, item))
        if len(taken) >= BATCH_SIZE:
            process_taken()
    if taken:
        process_taken()
