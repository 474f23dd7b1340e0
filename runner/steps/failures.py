"""What becomes of a case whose step failed: retried (ApplicationError, OSError), then
quarantined (BusinessError: the case itself is wrong) or parked for a human (the rest)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from runner.errors import (
    ApplicationError,
    BusinessError,
    CaseInterruptedError,
    CaseValidationError,
    ChannelAccountError,
    ChannelError,
    FieldProblem,
    SourceError,
    UnreadableItemError,
)
from runner.logs import get_logger
from runner.problems import PROBLEMS, problem
from runner.sources.boundary import redacted_trace
from runner.sources.convert import claimed_kommune
from runner.steps.context import ROBOT_ACTOR
from runner.steps.send import UnprovableError
from runner.steps.validate import UnreadError
from runner.store import CaseRecord, CaseState, Store
from runner.vocabulary import Word

log = get_logger("saksrobot.pipeline")
T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """How often an application error is retried before the case is parked for a human."""

    attempts: int = 3
    first_delay: float = 0.2
    factor: float = 2.0


def with_retry(policy: RetryPolicy, action: Callable[[], T]) -> T:
    """action(), tried again after an ApplicationError or OSError, waiting longer each time."""
    delay = policy.first_delay
    for attempt in range(1, policy.attempts + 1):
        try:
            return action()
        except ApplicationError as error:
            if attempt == policy.attempts or isinstance(
                error, UnprovableError | UnreadError | ChannelAccountError
            ):
                raise
            log.warning("retrying", attempt=attempt, error=error.kind, delay=delay)
        except OSError as error:
            if attempt == policy.attempts:
                raise ApplicationError(
                    f"{error.strerror or error}", fix="Check the disk and permissions."
                ) from error
            log.warning("retrying", attempt=attempt, error="oserror", delay=delay)
        time.sleep(delay)
        delay *= policy.factor
    raise AssertionError("unreachable")


def owner_fields(store: Store, case_id: int, source_config: Any) -> dict[str, Any]:
    """For a case put aside before validation set its kommunenummer (`received`: the item as
    it now is was never validated, e.g. a retried file): the kommune its raw item states,
    None if none can be read. So the item is shown to that kommune's caseworkers only, and
    one of a kommune not served or with none readable to nobody's as their own. A case put
    aside later keeps its validated kommunenummer."""
    if store.get_case(case_id).state != CaseState.received:
        return {}
    raw, content = store.raw_item_and_content(case_id)
    return {"kommunenummer": claimed_kommune(source_config, raw, content)}


def quarantine(
    store: Store, record: CaseRecord, error: BusinessError, source_config: Any
) -> CaseRecord:
    """The case itself is wrong: every problem on record, shown to a caseworker of the
    kommune the item states (owner_fields)."""
    problems = (
        [p.as_dict() for p in error.problems]
        if isinstance(error, CaseValidationError)
        else [_business_problem(error).as_dict()]
    )
    log.info("case_quarantined", case_id=record.id, problems=len(problems))
    data: dict[str, Any] = {"errors": problems}
    if isinstance(error, UnreadableItemError):  # for the operator: what failed, and where
        data["exception_type"] = error.exception_type
        data["trace"] = error.trace
    return store.transition(
        record.id,
        CaseState.quarantined,
        actor=ROBOT_ACTOR,
        event="quarantined",
        data=data,
        errors=problems,
        **owner_fields(store, record.id, source_config),
    )


def park(store: Store, record: CaseRecord, error: Exception, source_config: Any) -> CaseRecord:
    """Put the case aside for a human; `error` is an ApplicationError or a bug. The case gets
    the kommune its item states, as in quarantine."""
    current = store.get_case(record.id)
    data: dict[str, Any]
    if isinstance(error, ApplicationError):
        data = {"from_state": current.state, "error": str(error), "kind": error.kind}
        last_error = shown = str(error)
        data["problem"] = parked_problem(error, record.id).as_dict()
    else:  # a bug: its type and a traceback without messages (they may quote the case)
        shown = name = type(error).__name__
        data = {
            "from_state": current.state,
            "error": name,
            "kind": "internal",
            "exception_type": name,
            "trace": redacted_trace(error),
        }
        state = Word("state", str(current.state))
        data["problem"] = problem(
            "parked_internal", name=name, state=state, case=record.id
        ).as_dict()
        last_error = (
            f"uventet feil i roboten ({name}) i tilstand '{current.state}'; feiltypen "
            f"og sporet står i saksloggen. Gi driftsansvarlig saksnummeret {record.id}, "
            f"og kjør saksrobot cases retry {record.id} når feilen er rettet"
        )
    log.warning("case_parked", case_id=record.id, state=current.state, error=shown)
    return store.transition(
        record.id,
        CaseState.parked,
        actor=ROBOT_ACTOR,
        event="parked",
        data=data,
        last_error=last_error,
        attempts=current.attempts + 1,
        **owner_fields(store, current.id, source_config),
    )


def _business_problem(error: BusinessError) -> FieldProblem:
    """The one problem of a business error that names no field: its own words, if any."""
    if error.text in PROBLEMS:
        return problem(str(error.text), **error.values)
    return FieldProblem("", error.message, error.fix or "")


def parked_problem(error: ApplicationError, case_id: int) -> FieldProblem:
    """Why the case is parked, in words (runner/problems.py PARKED): the error's own, else
    those of its kind. The error's message (often a server's or the system's, in English)
    stays in the log and the case's last_error."""
    if error.text in PROBLEMS:
        return problem(str(error.text), **{"case": case_id, **error.values})
    if isinstance(error, UnprovableError):
        key = "parked_unproven"
    elif isinstance(error, ChannelError):
        key = "parked_channel"
    elif isinstance(error, SourceError):
        key = "parked_source"
    else:
        key = "parked_application"
    return problem(key, case=case_id)


def interrupted(record: CaseRecord) -> CaseInterruptedError:
    """Why a case that cut its processing short too often is parked (in Norwegian)."""
    return CaseInterruptedError(
        f"behandlingen av saken ble avbrutt {record.interruptions} ganger (roboten stoppet "
        f"mens den behandlet saken, i tilstand '{record.state}'); saken er satt til side så "
        "den ikke stopper flere kjøringer",
        fix=f"gi driftsansvarlig saksnummeret {record.id} (loggen viser hvor det stoppet), "
        f"rett årsaken og kjør saksrobot cases retry {record.id}",
        text="parked_interrupted",
        values={
            "n": record.interruptions,
            "state": Word("state", str(record.state)),
            "case": record.id,
        },
    )
