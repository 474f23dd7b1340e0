"""[sso] settings: the secret stays out of the file, groups grant only served kommuner."""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.errors import SettingsError
from runner.settings import load_settings
from tests.web.conftest import DEMO_SETTINGS

SSO = """
[sso]
public_url = "https://saksrobot.askoy.kommune.no"

[sso.providers.askoy]
name = "Askøy kommune"
issuer = "{issuer}"
client_id = "0b6f4a8e-0000-4000-8000-000000000001"
{secret}

[sso.providers.askoy.groups."5d1c6f3e-0000-4000-8000-000000000002"]
role = "caseworker"
kommuner = ["{kommune}"]
"""


def _settings(
    tmp_path: Path,
    *,
    issuer: str = "https://login.microsoftonline.com/tenant-id/v2.0",
    secret: str = 'client_secret_file = "secrets/askoy"',
    kommune: str = "4627",
) -> Path:
    text = DEMO_SETTINGS.read_text(encoding="utf-8").replace(
        'kommuner_dir = "kommuner"', f'kommuner_dir = "{DEMO_SETTINGS.parent / "kommuner"}"'
    )
    path = tmp_path / "saksrobot.toml"
    sso = SSO.format(issuer=issuer, secret=secret, kommune=kommune)
    path.write_text(text.replace("\n[kommune]\n", sso + "\n[kommune]\n", 1), encoding="utf-8")
    return path


def test_the_secret_file_is_relative_to_the_settings_file(tmp_path: Path) -> None:
    settings = load_settings(_settings(tmp_path))
    assert settings.sso is not None
    provider = settings.sso.providers["askoy"]
    with pytest.raises(SettingsError, match="secrets/askoy"):
        provider.client_secret()
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "askoy").write_text("s3cret\n", encoding="utf-8")
    assert provider.client_secret() == "s3cret"
    assert provider.groups_claim == "groups" and provider.client_auth == "client_secret_basic"


def test_a_group_may_grant_only_served_kommuner(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="kommune 1103, som ikke betjenes her"):
        load_settings(_settings(tmp_path, kommune="1103"))


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"secret": ""}, "exactly one of client_secret_env and client_secret_file"),
        (
            {"secret": 'client_secret_env = "A"\nclient_secret_file = "b"'},
            "exactly one of client_secret_env and client_secret_file",
        ),
        ({"secret": 'client_secret = "in-the-file"'}, "client_secret"),
        ({"issuer": "http://idp.example.no"}, "issuer"),
    ],
)
def test_mistakes_are_refused(tmp_path: Path, changes: dict[str, str], problem: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(_settings(tmp_path, **changes))
    assert problem in str(caught.value)
