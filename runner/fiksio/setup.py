"""A kommune's Fiks IO client and receiver, built from its [kommune.fiks_io] settings."""

from __future__ import annotations

from runner.fiksio.client import FIKS_IO, FiksIoClient
from runner.fiksio.receive import FiksIoReceiver
from runner.kommuner.ks_settings import MaskinportenSettings
from runner.kommuner.settings import FiksIoSettings
from runner.ks.integration import KsIntegration, integration_for
from runner.ks.keys import load_key_pair


def amqp_login(login: KsIntegration) -> tuple[str, str]:
    """The AMQP login Fiks IO takes (as KS's Java client logs in): the integration id as user,
    the integration password and a current Maskinporten token, space-separated, as password."""
    return str(login.integration_id), f"{login.password} {login.access_token()}"


def fiks_io_client(
    account: FiksIoSettings, maskinporten: MaskinportenSettings | None
) -> FiksIoClient:
    """A client sending from the kommune's account through the Fiks IO API."""
    keys = load_key_pair(account.private_key, account.certificate)
    return FiksIoClient(
        account.api_url,
        account=account.account_id,
        integration=integration_for(account, maskinporten, FIKS_IO.table),
        signer=keys,
    )


def fiks_io_receiver(
    account: FiksIoSettings, maskinporten: MaskinportenSettings | None
) -> FiksIoReceiver:
    """A receiver of the messages on the kommune's account queue; it logs in as the integration
    unless the URL carries a user and password (a local broker)."""
    keys = load_key_pair(account.private_key, account.certificate)
    has_login = "@" in account.amqp_url.split("://", 1)[-1].split("/", 1)[0]
    login = integration_for(account, maskinporten, FIKS_IO.table)
    return FiksIoReceiver(
        account.amqp_url,
        account=account.account_id,
        keys=keys,
        credentials=None if has_login else (lambda: amqp_login(login)),
    )
