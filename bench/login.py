"""Benchmark: /healthz latency while 16 browsers fail to log in at once (not a timed test).

Usage: .venv/bin/python bench/login.py [--code DIR] [--parallel 16] [--rounds 4] [--throttle]

Runs `saksrobot serve` from the code in DIR (default: this checkout; give an older checkout,
e.g. a `git worktree add /tmp/wt-login-old <commit>`, to compare) on 127.0.0.1 with the demo
settings and a fresh SQLite store, adds one account, then measures /healthz sequentially
(idle), and again while `--parallel` threads each send `--rounds` failed logins (argon2 and
the database in every one). Without --throttle the per-address login limit is raised, so
every attempt does the full password check (the old code has no such limit).
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
PASSWORD = "riktig-hest-batteri-stift"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _environment(code: Path, data: Path, throttle: bool) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(code),
        SAKSROBOT_SETTINGS=str(code / "demo" / "saksrobot.toml"),
        SAKSROBOT_DATA_DIR=str(data),
        SAKSROBOT_LOG_LEVEL="warning",
    )
    if not throttle:
        env["SAKSROBOT_WEB__LOGIN_FAILURES_PER_ADDRESS"] = "1000000"
    return env


def _latencies(base: str, stop: threading.Event | None, count: int) -> list[float]:
    """/healthz times in seconds: `count` of them, or until `stop` is set."""
    found: list[float] = []
    with httpx.Client(base_url=base, timeout=30) as client:
        while (stop is None and len(found) < count) or (stop is not None and not stop.is_set()):
            started = time.perf_counter()
            client.get("/healthz").raise_for_status()
            found.append(time.perf_counter() - started)
            time.sleep(0.02)
    return found


def _fail_logins(base: str, rounds: int, statuses: list[int]) -> None:
    with httpx.Client(base_url=base, timeout=120) as client:
        for _ in range(rounds):
            match = CSRF.search(client.get("/logg-inn").text)
            assert match is not None
            data = {"username": "bench", "password": "feil-passord", "csrf": match.group(1)}
            statuses.append(client.post("/logg-inn", data=data).status_code)


def _summary(name: str, values: list[float]) -> str:
    ms = sorted(v * 1000 for v in values)
    p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
    return (
        f"{name}: n={len(ms)} median={statistics.median(ms):.0f} ms "
        f"p95={p95:.0f} ms max={ms[-1]:.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--code", type=Path, default=ROOT, help="checkout to serve")
    parser.add_argument("--parallel", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--throttle", action="store_true", help="keep the per-address limit")
    args = parser.parse_args()
    code = args.code.resolve()
    with tempfile.TemporaryDirectory() as tmp:
        env = _environment(code, Path(tmp) / "data", args.throttle)
        cli = [sys.executable, "-m", "runner.cli"]
        subprocess.run(
            [*cli, "users", "add", "bench", "--name", "Bench", "--kommune", "4627",
             "--password-stdin"],
            input=PASSWORD + "\n", text=True, env=env, cwd=code, check=True,
            capture_output=True,
        )  # fmt: skip
        port = _free_port()
        server = subprocess.Popen(
            [*cli, "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env, cwd=code, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):  # at most 30 s to start
                try:
                    httpx.get(base + "/healthz", timeout=1).raise_for_status()
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            idle = _latencies(base, None, 50)
            stop, statuses = threading.Event(), []
            workers = [
                threading.Thread(target=_fail_logins, args=(base, args.rounds, statuses))
                for _ in range(args.parallel)
            ]
            started = time.perf_counter()
            for worker in workers:
                worker.start()
            measured: list[float] = []
            prober = threading.Thread(target=lambda: measured.extend(_latencies(base, stop, 0)))
            prober.start()
            for worker in workers:
                worker.join()
            stop.set()
            prober.join()
            took = time.perf_counter() - started
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"code: {code}")
    print(_summary("/healthz idle", idle))
    print(_summary(f"/healthz during {args.parallel} parallel failed logins", measured))
    counts = {s: statuses.count(s) for s in sorted(set(statuses))}
    print(f"failed logins: {len(statuses)} in {took:.1f} s, statuses {counts}")


if __name__ == "__main__":
    main()
