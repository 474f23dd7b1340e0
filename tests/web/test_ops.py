"""/healthz, /readyz and /metrics: no login; metrics show the counters after a demo run."""

from __future__ import annotations

import json
import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import text

from runner.models.robot import load_robots
from runner.run import run_robot
from runner.settings import Settings
from runner.store import Store
from runner.store.engine import transaction
from runner.web.app import create_app
from tests.web.conftest import DEMO_INBOX


def _value(body: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus text format (0 when absent)."""
    for line in body.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line.split("}")[0]))
        if all(found.get(key) == value for key, value in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_health_and_readiness_need_no_login(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"


def test_readiness_fails_when_the_schema_is_behind(client: TestClient, web_store: Store) -> None:
    with transaction(web_store.engine, write=True) as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'old'"))
    answer = client.get("/readyz")
    assert answer.status_code == 503 and "db upgrade" in answer.json()["fix"]


def test_metrics_expose_counters_after_a_demo_run(
    web_settings: Settings, web_store: Store, tmp_path: Path
) -> None:
    settings = web_settings.model_copy(
        update={"kommune": web_settings.kommune.model_copy(
            update={"auto_finalise": ["byggesak-excel", "byggesak-smatiltak"]})}
    )  # fmt: skip
    robots = load_robots(settings.content_dir / "robots")
    robot = robots["byggesak-excel"]
    sender = robots["byggesak-smatiltak"]
    before = TestClient(create_app(settings, web_store)).get("/metrics").text
    sent_before = _value(before, "saksrobot_letters_sent_total", robot=sender.id, kommune="4627")
    run_robot(settings, web_store, robot, inbox=DEMO_INBOX.parent / "byggesak-excel")
    # The Excel rows' plan conformity is the applicant's declaration, so none of them is sent
    # automatically; one more demo case with a verified plan is.
    case = json.loads((DEMO_INBOX / "BS-2026-000122.json").read_text(encoding="utf-8"))
    case["reference"] = "BS-2026-900122"
    (tmp_path / "BS-2026-900122.json").write_text(json.dumps(case), encoding="utf-8")
    run_robot(settings, web_store, sender, inbox=tmp_path)
    with TestClient(create_app(settings, web_store)) as client:
        response = client.get("/metrics")
    assert response.status_code == 200
    body = response.text
    assert response.headers["content-type"].startswith("text/plain")
    counts = web_store.count_by_kommune()
    for (robot_id, kommune, state), count in counts.items():
        labels = {"robot": robot_id, "kommune": kommune or "", "state": state}
        assert _value(body, "saksrobot_cases", **labels) == count
    assert _value(body, "saksrobot_cases", kommune="0301", state="pending_review") > 0
    sent = _value(body, "saksrobot_letters_sent_total", robot=sender.id, kommune="4627")
    assert sent > sent_before
    assert _value(body, "saksrobot_case_processing_seconds_count", robot=robot.id) > 0
    assert _value(body, "saksrobot_errors_total", robot=robot.id, kind="validation") > 0
    assert _value(body, "saksrobot_queue_oldest_age_seconds", state="pending_review") > 0
