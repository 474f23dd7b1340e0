"""Errors of the Fiks IO transport: a message we cannot accept, and a send that failed."""

from __future__ import annotations

from runner.errors import CaseValidationError, ChannelError

__all__ = ["FiksIoMessageError", "FiksIoSendError"]


class FiksIoMessageError(CaseValidationError):
    """A received Fiks IO message cannot be opened or trusted (not for us, tampered, not an
    ASiC-E container, headers missing): the message is quarantined with the reason."""

    kind = "fiksio_message"


class FiksIoSendError(ChannelError):
    """Fiks IO did not accept a message we sent (retried, then parked for a human)."""

    kind = "fiksio_send"
