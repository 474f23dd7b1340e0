"""A kommune's Fiks IO client and receiver from its settings: the password read from its file,
the AMQP login as Fiks IO takes it (integration id; password and a Maskinporten token fetched
from the local Maskinporten, demo/standins/maskinporten.py)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from demo.standins.keys import write_key_pair
from demo.standins.maskinporten import MaskinportenServer
from runner.errors import ConfigurationError, SourceError
from runner.fiksio.setup import fiks_io_client, fiks_io_receiver
from runner.kommuner.ks_settings import MaskinportenSettings
from runner.kommuner.settings import FiksIoSettings
from runner.ks.keys import KeyPair


def account(folder: Path, keys: KeyPair, amqp_url: str) -> FiksIoSettings:
    key_path, cert_path = write_key_pair(keys, folder, "kommune")
    (folder / "passord").write_text("integrasjonspassord\n")
    return FiksIoSettings(
        account_id=uuid.uuid4(),
        integration_id=uuid.uuid4(),
        private_key=key_path,
        certificate=cert_path,
        integration_password_file=folder / "passord",
        amqp_url=amqp_url,
    )


def test_the_receiver_logs_in_as_the_integration_with_a_fetched_token(
    tmp_path: Path,
    kommune_keys: KeyPair,
    maskinporten: MaskinportenServer,
    maskinporten_settings: MaskinportenSettings,
) -> None:
    settings = account(tmp_path, kommune_keys, "amqps://io.fiks.test.ks.no:5671")
    receiver = fiks_io_receiver(settings, maskinporten_settings)
    assert receiver.credentials is not None
    assert maskinporten.tokens == []  # none fetched until the first connection
    login = receiver.credentials()
    (token,) = maskinporten.tokens
    assert login == (str(settings.integration_id), f"integrasjonspassord {token}")
    assert receiver.credentials() == login  # the token is kept while it is valid
    assert maskinporten.problems == []
    local = account(tmp_path, kommune_keys, "amqp://guest:guest@127.0.0.1:5672/%2F")
    assert fiks_io_receiver(local, maskinporten_settings).credentials is None  # the URL's own


@pytest.mark.rabbitmq
def test_the_login_is_what_the_broker_gets(
    tmp_path: Path,
    kommune_keys: KeyPair,
    amqp_url: str,
    maskinporten_settings: MaskinportenSettings,
) -> None:
    """The local broker knows no such user: refused, as an error saying what to check."""
    settings = account(tmp_path, kommune_keys, "amqp://127.0.0.1:5672/%2F")
    receiver = fiks_io_receiver(settings, maskinporten_settings)
    with pytest.raises(SourceError, match="amqp_url"):
        receiver.waiting()


def test_a_missing_password_file_is_a_configuration_error(
    tmp_path: Path, kommune_keys: KeyPair, maskinporten_settings: MaskinportenSettings
) -> None:
    settings = account(tmp_path, kommune_keys, "amqps://io.fiks.ks.no:5671")
    settings.integration_password_file.unlink()
    with pytest.raises(ConfigurationError, match="integrasjonspassordet"):
        fiks_io_client(settings, maskinporten_settings)


def test_without_maskinporten_there_is_no_login(tmp_path: Path, kommune_keys: KeyPair) -> None:
    settings = account(tmp_path, kommune_keys, "amqps://io.fiks.ks.no:5671")
    with pytest.raises(ConfigurationError, match=r"\[maskinporten\] mangler"):
        fiks_io_client(settings, None)
