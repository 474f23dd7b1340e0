"""`saksrobot worker`: lease cases from the shared store and process them, many at once."""

from __future__ import annotations

import os
import secrets
import socket
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from runner.errors import IllegalTransitionError, StoreError
from runner.logs import get_logger
from runner.models.robot import RobotDefinition
from runner.pipeline import Pipeline
from runner.run import StopFlag, make_pipeline
from runner.settings import Settings
from runner.store import CaseRecord, Store
from runner.store.states import RESUMABLE

log = get_logger("saksrobot.worker")

#: Longest wait between attempts to reach a lost database.
MAX_BACKOFF = 30.0
#: Shortest wait between two looks for kommuner due a follow-up (settings.follow_up_seconds).
MIN_FOLLOW_UP_LOOK = 0.5
#: How long a stopping worker waits for the follow-up it is at to end.
FOLLOW_UP_JOIN = 30.0


@dataclass(frozen=True)
class WorkerOptions:
    """How a worker runs: which robots, how many cases at once, how long a lease lasts."""

    robots: list[str]
    concurrency: int = 1
    lease_seconds: float = 60.0
    idle_exit: bool = False
    poll_seconds: float = 1.0
    batch: int = 20  # cases claimed in one round trip and processed in one transaction


@dataclass
class WorkerSummary:
    """What one worker did, for its last log line and the CLI."""

    worker_id: str
    processed: int = 0
    states: Counter[str] = field(default_factory=Counter)
    store_errors: int = 0
    lost_leases: int = 0
    follow_ups: int = 0  # kommuner this worker followed up (runner/followup.py)


class Worker:
    """Claims cases (SKIP LOCKED), keeps their leases alive, processes and releases them."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        robots: dict[str, RobotDefinition],
        options: WorkerOptions,
        *,
        stop: StopFlag | None = None,
        worker_id: str | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.robots = robots
        self.options = options
        self.stop = stop if stop is not None else StopFlag()
        host = socket.gethostname()
        self.hostname = host
        self.worker_id = worker_id or f"{host}:{os.getpid()}:{secrets.token_hex(3)}"
        self.summary = WorkerSummary(self.worker_id)
        self._held: set[int] = set()
        self._lock = threading.Lock()
        self._done = threading.Event()

    def run(self) -> WorkerSummary:
        """Work until stopped (SIGTERM finishes the current cases) or, with idle_exit, idle."""
        if not self._with_backoff(self._register):
            return self.summary
        beat = threading.Thread(target=self._heartbeat_loop, name="heartbeat", daemon=True)
        beat.start()
        follow = threading.Thread(target=self._follow_up_loop, name="follow-up", daemon=True)
        if self.settings.follow_up_seconds > 0:
            follow.start()
        loops = [
            threading.Thread(target=self._loop, name=f"worker-{n}", daemon=True)
            for n in range(self.options.concurrency)
        ]
        try:
            for thread in loops:
                thread.start()
            for thread in loops:
                while thread.is_alive():
                    thread.join(timeout=0.2)
        finally:
            self._done.set()
            beat.join(timeout=5)
            if follow.is_alive():  # the kommune it is at is finished (or, stuck, freed later)
                follow.join(timeout=FOLLOW_UP_JOIN)
            try:
                self.store.leases.stop(self.worker_id)
            except StoreError as error:
                log.warning("worker_stop_unrecorded", error=str(error))
        log.info(
            "worker_stopped",
            worker=self.worker_id,
            processed=self.summary.processed,
            states=dict(self.summary.states),
        )
        return self.summary

    def _register(self) -> None:
        robots = sorted(self.robots)
        self.store.leases.register(self.worker_id, self.hostname, os.getpid(), robots)
        log.info("worker_started", worker=self.worker_id, robots=robots)

    def _with_backoff(self, action: Callable[[], object]) -> bool:
        """Call action() until it succeeds, waiting longer after each StoreError.

        It is tried at least once; False if it failed and a stop was requested meanwhile.
        """
        delay = 0.5
        while True:
            try:
                action()
                return True
            except StoreError as error:
                if isinstance(error, IllegalTransitionError):
                    raise
                with self._lock:
                    self.summary.store_errors += 1
                if self.stop:
                    return False
                log.warning("store_unreachable", worker=self.worker_id, retry_in=delay)
                self.stop.event.wait(delay)
                delay = min(delay * 2, MAX_BACKOFF)

    def _heartbeat_loop(self) -> None:
        interval = max(self.options.lease_seconds / 3, 0.05)
        while not self._done.wait(interval):
            with self._lock:
                held = sorted(self._held)
            try:
                kept = self.store.leases.heartbeat(self.worker_id, held, self.options.lease_seconds)
            except StoreError as error:
                log.warning("heartbeat_failed", worker=self.worker_id, error=str(error))
                continue
            lost = set(held) - set(kept)
            with self._lock:
                lost &= self._held  # a case released meanwhile is not lost
                self.summary.lost_leases += len(lost)
            for case_id in sorted(lost):
                log.warning("lease_lost", worker=self.worker_id, case_id=case_id)

    def _follow_up_loop(self) -> None:
        """Follow the kommuner up every follow_up_seconds, from the start: the store lets
        one worker at a time do a kommune, and only once per interval however many workers
        try (runner/store/leases.py), so each looks often and most find nothing to do."""
        from runner.followup import follow_up
        from runner.models.robot import load_robots

        interval = self.settings.follow_up_seconds
        robots = load_robots(self.settings.content_dir / "robots")  # all: who reads what
        while True:
            try:
                reports = follow_up(
                    self.settings,
                    self.store,
                    robots,
                    holder=self.worker_id,
                    interval=interval,
                    stopped=lambda: bool(self.stop),  # an idle worker ends its round first
                )
            except StoreError as error:  # the database is away: the next look tries again
                log.warning("follow_up_store_unreachable", worker=self.worker_id, error=str(error))
                reports = []
            with self._lock:
                self.summary.follow_ups += len(reports)
            if self._done.wait(max(interval / 4, MIN_FOLLOW_UP_LOOK)):
                return

    def _loop(self) -> None:
        """Claim a batch of cases in one round trip, process them as one batch, release them."""
        pipelines: dict[str, Pipeline] = {}  # one per robot and thread: channels hold state
        claimed: list[int] = []

        def claim() -> None:
            claimed[:] = self.store.leases.claim(
                sorted(self.robots), self.worker_id, self.options.lease_seconds, self.options.batch
            )

        while not self.stop:
            if not self._with_backoff(claim):
                return
            if not claimed:
                if self.options.idle_exit:
                    return
                self.stop.event.wait(self.options.poll_seconds)
                continue
            batch = list(claimed)
            with self._lock:
                self._held.update(batch)
            processed = 0
            try:
                processed = self._process(batch, pipelines)
            finally:
                with self._lock:
                    self._held.difference_update(batch)
                release = self.store.leases.release_all
                self._with_backoff(partial(release, batch, self.worker_id, processed=processed))

    def _process(self, case_ids: list[int], pipelines: dict[str, Pipeline]) -> int:
        """Process leased cases, a batch per robot; how many came to rest (sent, review,
        quarantine, parked). A case the pipeline cannot finish is parked by it."""
        try:
            records = self._alone_if_interrupted(self.store.get_cases(case_ids))
            by_robot: dict[str, list[CaseRecord]] = {}
            for record in records:
                by_robot.setdefault(record.robot_id, []).append(record)
            done: list[CaseRecord] = []
            for robot_id, records in by_robot.items():
                pipeline = pipelines.get(robot_id)
                if pipeline is None:
                    robot = self.robots[robot_id]
                    pipeline = pipelines[robot_id] = make_pipeline(self.settings, self.store, robot)
                inbox = _inbox(self.settings, pipeline.robot)
                batch = [(record, inbox) for record in records]
                done += pipeline.process_resumed(batch, counted=True)
        except StoreError:  # the database went away mid-batch: the leases will expire
            with self._lock:
                self.summary.store_errors += 1
            log.warning("store_lost_mid_case", worker=self.worker_id, case_ids=case_ids)
            self.stop.event.wait(min(self.options.lease_seconds, 1.0))
            return 0
        resting = [record for record in done if record.state not in RESUMABLE]
        with self._lock:
            self.summary.processed += len(resting)
            self.summary.states.update(record.state for record in resting)
        return len(resting)

    def _alone_if_interrupted(self, records: list[CaseRecord]) -> list[CaseRecord]:
        """A case whose worker died holding it (its lease was taken over) is processed alone:
        the others claimed with it are given back at once, so that if it kills this worker
        too, only it is counted as interrupted again (and parked past the limit)."""
        interrupted = [record for record in records if record.interruptions > 0]
        if not interrupted:
            return records
        alone = interrupted[0]
        others = [record.id for record in records if record.id != alone.id]
        if others:
            with self._lock:
                self._held.difference_update(others)
            self.store.leases.release_all(others, self.worker_id)
        return [alone]


def _inbox(settings: Settings, robot: RobotDefinition) -> Path | None:
    """The folder attachments of the robot's cases are checked against, if it has one."""
    path = getattr(robot.source, "path", None)
    if robot.source.kind not in ("folder", "workitems") or path is None:
        return None
    inbox = settings.data_dir / path
    return inbox if inbox.is_dir() else None
