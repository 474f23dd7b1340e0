"""One channel per kommune: each case's letters leave through its own kommune's accounts."""

from __future__ import annotations

import threading
from collections.abc import Callable

from runner.channels.base import Channel
from runner.kommuner.settings import KommuneSettings


class KommuneChannels:
    """The channels one robot's letters leave by: each case's through its own kommune's
    (SvarUt account, Fiks IO account, the sender's name on an e-mail), never another's.
    Each is built when its kommune's first letter goes and kept for the run or worker
    thread (a channel holds connections and state: runner/worker.py keeps one pipeline
    per robot and thread; the web app's one per robot is shared, hence the lock)."""

    def __init__(self, build: Callable[[KommuneSettings], Channel]) -> None:
        self._build = build
        self._built: dict[str, Channel] = {}
        self._lock = threading.Lock()

    def of(self, kommune: KommuneSettings) -> Channel:
        """The kommune's channel; ChannelAccountError if the kommune lacks the account."""
        with self._lock:
            channel = self._built.get(kommune.kommunenummer)
            if channel is None:
                channel = self._built[kommune.kommunenummer] = self._build(kommune)
            return channel
