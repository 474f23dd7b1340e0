"""Welfare cases use their own kommune's norm and letterhead department; replay agrees."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from runner.cli import app
from runner.models.robot import load_robots
from runner.run import run_robot
from runner.settings import CONTENT_ROOT, load_settings
from runner.store import open_store

DEMO_SETTINGS = CONTENT_ROOT / "demo" / "saksrobot.toml"
WELFARE_INBOX = CONTENT_ROOT / "demo" / "inbox" / "sosialhjelp"


def test_welfare_cases_of_each_kommune_use_its_norm_and_replay_the_same(tmp_path: Path) -> None:
    settings = load_settings(DEMO_SETTINGS, data_dir=tmp_path)
    robot = load_robots(settings.content_dir / "robots")["sosialhjelp-livsopphold"]
    with open_store(settings.database_url) as store:
        run_robot(settings, store, robot, inbox=WELFARE_INBOX)
        chosen = {}
        for number in ("4627", "4601", "0301"):
            cases = store.list_cases(kommunenummer=number, robot_id=robot.id, limit=500)
            decided = [case for case in cases if case.outcome in ("innvilget", "avslag")]
            assert decided, number
            chosen[number] = decided[0]
            decision = store.latest_decision(decided[0].id)
            assert decision is not None
            reference = settings.kommune_for(number).sosialhjelp
            assert reference is not None
            evaluation = decision.evaluation()
            assert reference.reference in str(evaluation.model_dump(mode="json"))
    for number, case in chosen.items():
        result = CliRunner().invoke(
            app,
            ["replay", case.reference or str(case.id), "--settings", str(DEMO_SETTINGS),
             "--store", settings.database_url],
        )  # fmt: skip
        assert result.exit_code == 0, (number, result.output)
        assert "samme resultat" in result.output, (number, result.output)


def test_replay_uses_the_kommune_parameters_stored_with_the_decision(tmp_path: Path) -> None:
    """A kommune that changes its norm later does not change how an old decision replays."""
    from runner.ruletools.replay import replay_case

    settings = load_settings(DEMO_SETTINGS, data_dir=tmp_path)
    robot = load_robots(settings.content_dir / "robots")["sosialhjelp-livsopphold"]
    with open_store(settings.database_url) as store:
        run_robot(settings, store, robot, inbox=WELFARE_INBOX)
        granted = [
            case
            for case in store.list_cases(kommunenummer="4627", robot_id=robot.id, limit=500)
            if case.outcome == "innvilget"
        ]
        assert granted
        decision = store.latest_decision(granted[0].id)
        assert decision is not None and decision.kommune_parameters
        assert decision.evaluation().kommune_parameters == decision.kommune_parameters

        def changed_norm(case_type: str | None, day: object) -> dict[str, object]:
            return {}  # today's settings without any own norm: would flip the rate rule

        report = replay_case(
            store, str(granted[0].id), settings.content_dir / "rules", kommune=changed_norm
        )
        assert report.differences == []
