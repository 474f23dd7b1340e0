"""Fiks IO metadata: AMQP headers read as KS's clients name them; client message ids."""

from __future__ import annotations

import uuid

import httpx
import pytest

from demo.standins.fiks_io import Account, FiksIoServer
from runner.fiksio.errors import FiksIoMessageError
from runner.fiksio.message import MessageMetadata, client_message_id, queue_name

RECEIVER = uuid.uuid4()


def test_headers_are_read_from_bytes_as_the_amqp_client_gives_them() -> None:
    message_id, sender, answered, client_id = (uuid.uuid4() for _ in range(4))
    headers = {
        "melding-id": str(message_id).encode(),
        "type": b"no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett",
        "avsender-id": str(sender).encode(),
        "svar-til": str(answered).encode(),
        "avsender-navn": "Byggesøknadsportalen".encode(),
        "egendefinert-header.klientMeldingId": str(client_id).encode(),
        "egendefinert-header.kommune": b"4627",
    }
    metadata = MessageMetadata.from_amqp(headers, RECEIVER, "172800000")
    assert metadata.message_id == message_id
    assert metadata.sender_account == sender and metadata.receiver_account == RECEIVER
    assert metadata.reply_to == answered
    assert metadata.sender_name == "Byggesøknadsportalen"
    assert metadata.client_message_id == client_id
    assert metadata.ttl_ms == 172_800_000
    assert metadata.headers == {"klientMeldingId": str(client_id), "kommune": "4627"}
    assert MessageMetadata.from_amqp(metadata.amqp_headers(), RECEIVER, "172800000") == metadata


def test_missing_and_malformed_headers_are_each_named() -> None:
    headers = {"melding-id": "ikke-en-uuid", "egendefinert-header.klientMeldingId": "x"}
    with pytest.raises(FiksIoMessageError) as caught:
        MessageMetadata.from_amqp(headers, RECEIVER, None)
    assert {p.location for p in caught.value.problems} == {
        "melding-id", "avsender-id", "type", "egendefinert-header.klientMeldingId",
    }  # fmt: skip
    assert caught.value.source == "fiksio:ikke-en-uuid"


def test_an_outbox_key_always_gives_the_same_client_message_id() -> None:
    assert client_message_id("BS-1/1") == client_message_id("BS-1/1")
    assert client_message_id("BS-1/1") != client_message_id("BS-1/2")
    assert queue_name(RECEIVER) == f"fiksio.konto.{RECEIVER}"


@pytest.mark.rabbitmq
@pytest.mark.parametrize(
    ("files", "problem"),
    [
        ({"data": ("x.bin", b"x")}, "delen 'metadata' mangler"),
        ({"metadata": (None, b"{}", "text/plain")}, "delen 'metadata' er ikke application/json"),
        (
            {"metadata": (None, b'{"avsenderKontoId": "1"}', "application/json")},
            "ukjent",  # checked below with the real message
        ),
    ],
)
def test_the_local_server_refuses_a_send_outside_the_description(
    fiks_io: FiksIoServer, accounts: tuple[Account, Account], files: dict, problem: str
) -> None:
    headers = {"Authorization": "Bearer t", "IntegrasjonId": str(fiks_io.integration_id),
               "IntegrasjonPassord": fiks_io.password}  # fmt: skip
    response = httpx.post(f"{fiks_io.base_url}/fiks-io/api/v1/send", files=files,
                          headers=headers)  # fmt: skip
    assert response.status_code == 400
    if problem == "ukjent":
        assert fiks_io.problems == ["avsenderKontoId mangler eller er ikke en UUID"]
    else:
        assert fiks_io.problems == [problem]
