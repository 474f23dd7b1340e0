"""Workers: intake-only then work; on PostgreSQL disjoint cases, lease takeover, SIGKILL chaos,
and SvarUt's delivery statuses followed by one worker at a time."""

from __future__ import annotations

import json
import random
import secrets
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from typer.testing import CliRunner

from demo.standins.serving import running
from demo.standins.svarut import SvarUtServer
from demo.synthetic import SCENARIOS, byggesak_case
from runner.channels.configs import SvarUtChannelConfig
from runner.cli import app
from runner.kommuner.ks_settings import MaskinportenSettings
from runner.kommuner.settings import SvarUtSettings
from runner.models.robot import load_robots
from runner.run import StopFlag
from runner.settings import CONTENT_ROOT, Settings
from runner.store import Store, open_store
from runner.worker import Worker, WorkerOptions
from tests.conftest import on_clear_spot
from tests.ks.fixtures import maskinporten, maskinporten_settings, virksomhet_keys

__all__ = ["maskinporten", "maskinporten_settings", "virksomhet_keys"]

ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
ROBOT = "byggesak-smatiltak"
RESTING = {"sent", "pending_review", "quarantined", "parked"}
runner = CliRunner()


def test_intake_only_then_a_worker_on_sqlite(tmp_path: Path, cli_env: dict[str, str]) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    rng = random.Random(3)
    for number in range(6):
        case = byggesak_case(
            rng, sorted(SCENARIOS)[number], reference=f"IO-{number}", received_at=_start(number)
        )
        (inbox / f"IO-{number}.json").write_text(json.dumps(case), encoding="utf-8")
    taken = runner.invoke(app, ["run", ROBOT, "--inbox", str(inbox), "--intake-only"])
    assert taken.exit_code == 0, taken.output
    url = f"sqlite:///{cli_env['SAKSROBOT_DATA_DIR']}/saksrobot.db"
    with open_store(url) as store:
        assert store.leases.backlog() == {ROBOT: (6, 0)}
    worked = runner.invoke(app, ["worker", "--robots", ROBOT, "--idle-exit"])
    assert worked.exit_code == 0, worked.output
    assert "6 saker behandlet" in worked.output
    status = runner.invoke(app, ["status"])
    assert status.exit_code == 0, status.output
    assert "Arbeidere" in status.output and "stoppet" in status.output
    with open_store(url) as store:
        assert store.leases.backlog() == {}
        assert {case.state for case in store.list_cases()} <= RESTING


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A new PostgreSQL database for one test (real processes connect to it by name)."""
    name = f"saksrobot_worker_{secrets.token_hex(6)}"
    with psycopg.connect(ADMIN, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(ADMIN, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def add_cases(store: Store, count: int, *, seed: int = 9) -> list[int]:
    """`count` valid byggesaker over every scenario, stored as received (as intake would)."""
    rng = random.Random(seed)
    scenarios = sorted(SCENARIOS)
    ids = []
    for number in range(count):
        reference = f"WK-2026-{number:06d}"
        case = on_clear_spot(  # where the demo map data find nothing in the way
            byggesak_case(
                rng,
                scenarios[number % len(scenarios)],
                reference=reference,
                received_at=_start(number),
            )
        )
        case_id, _ = store.add_raw_item(
            robot_id=ROBOT,
            source="folder",
            source_ref=f"{reference}.json",
            content=json.dumps(case, ensure_ascii=False).encode(),
        )
        ids.append(case_id)
    return ids


def _start(number: int) -> datetime:
    return datetime(2026, 2, 2, 9, 0, tzinfo=UTC) + timedelta(hours=number)


def check_exactly_once(url: str, outbox: Path, count: int) -> dict[str, int]:
    """Every case rests, each step happened once, letters == sent cases, no lease is left."""
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        rows = conn.execute("SELECT state, count(*) FROM cases GROUP BY state").fetchall()
        states: dict[str, int] = {str(state): int(n) for state, n in rows}
        twice = conn.execute(
            "SELECT case_id, kind FROM events GROUP BY case_id, kind HAVING count(*) > 1"
        ).fetchall()
        leases = conn.execute("SELECT count(*) FROM cases WHERE lease_owner IS NOT NULL").fetchone()
        sent_rows = conn.execute("SELECT count(*) FROM outbox WHERE state = 'sent'").fetchone()
    assert sum(states.values()) == count
    assert set(states) <= RESTING, states
    assert twice == []
    assert leases == (0,)
    letters = list(outbox.glob("*.pdf"))
    assert len(letters) == states.get("sent", 0) == (sent_rows or (0,))[0]
    return states


@pytest.mark.postgres
def test_two_workers_never_process_the_same_case(settings: Settings, pg_url: str) -> None:
    robots = load_robots(settings.content_dir / "robots")
    with open_store(pg_url) as seed:
        add_cases(seed, 40)
    workers = []
    for _ in range(2):
        store = open_store(pg_url)
        options = WorkerOptions(robots=[ROBOT], lease_seconds=10, idle_exit=True)
        workers.append((store, Worker(settings, store, {ROBOT: robots[ROBOT]}, options)))
    threads = [threading.Thread(target=worker.run) for _, worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for store, _ in workers:
        store.close()
    done = [worker.summary.processed for _, worker in workers]
    assert sum(done) == 40 and all(done), done
    check_exactly_once(pg_url, settings.outbox, 40)


@pytest.mark.postgres
def test_an_expired_lease_is_taken_over(settings: Settings, pg_url: str) -> None:
    robots = load_robots(settings.content_dir / "robots")
    with open_store(pg_url) as store:
        [case_id] = add_cases(store, 1)
        assert store.leases.claim([ROBOT], "killed-worker", 1, 5) == [case_id]
        options = WorkerOptions(robots=[ROBOT], lease_seconds=10, idle_exit=True)
        worker = Worker(settings, store, {ROBOT: robots[ROBOT]}, options)
        assert worker.run().processed == 0  # the lease is still the killed worker's
        time.sleep(1.1)
        worker = Worker(settings, store, {ROBOT: robots[ROBOT]}, options)
        assert worker.run().processed == 1
        assert store.get_case(case_id).lease_owner is None
    check_exactly_once(pg_url, settings.outbox, 1)


@pytest.mark.postgres
def test_sigterm_stops_a_worker_gracefully(settings: Settings, pg_url: str) -> None:
    robots = load_robots(settings.content_dir / "robots")
    with open_store(pg_url) as store:
        stop = StopFlag()
        options = WorkerOptions(robots=[ROBOT], lease_seconds=5, poll_seconds=0.05)
        worker = Worker(settings, store, {ROBOT: robots[ROBOT]}, options, stop=stop)
        thread = threading.Thread(target=worker.run)
        thread.start()
        add_cases(store, 3)
        deadline = time.monotonic() + 60
        while worker.summary.processed < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        stop.event.set()
        thread.join(timeout=30)
        assert not thread.is_alive()
        assert worker.summary.processed == 3
        [record] = store.leases.workers()
        assert record.stopped_at is not None and record.processed == 3


@pytest.mark.postgres
def test_workers_follow_svarut_statuses_one_at_a_time(
    settings: Settings, pg_url: str, tmp_path: Path, maskinporten_settings: MaskinportenSettings
) -> None:
    server = SvarUtServer(uuid.uuid4(), uuid.uuid4(), "integrasjon-passord")
    (tmp_path / "passord").write_text(server.password)
    with running(server):  # type: ignore[arg-type]
        svarut = SvarUtSettings(
            account_id=server.account,
            integration_id=server.integration_id,
            integration_password_file=tmp_path / "passord",
            api_url=server.base_url,
        )
        askoy = settings.kommune.model_copy(
            update={"svarut": svarut, "maskinporten": maskinporten_settings}
        )
        kommuner = {**settings.kommuner, askoy.kommunenummer: askoy}
        quiet = settings.model_copy(
            update={"kommune": askoy, "kommuner": kommuner, "follow_up_seconds": 0}
        )
        robot = load_robots(settings.content_dir / "robots")[ROBOT].model_copy(
            update={"channel": SvarUtChannelConfig(kind="svarut")}
        )
        options = WorkerOptions(robots=[ROBOT], lease_seconds=10, idle_exit=True)
        with open_store(pg_url) as store:
            add_cases(store, 12)
            Worker(quiet, store, {ROBOT: robot}, options).run()  # sends; follows nothing up
            sent = [case.id for case in store.list_cases(state="sent")]
            assert len(sent) >= 2 and server.problems == []
            (avvist, *delivered) = sent
            (row,) = store.outbox_for_case(avvist)
        by_reference = {
            s["forsendelse"]["eksternReferanse"]: i for i, s in server.shipments.items()
        }
        shipment = by_reference[row.key]
        server.set_status(shipment, "AVVIST")
        polls_before = len([r for r in server.requests if r.endswith("/status-sok")])
        assert polls_before == 0

        following = quiet.model_copy(update={"follow_up_seconds": 60})
        workers = []
        for _ in range(2):
            store = open_store(pg_url)
            workers.append((store, Worker(following, store, {ROBOT: robot}, options)))
        threads = [threading.Thread(target=worker.run) for _, worker in workers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        for store, _ in workers:
            store.close()
    assert sorted(worker.summary.follow_ups for _, worker in workers) == [0, 1]
    polls = [r for r in server.requests if r.endswith("/status-sok")]
    assert len(polls) == len(sent)  # each letter asked about once, by one worker
    with open_store(pg_url) as store:
        parked = store.get_case(avvist)
        assert parked.state == "parked"
        assert parked.last_error is not None and "AVVIST" in parked.last_error
        for case_id in delivered:
            assert store.get_case(case_id).state == "sent"
            events = store.events(case_id)
            assert [e.data["status"] for e in events if e.kind == "letter_status"] == ["MOTTATT"]


def _worker_process(url: str, data: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {
        "SAKSROBOT_SETTINGS": str(CONTENT_ROOT / "demo" / "saksrobot.toml"),
        "SAKSROBOT_DATA_DIR": str(data),
        "SAKSROBOT_LOG_FORMAT": "json",
        "SAKSROBOT_LOG_LEVEL": "warning",
        "PATH": "/usr/bin:/bin",
    }
    command = [sys.executable, "-m", "runner.cli", "worker", "--store", url, "--lease", "2"]
    with log.open("ab") as out:
        return subprocess.Popen(command, env=env, cwd=CONTENT_ROOT, stdout=out, stderr=out)


@pytest.mark.slow
@pytest.mark.postgres
def test_chaos_sigkill_and_restart_processes_every_case_once(tmp_path: Path, pg_url: str) -> None:
    count = 600
    data = tmp_path / "data"
    with open_store(pg_url) as store:
        add_cases(store, count)
    rng = random.Random(4627)
    log = tmp_path / "workers.log"
    processes = [_worker_process(pg_url, data, log) for _ in range(4)]
    killed = 0
    # the loop ends when the backlog is empty; the cap only guards a hang (on a loaded
    # 2-core machine 600 cases took longer than the 90 s this once allowed)
    deadline = time.monotonic() + 600
    with open_store(pg_url, upgrade=False) as store:
        while time.monotonic() < deadline:
            backlog = store.leases.backlog().get(ROBOT, (0, 0))
            if backlog == (0, 0):
                break
            if killed < 3 and rng.random() < 0.3:
                victim = rng.randrange(len(processes))
                processes[victim].send_signal(signal.SIGKILL)
                processes[victim].wait()
                processes[victim] = _worker_process(pg_url, data, log)
                killed += 1
            time.sleep(rng.uniform(0.5, 1.5))
        for process in processes:
            process.send_signal(signal.SIGTERM)
        codes = [process.wait(timeout=60) for process in processes]
    assert codes == [0, 0, 0, 0], log.read_text()[-3000:]
    assert killed >= 1
    states = check_exactly_once(pg_url, data / "outbox", count)
    assert states.get("sent", 0) > count // 4 and states.get("pending_review", 0) > 0, states
