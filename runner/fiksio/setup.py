"""A kommune's Fiks IO client and receiver, built from its [kommune.fiks_io] settings."""

from __future__ import annotations

from pathlib import Path

from runner.errors import ConfigurationError
from runner.fiksio.client import FiksIoClient, Integration
from runner.fiksio.crypto import load_key_pair
from runner.fiksio.receive import FiksIoReceiver
from runner.kommuner.settings import FiksIoSettings


def read_secret(path: Path, what: str) -> str:
    """A secret kept in a file (first line, stripped); read each time it is needed, so a token
    file refreshed by the Maskinporten client is picked up."""
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError as error:
        raise ConfigurationError(
            f"Kan ikke lese {what} i {path}: {error.strerror}",
            fix="Sjekk stien i [kommune.fiks_io] og at saksrobot har lesetilgang.",
        ) from error
    if not text:
        raise ConfigurationError(f"{path} er tom ({what})", fix=f"Legg {what} i filen.")
    return text.splitlines()[0]


def integration(account: FiksIoSettings) -> Integration:
    """The integration's login: id, password and a current Maskinporten token (read when
    needed, so a refreshed token file is picked up)."""
    return Integration(
        account.integration_id,
        read_secret(account.integration_password_file, "integrasjonspassordet"),
        lambda: read_secret(account.access_token_file, "Maskinporten-tokenet"),
    )


def amqp_login(login: Integration) -> tuple[str, str]:
    """The AMQP login Fiks IO takes (as KS's Java client logs in): the integration id as user,
    the integration password and a current Maskinporten token, space-separated, as password."""
    return str(login.integration_id), f"{login.password} {login.access_token()}"


def fiks_io_client(account: FiksIoSettings) -> FiksIoClient:
    """A client sending from the kommune's account through the Fiks IO API."""
    keys = load_key_pair(account.private_key, account.certificate)
    return FiksIoClient(
        account.api_url, account=account.account_id, integration=integration(account), signer=keys
    )


def fiks_io_receiver(account: FiksIoSettings) -> FiksIoReceiver:
    """A receiver of the messages on the kommune's account queue; it logs in as the integration
    unless the URL carries a user and password (a local broker)."""
    keys = load_key_pair(account.private_key, account.certificate)
    has_login = "@" in account.amqp_url.split("://", 1)[-1].split("/", 1)[0]
    login = integration(account)
    return FiksIoReceiver(
        account.amqp_url,
        account=account.account_id,
        keys=keys,
        credentials=None if has_login else (lambda: amqp_login(login)),
    )
