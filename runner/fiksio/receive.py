"""Receiving over Fiks IO: the account's AMQP queue, each delivery opened and checked.

Fiks IO pushes an account's messages to the RabbitMQ queue `fiksio.konto.<account>`: the body
is the encrypted ASiC-E container, the metadata is in the AMQP headers. A delivery is
acknowledged only when whoever reads `messages()` has taken it (stored it as a case or
quarantined it) and asks for the next one; a reader that stops or dies leaves it unacknowledged
and RabbitMQ delivers it again. A delivery that cannot be opened is handed on with its error,
never dropped.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pika
import pika.exceptions

from runner.errors import SourceError
from runner.fiksio.asice import SignedContainer, read_container
from runner.fiksio.crypto import decrypt_payload
from runner.fiksio.errors import FiksIoMessageError
from runner.fiksio.message import MESSAGE_ID, MessageMetadata, header_text, queue_name
from runner.ks.keys import KeyPair
from runner.logs import get_logger
from runner.problems import problem
from runner.sources.boundary import redacted_trace

__all__ = ["Delivery", "FiksIoReceiver"]

log = get_logger("saksrobot.fiksio.receive")


@dataclass(frozen=True)
class Delivery:
    """One delivered message: its metadata and container, or why it cannot be accepted."""

    body: bytes
    message_id: str
    metadata: MessageMetadata | None
    container: SignedContainer | None
    error: FiksIoMessageError | None


class FiksIoReceiver:
    """Reads an account's queue (one connection per pass)."""

    def __init__(
        self,
        amqp_url: str,
        *,
        account: uuid.UUID,
        keys: KeyPair,
        queue: str | None = None,
        credentials: Callable[[], tuple[str, str]] | None = None,
    ) -> None:
        self.amqp_url = amqp_url
        self.account = account
        self.keys = keys
        self.queue = queue or queue_name(account)
        #: (username, password) for each new connection, when the URL carries none: Fiks IO
        #: takes the integration id and "<integration password> <Maskinporten token>"
        self.credentials = credentials

    def describe(self) -> str:
        return f"Fiks IO-konto {self.account} (kø {self.queue})"

    def waiting(self) -> int:
        """How many messages wait in the queue."""
        with self._connection() as connection:
            declared = connection.channel().queue_declare(self.queue, passive=True)
            return int(declared.method.message_count)

    def messages(self) -> Iterator[Delivery]:
        """Every message now in the queue; each is acknowledged when the next is asked for."""
        with self._connection() as connection:
            channel = connection.channel()
            while True:
                method, properties, body = channel.basic_get(self.queue, auto_ack=False)
                if method is None:
                    return
                yield self.open(bytes(body), properties.headers, properties.expiration)
                channel.basic_ack(method.delivery_tag)

    def open(
        self, body: bytes, headers: dict[str, object] | None, expiration: str | None
    ) -> Delivery:
        """Read the headers, decrypt the body and check the container's signature. Never raises:
        whatever goes wrong with one message is that message's error (a message that crashed
        the reader would be delivered again and again)."""
        try:
            return self._open(body, headers, expiration)
        except Exception as error:  # the one-message boundary, as runner/sources/boundary.py
            message_id = header_text((headers or {}).get(MESSAGE_ID)) or "uten-melding-id"
            unread = problem("fiksio_unreadable", error=type(error).__name__)
            log.warning(
                "fiksio_message_unreadable",
                message_id=message_id,
                exception=type(error).__name__,
                trace=redacted_trace(error),
            )
            return Delivery(
                body, message_id, None, None, FiksIoMessageError(f"fiksio:{message_id}", [unread])
            )

    def _open(
        self, body: bytes, headers: dict[str, object] | None, expiration: str | None
    ) -> Delivery:
        message_id = header_text((headers or {}).get(MESSAGE_ID)) or "uten-melding-id"
        source = f"fiksio:{message_id}"
        try:
            metadata = MessageMetadata.from_amqp(headers, self.account, expiration)
        except FiksIoMessageError as error:
            return Delivery(body, message_id, None, None, error)
        try:
            container = read_container(
                decrypt_payload(body, self.keys, source=source), source=source
            )
        except FiksIoMessageError as error:
            return Delivery(body, message_id, metadata, None, error)
        return Delivery(body, message_id, metadata, container, None)

    def _connection(self) -> pika.BlockingConnection:
        parameters = pika.URLParameters(self.amqp_url)
        if self.credentials is not None:
            parameters.credentials = pika.PlainCredentials(*self.credentials())
        try:
            return pika.BlockingConnection(parameters)
        except pika.exceptions.AMQPError as error:
            raise SourceError(
                f"Fiks IO sin AMQP-tjener kan ikke nås ({type(error).__name__})",
                fix="Sjekk amqp_url i Fiks IO-innstillingene og nettverket; det prøves igjen.",
            ) from error
