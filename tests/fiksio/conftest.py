"""Fixtures for the Fiks IO tests: fresh keys, the local RabbitMQ, the local Fiks IO API (and the
local Maskinporten, tests/ks/fixtures.py)."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator

import pika
import pytest

from demo.standins.fiks_io import Account, FiksIoServer
from demo.standins.keys import make_key_pair
from demo.standins.serving import running
from runner.fiksio.receive import FiksIoReceiver
from runner.ks.keys import KeyPair
from tests.ks.fixtures import maskinporten, maskinporten_settings, virksomhet_keys

__all__ = ["maskinporten", "maskinporten_settings", "virksomhet_keys"]

AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/%2F"


def broker_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5672), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def amqp_url() -> str:
    """The local RabbitMQ (CI starts one); the tests skip, saying why, when it is not there."""
    if not broker_reachable():
        pytest.skip("RabbitMQ is not reachable on 127.0.0.1:5672 (start rabbitmq-server)")
    return AMQP_URL


@pytest.fixture(scope="session")
def kommune_keys() -> KeyPair:
    return make_key_pair("Testkommune")


@pytest.fixture(scope="session")
def portal_keys() -> KeyPair:
    return make_key_pair("Byggesoknadsportal")


@pytest.fixture
def accounts(
    amqp_url: str, kommune_keys: KeyPair, portal_keys: KeyPair
) -> Iterator[tuple[Account, Account]]:
    """(kommune, portal): two accounts whose queues exist for the test and are deleted after."""
    kommune = Account(uuid.uuid4(), kommune_keys)
    portal = Account(uuid.uuid4(), portal_keys)
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    channel = connection.channel()
    for account in (kommune, portal):
        channel.queue_declare(account.queue)
    try:
        yield kommune, portal
    finally:
        for account in (kommune, portal):
            channel.queue_delete(account.queue)
        connection.close()


@pytest.fixture
def fiks_io(amqp_url: str, accounts: tuple[Account, Account]) -> Iterator[FiksIoServer]:
    """The local Fiks IO API, knowing both accounts' certificates."""
    server = FiksIoServer(amqp_url, integration_id=uuid.uuid4(), password="integrasjon-passord")
    for account in accounts:
        server.certificates[account.id] = account.keys.certificate
    with running(server):
        yield server


def receiver_for(amqp_url: str, account: Account) -> FiksIoReceiver:
    return FiksIoReceiver(amqp_url, account=account.id, keys=account.keys)
