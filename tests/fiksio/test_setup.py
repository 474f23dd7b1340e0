"""A kommune's Fiks IO client and receiver from its settings: secrets read from files, the AMQP
login as Fiks IO takes it (integration id; password and Maskinporten token)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from demo.standins.keys import write_key_pair
from runner.errors import ConfigurationError, SourceError
from runner.fiksio.crypto import KeyPair
from runner.fiksio.setup import fiks_io_client, fiks_io_receiver
from runner.kommuner.settings import FiksIoSettings


def account(folder: Path, keys: KeyPair, amqp_url: str) -> FiksIoSettings:
    key_path, cert_path = write_key_pair(keys, folder, "kommune")
    (folder / "passord").write_text("integrasjonspassord\n")
    (folder / "token").write_text("token-1\n")
    return FiksIoSettings(
        account_id=uuid.uuid4(),
        integration_id=uuid.uuid4(),
        private_key=key_path,
        certificate=cert_path,
        integration_password_file=folder / "passord",
        access_token_file=folder / "token",
        amqp_url=amqp_url,
    )


def test_the_receiver_logs_in_as_the_integration_with_a_fresh_token(
    tmp_path: Path, kommune_keys: KeyPair
) -> None:
    settings = account(tmp_path, kommune_keys, "amqps://io.fiks.test.ks.no:5671")
    receiver = fiks_io_receiver(settings)
    assert receiver.credentials is not None
    assert receiver.credentials() == (str(settings.integration_id), "integrasjonspassord token-1")
    (tmp_path / "token").write_text("token-2\n")  # the Maskinporten client refreshed it
    assert receiver.credentials()[1] == "integrasjonspassord token-2"
    local = account(tmp_path, kommune_keys, "amqp://guest:guest@127.0.0.1:5672/%2F")
    assert fiks_io_receiver(local).credentials is None  # the URL's own login


@pytest.mark.rabbitmq
def test_the_login_is_what_the_broker_gets(
    tmp_path: Path, kommune_keys: KeyPair, amqp_url: str
) -> None:
    """The local broker knows no such user: refused, as an error saying what to check."""
    receiver = fiks_io_receiver(account(tmp_path, kommune_keys, "amqp://127.0.0.1:5672/%2F"))
    with pytest.raises(SourceError, match="amqp_url"):
        receiver.waiting()


def test_a_missing_password_file_is_a_configuration_error(
    tmp_path: Path, kommune_keys: KeyPair
) -> None:
    settings = account(tmp_path, kommune_keys, "amqps://io.fiks.ks.no:5671")
    settings.integration_password_file.unlink()
    with pytest.raises(ConfigurationError, match="integrasjonspassordet"):
        fiks_io_client(settings)
