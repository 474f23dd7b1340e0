"""End to end: template sandbox, private files, outbox reconciliation, retry keeps history."""

from __future__ import annotations

import io
import json
import logging
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import structlog
from pypdf import PdfReader
from typer.testing import CliRunner

from runner.casework.retry import RetryRefused, retry_case
from runner.channels import Delivery, FolderChannel
from runner.channels.kommuner import KommuneChannels
from runner.cli import app
from runner.pipeline import Pipeline
from runner.run import find_robot, make_pipeline, run_robot
from runner.settings import Settings
from runner.sources import FolderSource
from runner.steps.draft import draft
from runner.steps.evaluate import evaluate
from runner.steps.finalise import finalise, write_letter_files
from runner.steps.validate import validate
from runner.store import Store

from .conftest import CONTENT_ROOT, DEMO_SETTINGS, FIXTURES, ROBOT, write_cases

DEMO_INBOX = CONTENT_ROOT / "demo" / "inbox" / "byggesak"

HOSTILE = (
    "{{ ''.__class__.__mro__ }} {% for x in range(3) %}X{% endfor %} <script>alert(1)</script>"
)


def _run(config: Settings, store: Store, inbox: Path) -> dict[str, Any]:
    reports: dict[str, Any] = {}
    robot = find_robot(config, ROBOT)
    run_robot(
        config, store, robot, inbox=inbox, on_case=lambda r: reports.update({r.source_ref: r})
    )
    return reports


def _sent_case(inbox: Path, reference: str) -> dict[str, Any]:
    """A demo case the demo kommune finalises and sends without review, under a new reference."""
    inbox.mkdir(parents=True, exist_ok=True)
    case: dict[str, Any] = json.loads((DEMO_INBOX / "BS-2026-000122.json").read_text())
    case["reference"] = reference
    return case


def test_applicant_text_with_template_syntax_is_literal_text(
    config: Settings, store: Store, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    case = _sent_case(inbox, "SANDBOX-1")
    case["applicant"]["name"] = "{{ ''.__class__ }} <script>x</script>"
    case["measure"]["description"] = HOSTILE
    (inbox / "sandbox.json").write_text(json.dumps(case))
    report = _run(config, store, inbox)["sandbox.json"]
    letter = store.latest_letter(report.case_id)
    assert letter is not None and letter.pdf_path is not None
    markdown = letter.markdown.replace("\\", "")  # Markdown escapes, not template output
    assert HOSTILE in markdown
    assert "<class" not in markdown and "XXX" not in markdown
    text = "".join(page.extract_text() for page in PdfReader(letter.pdf_path).pages)
    flat = " ".join(text.split())
    for literal in ("{{ ''.__class__ }} <script>x</script>", *HOSTILE.split(" X")):
        assert " ".join(literal.split()) in flat, literal
    assert "<class" not in flat and "XXX" not in flat


def test_letters_outbox_copy_and_store_are_private(
    config: Settings, store: Store, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    write_cases(inbox, 20)
    reports = _run(config, store, inbox)
    sent = [r for r in reports.values() if r.state == "sent"]
    assert sent
    files = [Path(store.latest_letter(r.case_id).pdf_path) for r in sent]  # type: ignore[union-attr,arg-type]
    files += list(config.outbox.glob("*.pdf"))
    db = Path(config.database_url.removeprefix("sqlite:///"))
    files += [db] + [p for p in db.parent.glob("saksrobot.db-*")]  # -wal and -shm too
    assert len(files) > 2 * len(sent)
    for path in files:
        assert path.stat().st_mode & 0o777 == 0o600, path
    for folder in (config.outbox, config.data_dir / "letters", config.data_dir / "locks"):
        assert folder.stat().st_mode & 0o077 == 0, folder


class _UncertainChannel(FolderChannel):
    """A channel that cannot look back (SMTP without IMAP): delivery after a crash is unknown."""

    def reconcile(self, key: str) -> Delivery:
        return Delivery.unknown


def _finalised_with_row_sending(
    config: Settings, store: Store, inbox: Path
) -> tuple[Pipeline, int]:
    """A case killed just after its outbox row was marked sending (as a SIGKILL would leave it)."""
    case = _sent_case(inbox, "RECON-1")
    (inbox / "recon.json").write_text(json.dumps(case))
    pipeline = make_pipeline(config, store, find_robot(config, ROBOT))
    item = FolderSource(inbox, max_bytes=config.max_input_bytes).read(inbox / "recon.json")
    case_id, _ = pipeline.intake(item)
    record = store.get_case(case_id)
    robot, handed = pipeline.parts(), None
    for step in (validate, evaluate, draft, finalise):
        record, handed = step(robot, record, inbox, handed)
    write_letter_files(robot.files)  # as its batch would, before the commit
    assert record.state == "finalised"
    (row,) = store.outbox_for_case(case_id)
    store.mark_sending(row.key)
    return pipeline, case_id


def test_a_sending_letter_after_a_crash_is_reconciled_not_resent(
    config: Settings, store: Store, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    pipeline, case_id = _finalised_with_row_sending(config, store, inbox)
    (row,) = store.outbox_for_case(case_id)
    # Delivered before the crash: the file is there. It must not be written again.
    delivered = config.outbox / f"{row.key}.pdf"
    config.outbox.mkdir(parents=True, exist_ok=True)
    delivered.write_bytes(b"%PDF-1.4 already delivered %%EOF")
    assert [c for c in pipeline.resume_ids() if c == case_id]
    assert pipeline.process(case_id).state == "sent"
    assert delivered.read_bytes() == b"%PDF-1.4 already delivered %%EOF"
    (row,) = store.outbox_for_case(case_id)
    assert row.state == "sent" and row.attempts == 1


def test_a_sending_letter_not_delivered_is_sent_once(
    config: Settings, store: Store, tmp_path: Path
) -> None:
    pipeline, case_id = _finalised_with_row_sending(config, store, tmp_path / "inbox")
    assert pipeline.process(case_id).state == "sent"
    (row,) = store.outbox_for_case(case_id)
    assert row.state == "sent" and (config.outbox / f"{row.key}.pdf").is_file()


def test_unprovable_delivery_parks_the_case_for_a_human(
    config: Settings, store: Store, tmp_path: Path
) -> None:
    pipeline, case_id = _finalised_with_row_sending(config, store, tmp_path / "inbox")
    pipeline.channels = KommuneChannels(lambda kommune: _UncertainChannel(config.outbox))
    record = pipeline.process(case_id)
    assert record.state == "parked"
    assert "cannot prove whether it was delivered" in (record.last_error or "")
    (row,) = store.outbox_for_case(case_id)
    assert row.state == "needs_human"
    assert not list(config.outbox.glob("*.pdf"))  # never blindly resent
    with pytest.raises(RetryRefused, match="--delivered"):
        retry_case(config, store, str(case_id))
    assert retry_case(config, store, str(case_id), resend=True).case.state == "sent"
    assert len(list(config.outbox.glob("*.pdf"))) == 1
    assert store.verify_audit() == []


def test_a_quarantined_case_fixed_and_resubmitted_keeps_its_history(
    config: Settings, store: Store, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    broken = inbox / "invalid_fnr.json"
    broken.write_bytes((FIXTURES / "invalid_fnr.json").read_bytes())
    report = _run(config, store, inbox)["invalid_fnr.json"]
    assert report.state == "quarantined"
    env = {"SAKSROBOT_SETTINGS": str(DEMO_SETTINGS), "SAKSROBOT_DATA_DIR": str(config.data_dir)}
    runner = CliRunner()
    same = runner.invoke(app, ["cases", "retry", str(report.case_id)], env=env)
    assert same.exit_code == 1 and "kontrollsiffer" in same.stdout  # still wrong: still kept
    fixed = tmp_path / "fixed.json"
    fixed.write_text(broken.read_text().replace("23060661724", "23060661723"))
    result = runner.invoke(
        app, ["cases", "retry", str(report.case_id), "--file", str(fixed)], env=env
    )
    assert result.exit_code == 0, result.output
    record = store.get_case(report.case_id)
    assert record.state in {"sent", "pending_review"} and record.errors == []
    kinds = [event.kind for event in store.events(record.id)]
    assert kinds[:5] == ["received", "quarantined", "retried", "quarantined", "resubmitted"]
    resubmitted = store.events(record.id)[4].data
    assert resubmitted["old_content_hash"] != resubmitted["content_hash"]
    assert store.verify_audit() == []
    again = runner.invoke(app, ["cases", "retry", str(record.id)], env=env)
    assert again.exit_code == 2 and "only quarantined or parked" in again.output


def test_audit_verify_reports_an_edited_and_a_deleted_event(
    config: Settings, store: Store, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    write_cases(inbox, 3)
    _run(config, store, inbox)
    env = {"SAKSROBOT_SETTINGS": str(DEMO_SETTINGS), "SAKSROBOT_DATA_DIR": str(config.data_dir)}
    runner = CliRunner()
    clean = runner.invoke(app, ["audit", "verify"], env=env)
    assert clean.exit_code == 0 and "intakt" in clean.stdout
    db = config.data_dir / "saksrobot.db"
    with sqlite3.connect(db) as conn:
        conn.execute(
            "UPDATE events SET data = json_set(data, '$.outcome', 'innvilget') "
            "WHERE case_id = 1 AND kind = 'evaluated'"
        )
        conn.execute("DELETE FROM events WHERE case_id = 2 AND seq = 2")
    result = runner.invoke(app, ["audit", "verify"], env=env, terminal_width=200)
    assert result.exit_code == 1
    assert "case 1 seq 3: event changed (hash mismatch)" in result.stdout
    assert "case 2 seq 2" in result.stdout and "removed" in result.stdout


def test_a_quarantined_file_holding_a_fnr_never_logs_it(
    config: Settings, store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from runner.logs import configure_logging

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    fnr = "23060661723"  # a valid synthetic number, in a file that is not valid JSON
    (inbox / "broken.json").write_text(f'{{"national_id": "{fnr}", "note": "fnr {fnr}" ')
    (inbox / "wrong.json").write_text(
        (FIXTURES / "wrong_types.json").read_text().replace("23060661723", fnr)
    )
    stream = io.StringIO()
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    configure_logging("debug", "json", stream)
    try:
        reports = _run(config, store, inbox)
    finally:
        structlog.reset_defaults()
        root.handlers[:] = handlers
        root.setLevel(level)
        logging.captureWarnings(False)
    assert {r.state for r in reports.values()} == {"quarantined"}
    assert "case_quarantined" in stream.getvalue()
    assert fnr not in stream.getvalue() and fnr not in caplog.text
