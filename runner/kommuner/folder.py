"""Read `kommuner/NNNN-name.toml`: one KommuneSettings per file, errors naming file and key."""

from __future__ import annotations

import tomllib
from difflib import get_close_matches
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from runner.errors import FieldProblem, SettingsError
from runner.kommuner.settings import KommuneSettings


def kommune_files(folder: Path) -> list[Path]:
    """The kommune files in `folder`, sorted by name (so by kommunenummer)."""
    if not folder.is_dir():
        return []
    return sorted(path for path in folder.glob("*.toml") if path.is_file())


def settings_problem(model: type[BaseModel], item: Any, fix: str) -> FieldProblem:
    """One problem pydantic found in settings of `model`; a misspelt key gets "mente du …?"
    from the keys allowed in its table (difflib)."""
    loc = tuple(item["loc"])
    where = ".".join(str(part) for part in loc)
    if item["type"] == "extra_forbidden" and loc:
        close = get_close_matches(str(loc[-1]), _keys_at(model, loc[:-1]), n=1, cutoff=0.6)
        if close:
            return FieldProblem(where, "ukjent nøkkel", f"mente du {close[0]}?")
        return FieldProblem(where, "ukjent nøkkel", "fjern den eller rett stavemåten")
    return FieldProblem(where, str(item["msg"]), fix)


def _keys_at(model: type[BaseModel], path: tuple[Any, ...]) -> list[str]:
    """The keys allowed in the table at `path` of `model` (empty if not a known table)."""
    current: type[BaseModel] | None = model
    for part in path:
        if current is None:
            return []
        fields = current.model_fields
        if part in fields:
            current = _model_in(fields[part].annotation)
        elif not str(part).isdigit():  # a digit: [kommuner.NNNN], one entry of a table
            return []
    return list(current.model_fields) if current is not None else []


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model an annotation names (itself, or inside `X | None`, dict, list)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def load_kommune_file(path: Path) -> KommuneSettings:
    """One kommune's settings from its file; a SettingsError names the file and every bad key."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise SettingsError(
            f"Kommunefila kan ikke leses: {error}",
            file=path,
            fix="Sjekk TOML-syntaksen: anførselstegn rundt tekst, [seksjoner] på egen linje; "
            "se demo/kommuner/4601-bergen.toml.",
        ) from error
    try:
        kommune = KommuneSettings.model_validate(data)
    except ValidationError as error:
        problems = [
            settings_problem(KommuneSettings, item, "Rett verdien i kommunefila.")
            for item in error.errors()
        ]
        raise SettingsError(
            "Ugyldige kommuneinnstillinger",
            file=path,
            problems=problems,
            fix="Rett nøklene over; se demo/kommuner/4601-bergen.toml.",
        ) from error
    prefix = path.name.split("-", 1)[0]
    if not path.name[:4].isdigit() or prefix != kommune.kommunenummer:
        raise SettingsError(
            "Navnet på kommunefila passer ikke med kommunenummeret",
            file=path,
            problems=[
                FieldProblem(
                    "kommunenummer",
                    f"fila heter {path.name}, men kommunenummer er {kommune.kommunenummer}",
                    "Gi fila navnet <kommunenummer>-<navn>.toml.",
                )
            ],
            fix=f"Gi fila navnet {kommune.kommunenummer}-<navn>.toml, eller rett kommunenummer.",
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
                f"Kommune {kommune.kommunenummer} er satt opp to ganger (også i {other})",
                file=path,
                fix="Behold én fil per kommune; fjern eller slå sammen den andre.",
            )
        found[kommune.kommunenummer] = (path, kommune)
    return found
