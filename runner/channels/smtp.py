"""E-mail out: the letter PDF to the applicant over SMTP, once, provable from the Sent folder.

The outbox key becomes the Message-ID, so a message can be found again. With an [imap]
section the channel files a copy in the Sent folder *before* handing the message to SMTP,
flagged ``$SaksrobotSending``, and clears the flag once the server accepted it. After a
crash, reconcile reads that folder: no copy → not sent (send again); a copy without the
flag → delivered; a copy still flagged → the crash fell between filing and acceptance, so
nobody can prove either way and a human decides. Without [imap], delivery is unknown.
"""

from __future__ import annotations

import time
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from typing import Any

from runner.channels.base import Delivery, Letter
from runner.errors import ChannelError
from runner.logs import get_logger
from runner.mailservers import ImapSettings, SmtpSettings, close_imap, imap_library, smtp_library

log = get_logger("saksrobot.channels.smtp")
PENDING_FLAG = "$SaksrobotSending"

BODY = {
    "nb": "Vedlagt er vedtaket i sak {reference} fra {kommune}.\n\n"
    "Dette er en automatisk utsendt e-post. Svar på vedtaket slik det står i brevet.\n",
    "nn": "Vedlagt er vedtaket i sak {reference} frå {kommune}.\n\n"
    "Dette er ein automatisk utsend e-post. Svar på vedtaket slik det står i brevet.\n",
}


class SmtpChannel:
    """Sends `<reference>.pdf` to the letter's recipient with Message-ID `<key@domain>`."""

    kind = "smtp"
    answers_source = False

    def __init__(
        self,
        smtp: SmtpSettings,
        imap: ImapSettings | None = None,
        *,
        kommune: str,
        malform: str = "nb",
    ) -> None:
        self.smtp = smtp
        self.imap = imap if imap is not None and imap.sent_folder else None
        self.kommune = kommune
        self.malform = malform if malform in BODY else "nb"
        self.domain = parseaddr(smtp.sender)[1].rpartition("@")[2] or "saksrobot.invalid"

    def message_id(self, key: str) -> str:
        return f"<{key}@{self.domain}>"

    def message(self, letter: Letter) -> EmailMessage:
        """The e-mail for a letter (the same headers every time for the same key)."""
        if not letter.recipient_email:
            raise ChannelError(
                f"Letter {letter.key} has no e-mail address to go to",
                fix="Add the applicant's e-mail address, or send this robot's letters by folder.",
            )
        message = EmailMessage()
        message["Message-ID"] = self.message_id(letter.key)
        message["From"] = self.smtp.sender
        message["To"] = letter.recipient_email
        message["Date"] = formatdate(localtime=True)
        subject = self.smtp.subject.get(self.malform, "Vedtak i sak {reference}")
        message["Subject"] = subject.format(reference=letter.reference)
        message["X-Saksrobot-Key"] = letter.key
        message.set_content(
            BODY[self.malform].format(reference=letter.reference, kommune=self.kommune)
        )
        pdf = letter.pdf()
        filename = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in letter.reference)
        message.add_attachment(
            pdf, maintype="application", subtype="pdf", filename=f"{filename}.pdf"
        )
        return message

    def send(self, letter: Letter) -> str:
        message = self.message(letter)
        smtp = smtp_library(self.smtp)  # connect first: a refused connection files nothing
        imap = imap_library(self.imap) if self.imap is not None else None
        try:
            if imap is not None:
                self._file_copy(imap, message, pending=True)
            try:
                smtp.smtp_conn.send_message(message)
            except Exception as error:  # refused before acceptance: nothing went out
                if imap is not None:
                    self._remove_copy(imap, message["Message-ID"])
                raise ChannelError(
                    f"The SMTP server refused letter {letter.key}: {type(error).__name__}",
                    fix="Check the recipient address and the [smtp] settings; it is retried.",
                ) from error
            if imap is not None:
                self._set_flag(imap, message["Message-ID"], PENDING_FLAG, add=False)
        finally:
            _quit(smtp)
            if imap is not None:
                close_imap(imap)
        return f"smtp:{message['Message-ID']}"

    def reconcile(self, key: str) -> Delivery:
        if self.imap is None:
            return Delivery.unknown
        imap = imap_library(self.imap)
        try:
            found = self._find(imap, self.message_id(key))
            if not found:
                return Delivery.not_delivered
            flags = self._flags(imap, found[0])
            return Delivery.unknown if PENDING_FLAG in flags else Delivery.delivered
        finally:
            close_imap(imap)

    # -- the Sent folder ---------------------------------------------------------------

    def _sent(self) -> str:
        assert self.imap is not None and self.imap.sent_folder is not None
        return self.imap.sent_folder

    def _file_copy(self, imap: Any, message: EmailMessage, *, pending: bool) -> None:
        folders = {entry["name"] for entry in imap.get_folder_list()}
        if self._sent() not in folders:
            imap.create_folder(self._sent())
        flags = f"(\\Seen {PENDING_FLAG})" if pending else "(\\Seen)"
        status, _ = imap.imap_conn.append(
            f'"{self._sent()}"', flags, time.time(), message.as_bytes()
        )
        if status != "OK":
            raise ChannelError(
                f"Cannot file a copy in {self._sent()} before sending",
                fix="Check the [imap] sent_folder and that the account may write there.",
            )

    def _find(self, imap: Any, message_id: str) -> list[bytes]:
        try:
            imap.select_folder(self._sent(), readonly=False)
        except ValueError:  # no Sent folder yet: nothing was ever filed there
            return []
        status, data = imap.imap_conn.uid("SEARCH", None, "HEADER", "Message-ID", f'"{message_id}"')
        if status != "OK" or not data or not data[0]:
            return []
        return list(data[0].split())

    def _flags(self, imap: Any, uid: bytes) -> str:
        status, data = imap.imap_conn.uid("FETCH", uid, "(FLAGS)")
        return str(data[0]) if status == "OK" and data else ""

    def _set_flag(self, imap: Any, message_id: str, flag: str, *, add: bool) -> None:
        for uid in self._find(imap, message_id):
            imap.imap_conn.uid("STORE", uid, "+FLAGS" if add else "-FLAGS", f"({flag})")

    def _remove_copy(self, imap: Any, message_id: str) -> None:
        self._set_flag(imap, message_id, "\\Deleted", add=True)
        imap.imap_conn.expunge()


def _quit(library: Any) -> None:
    connection = getattr(library, "smtp_conn", None)
    if connection is None:
        return
    try:
        connection.quit()
    except Exception as error:  # the message is handed over; a failed QUIT changes nothing
        log.debug("smtp_quit_failed", error=type(error).__name__)
    library.smtp_conn = None
