"""A Fiks IO message's metadata: the AMQP headers it arrives with, the JSON it is sent with.

Names as KS's clients use them (ks-no/fiks-io-commons FiksIOHeaders, fiks-io-send-klient
MeldingSpesifikasjonApiModel): on delivery the AMQP headers `melding-id`, `type`,
`avsender-id`, `svar-til` (the message answered), `avsender-navn`, `dokumentlager-id`, and every
header the sender set as `egendefinert-header.<name>`; the queue is `fiksio.konto.<account>`.
The sender's own message id, `klientMeldingId`, travels as such a sender-defined header and is
the same on every resend: a receiver that has seen it treats the message as a resend.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import Field

from runner.errors import FieldProblem
from runner.fiksio.errors import FiksIoMessageError
from runner.models.common import FrozenModel
from runner.problems import problem

__all__ = [
    "CLIENT_MESSAGE_ID",
    "DEFAULT_TTL_MS",
    "MessageMetadata",
    "SendSpecification",
    "SentMessage",
    "client_message_id",
    "header_text",
    "queue_name",
]

MESSAGE_ID = "melding-id"
MESSAGE_TYPE = "type"
SENDER_ID = "avsender-id"
SENDER_NAME = "avsender-navn"
REPLY_TO = "svar-til"
DOCUMENT_STORE_ID = "dokumentlager-id"
CUSTOM_PREFIX = "egendefinert-header."
#: The sender's own message id (a sender-defined header), for recognising a resend.
CLIENT_MESSAGE_ID = "klientMeldingId"
#: KS's clients' default lifetime of a message: two days, in milliseconds.
DEFAULT_TTL_MS = 2 * 24 * 3600 * 1000
#: Our outbox keys become client message ids in this UUID namespace (uuid5).
_KEY_NAMESPACE = uuid.UUID("7d1b7c5e-4f0a-5c1e-9a49-5a6b7367f1e0")


def queue_name(account: uuid.UUID) -> str:
    """The AMQP queue Fiks IO delivers an account's messages to."""
    return f"fiksio.konto.{account}"


def client_message_id(key: str) -> uuid.UUID:
    """The client message id for an outbox key: the same key always gives the same id."""
    return uuid.uuid5(_KEY_NAMESPACE, key)


class SendSpecification(FrozenModel):
    """The `metadata` part of a send request (fiks-io/api/v1/send), in the API's own names."""

    avsenderKontoId: uuid.UUID
    mottakerKontoId: uuid.UUID
    meldingType: Annotated[str, Field(min_length=1, max_length=200)]
    svarPaMelding: uuid.UUID | None = None
    ttl: Annotated[int, Field(ge=1000)] = DEFAULT_TTL_MS
    headere: dict[str, str] = Field(default_factory=dict)


class SentMessage(FrozenModel):
    """Fiks IO's answer to a send (202 Accepted): the message as it was registered."""

    meldingId: uuid.UUID
    meldingType: str
    avsenderKontoId: uuid.UUID
    mottakerKontoId: uuid.UUID
    ttl: int
    dokumentlagerId: uuid.UUID | None = None
    svarPaMelding: uuid.UUID | None = None
    headere: dict[str, str] = Field(default_factory=dict)


class MessageMetadata(FrozenModel):
    """A delivered message's headers, read and checked."""

    message_id: uuid.UUID
    message_type: str
    sender_account: uuid.UUID
    receiver_account: uuid.UUID
    reply_to: uuid.UUID | None = None
    sender_name: str | None = None
    client_message_id: uuid.UUID | None = None
    ttl_ms: int | None = None
    headers: dict[str, str] = Field(default_factory=dict)

    @classmethod
    def from_amqp(
        cls, headers: Mapping[str, Any] | None, receiver: uuid.UUID, expiration: str | None
    ) -> MessageMetadata:
        """The metadata of a delivery; missing or malformed headers are a FiksIoMessageError
        naming the header."""
        values = {key: header_text(value) for key, value in (headers or {}).items()}
        source = f"fiksio:{values.get(MESSAGE_ID) or 'uten-melding-id'}"
        problems: list[FieldProblem] = []

        def required_uuid(name: str) -> uuid.UUID | None:
            value = values.get(name)
            if not value:
                problems.append(problem("fiksio_header_missing", name))
                return None
            return optional_uuid(name)

        def optional_uuid(name: str) -> uuid.UUID | None:
            value = values.get(name)
            if not value:
                return None
            try:
                return uuid.UUID(value)
            except ValueError:
                problems.append(problem("fiksio_header_not_uuid", name))
                return None

        message_id = required_uuid(MESSAGE_ID)
        sender = required_uuid(SENDER_ID)
        reply_to = optional_uuid(REPLY_TO)
        message_type = values.get(MESSAGE_TYPE)
        if not message_type:
            problems.append(problem("fiksio_header_missing", MESSAGE_TYPE))
        custom = {
            key[len(CUSTOM_PREFIX) :]: value
            for key, value in values.items()
            if key.startswith(CUSTOM_PREFIX)
        }
        client_id = None
        if custom.get(CLIENT_MESSAGE_ID):
            try:
                client_id = uuid.UUID(custom[CLIENT_MESSAGE_ID])
            except ValueError:
                problems.append(
                    problem("fiksio_header_not_uuid", CUSTOM_PREFIX + CLIENT_MESSAGE_ID)
                )
        if problems or message_id is None or sender is None or not message_type:
            raise FiksIoMessageError(source, problems)
        ttl = int(expiration) if expiration and expiration.isdigit() else None
        return cls(
            message_id=message_id,
            message_type=message_type,
            sender_account=sender,
            receiver_account=receiver,
            reply_to=reply_to,
            sender_name=values.get(SENDER_NAME) or None,
            client_message_id=client_id,
            ttl_ms=ttl,
            headers=custom,
        )

    def amqp_headers(self) -> dict[str, str]:
        """The AMQP headers Fiks IO delivers this message with."""
        headers = {
            MESSAGE_ID: str(self.message_id),
            MESSAGE_TYPE: self.message_type,
            SENDER_ID: str(self.sender_account),
        }
        if self.reply_to is not None:
            headers[REPLY_TO] = str(self.reply_to)
        if self.sender_name:
            headers[SENDER_NAME] = self.sender_name
        headers.update({CUSTOM_PREFIX + key: value for key, value in self.headers.items()})
        return headers


def header_text(value: Any) -> str:
    """A header value as text (the AMQP client may give bytes)."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value) if value is not None else ""
