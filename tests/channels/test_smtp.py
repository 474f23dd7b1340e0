"""E-mail out over SMTP (aiosmtpd on loopback), proven from the Sent folder of a real dovecot."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from runner.channels.base import Delivery, Letter
from runner.channels.configs import SmtpChannelConfig
from runner.channels.smtp import PENDING_FLAG, SmtpChannel
from runner.run import find_robot, make_pipeline
from runner.settings import CONTENT_ROOT, Settings, load_settings
from runner.store import CaseState, open_store
from tests.mailservers import Dovecot, SmtpServer, free_port

pytestmark = pytest.mark.slow
DEMO = CONTENT_ROOT / "demo"


def _letter(tmp_path: Path, key: str = "byggesak-smatiltak-1-v1") -> Letter:
    pdf = tmp_path / f"{key}.pdf"
    pdf.write_bytes(b"%PDF-1.7 a letter " + key.encode())
    return Letter(
        key=key, pdf_path=pdf, reference="BS-2026-000122", recipient_email="kari@example.no"
    )


def test_send_read_back_and_reconcile(
    smtp_server: SmtpServer, dovecot: Dovecot, tmp_path: Path
) -> None:
    channel = SmtpChannel(smtp_server.settings(), dovecot.settings, kommune="Askøy kommune")
    letter = _letter(tmp_path)
    channel.send(letter)
    (received,) = smtp_server.handler.messages
    assert received["Message-ID"] == "<byggesak-smatiltak-1-v1@askoy.kommune.no>"
    assert received["To"] == "kari@example.no"
    (attachment,) = [p for p in received.walk() if p.get_filename()]
    assert attachment.get_filename() == "BS-2026-000122.pdf"
    assert attachment.get_payload(decode=True) == letter.pdf_path.read_bytes()
    ((copy, flags),) = dovecot.messages("Sent")
    assert copy["Message-ID"] == received["Message-ID"] and PENDING_FLAG not in flags
    assert channel.reconcile(letter.key) is Delivery.delivered
    assert channel.reconcile("byggesak-smatiltak-2-v1") is Delivery.not_delivered


def test_without_imap_delivery_after_a_crash_is_unknown(smtp_server: SmtpServer) -> None:
    channel = SmtpChannel(smtp_server.settings(), None, kommune="Askøy kommune")
    assert channel.reconcile("any-key") is Delivery.unknown


def _mail_settings(tmp_path: Path, smtp_port: int, dovecot: Dovecot) -> Settings:
    from runner.mailservers import SmtpSettings

    smtp = SmtpSettings(host="127.0.0.1", port=smtp_port, sender="post@askoy.kommune.no")
    return load_settings(
        DEMO / "saksrobot.toml",
        data_dir=tmp_path / "data",
        smtp=smtp,
        imap=dovecot.settings,
        retry_attempts=2,
        retry_delay_seconds=0.01,
    )


def test_crash_between_send_and_commit_sends_nothing_twice(
    smtp_server: SmtpServer, dovecot: Dovecot, tmp_path: Path
) -> None:
    from runner.pipeline import RetryPolicy

    down = _mail_settings(tmp_path, free_port(), dovecot)  # nothing listens: send fails
    robot = find_robot(down, "byggesak-smatiltak")
    robot = robot.model_copy(update={"channel": SmtpChannelConfig(kind="smtp")})
    store = open_store(down.database_url)
    fast = RetryPolicy(attempts=2, first_delay=0.01)
    pipeline = make_pipeline(down, store, robot, retry=fast)
    case_file = DEMO / "inbox" / "byggesak" / "BS-2026-000122.json"
    from runner.sources.base import RawItem

    case_id, _ = pipeline.intake(RawItem("folder", case_file.name, case_file.read_bytes()))
    parked = pipeline.process(case_id)
    assert parked.state == "parked"
    (row,) = store.outbox_for_case(case_id)
    assert row.state == "sending" and smtp_server.handler.messages == []
    assert dovecot.messages("Sent") == []  # refused before anything was filed
    # The letter goes out, and the robot dies before it commits "sent".
    up = _mail_settings(tmp_path, smtp_server.port, dovecot)
    channel = SmtpChannel(up.smtp, up.imap, kommune="Askøy kommune")  # type: ignore[arg-type]
    letter = store.latest_letter(case_id)
    assert letter is not None and letter.pdf_path is not None
    channel.send(Letter(row.key, Path(letter.pdf_path), "BS-2026-000122", row.target))
    # Restart: the case resumes at finalised and reconciles instead of sending again.
    store.transition(case_id, CaseState.finalised, actor="test", event="resumed")
    done = make_pipeline(up, store, robot, retry=fast).process(case_id)
    assert done.state == "sent"
    assert len(smtp_server.handler.messages) == 1
    assert store.outbox_for_case(case_id)[0].state == "sent"


SENDER = """
import json, sys
from pathlib import Path
from runner.channels.base import Letter
from runner.channels.smtp import SmtpChannel
from runner.mailservers import ImapSettings, SmtpSettings
spec = json.loads(sys.argv[1])
channel = SmtpChannel(SmtpSettings(**spec["smtp"]), ImapSettings(**spec["imap"]), kommune="K")
channel.send(Letter(spec["key"], Path(spec["pdf"]), "BS-1", "kari@example.no"))
"""


def test_killed_while_the_server_takes_the_message_is_flagged_for_a_human(
    smtp_server: SmtpServer, dovecot: Dovecot, tmp_path: Path
) -> None:
    letter = _letter(tmp_path, "byggesak-smatiltak-9-v1")
    arrived = threading.Event()
    smtp_server.handler.delay = 5.0
    smtp_server.handler.on_data = arrived.set
    imap = dovecot.settings
    spec = {
        "smtp": {"host": "127.0.0.1", "port": smtp_server.port, "sender": "post@askoy.kommune.no"},
        "imap": {
            "host": imap.host,
            "port": imap.port,
            "username": imap.username,
            "password": imap.password.get_secret_value(),
        },
        "key": letter.key,
        "pdf": str(letter.pdf_path),
    }
    process = subprocess.Popen(
        [sys.executable, "-c", SENDER, json.dumps(spec)], cwd=CONTENT_ROOT, env={**os.environ}
    )
    try:
        assert arrived.wait(30), "the sender never reached the SMTP server"
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    channel = SmtpChannel(smtp_server.settings("post@askoy.kommune.no"), imap, kommune="K")
    # The server had the whole message when the sender died: it may or may not go out, so
    # the pipeline flags the letter for a human (Delivery.unknown) instead of sending again.
    assert channel.reconcile(letter.key) is Delivery.unknown
    ((_, flags),) = dovecot.messages("Sent")
    assert PENDING_FLAG in flags
