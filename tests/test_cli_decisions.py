"""`saksrobot explain` shows the caseworker's answers to a case's open points, and the letter
drafted again with them states each assessment (fvl. § 25)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from runner.cli import app
from runner.models.robot import load_robots
from runner.points import open_points
from runner.settings import load_settings
from runner.store import CaseState, open_store
from runner.web.actions import Reviewer

from .conftest import DEMO_INBOX, DEMO_SETTINGS

runner = CliRunner()

OVERRIDE = "Avstanden er målt på nytt på situasjonsplanen og er innenfor kravet."
CONFIRM = "Samtykket er ikke skriftlig og kan ikke legges til grunn for vedtaket."


def test_explain_shows_the_answers_and_the_letter_holds_them(cli_env: dict[str, str]) -> None:
    inbox = DEMO_INBOX / "byggesak"
    assert runner.invoke(app, ["run", "byggesak-smatiltak", "--inbox", str(inbox)]).exit_code == 0
    settings = load_settings(DEMO_SETTINGS, data_dir=cli_env["SAKSROBOT_DATA_DIR"])
    robots = load_robots(settings.content_dir / "robots")
    with open_store(settings.database_url) as store:
        waiting = store.list_cases(state=CaseState.pending_review, limit=500)
        case, points = next(
            (c, found)
            for c in waiting
            if store.latest_letter(c.id) is not None
            and len(found := open_points(store.latest_decision(c.id).results)) >= 2  # type: ignore[union-attr]
        )
        first, second = points[0], points[1]
        before = store.latest_letter(case.id)
        Reviewer(settings, store, robots).answer(
            case.id,
            "kari",
            version=case.version,
            given={first.rule_id: ("oppfylt", OVERRIDE), second.rule_id: ("ikke_oppfylt", CONFIRM)},
        )
        letter = store.latest_letter(case.id)
        assert letter is not None and before is not None and letter.version == before.version + 1
        assert letter.created_by == "kari"
        # The letter's reasoning lists each decided point with the assessment.
        heading = {"nb": "## Saksbehandlers vurdering", "nn": "## Vurderinga til sakshandsamaren"}
        section = letter.markdown[letter.markdown.index(heading[letter.malform]) :]
        assert OVERRIDE in section and CONFIRM in section
        reference = case.reference or str(case.id)

    explained = runner.invoke(app, ["explain", reference, "--json"])
    assert explained.exit_code == 0, explained.output
    shown = {p["rule_id"]: p for p in json.loads(explained.stdout)["open_points"]}
    assert shown[first.rule_id]["answer"]["outcome"] == "oppfylt"
    assert shown[first.rule_id]["answer"]["assessment"] == OVERRIDE
    assert shown[second.rule_id]["answer"]["answered_by"] == "kari"
    assert all(
        p["answer"] is None for k, p in shown.items() if k not in (first.rule_id, second.rule_id)
    )

    human = runner.invoke(app, ["explain", reference], env={"COLUMNS": "250"})
    assert human.exit_code == 0, human.output
    text = " ".join(human.stdout.split())
    assert "Åpne punkter og saksbehandlers vurdering" in text
    assert "Avstanden er målt på nytt" in text and "kari" in text
    assert "Åpne punkter avgjort" in text  # the event, in words
    nynorsk = runner.invoke(app, ["explain", reference, "--malform", "nn"], env={"COLUMNS": "250"})
    assert "Opne punkt og vurderinga til sakshandsamaren" in " ".join(nynorsk.stdout.split())
