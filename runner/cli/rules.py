"""The `saksrobot rules` commands (test, check, diff, new) and `saksrobot replay`."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from runner.cli.options import (
    SettingsOption,
    StoreOption,
    load_cli_settings,
    make_console,
    open_cli_store,
)

if TYPE_CHECKING:
    from rich.table import Table

    from runner.rules.ruleset import RuleSet
    from runner.ruletools.testing import TestReport

rules_app = typer.Typer(
    help="Work with rule sets (rules/<id>/): test, check, diff and scaffold them.",
    no_args_is_help=True,
)

PathsArgument = Annotated[
    list[Path] | None,
    typer.Argument(
        help="Rule set folders, or folders holding them. Default: every rule set under "
        "the content folder's rules/.",
        show_default=False,
    ),
]


@rules_app.callback()
def rules_callback() -> None:
    """Work with rule sets: each is a folder with ruleset.yaml, parameters.yaml, rules.yaml
    and tests/*.yaml."""


def _default(paths: list[Path] | None) -> list[Path]:
    from runner.ruletools.check import rule_set_folders
    from runner.settings import CONTENT_ROOT

    return rule_set_folders(paths or [CONTENT_ROOT / "rules"])


def _summary(rows: list[tuple[Path, RuleSet | None, TestReport | None]]) -> Table:
    from rich.table import Table

    table = Table(title="Tester av regelsett")
    for column in ("Regelsett", "Versjon", "Bestått", "Feilet", "Status"):
        table.add_column(column, justify="right" if column in ("Bestått", "Feilet") else "left")
    for folder, rule_set, report in rows:
        if rule_set is None or report is None:
            table.add_row(folder.name, "-", "-", "-", "[red]kan ikke lastes[/red]")
            continue
        status = "[green]ok[/green]" if report.ok else "[red]FEILET[/red]"
        table.add_row(rule_set.id, rule_set.version, str(report.passed), str(report.failed), status)
    return table


def _counts(rule_set: RuleSet, report: TestReport) -> Table:
    from rich.table import Table

    from runner.ruletools.testing import coverage_gaps

    gaps = coverage_gaps(rule_set, report)
    table = Table(title=f"Utfall per regel: {rule_set.id} {rule_set.version}")
    outcomes = ("oppfylt", "ikke_oppfylt", "uavklart", "ikke_aktuelt")
    table.add_column("Regel", no_wrap=True)
    for outcome in outcomes:
        table.add_column(outcome, justify="right")
    table.add_column("Begge veier", no_wrap=True)
    for rule_id, counts in report.outcome_counts.items():
        missing = gaps.get(rule_id)
        status = f"[red]mangler {' / '.join(missing)}[/red]" if missing else "[green]ja[/green]"
        table.add_row(rule_id, *(str(counts.get(outcome, 0)) for outcome in outcomes), status)
    return table


@rules_app.command("test")
def test_command(
    paths: PathsArgument = None,
    coverage: Annotated[
        bool,
        typer.Option(
            "--coverage",
            "--counts",
            help="Also show, per rule, how many tests gave each outcome and whether the tests "
            "show it both ways.",
        ),
    ] = False,
) -> None:
    """Run the tests in tests/*.yaml of each rule set; exit code 1 if any fails."""
    from runner.errors import SaksrobotError
    from runner.rules.load import load_rule_set
    from runner.ruletools.testing import run_rule_tests

    console = make_console()
    folders = _default(paths)
    if not folders:
        console.print("[red]Fant ingen regelsett[/red] (en regelsettmappe har ruleset.yaml).")
        raise typer.Exit(1)
    rows: list[tuple[Path, RuleSet | None, TestReport | None]] = []
    messages: list[str] = []
    for folder in folders:
        try:
            rule_set = load_rule_set(folder)
        except SaksrobotError as error:
            rows.append((folder, None, None))
            messages.append(str(error))
            continue
        report = run_rule_tests(rule_set)
        rows.append((folder, rule_set, report))
        messages += [str(failure) for failure in report.failures]
    console.print(_summary(rows))
    if coverage:
        for _, loaded, tested in rows:
            if loaded is not None and tested is not None:
                console.print(_counts(loaded, tested))
    for message in messages:
        console.print(message, markup=False, highlight=False)
    if any(tested is None or not tested.ok for _, _, tested in rows):
        raise typer.Exit(1)


@rules_app.command("check")
def check_command(paths: PathsArgument = None) -> None:
    """Lint rule sets: one line per problem (file:line, rule, what to do). Exit 1 on errors;
    warnings (unverified parameters) are printed but pass."""
    from runner.ruletools.check import CHECKS, check_paths

    console = make_console()
    folders = _default(paths)
    if not folders:
        console.print("[red]Fant ingen regelsett[/red] (en regelsettmappe har ruleset.yaml).")
        raise typer.Exit(1)
    report = check_paths(folders)
    for problem in report.problems:
        console.print(problem.format(), markup=False, highlight=False)
    names = ", ".join(r.id if r else f.name for f, r in report.checked)
    console.print(
        f"Sjekket {len(report.checked)} regelsett ({names}) for: {', '.join(CHECKS)}. "
        f"{len(report.errors)} feil, {len(report.warnings)} advarsel/advarsler.",
        markup=False,
        highlight=False,
    )
    if report.errors:
        raise typer.Exit(1)


@rules_app.command("diff")
def diff_command(
    old: Annotated[str, typer.Argument(help="The old version: a folder or REV:PATH (git).")],
    new: Annotated[str, typer.Argument(help="The new version: a folder or REV:PATH (git).")],
    store_url: Annotated[
        str | None,
        typer.Option("--store", help="Also re-evaluate every stored case of this rule set."),
    ] = None,
    markdown: Annotated[
        bool, typer.Option("--markdown", help="Print Markdown to paste into a pull request.")
    ] = False,
    on: Annotated[
        str | None,
        typer.Option("--on", help="Decide every case as of this date (YYYY-MM-DD)."),
    ] = None,
    show_all: Annotated[
        bool,
        typer.Option("--all", help="Also list cases where only rule outcomes or values change."),
    ] = False,
    settings_file: Annotated[
        Path | None,
        typer.Option(
            "--settings",
            help="The kommune's saksrobot.toml, for its own rule parameters (k) on stored cases.",
            envvar="SAKSROBOT_SETTINGS",
        ),
    ] = None,
    fail_on_change: Annotated[
        bool,
        typer.Option(
            "--fail-on-change",
            help="Exit 1 if any decision (outcome, route or amount) changes, so CI can ask "
            "for a review of the change.",
        ),
    ] = False,
) -> None:
    """Show which test cases and stored cases change outcome, route or amount between two
    versions of a rule set, and the rules responsible. OLD/NEW: a folder, or a git revision
    and folder as in `git show`, e.g. HEAD~1:rules/byggesak-smatiltak (`HEAD:` alone = the
    other argument's folder at HEAD)."""
    from contextlib import ExitStack

    from runner.errors import UsageError
    from runner.rules.load import load_rule_set
    from runner.ruletools.diff import diff_rule_sets
    from runner.ruletools.diff_render import as_markdown, as_table
    from runner.ruletools.revisions import resolve_pair

    try:
        day = date.fromisoformat(on) if on else None
    except ValueError:
        raise UsageError(
            f"--on {on}: ikke en dato", fix="Skriv datoen som ÅÅÅÅ-MM-DD, f.eks. 2026-06-10."
        ) from None
    kommune = None
    if store_url is not None:
        kommune = load_cli_settings(settings_file, store_url).kommune.rule_parameters
    with ExitStack() as stack:
        old_path, new_path = resolve_pair(old, new, stack)
        report = diff_rule_sets(
            load_rule_set(old_path),
            load_rule_set(new_path),
            store_url=store_url,
            on=day,
            kommune=kommune,
        )
    console = make_console()
    if markdown:
        typer.echo(as_markdown(report, show_all=show_all), nl=False)
    else:
        console.print(as_table(report, show_all=show_all))
    if fail_on_change and report.decisions:
        typer.echo(
            f"{len(report.decisions)} vedtak endres (utfall, rute eller beløp); "
            "--fail-on-change gir exit 1. Gå gjennom endringene og få dem godkjent.",
            err=True,
        )
        raise typer.Exit(1)


@rules_app.command("new")
def new_command(
    name: Annotated[str, typer.Argument(help="The rule set's id, e.g. sosialhjelp-husleie.")],
    case_type: Annotated[
        str, typer.Option("--case-type", help="The case type its rules read, e.g. byggesak.")
    ],
    rules_dir: Annotated[
        Path | None,
        typer.Option("--dir", help="Where to create it (default: the content folder's rules/)."),
    ] = None,
    example: Annotated[
        Path | None,
        typer.Option(
            "--example",
            help="A valid case (JSON or YAML) for the tests; default: the test base of a rule "
            "set of the same case type.",
        ),
    ] = None,
) -> None:
    """Create a rule set with one rule, one parameter and tests both ways; it passes
    `rules test` as it is, and `rules check` once its legal basis names the provision.
    Then make it say what the law says."""
    from runner.ruletools.scaffold import scaffold
    from runner.settings import CONTENT_ROOT

    folder = scaffold(name, case_type, rules_dir or CONTENT_ROOT / "rules", example=example)
    console = make_console()
    console.print(f"Opprettet {folder}: ruleset.yaml, parameters.yaml, rules.yaml, tests/.")
    console.print(next_steps(folder, name, case_type), markup=False, highlight=False)


def next_steps(folder: Path, name: str, case_type: str) -> str:
    """What a rule author does after `rules new`: law, checks, robot, templates, review."""
    return "\n".join(
        [
            "Neste steg:",
            f"  1. Skriv inn hjemmelen: legal_basis i {folder / 'rules.yaml'} og reference i "
            "parameters.yaml (ref: paragrafen, url: https://lovdata.no/...). "
            "`rules check` feiler til plassholderen er byttet ut.",
            "  2. La reglene si det loven sier, og legg til tester i tests/ (oppfylt og "
            "ikke_oppfylt for hver regel).",
            f"  3. Kjør: saksrobot rules check {folder} && saksrobot rules test {folder}",
            f"  4. Koble regelsettet til en robot: robots/<robot>.yaml med case_type: "
            f"{case_type}, rule_set: {name} og letters: <utfall>: <mappe>/<mal> for hvert "
            "utfall i decision (innvilget, avslag, til_vurdering, ...).",
            "  5. Skriv brevmalene: templates/<mappe>/<utfall>.nb.md.j2 og .nn.md.j2 "
            "(se templates/README.md); `rules check` sjekker variablene de leser.",
            "  6. Legg roboten til i en kommunes innstillinger (auto_finalise bare med "
            "automation_basis), og kjør saksrobot kommuner check --settings ...",
        ]
    )


def replay_command(
    case: Annotated[str, typer.Argument(help="The case's reference (e.g. BS-2026-000001) or id.")],
    allow_changed: Annotated[
        bool,
        typer.Option(
            "--allow-changed",
            help="Compare even if the rule-set files changed since the decision (hash differs).",
        ),
    ] = False,
    settings_file: SettingsOption = None,
    store_url: StoreOption = None,
) -> None:
    """Re-evaluate a stored decision under the rule-set version it was made with and confirm the same result; exit 1 on any difference."""  # noqa: E501
    from runner.ruletools.replay import replay_case

    settings = load_cli_settings(settings_file, store_url)
    with open_cli_store(settings) as store:
        own = settings.kommune_for(store.find_case(case).kommunenummer)  # the case's kommune
        report = replay_case(
            store,
            case,
            settings.content_dir / "rules",
            allow_changed=allow_changed,
            kommune=own.rule_parameters,
        )
    console = make_console()
    rule_set = report.rule_set
    console.print(
        f"{report.reference}: {rule_set.id} {rule_set.version} ({rule_set.path}), "
        f"decision date {report.stored.decision_date}",
        markup=False,
        highlight=False,
    )
    if not report.hash_matches:
        console.print(
            f"[yellow]Advarsel: filene er endret siden vedtaket (lagret hash "
            f"{report.stored.rule_set_hash[:12]}, nå {rule_set.hash[:12]}).[/yellow]"
        )
    if report.same:
        console.print(
            f"samme resultat: {report.stored.decision.outcome}, {report.stored.decision.route}"
        )
        return
    console.print(f"[red]{len(report.differences)} forskjell(er):[/red]")
    for line in report.differences:
        console.print(f"  {line}", markup=False, highlight=False)
    raise typer.Exit(1)
