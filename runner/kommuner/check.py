"""What `saksrobot kommuner check` finds: settings a kommune needs for the robots it runs."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from runner.errors import ConfigurationError
from runner.kommuner.ks_settings import KsIntegrationSettings
from runner.kommuner.settings import KommuneSettings
from runner.mapdata import kommune_layers
from runner.models.robot import RobotDefinition
from runner.rules.ruleset import RuleSet
from runner.settings import Settings


@dataclass(frozen=True)
class KommuneProblem:
    """One missing or inconsistent setting of one kommune."""

    kommunenummer: str
    key: str
    reason: str
    fix: str

    def __str__(self) -> str:
        return f"{self.kommunenummer} {self.key}: {self.reason} ({self.fix})"


@dataclass(frozen=True)
class RobotProblem:
    """One setting of a robot's source the deployment cannot use as it is."""

    robot_id: str
    key: str
    reason: str
    fix: str

    def __str__(self) -> str:
        return f"{self.robot_id} {self.key}: {self.reason} ({self.fix})"


def check_robot_sources(robots: Mapping[str, RobotDefinition]) -> list[RobotProblem]:
    """Problems of the robots' sources: for a source of DiBK's XML application, that its XSD
    (`source.xsd`, by default the shipped one) loads, is the form's, and holds every element
    the mapping reads with a type it can read (runner/sources/dibk_schema.py)."""
    from runner.sources.configs import DibkSchemaChoice
    from runner.sources.dibk_schema import schema_problems

    problems: list[RobotProblem] = []
    for robot_id, robot in sorted(robots.items()):
        source = robot.source
        if not (isinstance(source, DibkSchemaChoice) and source.reads_dibk):
            continue
        for found in schema_problems(source.xsd):
            where = f"source.xsd {found.location}".rstrip()
            problems.append(RobotProblem(robot_id, where, found.reason, found.fix))
    return problems


def source_of(settings: Settings, kommunenummer: str) -> Path | None:
    """The kommune's own file in kommuner_dir, or None when it is the settings file's table."""
    for path in sorted(settings.kommuner_dir.glob(f"{kommunenummer}-*.toml")):
        return path
    return None


def guideline_rules(
    robots: Mapping[str, RobotDefinition], rule_sets: Iterable[RuleSet]
) -> dict[str, bool]:
    """The discretionary rules of the robots' rule sets, by rule id: True where a kommune's
    guideline may settle the discretion, False where the law leaves it to a person each time
    (e.g. dispensation, pbl. § 19-2)."""
    used = {robot.rule_set for robot in robots.values()}
    found: dict[str, bool] = {}
    for rule_set in rule_sets:
        if rule_set.id not in used:
            continue
        for rule in rule_set.rules:
            if rule.discretion is not None:
                found[rule.id] = found.get(rule.id, False) or rule.discretion.guideline
    return found


def check_kommune(
    kommune: KommuneSettings,
    robots: dict[str, RobotDefinition],
    today: date,
    discretionary: Mapping[str, bool],
    *,
    map_dir: Path | None = None,
) -> list[KommuneProblem]:
    """Problems of one kommune against the deployment's robots (empty: ready to run).

    `discretionary` is `guideline_rules(...)` of the deployment's rule sets; with `map_dir`,
    also whether the kommune's map datasets can be read and are recent enough."""
    problems: list[KommuneProblem] = []

    def problem(key: str, reason: str, fix: str) -> None:
        problems.append(KommuneProblem(kommune.kommunenummer, key, reason, fix))

    if map_dir is not None and any(robot.facts for robot in robots.values()):
        _check_map_data(kommune, map_dir, today, problem)

    for robot_id in kommune.auto_finalise:
        if robot_id not in robots:
            problem("auto_finalise", f"ukjent robot '{robot_id}'",
                    f"bruk en av {', '.join(sorted(robots))}")  # fmt: skip
            continue
        _check_automation_basis(kommune, robots[robot_id], today, problem)
    for rule_id in sorted(kommune.guidelines):
        if rule_id not in discretionary:
            known = ", ".join(sorted(rule for rule, allowed in discretionary.items() if allowed))
            problem(f"guidelines.{rule_id}", "ingen regel med skjønn har denne id-en, så "
                    "retningslinja vert aldri brukt",
                    f"bruk id-en til ein regel med skjønn: {known or '(ingen)'}")  # fmt: skip
        elif not discretionary[rule_id]:
            problem(f"guidelines.{rule_id}", "lova krev ei konkret vurdering i kvar sak, så "
                    "ei retningslinje kan ikkje avgjere skjønnet",
                    f"ta bort [guidelines.{rule_id}]; ein saksbehandlar avgjer")  # fmt: skip
    case_types = {robot.case_model for robot in robots.values()}
    for case_type in sorted(case_types):
        body = kommune.appeal_body.get(case_type)
        if body is None:
            problem(f"appeal_body.{case_type}", "klageinstans mangler",
                    f"sett appeal_body.{case_type} = {{ nb = \"Statsforvalteren i …\", "
                    "nn = \"Statsforvaltaren i …\" }")  # fmt: skip
        elif isinstance(body, str) and body.startswith("Statsforvalt"):
            problem(f"appeal_body.{case_type}", "statsforvaltaren har ulikt namn i bokmål og "
                    "nynorsk", f"sett appeal_body.{case_type} = {{ nb = \"Statsforvalteren i …\", "
                    "nn = \"Statsforvaltaren i …\" }")  # fmt: skip
    for malform in ("nb", "nn"):
        if not kommune.letterhead.department_for(None, malform):
            problem(f"letterhead.department.{malform}", "avdeling mangler i brevhovudet",
                    f"sett letterhead.department = {{ {malform} = \"…\" }}")  # fmt: skip
    if "byggesak" in case_types:
        outcomes = {
            outcome
            for robot in robots.values()
            if robot.case_model == "byggesak"
            for outcome in robot.letters
        }
        fees = kommune.byggesak_fees
        missing = sorted(outcomes - set(fees.amounts)) if fees is not None else sorted(outcomes)
        if missing:
            problem("byggesak_fees.amounts", f"gebyr mangler for {', '.join(missing)}",
                    "sett eit beløp (0 om gratis) for kvart utfall")  # fmt: skip
    _check_fiks_io(kommune, robots, today, problem)
    _check_svarut(kommune, robots, problem)
    _check_maskinporten(kommune, today, problem)
    if "sosialhjelp" in case_types:
        welfare = kommune.sosialhjelp
        if welfare is None:
            problem("sosialhjelp", "kommunal norm og husleigetak manglar",
                    "legg til [sosialhjelp] med rent_caps og own_norm")  # fmt: skip
        elif not any(norm.covers(today) for norm in welfare.own_norm):
            problem("sosialhjelp.own_norm", f"ingen eigen norm gjeld {today}",
                    "legg til ein [[sosialhjelp.own_norm]] som dekkjer i dag")  # fmt: skip
    return problems


def _check_automation_basis(
    kommune: KommuneSettings,
    robot: RobotDefinition,
    today: date,
    problem: Callable[[str, str, str], None],
) -> None:
    """A robot that finalises without review needs the kommune's legal basis for automated
    decisions of its case type (GDPR art. 22 nr. 2 bokstav b and a national rule), in force."""
    case_type = robot.case_model
    basis = kommune.automation_basis.get(case_type)
    if basis is None:
        problem("auto_finalise",
                f"'{robot.id}' kan ikkje gjere vedtak automatisk: rettsleg grunnlag for "
                f"automatiske vedtak i {case_type}-saker manglar (personvernforordninga "
                "art. 22 nr. 2 bokstav b krev ein nasjonal regel)",
                f"set automation_basis.{case_type} (national_rule, url, decision) for "
                "regelen kommunen byggjer på, "
                f"eller ta '{robot.id}' ut av auto_finalise")  # fmt: skip
    elif basis.in_force_from is not None and basis.in_force_from > today:
        problem("auto_finalise",
                f"'{robot.id}' kan ikkje gjere vedtak automatisk før "
                f"{basis.in_force_from.isoformat()}: "
                f"då tek {basis.national_rule.nn} til å gjelde",
                f"ta '{robot.id}' ut av auto_finalise til regelen gjeld")  # fmt: skip


def _check_svarut(
    kommune: KommuneSettings,
    robots: dict[str, RobotDefinition],
    problem: Callable[[str, str, str], None],
) -> None:
    """The SvarUt account: present where a robot sends through SvarUt; its secret files
    readable."""

    users = sorted(robot.id for robot in robots.values() if robot.channel.kind == "svarut")
    account = kommune.svarut
    if account is None:
        if users:
            problem("svarut",
                    f"{', '.join(users)} sender brev gjennom SvarUt, men kommunen har ingen "
                    "SvarUt-konto",
                    "legg til [svarut] i kommunefila; sjå docs/national-components.md")  # fmt: skip
        return
    _check_secret_files("svarut", account, problem)


#: A certificate that expires within this many days is reported, so it is renewed in time.
CERTIFICATE_WARNING_DAYS = 30


def _check_fiks_io(
    kommune: KommuneSettings,
    robots: dict[str, RobotDefinition],
    today: date,
    problem: Callable[[str, str, str], None],
) -> None:
    """The Fiks IO account: present where a robot uses it, and its key, certificate and secret
    files readable, valid today and belonging together."""
    users = sorted(
        robot.id
        for robot in robots.values()
        if robot.source.kind == "fiksio" or robot.channel.kind == "fiksio"
    )
    if kommune.fiks_arkiv is not None:  # the archive's records go out over Fiks IO
        users = users or ["fiks_arkiv"]
    account = kommune.fiks_io
    if account is None:
        if users:
            problem(
                "fiks_io",
                f"{', '.join(users)} bruker Fiks IO, men kommunen har ingen Fiks IO-konto",
                "legg til [fiks_io] i kommunefila (eller [kommune.fiks_io] i saksrobot.toml); se "
                "docs/national-components.md",
            )
        return
    senders = [
        robot.id
        for robot in robots.values()
        if robot.channel.kind == "fiksio" and robot.source.kind != "fiksio"
    ]
    if senders and account.letter_receiver is None:
        problem(
            "fiks_io.letter_receiver",
            f"{', '.join(sorted(senders))} sender brev over Fiks IO, men mottakerkontoen mangler",
            'sett letter_receiver = "<konto-id>"',
        )
    _check_key_pair(
        "fiks_io",
        account.private_key,
        account.certificate,
        None,
        today,
        problem,
        renew="bestill nytt virksomhetssertifikat og last det opp i Fiks Forvaltning",
    )
    _check_secret_files("fiks_io", account, problem)


def _check_map_data(
    kommune: KommuneSettings, map_dir: Path, today: date, problem: Callable[[str, str, str], None]
) -> None:
    """Every dataset can be read and is within the kommune's age limit (older data leave
    every case's map facts uavklart)."""
    settings = kommune.map_data
    if settings is None:
        return
    try:
        kommune_layers(settings, map_dir)
    except ConfigurationError as error:
        problem("map_data.datasets", error.message, error.fix or "")
    for dataset in settings.datasets:
        if (today - dataset.dated).days > settings.max_age_days:
            problem(f"map_data.datasets.{dataset.id}",
                    f"kartdata datert {dataset.dated.isoformat()} er eldre enn "
                    f"{settings.max_age_days} dagar; alle kartfakta blir uavklarte",
                    "last ned nye data frå Geonorge og set ny dated, "
                    "eller auk max_age_days")  # fmt: skip


def _check_secret_files(
    section: str, account: KsIntegrationSettings, problem: Callable[[str, str, str], None]
) -> None:
    """A KS account's integration password file can be read."""
    from runner.ks.keys import read_secret

    try:
        read_secret(account.integration_password_file, "integrasjonspassordet", f"[{section}]")
    except ConfigurationError as error:
        problem(f"{section}.integration_password_file", error.message, error.fix or "")


def _check_maskinporten(
    kommune: KommuneSettings, today: date, problem: Callable[[str, str, str], None]
) -> None:
    """The Maskinporten client's key, password file and virksomhetssertifikat: readable,
    belonging together, valid today and not expiring soon."""
    from runner.ks.keys import read_secret

    settings = kommune.maskinporten
    if settings is None:
        return
    password = None
    if settings.key_password_file is not None:
        try:
            password = read_secret(
                settings.key_password_file, "passordet til nøkkelen", "[maskinporten]"
            )
        except ConfigurationError as error:
            problem("maskinporten.key_password_file", error.message, error.fix or "")
            return
    _check_key_pair(
        "maskinporten",
        settings.private_key,
        settings.certificate,
        password,
        today,
        problem,
        renew="bestill nytt virksomhetssertifikat og pek certificate og private_key på det",
    )


def _check_key_pair(
    section: str,
    key_path: Path,
    certificate_path: Path | None,
    password: str | None,
    today: date,
    problem: Callable[[str, str, str], None],
    *,
    renew: str,
) -> None:
    """A key and its certificate (when there is one): readable, belonging together, valid
    today and not expiring within CERTIFICATE_WARNING_DAYS."""
    from datetime import UTC, datetime, time

    from runner.ks.keys import certificate_problems, load_certificate, load_private_key

    certificate = None
    if certificate_path is not None:
        try:
            certificate = load_certificate(certificate_path)
        except ConfigurationError as error:
            problem(f"{section}.certificate", error.message, error.fix or "")
    try:
        key = load_private_key(key_path, password)
    except ConfigurationError as error:
        problem(f"{section}.private_key", error.message, error.fix or "")
        key = None
    if certificate is not None:
        moment = datetime.combine(today, time(12), tzinfo=UTC)
        for reason in certificate_problems(certificate, key, now=moment):
            problem(f"{section}.certificate", reason, renew)
        left = (certificate.not_valid_after_utc - moment).days
        if 0 <= left <= CERTIFICATE_WARNING_DAYS:
            day = certificate.not_valid_after_utc.date().isoformat()
            problem(f"{section}.certificate", f"sertifikatet går ut om {left} dager ({day})", renew)
