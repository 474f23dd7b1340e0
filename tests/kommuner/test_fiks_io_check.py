"""`kommuner check` on a kommune's KS accounts: the Fiks IO account's and the Maskinporten
client's keys and certificates readable, valid today, belonging together; secret files
readable; an account where a robot uses Fiks IO or SvarUt."""

from __future__ import annotations

import re
import shutil
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from demo.standins.keys import make_key_pair, write_key_pair
from runner.cli import app
from runner.kommuner.check import check_kommune
from runner.kommuner.settings import FiksIoSettings, KommuneSettings
from runner.models.robot import RobotDefinition, load_robots
from runner.settings import CONTENT_ROOT, load_settings
from tests.ks.fixtures import settings_for

TODAY = datetime.now(UTC).date()


@pytest.fixture(scope="module")
def robots() -> dict[str, RobotDefinition]:
    return load_robots(CONTENT_ROOT / "robots")


@pytest.fixture(scope="module")
def askoy() -> KommuneSettings:
    return load_settings(CONTENT_ROOT / "demo" / "saksrobot.toml").kommune


def account(folder: Path, *, days: int = 365, other_key: bool = False) -> FiksIoSettings:
    keys = make_key_pair("Askøy", days=days)
    key_path, cert_path = write_key_pair(keys, folder, "askoy")
    if other_key:
        key_path, _ = write_key_pair(make_key_pair("Annen"), folder, "annen")
    (folder / "passord").write_text("hemmelig\n")
    return FiksIoSettings(
        account_id=uuid.uuid4(),
        integration_id=uuid.uuid4(),
        private_key=key_path,
        certificate=cert_path,
        integration_password_file=folder / "passord",
    )


def fiks_problems(kommune: KommuneSettings, robots: dict[str, RobotDefinition],
                  on: date = TODAY) -> list[str]:  # fmt: skip
    return [str(p) for p in check_kommune(kommune, robots, on, {}) if p.key.startswith("fiks_io")]


def with_account(kommune: KommuneSettings, settings: FiksIoSettings) -> KommuneSettings:
    return kommune.model_copy(update={"fiks_io": settings})


def test_a_good_account_has_no_problems(
    askoy: KommuneSettings, robots: dict[str, RobotDefinition], tmp_path: Path
) -> None:
    assert fiks_problems(with_account(askoy, account(tmp_path)), robots) == []


def test_an_expired_or_expiring_certificate_is_reported(
    askoy: KommuneSettings, robots: dict[str, RobotDefinition], tmp_path: Path
) -> None:
    kommune = with_account(askoy, account(tmp_path, days=11))  # valid from yesterday
    (problem,) = fiks_problems(kommune, robots)
    assert re.search(r"går ut om (9|10) dager", problem), problem
    assert "nytt virksomhetssertifikat" in problem
    (problem,) = fiks_problems(kommune, robots, TODAY + timedelta(days=20))
    assert "gikk ut" in problem


def test_a_key_of_another_certificate_is_reported(
    askoy: KommuneSettings, robots: dict[str, RobotDefinition], tmp_path: Path
) -> None:
    kommune = with_account(askoy, account(tmp_path, other_key=True))
    assert fiks_problems(kommune, robots) == [
        "4627 fiks_io.certificate: den private nøkkelen hører ikke til sertifikatet "
        "(bestill nytt virksomhetssertifikat og last det opp i Fiks Forvaltning)"
    ]


def test_unreadable_files_are_reported_each(
    askoy: KommuneSettings, robots: dict[str, RobotDefinition], tmp_path: Path
) -> None:
    settings = account(tmp_path)
    settings.private_key.unlink()
    settings.certificate.write_bytes(b"ikke et sertifikat")
    settings.integration_password_file.write_text("")
    problems = fiks_problems(with_account(askoy, settings), robots)
    assert len(problems) == 3
    assert any("fiks_io.private_key: Kan ikke lese" in p for p in problems)
    assert any("fiks_io.certificate" in p and "ikke et X.509" in p for p in problems)
    assert any("fiks_io.integration_password_file" in p and "er tom" in p for p in problems)


def test_a_robot_on_fiks_io_needs_the_account(
    askoy: KommuneSettings, robots: dict[str, RobotDefinition]
) -> None:
    robot = robots["byggesak-smatiltak"].model_copy(
        update={
            "source": RobotDefinition.model_validate(
                {**robots["byggesak-smatiltak"].model_dump(),
                 "source": {"kind": "fiksio", "message_types": ["x.v1"]}}
            ).source
        }
    )  # fmt: skip
    (problem,) = fiks_problems(askoy, {**robots, robot.id: robot})
    assert "bruker Fiks IO, men kommunen har ingen Fiks IO-konto" in problem


def test_key_paths_must_be_absolute(tmp_path: Path) -> None:
    settings = account(tmp_path).model_dump()
    settings["private_key"] = "nokler/askoy.pem"
    with pytest.raises(ValidationError, match="absolutt sti"):
        FiksIoSettings.model_validate(settings)


def test_the_cli_check_reads_the_section_from_the_kommune_file(tmp_path: Path) -> None:
    shutil.copy(CONTENT_ROOT / "demo" / "saksrobot.toml", tmp_path / "saksrobot.toml")
    shutil.copytree(CONTENT_ROOT / "demo" / "kommuner", tmp_path / "kommuner")
    keys = make_key_pair("Bergen", days=5)
    key_path, cert_path = write_key_pair(keys, tmp_path / "fiks", "bergen")
    (tmp_path / "fiks" / "passord").write_text("p")
    virksomhet = make_key_pair("Bergen kommune", days=20)
    mp_key, mp_cert = write_key_pair(virksomhet, tmp_path / "maskinporten", "virksomhet")
    bergen = tmp_path / "kommuner" / "4601-bergen.toml"
    bergen.write_text(
        bergen.read_text(encoding="utf-8")
        + f"""
[fiks_io]
account_id = "{uuid.uuid4()}"
integration_id = "{uuid.uuid4()}"
private_key = "{key_path}"
certificate = "{cert_path}"
integration_password_file = "{tmp_path / "fiks" / "mangler"}"

[maskinporten]
client_id = "{uuid.uuid4()}"
private_key = "{mp_key}"
certificate = "{mp_cert}"
issuer = "https://test.maskinporten.no/"
""",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        app, ["kommuner", "check", "--settings", str(tmp_path / "saksrobot.toml")]
    )
    assert result.exit_code == 1, result.output
    assert "fiks_io.certificate: sertifikatet går ut om" in result.output
    assert "fiks_io.integration_password_file: Kan ikke lese integrasjonspassordet" in (
        result.output
    )
    assert "maskinporten.certificate: sertifikatet går ut om" in result.output


def test_filing_over_fiks_arkiv_needs_the_fiks_io_account(askoy: KommuneSettings) -> None:
    from runner.kommuner.settings import FiksArkivSettings

    arkiv = askoy.model_copy(update={"fiks_arkiv": FiksArkivSettings(account=uuid.uuid4())})
    (problem,) = fiks_problems(arkiv, {})
    assert "fiks_arkiv bruker Fiks IO, men kommunen har ingen Fiks IO-konto" in problem


def test_a_robot_on_svarut_needs_the_account_and_its_secret_files(
    askoy: KommuneSettings, robots: dict[str, RobotDefinition], tmp_path: Path
) -> None:
    from runner.channels.configs import SvarUtChannelConfig
    from runner.kommuner.settings import SvarUtSettings

    robot = robots["byggesak-smatiltak"].model_copy(
        update={"channel": SvarUtChannelConfig(kind="svarut")}
    )
    served = {robot.id: robot}

    def svarut_problems(kommune: KommuneSettings) -> list[str]:
        found = check_kommune(kommune, served, TODAY, {})
        return [str(p) for p in found if p.key.startswith("svarut")]

    (problem,) = svarut_problems(askoy)
    assert "sender brev gjennom SvarUt, men kommunen har ingen SvarUt-konto" in problem
    svarut = SvarUtSettings(
        account_id=uuid.uuid4(),
        integration_id=uuid.uuid4(),
        integration_password_file=tmp_path / "mangler",
    )
    (problem,) = svarut_problems(askoy.model_copy(update={"svarut": svarut}))
    assert "svarut.integration_password_file" in problem
    (tmp_path / "mangler").write_text("hemmelig\n")
    assert svarut_problems(askoy.model_copy(update={"svarut": svarut})) == []


def maskinporten_problems(kommune: KommuneSettings) -> list[str]:
    return [str(p) for p in check_kommune(kommune, {}, TODAY, {}) if p.key.startswith("maskin")]


def test_the_maskinporten_key_and_certificate_are_checked_as_fiks_ios_are(
    askoy: KommuneSettings, tmp_path: Path
) -> None:
    keys = make_key_pair("Askøy kommune", days=11)  # valid from yesterday
    settings = settings_for(None, keys, tmp_path)
    kommune = askoy.model_copy(update={"maskinporten": settings})
    (problem,) = maskinporten_problems(kommune)
    assert re.search(r"maskinporten.certificate: sertifikatet går ut om (9|10) dager", problem)
    assert "nytt virksomhetssertifikat" in problem
    other, _ = write_key_pair(make_key_pair("Annen"), tmp_path, "annen")
    mismatched = settings.model_copy(update={"private_key": other})
    problems = maskinporten_problems(askoy.model_copy(update={"maskinporten": mismatched}))
    assert any("den private nøkkelen hører ikke til sertifikatet" in p for p in problems)


def test_a_key_with_a_password_is_read_with_its_password_file(
    askoy: KommuneSettings, tmp_path: Path
) -> None:
    from cryptography.hazmat.primitives import serialization

    keys = make_key_pair("Askøy kommune")
    settings = settings_for(None, keys, tmp_path)
    settings.private_key.write_bytes(
        keys.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"nokkelpassord"),
        )
    )
    unlocked = settings.model_copy(update={"key_password_file": tmp_path / "nokkelpassord"})
    kommune = askoy.model_copy(update={"maskinporten": unlocked})
    (problem,) = maskinporten_problems(kommune)
    assert "maskinporten.key_password_file: Kan ikke lese passordet til nøkkelen" in problem
    (tmp_path / "nokkelpassord").write_text("feil\n")
    (problem,) = maskinporten_problems(kommune)
    assert "maskinporten.private_key" in problem and "passordet i key_password_file" in problem
    (tmp_path / "nokkelpassord").write_text("nokkelpassord\n")
    assert maskinporten_problems(kommune) == []
    (problem,) = maskinporten_problems(askoy.model_copy(update={"maskinporten": settings}))
    assert "ikke en ukryptert privat nøkkel" in problem and "key_password_file" in problem


def test_a_ks_account_needs_the_maskinporten_client(askoy: KommuneSettings, tmp_path: Path) -> None:
    data = askoy.model_dump(mode="json")
    data["fiks_io"] = account(tmp_path).model_dump(mode="json")
    with pytest.raises(ValidationError, match=r"\[fiks_io\] logger inn med et Maskinporten-token"):
        KommuneSettings.model_validate(data)
    data["maskinporten"] = settings_for(None, make_key_pair("Askøy"), tmp_path).model_dump(
        mode="json"
    )
    assert KommuneSettings.model_validate(data).maskinporten is not None
    del data["maskinporten"]["certificate"]
    with pytest.raises(ValidationError, match=r"certificate .* eller key_id"):
        KommuneSettings.model_validate(data)
