"""Cases through the robot in batches: validate, evaluate, draft, finalise, send.

The steps are plain functions in runner/steps/; the state machine that drives them, with
retry, quarantine and park, is runner/steps/flow.py. This module names what callers use.
"""

from __future__ import annotations

from runner.steps.context import ROBOT_ACTOR, StageTimer
from runner.steps.failures import RetryPolicy
from runner.steps.flow import BATCH_SIZE, INTERRUPTION_LIMIT, STORE_STEPS, Pipeline

__all__ = [
    "BATCH_SIZE",
    "INTERRUPTION_LIMIT",
    "ROBOT_ACTOR",
    "STORE_STEPS",
    "Pipeline",
    "RetryPolicy",
    "StageTimer",
]
