"""The KS integration: the Fiks IO and SvarUt clients log in the one way, with the token the
local Maskinporten gave (one token for both), and a refused login is the service's own error
naming the settings to check."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest

from demo.standins.fiks_io import FiksIoServer
from demo.standins.maskinporten import MaskinportenServer
from demo.standins.serving import running
from demo.standins.svarut import SvarUtServer
from runner.channels.svarut import SVARUT, SvarUtClient
from runner.errors import ChannelError
from runner.fiksio.client import FIKS_IO, FiksIoClient
from runner.fiksio.errors import FiksIoSendError
from runner.kommuner.ks_settings import KsIntegrationSettings, MaskinportenSettings
from runner.ks.integration import KsService, integration_for
from runner.ks.keys import KeyPair


def login(folder: Path, integration_id: uuid.UUID, password: str) -> KsIntegrationSettings:
    folder.mkdir(exist_ok=True)
    (folder / "passord").write_text(password + "\n")
    return KsIntegrationSettings(
        integration_id=integration_id, integration_password_file=folder / "passord"
    )


def test_fiks_io_and_svarut_send_the_token_maskinporten_gave(
    maskinporten: MaskinportenServer,
    maskinporten_settings: MaskinportenSettings,
    virksomhet_keys: KeyPair,
    tmp_path: Path,
) -> None:
    integration_id = uuid.uuid4()
    account = login(tmp_path / "ks", integration_id, "integrasjon-passord")
    sent: list[httpx.Request] = []
    hooks = {"request": [sent.append]}
    svarut = SvarUtServer(uuid.uuid4(), integration_id, "integrasjon-passord")
    fiks_io = FiksIoServer("amqp://127.0.0.1:1/%2F", integration_id, "integrasjon-passord")
    receiver = uuid.uuid4()
    fiks_io.certificates[receiver] = virksomhet_keys.certificate
    with running(svarut), running(fiks_io):  # type: ignore[arg-type]
        with SvarUtClient(
            svarut.base_url,
            account=svarut.account,
            integration=integration_for(account, maskinporten_settings, SVARUT.table),
            http=httpx.Client(event_hooks=hooks),
        ) as client:
            assert client.by_reference("sak-1") == []
        with FiksIoClient(
            fiks_io.base_url,
            account=uuid.uuid4(),
            integration=integration_for(account, maskinporten_settings, FIKS_IO.table),
            signer=virksomhet_keys,
            http=httpx.Client(event_hooks=hooks),
        ) as fiks:
            assert fiks.receiver_certificate(receiver) == virksomhet_keys.certificate
    (token,) = maskinporten.tokens  # one token, shared by both services
    assert [r.headers["Authorization"] for r in sent] == [f"Bearer {token}"] * 2
    assert {r.headers["IntegrasjonId"] for r in sent} == {str(integration_id)}
    assert svarut.problems == fiks_io.problems == maskinporten.problems == []


@pytest.mark.parametrize(
    ("service", "error"), [(SVARUT, ChannelError), (FIKS_IO, FiksIoSendError)]
)
def test_a_refused_login_is_the_services_error_naming_its_settings(
    maskinporten_settings: MaskinportenSettings,
    tmp_path: Path,
    service: KsService,
    error: type[ChannelError],
) -> None:
    svarut = SvarUtServer(uuid.uuid4(), uuid.uuid4(), "integrasjon-passord")
    account = login(tmp_path / "ks", svarut.integration_id, "feil-passord")
    integration = integration_for(account, maskinporten_settings, service.table)
    with running(svarut), httpx.Client() as http:  # type: ignore[arg-type]
        url = f"{svarut.base_url}/v2/kontoer/{svarut.account}/forsendelser"
        with pytest.raises(error) as refused:
            integration.request(http, service, "GET", url, params={"eksternRef": "x"})
    message = f"{service.name} avviste integrasjonens innlogging (HTTP 401)"
    assert refused.value.message == message
    assert refused.value.fix is not None and service.table in refused.value.fix
    assert svarut.problems == ["IntegrasjonPassord mangler eller er feil"]
