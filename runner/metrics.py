"""Prometheus metrics: processing time, letters sent, errors, and case counts read at scrape."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from prometheus_client import Counter, Histogram, start_http_server
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import REGISTRY, Collector, CollectorRegistry

from runner.store import CaseState, Store

#: Seconds one `Pipeline.process` call takes (a case moved until it rests), per robot.
PROCESSING_SECONDS = Histogram(
    "saksrobot_case_processing_seconds",
    "Time to move one case until it rests (sent, review, quarantined or parked)",
    ["robot"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
#: Letters handed to a channel and marked sent, per robot and kommune.
LETTERS_SENT = Counter(
    "saksrobot_letters_sent", "Letters sent through a channel", ["robot", "kommune"]
)
#: Cases that stopped on an error, by kind (business = quarantined, application = parked).
ERRORS = Counter("saksrobot_errors", "Cases stopped by an error, by kind", ["robot", "kind"])

#: States whose cases wait for someone: a worker (received, approved) or a caseworker.
WAITING = frozenset({CaseState.received, CaseState.pending_review, CaseState.approved})


class StoreCollector(Collector):
    """Case counts by robot, kommune and state, and queue age, read from the store per scrape."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def collect(self) -> Iterator[GaugeMetricFamily]:
        cases = GaugeMetricFamily(
            "saksrobot_cases", "Cases in the store by robot, kommune and state",
            labels=["robot", "kommune", "state"],
        )  # fmt: skip
        counts = self.store.count_by_kommune()
        for (robot, kommune, state), count in sorted(counts.items(), key=str):
            cases.add_metric([robot, kommune or "", state], count)
        yield cases
        age = GaugeMetricFamily(
            "saksrobot_queue_oldest_age_seconds",
            "Age of the oldest case waiting in a state (received, pending_review, approved)",
            labels=["robot", "state"],
        )
        now = datetime.now(UTC)
        waiting = sorted({(robot, state) for robot, _k, state in counts if state in WAITING})
        for robot, state in waiting:
            oldest = self.store.list_cases(state=state, robot_id=robot, limit=1, order="id")
            if oldest:
                created = oldest[0].created_at
                if created.tzinfo is None:
                    created = created.replace(tzinfo=UTC)
                age.add_metric([robot, state], max(0.0, (now - created).total_seconds()))
        yield age


def store_registry(store: Store) -> CollectorRegistry:
    """A registry for one process: the process-wide counters plus the store's case counts."""
    registry = CollectorRegistry()
    registry.register(_Forward(REGISTRY))
    registry.register(StoreCollector(store))
    return registry


class _Forward(Collector):
    """The default registry's metrics (histogram, counters, process, python) in another one."""

    def __init__(self, source: CollectorRegistry) -> None:
        self.source = source

    def collect(self) -> Iterator[object]:  # type: ignore[override]
        yield from self.source.collect()


def serve_metrics(store: Store, host: str, port: int) -> None:
    """Serve /metrics for this process (a daemon thread) on host:port, e.g. for a worker."""
    start_http_server(port, addr=host, registry=store_registry(store))
