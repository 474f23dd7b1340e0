"""What the local stand-ins for KS's services share: Fiks's integration login, reading a
multipart/form-data body, and serving on loopback.

Both Fiks IO's REST front and SvarUt take the same login (KS's pages "Integrasjoner" and
"API: Integrasjon med REST"): `Authorization: Bearer <Maskinporten token>`, `IntegrasjonId`
and `IntegrasjonPassord`. Each stand-in answers a request without it 401 with the reason.
"""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import HTTP
from typing import Protocol, TypeVar

import uvicorn
from starlette.applications import Starlette

__all__ = ["LocalServer", "form_parts", "login_problem", "part_bytes", "part_name", "running"]


def login_problem(
    headers: Mapping[str, str], integration_id: uuid.UUID, password: str
) -> str | None:
    """Why a request's Fiks integration login is refused (None if it is accepted)."""
    authorization = headers.get("authorization", "")
    if not authorization.startswith("Bearer ") or len(authorization) <= len("Bearer "):
        return "Authorization: Bearer <Maskinporten-token> mangler"
    if headers.get("integrasjonid") != str(integration_id):
        return "IntegrasjonId mangler eller er feil"
    if headers.get("integrasjonpassord") != password:
        return "IntegrasjonPassord mangler eller er feil"
    return None


def form_parts(content_type: str, body: bytes) -> list[EmailMessage]:
    """The parts of a multipart/form-data body, in order (read with the standard email parser);
    none when the body is not multipart."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = BytesParser(EmailMessage, policy=HTTP).parsebytes(head + body)
    if not message.is_multipart():
        return []
    return [part for part in message.iter_parts() if isinstance(part, EmailMessage)]


def part_name(part: EmailMessage) -> str | None:
    """The form field a part belongs to (Content-Disposition's `name`)."""
    name = part.get_param("name", header="content-disposition")
    return name if isinstance(name, str) else None


def part_bytes(part: EmailMessage) -> bytes:
    """A part's content, transfer encoding undone."""
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


class LocalServer(Protocol):
    """A stand-in's state: its app, the port it listens on, what to close after."""

    port: int

    def app(self) -> Starlette: ...

    def close(self) -> None: ...


Server = TypeVar("Server", bound=LocalServer)


@contextmanager
def running(server: Server) -> Iterator[Server]:
    """The server listening on a free loopback port until the block ends."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server.port = int(sock.getsockname()[1])
    config = uvicorn.Config(server.app(), log_level="warning", lifespan="off")
    runner = uvicorn.Server(config)
    thread = threading.Thread(target=runner.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not runner.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield server
    finally:
        runner.should_exit = True
        thread.join(timeout=10)
        sock.close()
        server.close()
