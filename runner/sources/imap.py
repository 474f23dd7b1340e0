"""E-mail in: unseen messages in an IMAP folder, each with a JSON or PDF application attached."""

from __future__ import annotations

from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from typing import Any

from runner.logs import get_logger
from runner.mailservers import ImapSettings, close_imap, imap_library
from runner.sources.base import RawItem, problem_marker
from runner.sources.boundary import GENERAL_FIX, redacted_trace
from runner.sources.inbox import safe_name

log = get_logger("saksrobot.sources.imap")


class ImapSource:
    """Reads unseen mail without marking it; moves each message only after its item is stored.

    Messages are fetched read-only (EXAMINE), so a crash leaves every message not yet
    handled unseen in the folder. A message is marked read and moved to `handled_folder`
    when the run asks for the next item, i.e. after the pipeline stored (and processed) it;
    a message re-read after a crash holds the same attachment, so it is a duplicate, not a
    second case.
    """

    kind = "imap"

    def __init__(
        self, server: ImapSettings, *, folder: str, handled_folder: str, max_bytes: int
    ) -> None:
        self.server = server
        self.folder = folder
        self.handled_folder = handled_folder
        self.max_bytes = max_bytes

    def describe(self) -> str:
        return f"imap://{self.server.host}:{self.server.port}/{self.folder}"

    def count(self) -> int:
        library = imap_library(self.server)
        try:
            library.select_folder(self.folder, readonly=True)
            status, data = library.imap_conn.search(None, "UNSEEN")
            return len(data[0].split()) if status == "OK" and data and data[0] else 0
        finally:
            close_imap(library)

    def items(self) -> Iterator[RawItem]:
        library = imap_library(self.server)
        try:
            folders = {entry["name"] for entry in library.get_folder_list()}
            if self.handled_folder not in folders:
                library.create_folder(self.handled_folder)
            library.select_folder(self.folder, readonly=True)
            for message in unseen_messages(library.imap_conn):
                yield self._item(message)
                self._handled(library, message)
        finally:
            close_imap(library)

    def _item(self, message: dict[str, Any]) -> RawItem:
        return message_item(self.folder, message, self.max_bytes)

    def _handled(self, library: Any, message: dict[str, Any]) -> None:
        library.select_folder(self.folder, readonly=False)
        library.imap_conn.uid("STORE", message["uid"], "+FLAGS", "(\\Seen)")
        if not library.move_messages(
            criterion=message, target_folder=self.handled_folder, source_folder=self.folder
        ):
            log.warning("imap_move_failed", uid=message["uid"], folder=self.handled_folder)


def unseen_messages(connection: Any) -> Iterator[dict[str, Any]]:
    """The unseen messages of the selected folder, one at a time, as RPA.Email.ImapSmtp lists
    them (uid, Message-ID without <>, Message), each parsed on its own.

    Not `list_messages`: it parses every header of every message in one call (make_header), so
    one message with a header in an unknown charset stopped the listing of all of them, in
    every run. Fetched with BODY.PEEK[] over the library's own connection (`imap_conn`), so
    nothing is marked read; a message that cannot be fetched is an item with no Message,
    which becomes an unread item.
    """
    status, data = connection.uid("SEARCH", None, "UNSEEN")
    if status != "OK" or not data or not data[0]:
        return
    for uid in data[0].split():
        raw: bytes | None = None
        try:
            status, fetched = connection.uid("FETCH", uid, "(BODY.PEEK[])")
            found = next((part[1] for part in fetched if isinstance(part, tuple)), None)
            raw = found if status == "OK" and isinstance(found, bytes) else None
        except (ValueError, TypeError, IndexError) as error:
            log.warning("imap_fetch_failed", exception=type(error).__name__)
        yield listed_message(uid.decode("ascii", "replace"), raw)


def listed_message(uid: str, raw: bytes | None) -> dict[str, Any]:
    """One fetched message (None: it could not be fetched) as list_messages gives it: uid,
    Message-ID without <> and the parsed Message (always these three keys: RPA's
    move_messages takes a two-key dict for a (uid, dict) pair)."""
    message = message_from_bytes(raw) if raw is not None else None
    found = message.get("Message-ID") if message is not None else None
    message_id = str(found).replace("<", "").replace(">", "").strip() if found else None
    return {"uid": uid, "Message-ID": message_id or None, "Message": message}


def message_item(folder: str, message: dict[str, Any], max_bytes: int) -> RawItem:
    """The raw item of one message as RPA.Email.ImapSmtp lists it; never raises: a message
    that cannot be read is an unread item saying so."""
    message_id = safe_name(str(message.get("Message-ID") or f"uid-{message.get('uid')}"))
    try:
        return _message_item(folder, message_id, message, max_bytes)
    except Exception as error:  # one hostile message must never stop the run
        log.warning(
            "message_unreadable",
            message_id=message_id,
            exception=type(error).__name__,
            trace=redacted_trace(error),
        )
        ref = f"{folder}/{message_id}"
        problem = f"e-posten kan ikke leses ({type(error).__name__}); {GENERAL_FIX}"
        fingerprint = f"{message_id}:{type(error).__name__}"
        return RawItem(
            "imap", ref, problem_marker(ref, problem, fingerprint, transient=False), problem
        )


def _message_item(folder: str, message_id: str, message: dict[str, Any], max_bytes: int) -> RawItem:
    mail: Message | None = message["Message"]
    if mail is None:
        ref = f"{folder}/{message_id}"
        problem = (
            "e-posten kunne ikke hentes fra e-posttjeneren; sjekk den i e-postprogrammet "
            "og send den inn på nytt"
        )
        return RawItem(
            "imap", ref, problem_marker(ref, problem, message_id, transient=False), problem
        )
    chosen = _application(mail)
    if chosen is None:
        ref = f"{folder}/{message_id}"
        problem = "e-posten har ingen søknad vedlagt (JSON-fil eller utfylt PDF-skjema)"
        return RawItem(
            "imap", ref, problem_marker(ref, problem, message_id, transient=False), problem
        )
    filename, content = chosen
    ref = f"{folder}/{message_id}/{safe_name(filename)}"
    if len(content) > max_bytes:
        problem = (
            f"vedlegget er {len(content)} byte, over grensen på {max_bytes} byte "
            "(max_input_bytes i innstillingene); send det i mindre deler"
        )
        return RawItem(
            "imap", ref, problem_marker(ref, problem, message_id, transient=False), problem
        )
    return RawItem("imap", ref, content)


def _application(mail: Message) -> tuple[str, bytes] | None:
    """The attached application: the first JSON file, else the first PDF."""
    found: dict[str, tuple[str, bytes]] = {}
    for part in mail.walk():
        if part.is_multipart():
            continue
        filename = part.get_filename() or ""
        content_type = part.get_content_type()
        lower = filename.lower()
        kind = (
            "json"
            if lower.endswith(".json") or content_type == "application/json"
            else "pdf"
            if lower.endswith(".pdf") or content_type == "application/pdf"
            else None
        )
        if kind is None or kind in found:
            continue
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            found[kind] = (filename or f"soknad.{kind}", payload)
    return found.get("json") or found.get("pdf")
