"""Rule-set folders named as a path or as `REV:PATH` (a git revision), checked out to a temp dir."""

from __future__ import annotations

import io
import subprocess
import tarfile
from contextlib import ExitStack
from pathlib import Path
from tempfile import TemporaryDirectory

from runner.errors import RuleSetError

SYNTAX_HELP = (
    "A rule-set folder (rules/byggesak-smatiltak), or a git revision and a folder as in "
    "`git show`: HEAD~1:rules/byggesak-smatiltak, main:rules/byggesak-smatiltak. "
    "`REV:` alone means the other argument's folder at REV."
)


def _git(args: list[str], cwd: Path) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False, timeout=60)
    except FileNotFoundError as error:
        raise RuleSetError(
            "git is not installed", fix="Install git, or give rule-set folders instead."
        ) from error
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise RuleSetError(
            f"git {' '.join(args)} failed: {message}",
            fix=SYNTAX_HELP,
        )
    return done.stdout


def split_spec(spec: str) -> tuple[str, str] | None:
    """("HEAD~1", "rules/x") for "HEAD~1:rules/x"; None for a plain folder."""
    if Path(spec).exists() or ":" not in spec:
        return None
    revision, _, path = spec.partition(":")
    return revision, path


def checkout(revision: str, path: str, stack: ExitStack, *, cwd: Path | None = None) -> Path:
    """Extract folder `path` (relative to the working directory) as it was at `revision`."""
    where = (cwd or Path.cwd()).resolve()
    top = Path(_git(["rev-parse", "--show-toplevel"], where).decode().strip())
    absolute = (where / path).resolve()
    try:
        inside = absolute.relative_to(top.resolve()).as_posix()
    except ValueError as error:
        raise RuleSetError(
            f"{path} is outside the git repository at {top}", fix=SYNTAX_HELP
        ) from error
    data = _git(["archive", "--format=tar", f"{revision}:{inside}"], top)
    target = (
        Path(stack.enter_context(TemporaryDirectory(prefix="saksrobot-rules-"))) / Path(inside).name
    )
    target.mkdir()
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        archive.extractall(target, filter="data")
    if not (target / "ruleset.yaml").is_file():
        raise RuleSetError(
            f"{revision}:{inside} holds no ruleset.yaml",
            fix="Name the rule-set folder itself, e.g. HEAD~1:rules/byggesak-smatiltak.",
        )
    return target


def resolve_pair(old: str, new: str, stack: ExitStack) -> tuple[Path, Path]:
    """Both sides as folders on disk (git revisions extracted into temp dirs in `stack`)."""
    sides: list[Path] = []
    specs = [split_spec(old), split_spec(new)]
    for spec, text, other in ((specs[0], old, new), (specs[1], new, old)):
        if spec is None:
            sides.append(Path(text))
            continue
        revision, path = spec
        if not path:  # "REV:" → the other side's folder at REV
            other_spec = split_spec(other)
            path = other_spec[1] if other_spec else other
        sides.append(checkout(revision, path, stack))
    return sides[0], sides[1]
