"""Lint checks on the letters of robots that use a rule set: nb/nn alike, known variables only."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import jinja2
from jinja2 import nodes

from runner.drafting import LETTER_CONTEXT_KEYS, LETTER_DECISION_KEYS, LETTER_RULE_KEYS
from runner.errors import SaksrobotError
from runner.kommuner.settings import KommuneSettings
from runner.letters import LetterTemplates
from runner.letters.templates import MALFORMS
from runner.models.registry import case_model
from runner.models.robot import RobotDefinition, load_robots
from runner.rules.fields import SchemaFields, case_fields, split_path
from runner.rules.ruleset import RuleSet
from runner.ruletools.lint import Collector
from runner.settings import CONTENT_ROOT

#: Names jinja2 itself gives every template.
_parser = jinja2.Environment(autoescape=False)
JINJA_GLOBALS = frozenset({"range", "dict", "lipsum", "cycler", "joiner", "namespace", "loop"})


def robots_using(rule_set: RuleSet, robots_dir: Path) -> list[tuple[Path, RobotDefinition]]:
    """The robots in `robots_dir` whose `rule_set` is this rule set's id."""
    if not robots_dir.is_dir():
        return []
    robots = load_robots(robots_dir)
    files = {path.stem: path for path in robots_dir.glob("*.yaml")}
    return [
        (files.get(robot.id, robots_dir / f"{robot.id}.yaml"), robot)
        for robot in robots.values()
        if robot.rule_set == rule_set.id
    ]


def _locate(
    templates_dir: Path, template_id: str, malform: str, name: str
) -> tuple[Path, int | None]:
    """The first template file (the letter, then its robot's partials) and line naming `name`."""
    main = templates_dir / f"{template_id}.{malform}.md.j2"
    robot = template_id.split("/", 1)[0]
    candidates = [main, *sorted((templates_dir / robot).rglob(f"*.{malform}.md.j2"))]
    word = re.compile(rf"(?<![\w]){re.escape(name)}(?!\w)")
    for path in candidates:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError:
            continue
        for number, text in enumerate(lines, start=1):
            if word.search(text):
                return path, number
    return main, None


def _template_names(templates_dir: Path, template_id: str, malform: str) -> set[str]:
    """Names the robot's templates define themselves ({% set %}, {% for %}, {% import %}).

    A partial may read a name its letter sets before including it (`regelliste`).
    """
    robot = template_id.split("/", 1)[0]
    names: set[str] = set()
    for path in sorted((templates_dir / robot).rglob(f"*.{malform}.md.j2")):
        try:
            ast = _parser.parse(path.read_text(encoding="utf-8"))
        except (OSError, jinja2.TemplateSyntaxError):
            continue  # the template check itself reports it
        for node in ast.find_all((nodes.Assign, nodes.For, nodes.Import, nodes.FromImport)):
            if isinstance(node, nodes.Import):
                names.add(node.target)
            elif isinstance(node, nodes.FromImport):
                names.update(name if isinstance(name, str) else name[1] for name in node.names)
            elif isinstance(node, nodes.Assign | nodes.For):
                target = node.target
                if isinstance(target, nodes.Name):
                    names.add(target.name)
                else:  # a tuple: {% for key, value in ... %}
                    names.update(name.name for name in target.find_all(nodes.Name))
    return names


def context_keys(rule_set: RuleSet) -> frozenset[str]:
    """The keys `letter_context` gives for this rule set's first test case, with the constant."""
    from runner.drafting import letter_context
    from runner.rules.evaluate import evaluate
    from runner.ruletools.testing import deep_merge
    from runner.settings import load_settings

    keys = set(LETTER_CONTEXT_KEYS)
    for file in rule_set.tests[:1]:
        test = file.spec.tests[0]
        try:
            raw = deep_merge(file.spec.base, test.patch)
            case = case_model(rule_set.case_type).model_validate(raw)
            evaluation = evaluate(rule_set, case, on=test.on, kommune=test.kommune)
            kommune = load_settings(CONTENT_ROOT / "demo" / "saksrobot.toml").kommune
            today = date.today()
            context = letter_context(
                case=case.model_dump(mode="json"),
                evaluation=evaluation,
                kommune=kommune,
                malform="nb",
                automatic=False,
                letter_date=today,
                appeal_deadline=today,
                case_type=rule_set.case_type,
            )
        except Exception:  # the constant is the contract; the call only adds what is new
            break
        keys |= set(context)
    return frozenset(keys)


def _unknown(
    path: str, rule_set: RuleSet, fields: SchemaFields, kommune: SchemaFields, keys: frozenset[str]
) -> str | None:
    """Why the letter context has nothing at `path`, or None when it does."""
    first, *rest = split_path(path)
    root = first.removesuffix("[]")
    if root in JINJA_GLOBALS:
        return None
    if root not in keys:
        return f"'{root}' is not in the letter context"
    if not rest:
        return None
    head = rest[0].removesuffix("[]")
    if root == "case":
        return fields.problem(rest)
    if root == "kommune":
        found = kommune.problem(rest, root="kommune")
        return found.replace("of the case model", "of the kommune settings") if found else None
    known: dict[str, frozenset[str]] = {
        "decision": LETTER_DECISION_KEYS,
        "rules": LETTER_RULE_KEYS,
        "failed_rules": LETTER_RULE_KEYS,
        "decided_points": LETTER_RULE_KEYS,
        "parameters": frozenset(rule_set.parameters),
    }
    inner = known.get(root)
    if inner is not None and head not in inner:
        where = f"{first}.{head}"
        return f"'{where}' is not in the letter context ({first} has: {', '.join(sorted(inner))})"
    return None


def _check_letter(
    rule_set: RuleSet,
    robot_file: Path,
    templates: LetterTemplates,
    template_id: str,
    out: Collector,
) -> None:
    fields = case_fields(case_model(rule_set.case_type))
    kommune = case_fields(KommuneSettings)
    subject = f"template {template_id}"
    read: dict[str, set[str]] = {}
    for malform in MALFORMS:
        try:
            read[malform] = templates.placeholders(template_id, malform)
        except SaksrobotError as error:
            out.error("letter", robot_file, None, subject, error.message, error.fix or "")
    if len(read) < len(MALFORMS):
        return
    bokmal, nynorsk = read["nb"], read["nn"]
    for malform, only in (("nb", bokmal - nynorsk), ("nn", nynorsk - bokmal)):
        for path in sorted(only):
            file, line = _locate(templates.templates_dir, template_id, malform, path.split(".")[-1])
            other = "nn" if malform == "nb" else "nb"
            out.error(
                "nb-nn",
                file,
                line,
                subject,
                f"'{path}' is read in {malform} only",
                f"read the same values in the {other} template, or in neither",
            )
    keys = context_keys(rule_set)
    own = _template_names(templates.templates_dir, template_id, "nb")
    own |= _template_names(templates.templates_dir, template_id, "nn")
    for path in sorted(bokmal | nynorsk):
        if split_path(path)[0].removesuffix("[]") in own:
            continue
        problem = _unknown(path, rule_set, fields, kommune, keys)
        if problem:
            malform = "nb" if path in bokmal else "nn"
            name = path.split(".")[-1].removesuffix("[]")
            file, line = _locate(templates.templates_dir, template_id, malform, name)
            out.error(
                "letter-variable",
                file,
                line,
                subject,
                problem,
                "use only what runner/drafting.py puts in the letter context "
                "(LETTER_CONTEXT_KEYS), spelled as in the models",
            )


def check_letters(rule_set: RuleSet, content_dir: Path, out: Collector) -> None:
    """The letters of every robot that uses this rule set."""
    try:
        robots = robots_using(rule_set, content_dir / "robots")
    except SaksrobotError as error:
        out.error("letter", content_dir / "robots", None, "", error.message, error.fix or "")
        return
    templates = LetterTemplates(content_dir / "templates")
    for robot_file, robot in robots:
        for template_id in dict.fromkeys(robot.letters.values()):
            _check_letter(rule_set, robot_file, templates, template_id, out)
