"""Letters as KS Fiks IO messages: the letter PDF in a signed, encrypted ASiC-E container.

The outbox key becomes the message's klientMeldingId (the same key always gives the same id),
so a letter sent again after a crash is the same message to Fiks IO and to the receiver, which
recognise a resend by it. Fiks IO has no query for whether a message was sent; `reconcile`
therefore answers that the letter may be sent again, which is safe for exactly that reason.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from runner.channels.base import Delivery, Letter
from runner.errors import ChannelError
from runner.fiksio.asice import ContainerFile
from runner.fiksio.client import FiksIoClient, OutgoingMessage
from runner.fiksio.message import client_message_id


class FiksIoChannel:
    """Sends each letter to one Fiks IO account as a message of one type (a client, with its
    connections, per letter: a channel has no end to close them at)."""

    kind = "fiksio"

    def __init__(
        self, connect: Callable[[], FiksIoClient], *, receiver: uuid.UUID, message_type: str
    ) -> None:
        self.connect = connect
        self.receiver = receiver
        self.message_type = message_type

    def send(self, letter: Letter) -> str:
        try:
            pdf = letter.pdf_path.read_bytes()
        except OSError as error:
            raise ChannelError(
                f"Brevet {letter.pdf_path} kan ikke leses: {error.strerror}",
                fix="Sjekk at data_dir er montert og lesbar; sendingen prøves igjen.",
            ) from error
        message = OutgoingMessage(
            receiver=self.receiver,
            message_type=self.message_type,
            files=(ContainerFile(f"{letter.reference}.pdf", pdf, "application/pdf"),),
            client_message_id=client_message_id(letter.key),
        )
        with self.connect() as client:
            sent = client.send(message)
        return f"fiksio:{sent.meldingId}"

    def reconcile(self, key: str) -> Delivery:
        """Sending again is safe: the resend carries the same klientMeldingId (see above)."""
        return Delivery.not_delivered
