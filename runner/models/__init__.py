"""Validated, frozen models: cases, rule results, decisions and robot definitions."""

from runner.models.byggesak import ByggesakCase
from runner.models.common import Address, Attachment, FrozenModel, Malform
from runner.models.registry import CASE_MODELS, case_model, decision_date
from runner.models.results import (
    Decision,
    Evaluation,
    LegalBasis,
    Route,
    RuleOutcome,
    RuleResult,
)
from runner.models.sosialhjelp import SosialhjelpCase

__all__ = [
    "CASE_MODELS",
    "Address",
    "Attachment",
    "ByggesakCase",
    "Decision",
    "Evaluation",
    "FrozenModel",
    "LegalBasis",
    "Malform",
    "Route",
    "RuleOutcome",
    "RuleResult",
    "SosialhjelpCase",
    "case_model",
    "decision_date",
]
