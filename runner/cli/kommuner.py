"""`saksrobot kommuner list|check`: the kommuner a deployment serves and whether each is ready."""

from __future__ import annotations

from datetime import date

import typer

from runner.cli.options import SettingsOption, load_cli_settings, make_console

kommuner_app = typer.Typer(
    help="The kommuner this deployment serves (kommuner/NNNN-name.toml): list and check them.",
    no_args_is_help=True,
    add_completion=False,
)


@kommuner_app.command("list")
def list_command(settings_file: SettingsOption = None) -> None:
    """List every kommune served: number, name, målform, robots finalising without review."""
    from rich.markup import escape
    from rich.table import Table

    from runner.kommuner.check import source_of

    settings = load_cli_settings(settings_file)
    table = Table(title="Kommunar i denne installasjonen")
    for column in ("Nr.", "Namn", "Målform", "Automatisk vedtak", "Innstillingar"):
        table.add_column(column)
    for number, kommune in settings.kommuner.items():
        source = source_of(settings, number)
        default = " (standard)" if number == settings.kommune.kommunenummer else ""
        table.add_row(
            number,
            kommune.name + default,
            kommune.malform,
            ", ".join(kommune.auto_finalise) or "ingen (alt til saksbehandlar)",
            source.name if source is not None else escape("saksrobot.toml [kommune]"),
        )
    make_console().print(table)


@kommuner_app.command("check")
def check_command(settings_file: SettingsOption = None) -> None:
    """Validate every kommune file and check each kommune has what the robots need; and that
    the mapping can read the XSD a DiBK robot checks applications against."""
    from runner.kommuner.check import check_kommune, check_robot_sources, guideline_rules
    from runner.models.robot import load_robots
    from runner.rules.catalog import RuleSetCatalog

    settings = load_cli_settings(settings_file)
    robots = load_robots(settings.content_dir / "robots")
    catalog = RuleSetCatalog.load(settings.content_dir / "rules")
    discretionary = guideline_rules(robots, catalog.all())
    console = make_console()
    today = date.today()
    failed = 0
    for number in sorted(settings.served):  # the default kommune too, and each its own accounts
        kommune = settings.kommune_for(number)
        problems = check_kommune(kommune, robots, today, discretionary, map_dir=settings.map_dir)
        if problems:
            failed += 1
            console.print(f"{number} {kommune.name}: {len(problems)} problem(er)")
            for problem in problems:
                console.print(f"  - {problem}", soft_wrap=True)
        else:
            console.print(f"{number} {kommune.name}: ok")
    robot_problems = check_robot_sources(robots)
    for robot_problem in robot_problems:
        console.print(f"robot {robot_problem}", soft_wrap=True)
    if failed or robot_problems:
        raise typer.Exit(1)
