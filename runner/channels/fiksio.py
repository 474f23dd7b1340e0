"""Letters as KS Fiks IO messages: the letter PDF in a signed, encrypted ASiC-E container.

A case that came in as a Fiks IO message is answered: the letter goes to the account that sent
the application, as the answer to its message (svarPaMelding). Any other case's letter goes to
the kommune's `letter_receiver`.

The outbox key becomes the message's klientMeldingId (the same key always gives the same id),
so a letter sent again after a crash is the same message to Fiks IO and to the receiver, which
recognise a resend by it. Fiks IO has no query for whether a message was sent; `reconcile`
therefore answers that the letter may be sent again, which is safe for exactly that reason.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

from pydantic import ValidationError

from runner.channels.base import Delivery, Letter
from runner.errors import ChannelError
from runner.fiksio.asice import ContainerFile
from runner.fiksio.client import FiksIoClient, OutgoingMessage
from runner.fiksio.message import MessageMetadata, client_message_id


class FiksIoChannel:
    """Sends each letter as a Fiks IO message of one type (a client, with its connections, per
    letter: a channel has no end to close them at)."""

    kind = "fiksio"
    answers_source = True  # a case that came over Fiks IO is answered there

    def __init__(
        self,
        connect: Callable[[], FiksIoClient],
        *,
        receiver: uuid.UUID | None,
        message_type: str,
        messages: Path | None = None,
    ) -> None:
        self.connect = connect
        self.receiver = receiver
        self.message_type = message_type
        self.messages = messages  # where the Fiks IO source keeps received messages' headers

    def address(self, letter: Letter) -> tuple[uuid.UUID, uuid.UUID | None]:
        """(receiver, message answered): the application's sender and message when the case
        came over Fiks IO, else the configured receiver."""
        kind, _, message_id = (letter.source_ref or "").partition(":")
        if kind == "fiksio" and self.messages is not None:
            path = self.messages / f"{message_id}.json"
            try:
                received = MessageMetadata.model_validate_json(path.read_bytes())
            except FileNotFoundError:
                received = None
            except (OSError, ValidationError) as error:
                raise ChannelError(
                    f"Meldingen saken kom i kan ikke leses ({path})",
                    fix="Sjekk filen og tilgangene på data_dir; sendingen prøves igjen.",
                ) from error
            if received is not None:
                return received.sender_account, received.message_id
        if self.receiver is None:
            raise ChannelError(
                f"Saken {letter.reference} kom ikke over Fiks IO, og ingen mottaker er satt",
                fix="Sett letter_receiver i kommunens [fiks_io].",
            )
        return self.receiver, None

    def send(self, letter: Letter) -> str:
        pdf = letter.pdf()
        receiver, answered = self.address(letter)
        message = OutgoingMessage(
            receiver=receiver,
            message_type=self.message_type,
            files=(ContainerFile(f"{letter.reference}.pdf", pdf, "application/pdf"),),
            client_message_id=client_message_id(letter.key),
            reply_to=answered,
        )
        with self.connect() as client:
            sent = client.send(message)
        return f"fiksio:{sent.meldingId}"

    def reconcile(self, key: str) -> Delivery:
        """Sending again is safe: the resend carries the same klientMeldingId (see above)."""
        return Delivery.not_delivered
