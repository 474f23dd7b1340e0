"""Settings: the demo file loads, environment overrides it, errors name file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.errors import SettingsError
from runner.settings import load_settings

from .conftest import DEMO_SETTINGS


def test_demo_settings_load_with_paths_relative_to_the_file() -> None:
    settings = load_settings(DEMO_SETTINGS)
    assert settings.kommune.kommunenummer == "4627"
    assert settings.data_dir == (DEMO_SETTINGS.parent / "../.demo").resolve()
    assert settings.database_url.startswith("sqlite:///")
    assert settings.outbox == settings.data_dir / "outbox"


def test_environment_overrides_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAKSROBOT_LOG_LEVEL", "debug")
    monkeypatch.setenv("SAKSROBOT_KOMMUNE__NAME", "Testkommune")
    settings = load_settings(DEMO_SETTINGS)
    assert settings.log_level == "debug"
    assert settings.kommune.name == "Testkommune"
    assert settings.kommune.kommunenummer == "4627"


def test_letter_malform_follows_policy() -> None:
    kommune = load_settings(DEMO_SETTINGS).kommune
    assert kommune.malform == "nøytral"
    assert kommune.letter_malform("nn") == "nn"
    assert kommune.letter_malform(None) == "nb"
    fixed = kommune.model_copy(update={"malform": "nn"})
    assert fixed.letter_malform("nb") == "nn"


def test_invalid_settings_name_file_and_key(tmp_path: Path) -> None:
    path = tmp_path / "saksrobot.toml"
    path.write_text(
        DEMO_SETTINGS.read_text(encoding="utf-8").replace('kommunenummer = "4627"',
                                                          'kommunenummer = "46270"'),
        encoding="utf-8",
    )
    with pytest.raises(SettingsError) as caught:
        load_settings(path)
    message = str(caught.value)
    assert "saksrobot.toml" in message
    assert "kommune.kommunenummer" in message


def test_missing_settings_file(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="Fant ikke innstillingsfilen"):
        load_settings(tmp_path / "nope.toml")


def test_broken_toml(tmp_path: Path) -> None:
    path = tmp_path / "saksrobot.toml"
    path.write_text("[kommune\nname = 1", encoding="utf-8")
    with pytest.raises(SettingsError, match="TOML"):
        load_settings(path)
