"""Cases as KS Fiks IO messages: each delivery on the account's queue becomes one raw item.

A message is opened (headers, decryption, signature; runner/fiksio/receive.py); its files are
kept in `<path>/<message id>/` under data_dir and its headers in `<path>/<message id>.json`
(a letter answers the message: runner/channels/fiksio.py). The item is the application file
(DiBK's XML, or case JSON) and is acknowledged on the queue only when the run has stored it.
A message that cannot be opened, is of a type the robot does not take, or carries no
application becomes an item with the reason, which the pipeline quarantines; its encrypted body
is kept in `<path>/refused/<message id>.cms`, so nothing is lost. The same application sent
again (the sender's resend under the same klientMeldingId) has the same content and is one case.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from runner.errors import FieldProblem, SourceError
from runner.fiksio.receive import Delivery, FiksIoReceiver
from runner.logs import get_logger
from runner.problems import problem
from runner.sources.base import RawItem, problem_marker

log = get_logger("saksrobot.sources.fiksio")

#: The application file a message must carry, by the robot's format.
APPLICATION_SUFFIX = {"dibk-tiltak-uten-ansvarsrett": ".xml", "case": ".json"}


class FiksIoSource:
    """Reads the messages waiting on the kommune's Fiks IO account."""

    kind = "fiksio"

    def __init__(
        self,
        receiver: FiksIoReceiver,
        folder: Path,
        *,
        message_types: list[str],
        format: str,
        max_bytes: int,
        kommunenummer: str | None = None,
    ) -> None:
        self.receiver = receiver
        self.folder = folder
        #: the kommune whose account this is: its caseworkers see the messages refused
        self.kommunenummer = kommunenummer
        self.message_types = frozenset(message_types)
        self.suffix = APPLICATION_SUFFIX[format]
        self.max_bytes = max_bytes
        #: takes the archive's answers to our arkivmeldinger (runner/fiksarkiv/replies.py),
        #: which come to the same account: True when it put the delivery on record (where no
        #: robot reads the account, runner/followup.py reads them with the same function)
        self.replies: Callable[[Delivery], bool] | None = None

    def describe(self) -> str:
        return self.receiver.describe()

    def count(self) -> int:
        try:
            return self.receiver.waiting()
        except SourceError:
            return 0

    def items(self) -> Iterator[RawItem]:
        for delivery in self.receiver.messages():
            if self.replies is not None and self.replies(delivery):
                continue  # on record on its case; acknowledged as the next one is asked for
            yield self.item(delivery)  # acknowledged when the next one is asked for

    def item(self, delivery: Delivery) -> RawItem:
        """The raw item for one delivery: its application, or the reason it is refused."""
        if delivery.error is not None:
            reason = "; ".join(str(problem) for problem in delivery.error.problems)
            return self._refused(delivery, reason, delivery.error.problems)
        assert delivery.metadata is not None and delivery.container is not None
        if delivery.metadata.message_type not in self.message_types:
            taken = ", ".join(sorted(self.message_types))
            refused = problem(
                "fiksio_wrong_type", message_type=delivery.metadata.message_type, taken=taken
            )
            return self._refused(delivery, f"{refused.reason}; {refused.fix}", [refused])
        files = delivery.container.files
        applications = [f for f in files if f.name.lower().endswith(self.suffix)]
        if not applications:
            names = ", ".join(f.name for f in files)
            refused = problem("fiksio_no_application", suffix=self.suffix, names=names)
            return self._refused(delivery, refused.reason, [refused])
        if len(applications[0].content) > self.max_bytes:
            refused = problem("fiksio_too_large", limit=self.max_bytes)
            return self._refused(delivery, refused.reason, [refused])
        message_id = str(delivery.metadata.message_id)
        target = self.folder / message_id
        for item in files:
            _write_once(target / item.name, item.content)
        # the message's headers beside its folder: a letter answers the message (channels/fiksio)
        metadata = delivery.metadata.model_dump_json().encode("utf-8")
        _write_once(self.folder / f"{message_id}.json", metadata)
        log.info(
            "fiksio_message_received",
            message_id=delivery.message_id,
            message_type=delivery.metadata.message_type,
            sender=str(delivery.metadata.sender_account),
            client_message_id=str(delivery.metadata.client_message_id or ""),
            files=len(files),
        )
        source_ref = f"fiksio:{message_id}"
        return RawItem(self.kind, source_ref, applications[0].content, None, self.folder)

    def _refused(
        self, delivery: Delivery, reason: str, problems: Sequence[FieldProblem]
    ) -> RawItem:
        return refused_item(self.folder, delivery, reason, problems, self.kommunenummer)


def refused_item(
    folder: Path,
    delivery: Delivery,
    reason: str,
    problems: Sequence[FieldProblem],
    kommunenummer: str | None = None,
) -> RawItem:
    """The raw item for a delivery no robot takes, to be quarantined: `reason` (bokmål) for
    the operator with where the message is kept, `problems` in words for the reader. Its
    encrypted body is kept in `<folder>/refused/<message id>.cms`, so nothing is lost.
    `kommunenummer`: the kommune whose account it came to (its caseworkers see it)."""
    kept = folder / "refused" / f"{_safe(delivery.message_id)}.cms"
    _write_once(kept, delivery.body)
    problem = f"{reason} (meldingen er tatt vare på i {kept})"
    digest = hashlib.sha256(delivery.body).hexdigest()
    fingerprint = f"fiksio:{delivery.message_id}:{digest}"
    source_ref = f"fiksio:{delivery.message_id}"
    content = problem_marker(
        source_ref,
        problem,
        fingerprint,
        transient=False,
        kommunenummer=kommunenummer,
        problems=problems,
    )
    log.warning("fiksio_message_refused", message_id=delivery.message_id)
    return RawItem(FiksIoSource.kind, source_ref, content, problem, folder)


def _safe(name: str) -> str:
    """A message id as a file name (a hostile header cannot lead out of the folder)."""
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name)[:100] or "ukjent"


def _write_once(path: Path, content: bytes) -> None:
    """Write the file atomically (temporary file, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(content)
    os.replace(temporary, path)
