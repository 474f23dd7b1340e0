"""Fixtures for whatever logs in to KS: the kommune's virksomhetssertifikat, the local
Maskinporten (demo/standins/maskinporten.py) and [maskinporten] settings pointing at it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from demo.standins.keys import make_key_pair, write_key_pair
from demo.standins.maskinporten import MaskinportenServer
from demo.standins.serving import running
from runner.kommuner.ks_settings import MaskinportenSettings
from runner.ks.keys import KeyPair


@pytest.fixture(scope="session")
def virksomhet_keys() -> KeyPair:
    """The kommune's (test) virksomhetssertifikat and its key."""
    return make_key_pair("Testkommune virksomhet")


@pytest.fixture
def maskinporten(virksomhet_keys: KeyPair) -> Iterator[MaskinportenServer]:
    """The local Maskinporten, knowing one client of the kommune's organisation."""
    server = MaskinportenServer(str(uuid.uuid4()), virksomhet_keys.certificate)
    with running(server):  # type: ignore[arg-type]
        yield server


def settings_for(
    server: MaskinportenServer | None, keys: KeyPair, folder: Path
) -> MaskinportenSettings:
    """[maskinporten] with the key and certificate as files in the folder, for the server (or,
    without one, for Maskinporten's test environment, which the tests never reach)."""
    key_path, cert_path = write_key_pair(keys, folder, "virksomhet")
    if server is None:
        return MaskinportenSettings(
            client_id=str(uuid.uuid4()),
            private_key=key_path,
            certificate=cert_path,
            issuer="https://test.maskinporten.no/",
        )
    return MaskinportenSettings(
        client_id=server.client_id, private_key=key_path, certificate=cert_path,
        issuer=server.issuer,
    )  # fmt: skip


@pytest.fixture
def maskinporten_settings(
    maskinporten: MaskinportenServer, virksomhet_keys: KeyPair, tmp_path: Path
) -> MaskinportenSettings:
    return settings_for(maskinporten, virksomhet_keys, tmp_path / "maskinporten")
