"""Fiks IO end to end: send through the REST API (local server checking KS's description),
deliver over the real RabbitMQ, receive, decrypt and verify; resend, reply, ack, refusals."""

from __future__ import annotations

import uuid

import pika
import pytest

from demo.standins.fiks_io import Account, FiksIoServer, client_for
from runner.fiksio.asice import ContainerFile
from runner.fiksio.client import OutgoingMessage
from runner.fiksio.errors import FiksIoSendError
from runner.fiksio.message import client_message_id
from runner.ks.integration import KsIntegration
from tests.fiksio.conftest import receiver_for

pytestmark = pytest.mark.rabbitmq

MESSAGE_TYPE = "no.dibk.byggesoknad.tiltakutenansvarsrett.v3"
APPLICATION = ContainerFile("soknad.xml", b"<TiltakUtenAnsvarsrett/>", "application/xml")


def message(to: Account, key: str = "BS-1/brev-1", **extra: object) -> OutgoingMessage:
    return OutgoingMessage(
        receiver=to.id,
        message_type=MESSAGE_TYPE,
        files=(APPLICATION,),
        client_message_id=client_message_id(key),
        **extra,  # type: ignore[arg-type]
    )


def test_a_sent_message_arrives_decrypted_and_verified(
    amqp_url: str, fiks_io: FiksIoServer, accounts: tuple[Account, Account]
) -> None:
    kommune, portal = accounts
    with client_for(fiks_io, portal) as client:
        sent = client.send(message(kommune))
    assert fiks_io.problems == []
    deliveries = list(receiver_for(amqp_url, kommune).messages())
    assert len(deliveries) == 1
    delivery = deliveries[0]
    assert delivery.error is None and delivery.metadata is not None
    assert delivery.container is not None
    assert delivery.metadata.message_id == sent.meldingId
    assert delivery.metadata.message_type == MESSAGE_TYPE
    assert delivery.metadata.sender_account == portal.id
    assert delivery.metadata.client_message_id == client_message_id("BS-1/brev-1")
    assert delivery.container.files[0].content == APPLICATION.content
    assert delivery.container.signer == portal.keys.certificate
    assert receiver_for(amqp_url, kommune).waiting() == 0  # acknowledged


def test_a_resend_with_the_same_key_is_one_message(
    amqp_url: str, fiks_io: FiksIoServer, accounts: tuple[Account, Account]
) -> None:
    kommune, portal = accounts
    with client_for(fiks_io, portal) as client:
        first = client.send(message(kommune, key="BS-7/brev-1"))
        again = client.send(message(kommune, key="BS-7/brev-1"))
        other = client.send(message(kommune, key="BS-7/brev-2"))
    assert again.meldingId == first.meldingId
    assert other.meldingId != first.meldingId
    assert receiver_for(amqp_url, kommune).waiting() == 2
    assert fiks_io.requests == 3 and fiks_io.problems == []


def test_a_reply_carries_the_message_it_answers(
    amqp_url: str, fiks_io: FiksIoServer, accounts: tuple[Account, Account]
) -> None:
    kommune, portal = accounts
    with client_for(fiks_io, portal) as client:
        asked = client.send(message(kommune))
    (received,) = receiver_for(amqp_url, kommune).messages()
    assert received.metadata is not None
    with client_for(fiks_io, kommune) as client:
        client.send(message(portal, key="svar-1", reply_to=received.metadata.message_id))
    (answer,) = receiver_for(amqp_url, portal).messages()
    assert answer.metadata is not None and answer.error is None
    assert answer.metadata.reply_to == asked.meldingId
    assert answer.container is not None and answer.container.signer == kommune.keys.certificate


def test_a_message_is_acknowledged_only_when_the_next_is_asked_for(
    amqp_url: str, fiks_io: FiksIoServer, accounts: tuple[Account, Account]
) -> None:
    kommune, portal = accounts
    with client_for(fiks_io, portal) as client:
        client.send(message(kommune))
    receiver = receiver_for(amqp_url, kommune)
    reading = receiver.messages()
    assert next(reading).error is None
    reading.close()  # the reader stops (or dies) before it has stored the message
    assert receiver.waiting() == 1  # delivered again next time
    assert len(list(receiver.messages())) == 1
    assert receiver.waiting() == 0


def test_wrongly_encrypted_and_headerless_messages_come_with_their_reason(
    amqp_url: str, fiks_io: FiksIoServer, accounts: tuple[Account, Account]
) -> None:
    kommune, portal = accounts
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    channel = connection.channel()
    headers = {"melding-id": str(uuid.uuid4()), "type": MESSAGE_TYPE,
               "avsender-id": str(portal.id)}  # fmt: skip
    channel.basic_publish("", kommune.queue, b"\x30\x03\x02\x01\x00",
                          pika.BasicProperties(headers=headers))  # fmt: skip
    channel.basic_publish("", kommune.queue, b"x", pika.BasicProperties(headers={"type": "t"}))
    connection.close()
    first, second = list(receiver_for(amqp_url, kommune).messages())
    assert first.error is not None and first.metadata is not None
    assert "kan ikke dekrypteres" in first.error.problems[0].reason
    assert first.body == b"\x30\x03\x02\x01\x00"  # kept for the quarantine, never lost
    assert second.error is not None and second.metadata is None
    assert {p.location for p in second.error.problems} == {"melding-id", "avsender-id"}


def test_the_server_refuses_a_request_outside_the_description(
    fiks_io: FiksIoServer, accounts: tuple[Account, Account]
) -> None:
    """The local server's checks can fail: a wrong integration password is refused."""
    kommune, portal = accounts
    with client_for(fiks_io, portal) as client:
        client.integration = KsIntegration(fiks_io.integration_id, "feil-passord", lambda: "t")
        with pytest.raises(FiksIoSendError, match="HTTP 401"):
            client.send(message(kommune))
    assert fiks_io.problems == ["IntegrasjonPassord mangler eller er feil"]


def test_an_unknown_receiver_is_a_send_error(
    fiks_io: FiksIoServer, accounts: tuple[Account, Account]
) -> None:
    _, portal = accounts
    stranger = Account(uuid.uuid4(), portal.keys)
    with client_for(fiks_io, portal) as client, pytest.raises(FiksIoSendError, match="404"):
        client.send(message(stranger))
