"""Letter templates: sandboxed jinja2 that turns a decision into a Markdown letter draft."""

from __future__ import annotations

import hashlib
import math
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import jinja2
from jinja2 import FileSystemLoader, StrictUndefined, nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from runner.errors import FieldProblem, TemplateError
from runner.letters.analysis import context_paths, referenced_templates
from runner.letters.escaping import finalize_value, place_values
from runner.letters.filters import FILTERS
from runner.letters.markdown import parse_markdown

__all__ = ["MALFORMS", "LetterDraft", "LetterTemplates"]

MALFORMS = ("nb", "nn")
_OTHER = {"nb": "nn", "nn": "nb"}
_TEMPLATE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*(/[a-z0-9][a-z0-9_-]*)+$")
_UNDEFINED_NAME = re.compile(r"^'([^']+)' is undefined|has no attribute '([^']+)'")


class _LetterEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox, with `mapping.key` on a plain dict answered without the failed attribute
    lookup the sandbox tries first (the same value; the letter context is mostly dicts)."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


#: Names a dict answers as attributes (`.get`, `.items`): those keep the sandbox's own path.
_DICT_ATTRIBUTES = frozenset(dir(dict))


@dataclass(frozen=True, slots=True)
class LetterDraft:
    """A rendered letter in Markdown, with what it was made from."""

    markdown: str
    template_id: str
    malform: str
    template_hash: str

    @property
    def title(self) -> str:
        """The text of the letter's first level-1 heading, or "" if it has none."""
        tokens = parse_markdown(self.markdown)
        for index, token in enumerate(tokens[:-1]):
            if token.type == "heading_open" and token.tag == "h1":
                children = tokens[index + 1].children or []
                return "".join(child.content for child in children if child.type == "text")
        return ""


class LetterTemplates:
    """Loads `<templates_dir>/<robot>/<letter>.<nb|nn>.md.j2` and renders them in a sandbox.

    Every `{{ value }}` is escaped for Markdown and HTML, so text from an application
    appears literally; only the template's own Markdown formats the letter.
    """

    def __init__(self, templates_dir: Path, *, check_every: float = 1.0) -> None:
        """`check_every`: seconds between looks at the files for edits (0: before every use).
        An edit is picked up by the next render after that, hash and text together."""
        self.templates_dir = Path(templates_dir)
        self._env = _LetterEnvironment(
            loader=FileSystemLoader(self.templates_dir, encoding="utf-8"),
            undefined=StrictUndefined,
            finalize=finalize_value,
            autoescape=False,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,  # _fresh() looks for edits, for every template at once
        )
        self._env.filters.update(FILTERS)
        self._lock = threading.Lock()
        self._sources: dict[str, tuple[list[Callable[[], bool]], str, set[str]]] = {}
        self._check_every = check_every
        self._checked = -math.inf

    # -- public API -------------------------------------------------------------------------

    def render(self, template_id: str, malform: str, context: Mapping[str, Any]) -> LetterDraft:
        """Render one letter; errors in the template or an unknown variable raise TemplateError."""
        name = self._name(template_id, malform)
        digest = self.template_hash(template_id, malform)
        template = self._load(name)
        try:
            text = template.render(dict(context))
        except (jinja2.TemplateError, ValueError, TypeError, ArithmeticError, LookupError) as error:
            raise self._render_error(name, error) from error
        return LetterDraft(tidy(place_values(text)), template_id, malform, digest)

    def template_hash(self, template_id: str, malform: str) -> str:
        """sha256 of the template's source and of every template it includes or extends."""
        return self._analyse(self._name(template_id, malform))[1]

    def exists(self, template_id: str, malform: str) -> bool:
        """Whether the template file for this letter and målform is there."""
        try:
            name = self._name(template_id, malform)
        except TemplateError:
            return False
        return (self.templates_dir / name).is_file()

    def placeholders(self, template_id: str, malform: str) -> set[str]:
        """The context variables (and attribute paths) the template and its partials read."""
        return set(self._analyse(self._name(template_id, malform))[2])

    # -- loading ----------------------------------------------------------------------------

    def _name(self, template_id: str, malform: str) -> str:
        if not _TEMPLATE_ID.match(template_id):
            raise TemplateError(
                f"Invalid template id {template_id!r}",
                file=self.templates_dir,
                fix="Use '<robot>/<letter>' in lower case, e.g. 'byggesak/innvilget'.",
            )
        if malform not in MALFORMS:
            raise TemplateError(
                f"Unknown målform {malform!r} for template {template_id!r}",
                file=self.templates_dir,
                fix="Use 'nb' (bokmål) or 'nn' (nynorsk).",
            )
        return f"{template_id}.{malform}.md.j2"

    def _load(self, name: str) -> jinja2.Template:
        try:
            return self._env.get_template(name)
        except jinja2.TemplateSyntaxError as error:
            raise _syntax_error(error) from error
        except jinja2.TemplateNotFound as error:
            raise self._not_found(name) from error

    def _fresh(self) -> None:
        """Forget every parsed template if a file read so far has changed since (at most once
        per `check_every` seconds): a render never mixes an old hash with new text."""
        now = time.monotonic()
        with self._lock:
            if now - self._checked < self._check_every:
                return
            self._checked = now
            sources = list(self._sources.values())
        if all(check() for checks, _hash, _paths in sources for check in checks):
            return
        with self._lock:
            self._sources.clear()
            if self._env.cache is not None:
                self._env.cache.clear()

    def _analyse(self, name: str) -> tuple[list[Callable[[], bool]], str, set[str]]:
        """(up-to-date checks, hash, placeholders) of a template and everything it pulls in."""
        self._fresh()
        with self._lock:
            cached = self._sources.get(name)
            if cached is not None:
                return cached
        checks: list[Callable[[], bool]] = []
        digest = hashlib.sha256()
        paths: set[str] = set()
        pending, seen = [name], set[str]()
        while pending:
            current = pending.pop(0)
            if current in seen:
                continue
            seen.add(current)
            source, ast, check = self._parse(current)
            checks.append(check)
            digest.update(current.encode() + b"\0" + source.encode() + b"\0")
            paths |= context_paths(ast)
            for included in referenced_templates(ast):
                if included is None:
                    raise TemplateError(
                        "A template includes another by a computed name",
                        file=self.templates_dir / current,
                        fix="Write the partial's name literally, e.g. "
                        '{% include "byggesak/_partials/klage.nb.md.j2" %}, '
                        "so the letter's template hash covers it.",
                    )
                pending.append(included)
        result = (checks, digest.hexdigest(), paths)
        with self._lock:
            self._sources[name] = result
        return result

    def _parse(self, name: str) -> tuple[str, nodes.Template, Callable[[], bool]]:
        assert self._env.loader is not None
        try:
            source, _filename, uptodate = self._env.loader.get_source(self._env, name)
            ast = self._env.parse(source, name, str(self.templates_dir / name))
        except jinja2.TemplateSyntaxError as error:
            raise _syntax_error(error) from error
        except jinja2.TemplateNotFound as error:
            raise self._not_found(name) from error
        return source, ast, uptodate or (lambda: True)

    # -- errors -----------------------------------------------------------------------------

    def _not_found(self, name: str) -> TemplateError:
        path = self.templates_dir / name
        other = re.sub(
            r"\.(nb|nn)\.md\.j2$", lambda m: ".nn.md.j2" if m[1] == "nb" else ".nb.md.j2", name
        )
        return TemplateError(
            "Letter template not found",
            file=path,
            fix=f"Create {path} (every letter needs a bokmål and a nynorsk template; start from "
            f"{other} and translate it), or correct the letter's name in the robot's `letters:`.",
        )

    def _render_error(self, name: str, error: Exception) -> TemplateError:
        file, line = _template_position(error.__traceback__, self.templates_dir / name)
        where = f"line {line}" if line else "template"
        if isinstance(error, jinja2.UndefinedError):
            match = _UNDEFINED_NAME.search(str(error))
            variable = next((group for group in match.groups() if group), "?") if match else "?"
            return TemplateError(
                f"Undefined variable '{variable}' in template {name}",
                file=file,
                problems=[FieldProblem(where, str(error))],
                fix="Use only the names in the letter context (case, kommune, decision, rules, "
                "failed_rules, fee, ...), spelled as in the case model; guard optional values "
                "with {% if x is defined %}.",
            )
        if isinstance(error, SecurityError):
            return TemplateError(
                f"Template {name} tried something the sandbox forbids",
                file=file,
                problems=[FieldProblem(where, str(error))],
                fix="Templates may only read context values and use filters; remove the access "
                "to internal attributes (names starting with '_') or methods.",
            )
        return TemplateError(
            f"Template {name} failed while rendering: {error}",
            file=file,
            problems=[FieldProblem(where, f"{type(error).__name__}: {error}")],
            fix="Check the expression at that line and the type of the value it uses "
            "(filters like |kr and |dato need a number or a date; None needs {% if %}).",
        )


def _syntax_error(error: jinja2.TemplateSyntaxError) -> TemplateError:
    file = error.filename or error.name or "(template)"
    return TemplateError(
        f"Template syntax error on line {error.lineno}: {error.message}",
        file=file,
        problems=[FieldProblem(f"line {error.lineno}", error.message or "syntax error")],
        fix="Correct the Jinja syntax at that line: every {% if %} / {% for %} needs its "
        "{% endif %} / {% endfor %}, and {{ }} holds one expression.",
    )


def _template_position(trace: TracebackType | None, default: Path) -> tuple[str, int | None]:
    """The innermost template file and line in a traceback jinja has rewritten."""
    file, line = str(default), None
    while trace is not None:
        filename = trace.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            file, line = filename, trace.tb_lineno
        trace = trace.tb_next
    return file, line


def tidy(text: str) -> str:
    """The rendered letter without spaces or tabs at line ends, with at most one blank line
    in a row, and one newline at the end.

    Done with string methods, not the regexes `[ \t]+$` (multiline) and `\n{3,}`: those
    try a match at every space of the letter, ~0.1–0.3 ms a letter; lines are only split
    where some line ends in a space or tab. The same result (tests/letters/test_templates.py).
    """
    if " \n" in text or "\t\n" in text or text.endswith((" ", "\t")):
        text = "\n".join([line.rstrip(" \t") for line in text.split("\n")])
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip("\n") + "\n"
