"""Real mail servers on loopback for tests: dovecot (IMAP over TLS) and aiosmtpd (SMTP)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pytest

from runner.mailservers import ImapSettings, SmtpSettings

DOVECOT = "/usr/sbin/dovecot"
USER, PASSWORD = "saksrobot", "test-passord-123"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")


@dataclass
class Dovecot:
    """A running dovecot with one user; `settings` log in as that user."""

    root: Path
    port: int
    process: subprocess.Popen[bytes]

    @property
    def settings(self) -> ImapSettings:
        return ImapSettings(host="127.0.0.1", port=self.port, username=USER, password=PASSWORD)

    def connect(self) -> Any:
        import imaplib

        connection = imaplib.IMAP4_SSL("127.0.0.1", self.port)
        connection.login(USER, PASSWORD)
        return connection

    def deliver(self, message: bytes, folder: str = "INBOX") -> None:
        connection = self.connect()
        try:
            connection.append(folder, "", time.time(), message)
        finally:
            connection.logout()

    def messages(self, folder: str, criterion: str = "ALL") -> list[tuple[Message, str]]:
        """(message, flags) for each message in a folder, without marking anything."""
        connection = self.connect()
        try:
            status, _ = connection.select(f'"{folder}"', readonly=True)
            if status != "OK":
                return []
            _, data = connection.search(None, criterion)
            found = []
            for number in data[0].split():
                _, parts = connection.fetch(number, "(FLAGS BODY.PEEK[])")
                head, body = parts[0]  # type: ignore[misc]
                found.append((message_from_bytes(body), head.decode()))
            return found
        finally:
            connection.logout()


def _config(root: Path, port: int) -> Path:
    (root / "mail").mkdir()
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
         "/CN=localhost", "-keyout", str(root / "key.pem"), "-out", str(root / "cert.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n", encoding="utf-8")
    nobody = 65534
    shutil.chown(root / "mail", user=nobody, group=nobody)
    conf = root / "dovecot.conf"
    conf.write_text(
        f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain
mail_location = maildir:{root}/mail/%u
first_valid_uid = {nobody}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={nobody} gid={nobody} home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    port = {port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  chroot =
}}
""",
        encoding="utf-8",
    )
    return conf


@contextmanager
def running_dovecot() -> Iterator[Dovecot]:
    """Start a dovecot with one user on a free port of 127.0.0.1; stop it and clean up after."""
    # Not under pytest's tmp folder: that is 0700, and dovecot's auth and mail processes run
    # as their own users.
    root = Path(tempfile.mkdtemp(prefix="saksrobot-dovecot-"))
    root.chmod(0o755)
    port = free_port()
    conf = _config(root, port)
    process = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_for_port(port)
        yield Dovecot(root, port, process)
    except RuntimeError:
        log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
        raise RuntimeError(f"dovecot did not start:\n{log}") from None
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(root, ignore_errors=True)


def dovecot_missing() -> str | None:
    """Why a test dovecot cannot run here, or None."""
    if not os.path.exists(DOVECOT):
        return "dovecot is not installed (bash scripts/system-deps.sh installs it)"
    if os.geteuid() != 0:
        return "the test dovecot runs as root (its mail processes switch to nobody)"
    return None


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    """A real dovecot on its own port on 127.0.0.1, configured in a temp folder."""
    reason = dovecot_missing()
    if reason:
        pytest.skip(reason)
    with running_dovecot() as server:
        yield server


@dataclass
class Collector:
    """An aiosmtpd handler that keeps every message it accepted."""

    messages: list[Message] = field(default_factory=list)
    delay: float = 0.0
    on_data: Callable[[], None] | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        import asyncio

        if self.on_data is not None:
            self.on_data()
        if self.delay:
            await asyncio.sleep(self.delay)
        self.messages.append(message_from_bytes(envelope.original_content or envelope.content))
        return "250 Message accepted for delivery"


@dataclass
class SmtpServer:
    port: int
    handler: Collector

    def settings(self, sender: str = "Askøy kommune <postmottak@askoy.kommune.no>") -> SmtpSettings:
        return SmtpSettings(host="127.0.0.1", port=self.port, sender=sender)


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """aiosmtpd on loopback, collecting what it is sent."""
    from aiosmtpd.controller import Controller

    handler = Collector()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer(port, handler)
    finally:
        controller.stop()
