"""Case leases: disjoint claims, urgent first, heartbeat, release, expired leases taken over."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from sqlalchemy import update

from runner.store import CaseState, Store, open_store
from runner.store.schema import cases


def test_claim_takes_resumable_cases_urgent_first(
    store: Store, make_case: Callable[..., int]
) -> None:
    received = make_case()
    validated = make_case(CaseState.validated)
    urgent = make_case(CaseState.validated, CaseState.evaluated)
    make_case(CaseState.quarantined)  # not resumable
    make_case(robot_id="other")  # another robot
    with store._write() as conn:
        conn.execute(update(cases).where(cases.c.id == urgent).values(urgent=True))
    claimed = store.leases.claim(["byggesak"], "w1", 30, 10)
    assert claimed == [urgent, received, validated]
    assert store.leases.claim(["byggesak"], "w2", 30, 10) == []
    assert store.get_case(received).lease_owner == "w1"


def test_release_and_heartbeat(store: Store, make_case: Callable[..., int]) -> None:
    first, second = make_case(), make_case()
    assert store.leases.claim(["byggesak"], "w1", 30, 1) == [first]
    assert store.leases.heartbeat("w1", [first, second], 60) == [first]
    assert store.leases.release(first, "w2") is False
    assert store.leases.release(first, "w1") is True
    assert store.get_case(first).lease_owner is None
    assert store.leases.claim(["byggesak"], "w2", 30, 5) == [first, second]


def test_a_case_coming_to_rest_ends_its_lease(
    store: Store, make_case: Callable[..., int]
) -> None:
    # A worker killed between the commit that put the case at rest and its release must not
    # leave the lease dangling: the transition itself ends it.
    case_id = make_case()
    assert store.leases.claim(["byggesak"], "w1", 30, 1) == [case_id]
    store.transition(case_id, CaseState.validated, actor="w1", event="validated")
    assert store.get_case(case_id).lease_owner == "w1"  # still work in progress
    store.transition(case_id, CaseState.parked, actor="w1", event="parked")
    record = store.get_case(case_id)
    assert record.lease_owner is None and record.lease_expires_at is None


def test_an_expired_lease_is_taken_over(store: Store, make_case: Callable[..., int]) -> None:
    case_id = make_case()
    assert store.leases.claim(["byggesak"], "dead", 0.2, 5) == [case_id]
    assert store.leases.claim(["byggesak"], "alive", 30, 5) == []
    time.sleep(0.3)
    assert store.leases.claim(["byggesak"], "alive", 30, 5) == [case_id]
    assert store.leases.heartbeat("dead", [case_id], 30) == []  # the old owner lost it


def test_workers_and_backlog(store: Store, make_case: Callable[..., int]) -> None:
    for _ in range(3):
        make_case()
    store.leases.register("w1", "host-a", 123, ["byggesak"])
    first, second = store.leases.claim(["byggesak"], "w1", 30, 2)
    assert store.leases.release(first, "w1", processed=True)
    store.leases.claim(["byggesak"], "w1", 30, 1)
    store.leases.release(second, "w2", processed=False)
    [worker] = store.leases.workers()
    assert (worker.worker_id, worker.hostname, worker.processed, worker.leases) == (
        "w1",
        "host-a",
        1,
        2,
    )
    assert store.leases.backlog() == {"byggesak": (1, 2)}
    store.leases.stop("w1")
    assert store.leases.backlog() == {"byggesak": (3, 0)}
    assert store.leases.workers()[0].stopped_at is not None


@pytest.mark.postgres
def test_concurrent_claims_on_postgres_never_overlap(postgres_url: str) -> None:
    with open_store(postgres_url) as store:
        for n in range(200):
            store.add_raw_item(
                robot_id="byggesak", source="folder", source_ref="s.json", content=b"%d" % n
            )
        taken: dict[str, list[int]] = {}

        def work(worker_id: str) -> None:
            mine: list[int] = []
            while batch := store.leases.claim(["byggesak"], worker_id, 30, 3):
                mine.extend(batch)
            taken[worker_id] = mine

        threads = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        every = [case_id for ids in taken.values() for case_id in ids]
        assert len(every) == len(set(every)) == 200
        assert sum(1 for ids in taken.values() if ids) > 1


# -- a kommune's follow-up (runner/followup.py): one holder, not more often than asked ------


def test_a_kommunes_follow_up_has_one_holder_and_waits_its_interval(store: Store) -> None:
    leases = store.leases
    assert leases.take_follow_up("4627", "w1", interval=60, hold=600)
    assert not leases.take_follow_up("4627", "w2", interval=0, hold=600)  # w1 holds it
    assert leases.take_follow_up("4601", "w2", interval=60, hold=600)  # another kommune
    leases.end_follow_up("4627", "w2")  # not w2's to end: nothing changes
    assert not leases.take_follow_up("4627", "w2", interval=0, hold=600)
    leases.end_follow_up("4627", "w1")
    assert not leases.take_follow_up("4627", "w2", interval=60, hold=600)  # done just now
    assert leases.take_follow_up("4627", "w2", interval=0, hold=600)  # `saksrobot run`: now


def test_a_dead_holders_follow_up_is_taken_over_when_its_hold_ends(store: Store) -> None:
    assert store.leases.take_follow_up("4627", "killed", interval=60, hold=0.5)
    assert not store.leases.take_follow_up("4627", "w2", interval=60, hold=600)
    time.sleep(0.6)
    assert store.leases.take_follow_up("4627", "w2", interval=60, hold=600)


def test_many_takers_at_once_one_gets_the_follow_up(store: Store) -> None:
    taken: list[str] = []
    start = threading.Barrier(8)

    def take(holder: str) -> None:
        start.wait()
        if store.leases.take_follow_up("4627", holder, interval=60, hold=600):
            taken.append(holder)

    threads = [threading.Thread(target=take, args=(f"w{n}",)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(taken) == 1
