"""`saksrobot explain` shows the bounds of the need the robot used while documents are
missing: a missing lease is asked for only when it could change the outcome."""

from __future__ import annotations

import json
import random
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from rich.console import Console

from demo.synthetic import sosialhjelp_case
from runner.explain import explain_case, explanation_data
from runner.run import find_robot, run_robot
from runner.settings import Settings
from runner.store import open_store

RECEIVED = datetime(2026, 11, 2, 9, 0, tzinfo=ZoneInfo("Europe/Oslo"))


def _no_lease(scenario: str, reference: str) -> dict[str, object]:
    case = sosialhjelp_case(random.Random(11), scenario, reference=reference, received_at=RECEIVED)
    case["attachments"] = [a for a in case["attachments"] if a["kind"] != "husleiekontrakt"]
    return case


def test_explain_shows_the_bounds_and_the_missing_lease_decides_nothing(
    settings: Settings, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for scenario, reference in (("enslig_innvilget", "SH-B-1"), ("inntekt_over_behov", "SH-B-2")):
        case = _no_lease(scenario, reference)
        (inbox / f"{reference}.json").write_text(json.dumps(case), encoding="utf-8")
    with open_store(settings.database_url) as store:
        run_robot(settings, store, find_robot(settings, "sosialhjelp-livsopphold"), inbox=inbox)
        asked, decided = store.find_case("SH-B-1"), store.find_case("SH-B-2")
        assert asked.outcome == "mangler_dokumentasjon"
        assert decided.outcome == "avslag" and decided.route == "review"
        for record in (asked, decided):
            data = explanation_data(store, record.reference or str(record.id))
            assert data["decision"] is not None
            bounds = {r["rule_id"]: r for r in data["decision"]["results"]
                      if r["rule_id"] in ("behov_hoyst", "behov_lavest")}  # fmt: skip
            assert bounds["behov_lavest"]["value"] < bounds["behov_hoyst"]["value"]
        high = {r["rule_id"]: r for r in explanation_data(store, "SH-B-2")["decision"]["results"]}
        assert high["behov_hoyst"]["outcome"] == "ikke_oppfylt"
        assert high["behov_hoyst"]["value"] <= 0
        console = Console(record=True, width=200)
        explain_case(store, "SH-B-2", malform="nb", as_json=False, console=console)
        text = console.export_text()
        assert "behov_hoyst" in text and "behov_lavest" in text
        assert "kan ikke endre utfallet" in text
