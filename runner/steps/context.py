"""What every step is given besides the case: the robot's parts (`Robot`), and what a step
hands to the case's next one (`Handoff`)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel

from runner.channels.base import Channel
from runner.channels.kommuner import KommuneChannels
from runner.kommuner.settings import KommuneSettings
from runner.letters import LetterTemplates, PdfRenderer
from runner.mapdata import DatasetKind, Layer, kommune_layers
from runner.models.robot import RobotDefinition
from runner.rules import RuleSetCatalog
from runner.settings import Settings
from runner.store import CaseRecord, Store
from runner.store.records import DecisionRecord, LetterRecord

#: Who the robot's steps are on record as.
ROBOT_ACTOR = "robot"


@dataclass
class StageTimer:
    """Milliseconds spent per stage, for the run summary and benchmarks."""

    totals: dict[str, float] = field(default_factory=dict)

    def add(self, stage: str, seconds: float) -> None:
        self.totals[stage] = self.totals.get(stage, 0.0) + seconds

    @contextmanager
    def timing(self, stage: str) -> Iterator[None]:
        """Add the time the block takes to `stage` (also when it raises)."""
        started = time.perf_counter()
        try:
            yield
        finally:
            self.add(stage, time.perf_counter() - started)


@dataclass(frozen=True)
class Robot:
    """One robot's parts, as its steps need them, for one batch: read-only but for the
    timer, which adds up, `files`, the letter files its cases are to leave on disk, and
    `layers`, the map data its cases are checked against."""

    settings: Settings
    store: Store
    definition: RobotDefinition
    catalog: RuleSetCatalog
    templates: LetterTemplates
    pdf: PdfRenderer
    channels: KommuneChannels
    clock: Callable[[], datetime]
    timer: StageTimer
    case_model: type[BaseModel]
    letters_dir: Path
    #: The batch's letter files (PDF and decision record), written together before its
    #: commit (flow.py): one journal flush and one fsync per folder for the whole batch.
    files: list[tuple[Path, bytes]] = field(default_factory=list)
    #: The map layers of each kommune as the batch's first case with map facts found its
    #: files (`map_layers`), by kommunenummer: every case of a batch is checked against the
    #: same version of the kommune's map data, looked up once, not once per case.
    layers: dict[str, dict[DatasetKind, Layer]] = field(default_factory=dict)

    def kommune(self, record: CaseRecord) -> KommuneSettings:
        """The settings of the case's kommune (the default kommune for a case without one)."""
        return self.settings.kommune_for(record.kommunenummer)

    def channel(self, record: CaseRecord) -> Channel:
        """The channel the case's letters leave by: its own kommune's (KommuneChannels)."""
        return self.channels.of(self.kommune(record))

    def map_layers(self, kommune: KommuneSettings) -> dict[DatasetKind, Layer]:
        """The kommune's map datasets, loaded (runner.mapdata.kommune_layers: read once per
        file version) the first time the batch asks for them."""
        found = self.layers.get(kommune.kommunenummer)
        if found is None:
            found = kommune_layers(kommune.map_data, self.settings.map_dir)
            self.layers[kommune.kommunenummer] = found
        return found


@dataclass(frozen=True, slots=True)
class Handoff:
    """What a step stored that the case's next step reads: kept so it need not be read back
    (the validated case for evaluate; the decision, and the letter, for draft and finalise).

    Valid only for the case record the step returned (`for_record`): any other record of
    the case (resumed after a crash, approved by a caseworker, changed by anyone else)
    has another version, and the next step reads from the store as usual. The records are
    the rows as the database returned them on insert, not copies made in Python, so both
    ways give the same letter and decision record.
    """

    case_id: int
    version: int
    decision: DecisionRecord | None = None
    letter: LetterRecord | None = None
    #: The case as the validate step validated it (and added its facts to): what its
    #: stored data validates to, so evaluate need not validate that data again.
    case: BaseModel | None = None

    def for_record(self, record: CaseRecord) -> bool:
        """Whether this was handed on for exactly this record (case and version)."""
        return self.case_id == record.id and self.version == record.version


#: What a store step returns: the case as it now is, and what it hands to the next step.
Step = tuple[CaseRecord, Handoff | None]
