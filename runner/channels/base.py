"""What every channel does: deliver a letter once under a key, and tell whether it did."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from runner.errors import ChannelError


class Delivery(StrEnum):
    """What a channel can prove about a letter after a crash."""

    delivered = "delivered"
    not_delivered = "not_delivered"
    unknown = "unknown"


@dataclass(frozen=True)
class Recipient:
    """Who a letter is to, as the case states it (for a channel that addresses the person)."""

    name: str
    national_id: str | None = None
    organisation_number: str | None = None
    street: str | None = None
    postal_code: str | None = None
    city: str | None = None

    @classmethod
    def of_case(cls, data: dict[str, object]) -> Recipient | None:
        """The applicant of a case's data; None if it names none."""
        applicant = data.get("applicant")
        if not isinstance(applicant, dict) or not applicant.get("name"):
            return None
        address = applicant.get("address") if isinstance(applicant.get("address"), dict) else {}
        assert isinstance(address, dict)

        def text(value: object) -> str | None:
            return str(value) if value else None

        return cls(
            name=str(applicant["name"]),
            national_id=text(applicant.get("national_id")),
            organisation_number=text(applicant.get("organisation_number")),
            street=text(address.get("street")),
            postal_code=text(address.get("postal_code")),
            city=text(address.get("city")),
        )


@dataclass(frozen=True)
class Letter:
    """A finalised letter ready to go: the PDF file and where it should go."""

    key: str  # unique per (case, letter version): the idempotency key
    pdf_path: Path
    reference: str
    recipient_email: str | None = None
    #: where the case came from (the raw item's source_ref, e.g. "fiksio:<message id>"), so a
    #: channel can answer the message the application came in
    source_ref: str | None = None
    #: the applicant, for a channel that addresses the person (SvarUt); the letter's title
    recipient: Recipient | None = None
    title: str | None = None

    def pdf(self) -> bytes:
        """The letter's PDF; ChannelError (retried) when the file cannot be read."""
        try:
            return self.pdf_path.read_bytes()
        except OSError as error:
            raise ChannelError(
                f"Brevet {self.pdf_path.name} kan ikke leses: {error.strerror}",
                fix="Sjekk at data_dir er montert og lesbar; sendingen prøves igjen.",
            ) from error


class Channel(Protocol):
    """A way letters leave saksrobot (a folder, SMTP)."""

    kind: str
    #: whether send() needs Letter.source_ref (the send step reads it only for such a channel)
    answers_source: bool

    def send(self, letter: Letter) -> str:
        """Deliver the letter; return where it went. Raises ChannelError on failure."""
        ...

    def reconcile(self, key: str) -> Delivery:
        """After a crash during send: was the letter with this key delivered?"""
        ...
