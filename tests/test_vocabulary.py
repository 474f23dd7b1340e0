"""Every state, role, event and outcome a caseworker or citizen reads has a bokmål and a
nynorsk word in runner/vocabulary.py."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from runner.store import CaseState
from runner.vocabulary import KINDS, word
from runner.web.core import PERMISSIONS

ROOT = Path(__file__).resolve().parents[1]
#: Event kinds as the code records them: event="…", event_kind="…" and record_event kinds.
EVENT_LITERAL = re.compile(r'\b(?:event|event_kind)="([a-z_]+)"|kind="([a-z_]+)"(?: if)?')
NOT_EVENTS = {"folder", "smtp", "workitems"}


def _has_both(kind: str, code: str) -> None:
    pair = KINDS[kind].get(code)
    assert pair is not None, f"no {kind} word for '{code}' in runner/vocabulary.py"
    assert all(text.strip() for text in pair), f"{kind} '{code}' lacks nb or nn"
    assert word(kind, code, "nb") == pair[0] and word(kind, code, "nn") == pair[1]


def test_every_case_state_has_words() -> None:
    for state in CaseState:
        _has_both("state", state.value)


def test_every_role_has_words() -> None:
    for role in PERMISSIONS:
        _has_both("role", role)


def _outcomes() -> set[str]:
    found: set[str] = set()
    for path in ROOT.glob("rules/*/ruleset.yaml"):
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        found |= {row["outcome"] for row in spec.get("decision", []) if "outcome" in row}
    for path in ROOT.glob("robots/*.yaml"):
        found |= set(yaml.safe_load(path.read_text(encoding="utf-8")).get("letters") or {})
    return found


def test_every_outcome_in_rule_sets_and_robots_has_words() -> None:
    outcomes = _outcomes()
    assert {"innvilget", "avslag", "ikke_soknadspliktig", "til_vurdering"} <= outcomes
    for outcome in outcomes:
        _has_both("outcome", outcome)


def test_every_event_the_code_records_has_words() -> None:
    kinds: set[str] = set()
    for path in (ROOT / "runner").rglob("*.py"):
        for match in EVENT_LITERAL.finditer(path.read_text(encoding="utf-8")):
            kinds.add(match.group(1) or match.group(2))
    kinds |= {"handed_back"}  # kind="assigned" if … else "handed_back"
    kinds -= NOT_EVENTS
    assert {"viewed", "approved", "drafted", "evaluated"} <= kinds
    for kind in kinds:
        _has_both("event", kind)


def test_rule_results_and_outbox_states_have_words() -> None:
    for result in ("oppfylt", "ikke_oppfylt", "uavklart", "ikke_aktuelt"):
        _has_both("result", result)
    for state in ("pending", "sending", "sent", "needs_human"):
        _has_both("outbox", state)


def test_an_unknown_code_is_shown_readably() -> None:
    assert word("event", "something_new", "nb") == "something new"
    assert word("state", None, "nn") == "–"
