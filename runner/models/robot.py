"""Robot definitions: which cases a robot reads, which rules it applies, what it sends."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import Field, ValidationError, field_validator

from runner.channels.configs import (
    FiksIoChannelConfig,
    SmtpChannelConfig,
    SvarUtChannelConfig,
    WorkItemsChannelConfig,
)
from runner.deadlines import DeadlinePolicy
from runner.errors import FieldProblem, RobotDefinitionError
from runner.models.common import FrozenModel
from runner.models.registry import CASE_MODELS
from runner.sources.configs import (
    DibkSchemaChoice,
    ExcelSourceConfig,
    FiksIoSourceConfig,
    ImapSourceConfig,
    PdfFormSourceConfig,
)

Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]{1,62}$")]


class Texts(FrozenModel):
    """A text in bokmål and nynorsk."""

    nb: str
    nn: str


class FolderSourceConfig(DibkSchemaChoice):
    """Cases as files in a drop folder: case JSON, NAV's or DiBK's application."""

    kind: Literal["folder"]
    path: str = Field(description="Inbox folder, relative to the settings file's data_dir")
    pattern: str = "*"
    format: Literal["case", "nav-soknad", "dibk-tiltak-uten-ansvarsrett"] = Field(
        default="case",
        description="case: saksrobot case JSON; nav-soknad: NAV's digital sosialhjelp "
        "application; dibk-tiltak-uten-ansvarsrett: DiBK's XML application",
    )


class WorkItemsSourceConfig(FrozenModel):
    """Cases as Robocorp work items (RPA.Robocorp.WorkItems, FileAdapter locally)."""

    kind: Literal["workitems"]
    path: str = Field(description="The local work-items JSON file (RPA_INPUT_WORKITEM_PATH)")


SourceConfig = Annotated[
    FolderSourceConfig
    | WorkItemsSourceConfig
    | PdfFormSourceConfig
    | ExcelSourceConfig
    | ImapSourceConfig
    | FiksIoSourceConfig,
    Field(discriminator="kind"),
]


class FolderChannelConfig(FrozenModel):
    """Letters written as PDF files to an outbox folder, atomically, once each."""

    kind: Literal["folder"]
    path: str = "outbox"


ChannelConfig = Annotated[
    FolderChannelConfig
    | SmtpChannelConfig
    | WorkItemsChannelConfig
    | FiksIoChannelConfig
    | SvarUtChannelConfig,
    Field(discriminator="kind"),
]


class FactProviderConfig(FrozenModel):
    """A provider of verified facts, run between validation and evaluation (facts step)."""

    kind: Literal["kartdata"] = Field(
        description="kartdata: the kommune's map data (plan, shoreline, hazard zones, "
        "heritage, roads, building lines, cadastre)"
    )


class ReviewPolicy(FrozenModel):
    """Outcomes that always go to a caseworker, whatever the decision table says."""

    outcomes: list[str] = Field(default_factory=list)


class RobotDefinition(FrozenModel):
    """A robot: source, rule set, letters per outcome, channel. Data, no code."""

    id: Identifier
    version: Annotated[int, Field(ge=1)]
    title: Texts
    description: Texts | None = None
    case_model: str
    source: SourceConfig
    rule_set: Identifier
    letters: dict[str, str] = Field(
        description="Template id per outcome, e.g. {innvilget: byggesak/innvilget}"
    )
    channel: ChannelConfig = FolderChannelConfig(kind="folder")
    review: ReviewPolicy = ReviewPolicy()
    document_rules: list[str] = Field(
        default_factory=list,
        description="Rules whose failure means a document is missing (listed in the letter)",
    )
    facts: list[FactProviderConfig] = Field(
        default_factory=list,
        description="Providers that add verified facts to each case before its rules run",
    )
    deadline: DeadlinePolicy | None = Field(
        default=None, description="The legal deadline shown and sorted on in the review queue"
    )

    @field_validator("case_model")
    @classmethod
    def _known_case_model(cls, value: str) -> str:
        if value not in CASE_MODELS:
            known = ", ".join(sorted(CASE_MODELS))
            raise ValueError(f"ukjent case_model '{value}'; kjente: {known}")
        return value


def load_robot(path: Path) -> RobotDefinition:
    """Load and validate one robot file; errors name the file, the field and the fix."""
    try:
        raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise RobotDefinitionError(
            f"Cannot read robot file: {error.strerror}", file=path, fix="Check the path."
        ) from error
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise RobotDefinitionError(
            f"Robot file is not valid YAML{where}",
            file=path,
            fix="Check indentation and quoting around that line.",
        ) from error
    if not isinstance(raw, dict):
        raise RobotDefinitionError(
            "Robot file must be a YAML mapping (id: ..., version: ...)", file=path
        )
    try:
        return RobotDefinition.model_validate(raw)
    except ValidationError as error:
        problems = [
            FieldProblem(
                ".".join(str(part) for part in item["loc"]),
                item["msg"],
                _fix_for(item["type"]),
            )
            for item in error.errors()
        ]
        raise RobotDefinitionError(
            "Invalid robot definition",
            file=path,
            problems=problems,
            fix="See robots/byggesak-smatiltak.yaml for a complete, valid robot.",
        ) from error


def _fix_for(error_type: str) -> str:
    return {
        "missing": "add this field",
        "extra_forbidden": "remove this field or check its spelling",
        "union_tag_invalid": "use a supported kind (folder, workitems, pdfform, excel, imap, "
        "fiksio)",
        "union_tag_not_found": "add 'kind:' (folder, workitems, pdfform, excel, imap or fiksio)",
    }.get(error_type, "correct the value")


def load_robots(robots_dir: Path) -> dict[str, RobotDefinition]:
    """All robots in a folder, by id; two files with one id is an error."""
    robots: dict[str, RobotDefinition] = {}
    for path in sorted(robots_dir.glob("*.yaml")):
        robot = load_robot(path)
        if robot.id in robots:
            raise RobotDefinitionError(
                f"Robot id '{robot.id}' is defined twice",
                file=path,
                fix="Give each robot its own id.",
            )
        robots[robot.id] = robot
    return robots
