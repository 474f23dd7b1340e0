"""One error tree for saksrobot: every message says what failed, where, and how to fix it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runner.vocabulary import Word


class SaksrobotError(Exception):
    """Base exception for every error saksrobot raises on purpose.

    `message` and `fix` are the operator's text (CLI, logs). An error a caseworker or admin
    can meet on the review page also names its words: `text`, a key of runner/web/i18n.py
    ERRORS (message and fix in bokmål and nynorsk), and `values` for their {placeholders}
    (ids, numbers and codes, never personal data; a runner.vocabulary.Word is shown as its
    word). The web app shows every error in the reader's målform by these (i18n.error_words);
    an error without `text` by the words for its `kind`.
    """

    #: Short machine-readable kind, used in the JSON error shape and in metrics.
    kind: str = "error"
    #: Keys of runner/web/i18n.py TEXTS added to the reader's message (e.g. "edits_saved").
    notes: tuple[str, ...] = ()

    def __init__(
        self,
        message: str,
        *,
        fix: str | None = None,
        text: str | None = None,
        values: Mapping[str, object] | None = None,
    ) -> None:
        self.message = message
        self.fix = fix
        self.text = text
        self.values: Mapping[str, object] = dict(values or {})
        super().__init__(self.__str__())

    def __str__(self) -> str:
        if self.fix:
            return f"{self.message} — {self.fix}"
        return self.message

    def as_dict(self) -> dict[str, Any]:
        """The one error shape used by the CLI's --json output and the web app."""
        return {"error": self.kind, "message": self.message, "fix": self.fix}


@dataclass(frozen=True)
class FieldProblem:
    """One problem in one field of one input (a case file, a robot file, a settings file).

    `reason` and `fix` are the operator's text in bokmål (CLI, logs, records made before
    problems had words). A problem a caseworker reads on the review page also names its
    words, as SaksrobotError does: `text`, a key of runner/problems.py PROBLEMS (reason and
    fix in bokmål and nynorsk; runner.problems.problem makes one), and `values` for their
    {placeholders}: the item's own content (a field's value, a number) stays a value.
    """

    location: str  # JSON path such as "measure.built_area_m2", or "" for the whole item
    reason: str
    fix: str = ""
    text: str | None = None
    values: Mapping[str, object] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"field": self.location, "reason": self.reason, "fix": self.fix}
        if self.text is not None:
            data["text"] = self.text
            data["values"] = dict(self.values)
        return data

    def __str__(self) -> str:
        where = self.location or "(hele filen)"
        text = f"{where}: {self.reason}"
        return f"{text} ({self.fix})" if self.fix else text


class ConfigurationError(SaksrobotError):
    """A definition file (robot, rule set, settings, template) is wrong: the robot cannot run."""

    kind = "configuration"

    def __init__(
        self,
        message: str,
        *,
        file: Path | str | None = None,
        problems: list[FieldProblem] | None = None,
        fix: str | None = None,
    ) -> None:
        self.file = str(file) if file is not None else None
        self.problems = list(problems or [])
        super().__init__(message, fix=fix)

    def __str__(self) -> str:
        head = f"{self.file}: {self.message}" if self.file else self.message
        lines = [head] + [f"  - {p}" for p in self.problems]
        if self.fix:
            lines.append(f"  Slik retter du det: {self.fix}")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        data = super().as_dict()
        data["file"] = self.file
        data["problems"] = [p.as_dict() for p in self.problems]
        return data


class SettingsError(ConfigurationError):
    """The kommune settings file or a SAKSROBOT_* environment variable is invalid."""

    kind = "settings"


class RobotDefinitionError(ConfigurationError):
    """A robot definition in robots/*.yaml is invalid."""

    kind = "robot_definition"


class RuleSetError(ConfigurationError):
    """A rule set (ruleset.yaml, parameters.yaml, rules.yaml, tests) is invalid."""

    kind = "rule_set"


class TemplateError(ConfigurationError):
    """A letter template is missing, does not compile or refers to an unknown variable."""

    kind = "template"


class BusinessError(SaksrobotError):
    """The case itself is wrong: it is quarantined and never retried."""

    kind = "business"


class CaseValidationError(BusinessError):
    """A raw item could not become a valid case. Carries every problem found."""

    kind = "validation"

    def __init__(self, source: str, problems: list[FieldProblem]) -> None:
        self.source = source
        self.problems = list(problems)
        count = len(self.problems)
        super().__init__(
            f"{source}: {count} feil i innsendt sak",
            fix="Rett feltene som er nevnt, og send saken inn på nytt (saksrobot cases retry SAK).",
        )

    def __str__(self) -> str:
        lines = [f"{self.source}: {len(self.problems)} feil i innsendt sak"]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        data = super().as_dict()
        data["source"] = self.source
        data["problems"] = [p.as_dict() for p in self.problems]
        return data


class UnreadableItemError(CaseValidationError):
    """A reader or mapper failed on one item in a way nobody foresaw: the item is quarantined.

    The problems say in Norwegian what could not be read and how to fix it; the exception
    type and a traceback without messages (`trace`: file, line and function only, since a
    message may quote the item) are for the operator.
    """

    kind = "unreadable"

    def __init__(
        self,
        source: str,
        problems: list[FieldProblem],
        *,
        exception_type: str,
        trace: list[str],
    ) -> None:
        self.exception_type = exception_type
        self.trace = list(trace)
        super().__init__(source, problems)

    def as_dict(self) -> dict[str, Any]:
        data = super().as_dict()
        data["exception_type"] = self.exception_type
        data["trace"] = self.trace
        return data


class ApplicationError(SaksrobotError):
    """Something outside the case failed (disk, server, lock): retried with backoff, then parked."""

    kind = "application"


class CaseInterruptedError(ApplicationError):
    """A case cut its processing short again and again (the run or worker died holding it):
    it is parked for a human instead of being taken up forever."""

    kind = "interrupted"


class ChannelError(ApplicationError):
    """A letter could not be delivered by its channel."""

    kind = "channel"


class ChannelAccountError(ChannelError):
    """The case's kommune lacks the account its robot's channel needs (e.g. no [svarut]):
    the letter is not sent through another kommune's, and retrying cannot help."""


class SourceError(ApplicationError):
    """A source (folder, work items, mailbox) could not be read."""

    kind = "source"


class StoreError(SaksrobotError):
    """The case store cannot be opened or used."""

    kind = "store"


class IllegalTransitionError(StoreError):
    """A case was asked to move between two states the state machine does not connect."""

    kind = "illegal_transition"

    def __init__(self, case_id: str, current: str, target: str, *, changed: bool = False) -> None:
        """`changed`: the case was changed by someone else since it was read (its version)."""
        self.case_id = case_id
        self.current = current
        self.target = target
        self.changed = changed
        since = " (changed since read)" if changed else ""
        super().__init__(
            f"Case {case_id} cannot go from '{current}{since}' to '{target}'",
            fix="This is a bug or a concurrent change; reload the case and try again.",
            text="case_changed" if changed else "illegal_transition",
            values={"case": case_id, "state": Word("state", str(current))},
        )


class ReviewError(SaksrobotError):
    """A caseworker's action cannot be done on the case as it is now (an open point not
    answered, a letter changed since it was shown, an assessment too short)."""

    kind = "review"


class AnswerError(ReviewError):
    """Answers to a case's open points that cannot be stored as given; `problems` maps each
    rule id to what is wrong (a key of the review page's words, runner/web/i18n.py)."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        super().__init__(
            f"{len(problems)} answer(s) cannot be stored: "
            + ", ".join(f"{rule}: {problem}" for rule, problem in problems.items()),
            fix="Choose oppfylt or ikke oppfylt for each point, and write the assessment.",
            text="answers_refused",
            values={"n": len(problems)},
        )


class UsageError(SaksrobotError):
    """A command-line argument is wrong (a date that is not one, a range backwards)."""

    kind = "usage"


class NotFoundError(SaksrobotError):
    """A case, robot, rule set or user that was asked for does not exist."""

    kind = "not_found"


@dataclass
class ErrorReport:
    """Collects problems before raising one error naming all of them."""

    problems: list[FieldProblem] = field(default_factory=list)

    def add(self, location: str, reason: str, fix: str = "") -> None:
        self.problems.append(FieldProblem(location, reason, fix))

    def __bool__(self) -> bool:
        return bool(self.problems)
