"""Read `kommuner/NNNN-name.toml`: one KommuneSettings per file, errors naming file and key."""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import ValidationError

from runner.errors import FieldProblem, SettingsError
from runner.kommuner.settings import KommuneSettings


def kommune_files(folder: Path) -> list[Path]:
    """The kommune files in `folder`, sorted by name (so by kommunenummer)."""
    if not folder.is_dir():
        return []
    return sorted(path for path in folder.glob("*.toml") if path.is_file())


def load_kommune_file(path: Path) -> KommuneSettings:
    """One kommune's settings from its file; a SettingsError names the file and every bad key."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise SettingsError(
            f"Kommune file cannot be read: {error}",
            file=path,
            fix="Check the TOML syntax (quotes around strings, [sections]); "
            "see demo/kommuner/4601-bergen.toml.",
        ) from error
    try:
        kommune = KommuneSettings.model_validate(data)
    except ValidationError as error:
        problems = [
            FieldProblem(
                ".".join(str(part) for part in item["loc"]),
                item["msg"],
                "Rett verdien i kommunefila.",
            )
            for item in error.errors()
        ]
        raise SettingsError(
            "Invalid kommune settings",
            file=path,
            problems=problems,
            fix="Correct the keys listed above; see demo/kommuner/4601-bergen.toml.",
        ) from error
    prefix = path.name.split("-", 1)[0]
    if not path.name[:4].isdigit() or prefix != kommune.kommunenummer:
        raise SettingsError(
            "Kommune file name does not match its kommunenummer",
            file=path,
            problems=[
                FieldProblem(
                    "kommunenummer",
                    f"fila heter {path.name}, men kommunenummer er {kommune.kommunenummer}",
                    "Gi fila navnet <kommunenummer>-<navn>.toml.",
                )
            ],
            fix=f"Rename the file to {kommune.kommunenummer}-<name>.toml or correct kommunenummer.",
        )
    return kommune


def load_folder(folder: Path) -> dict[str, tuple[Path, KommuneSettings]]:
    """Every kommune file in `folder` by kommunenummer; two files for one kommune is an error."""
    found: dict[str, tuple[Path, KommuneSettings]] = {}
    for path in kommune_files(folder):
        kommune = load_kommune_file(path)
        if kommune.kommunenummer in found:
            other = found[kommune.kommunenummer][0]
            raise SettingsError(
                f"Kommune {kommune.kommunenummer} is configured twice (also in {other})",
                file=path,
                fix="Keep one file per kommune; remove or merge the other.",
            )
        found[kommune.kommunenummer] = (path, kommune)
    return found
