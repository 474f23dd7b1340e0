"""The welfare robot end to end on a SQLite store: kommune norms as `k`, urgent emergencies,
every draft reviewed, and a foreløpig svar sent exactly once to cases waiting over a month."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from demo.synthetic import sosialhjelp_case
from runner.channels import FolderChannel
from runner.letters import LetterTemplates, PdfRenderer
from runner.run import find_robot, run_robot
from runner.settings import CONTENT_ROOT, Settings
from runner.store import Store, open_store
from runner.welfare.forelopig import ForelopigSvar, one_month_after

OSLO = ZoneInfo("Europe/Oslo")
NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
CASES = {  # reference → (scenario, received)
    "SH-T-001": ("enslig_innvilget", datetime(2026, 10, 5, 10, 0, tzinfo=OSLO)),
    "SH-T-002": ("nodhjelp", datetime(2026, 11, 20, 10, 0, tzinfo=OSLO)),
    "SH-T-003": ("tre_voksne", datetime(2026, 10, 6, 10, 0, tzinfo=OSLO)),
    "SH-T-004": ("inntekt_over_behov", datetime(2026, 11, 2, 10, 0, tzinfo=OSLO)),
}


@pytest.fixture
def store(settings: Settings, tmp_path: Path) -> Store:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    rng = random.Random(3)
    for reference, (scenario, received) in CASES.items():
        case = sosialhjelp_case(rng, scenario, reference=reference, received_at=received)
        (inbox / f"{reference}.json").write_text(json.dumps(case), encoding="utf-8")
    opened = open_store(settings.database_url)
    robot = find_robot(settings, "sosialhjelp-livsopphold")
    summary = run_robot(settings, opened, robot, inbox=inbox)
    assert summary.review == len(CASES) and summary.finalised == 0  # GDPR art. 22
    return opened


def _forelopig(settings: Settings, store: Store) -> ForelopigSvar:
    return ForelopigSvar(
        settings, store, find_robot(settings, "sosialhjelp-livsopphold"),
        templates=LetterTemplates(CONTENT_ROOT / "templates"), pdf=PdfRenderer(),
        channel=FolderChannel(settings.outbox),
    )  # fmt: skip


def test_norms_reach_the_rules_and_emergencies_are_urgent(store: Store) -> None:
    grant = store.find_case("SH-T-001")
    assert grant.outcome == "innvilget" and not grant.urgent
    emergency = store.find_case("SH-T-002")
    assert emergency.urgent and "nodhjelp" in emergency.reasons
    decision = store.latest_decision(grant.id)
    assert decision is not None and decision.amounts["sats_voksne"] == 8500  # demo norm
    assert store.find_case("SH-T-003").outcome == "til_vurdering"
    store.close()


def test_forelopig_svar_goes_out_once_to_cases_waiting_a_month(
    settings: Settings, store: Store
) -> None:
    job = _forelopig(settings, store)
    dry = job.run(NOW, dry_run=True)
    assert {r.reference for r in dry} == {"SH-T-001", "SH-T-003"}
    assert {r.action for r in dry} == {"would_send"}
    assert not list(settings.outbox.glob("*forelopig*"))
    drafts = {r.case_id: store.latest_letter(r.case_id) for r in dry}

    first = job.run(NOW)
    assert {r.action for r in first} == {"sent"}
    second = job.run(NOW)
    assert {r.action for r in second} == {"already_sent"}
    sent = sorted(path.name for path in settings.outbox.glob("*forelopig-svar.pdf"))
    assert len(sent) == 2
    for result in first:
        # The decision draft is again the newest version: the caseworker approves it.
        latest = store.latest_letter(result.case_id)
        draft = drafts[result.case_id]
        assert latest is not None and draft is not None
        assert latest.markdown == draft.markdown and latest.version == draft.version + 2
        kinds = [event.kind for event in store.events(result.case_id)]
        assert kinds.count("forelopig_svar_sent") == 1
        assert store.get_case(result.case_id).state == "pending_review"
    assert store.verify_audit() == []
    store.close()


def test_one_month_after_clamps_to_the_month_end() -> None:
    assert one_month_after(datetime(2026, 1, 31).date()).isoformat() == "2026-02-28"
    assert one_month_after(datetime(2026, 12, 15).date()).isoformat() == "2027-01-15"
