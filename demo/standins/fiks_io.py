"""A local Fiks IO for the tests and the demo: the REST send API and catalogue, checked against
KS's description.

Not a fake of what we can run: RabbitMQ is real. What cannot run here is KS's REST front, so this
server stands in for it and checks every request against the published description (KS's send
clients ks-no/fiks-io-send-klient and fiks-io-send-client-dotnet, developers.fiks.ks.no):

- `POST /fiks-io/api/v1/send`, `Authorization: Bearer <token>`, `IntegrasjonId` (a UUID) and
  `IntegrasjonPassord` headers, `multipart/form-data` with a part `metadata` of type
  application/json holding avsenderKontoId, mottakerKontoId (UUIDs), meldingType (text),
  optional svarPaMelding (UUID), ttl (milliseconds, at least 1000) and headere (text → text),
  and a part `data` with a file name (the encrypted container); answered 202 with the message
  registered (meldingId, …, headere).
- `GET /fiks-io/katalog/api/v1/kontoer/{id}/offentligNokkel`: the account's certificate as
  `{"nokkel": PEM, ...}`.

An accepted message is published to the receiver's real RabbitMQ queue `fiksio.konto.<id>`
with Fiks IO's AMQP headers. A message whose sender already sent one with the same
`klientMeldingId` is not published again (the earlier registration is returned).
Every request that breaks the description is answered 400 (401 for the login headers) and
kept in `problems`.
"""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

import pika
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from demo.standins.serving import form_parts, login_problem, part_bytes, part_name
from runner.fiksio.client import FiksIoClient
from runner.fiksio.message import queue_name
from runner.ks.integration import KsIntegration
from runner.ks.keys import KeyPair

__all__ = ["Account", "FiksIoServer", "client_for"]

METADATA_FIELDS = {"avsenderKontoId", "mottakerKontoId", "meldingType", "svarPaMelding", "ttl",
                   "headere"}  # fmt: skip


@dataclass
class FiksIoServer:
    """The server's state: accounts' certificates, messages accepted, problems found."""

    amqp_url: str
    integration_id: uuid.UUID
    password: str
    certificates: dict[uuid.UUID, x509.Certificate] = field(default_factory=dict)
    accepted: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    requests: int = 0
    port: int = 0
    _by_client_id: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    #: one AMQP connection, used from the server's event-loop thread only
    _connection: pika.BlockingConnection | None = None

    def close(self) -> None:
        if self._connection is not None and self._connection.is_open:
            self._connection.close()
        self._connection = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/fiks-io/api/v1/send", self.send, methods=["POST"]),
                Route(
                    "/fiks-io/katalog/api/v1/kontoer/{account}/offentligNokkel",
                    self.public_key,
                    methods=["GET"],
                ),
            ]
        )

    async def public_key(self, request: Request) -> Response:
        problem = login_problem(request.headers, self.integration_id, self.password)
        if problem:
            return self._refuse(problem, status=401)
        try:
            account = uuid.UUID(request.path_params["account"])
        except ValueError:
            return self._refuse("kontoId i stien er ikke en UUID")
        certificate = self.certificates.get(account)
        if certificate is None:
            return JSONResponse({"feilmelding": "ukjent konto"}, status_code=404)
        pem = certificate.public_bytes(serialization.Encoding.PEM).decode()
        return JSONResponse(
            {
                "nokkel": pem,
                "serial": str(certificate.serial_number),
                "subjectDN": certificate.subject.rfc4514_string(),
                "issuerDN": certificate.issuer.rfc4514_string(),
                "validFrom": certificate.not_valid_before_utc.isoformat(),
                "validTo": certificate.not_valid_after_utc.isoformat(),
            }
        )

    async def send(self, request: Request) -> Response:
        self.requests += 1
        problem = login_problem(request.headers, self.integration_id, self.password)
        if problem:
            return self._refuse(problem, status=401)
        content_type = request.headers.get("content-type", "")
        if not content_type.startswith("multipart/form-data"):
            return self._refuse(f"Content-Type er {content_type!r}, ikke multipart/form-data")
        body = await request.body()
        parts = {part_name(part): part for part in form_parts(content_type, body)}
        metadata_part, data_part = parts.get("metadata"), parts.get("data")
        if metadata_part is None:
            return self._refuse("delen 'metadata' mangler")
        if metadata_part.get_content_type() != "application/json":
            return self._refuse("delen 'metadata' er ikke application/json")
        try:
            metadata = json.loads(part_bytes(metadata_part) or b"")
        except ValueError:
            return self._refuse("delen 'metadata' er ikke JSON")
        problem = _check_metadata(metadata)
        if problem:
            return self._refuse(problem)
        if data_part is None or not data_part.get_filename():
            return self._refuse("delen 'data' mangler eller har ikke filnavn")
        payload = part_bytes(data_part)
        receiver = uuid.UUID(metadata["mottakerKontoId"])
        if receiver not in self.certificates:
            return JSONResponse({"feilmelding": "ukjent mottakerkonto"}, status_code=404)
        client_id: str | None = (metadata.get("headere") or {}).get("klientMeldingId")
        with self._lock:
            key = (str(metadata["avsenderKontoId"]), client_id or "")
            if client_id and key in self._by_client_id:
                return JSONResponse(self._by_client_id[key], status_code=202)
            sent = {
                "meldingId": str(uuid.uuid4()),
                "meldingType": metadata["meldingType"],
                "avsenderKontoId": metadata["avsenderKontoId"],
                "mottakerKontoId": metadata["mottakerKontoId"],
                "ttl": metadata.get("ttl", 2 * 24 * 3600 * 1000),
                "svarPaMelding": metadata.get("svarPaMelding"),
                "headere": metadata.get("headere") or {},
            }
            self._publish(sent, payload)
            self.accepted.append(sent)
            if client_id:
                self._by_client_id[key] = sent
        return JSONResponse(sent, status_code=202)

    def _publish(self, sent: dict[str, Any], payload: bytes) -> None:
        headers = {
            "melding-id": sent["meldingId"],
            "type": sent["meldingType"],
            "avsender-id": sent["avsenderKontoId"],
        }
        if sent.get("svarPaMelding"):
            headers["svar-til"] = sent["svarPaMelding"]
        for name, value in sent["headere"].items():
            headers[f"egendefinert-header.{name}"] = value
        if self._connection is None or not self._connection.is_open:
            self._connection = pika.BlockingConnection(pika.URLParameters(self.amqp_url))
        channel = self._connection.channel()
        try:
            queue = f"fiksio.konto.{sent['mottakerKontoId']}"
            channel.queue_declare(queue)
            channel.basic_publish(
                "",
                queue,
                payload,
                pika.BasicProperties(headers=headers, expiration=str(sent["ttl"])),
            )
        finally:
            channel.close()

    def _refuse(self, problem: str, status: int = 400) -> Response:
        self.problems.append(problem)
        return JSONResponse({"feilmelding": problem}, status_code=status)


def _check_metadata(metadata: Any) -> str | None:
    if not isinstance(metadata, dict):
        return "metadata er ikke et JSON-objekt"
    unknown = set(metadata) - METADATA_FIELDS
    if unknown:
        return f"ukjente felt i metadata: {sorted(unknown)}"
    for name in ("avsenderKontoId", "mottakerKontoId"):
        try:
            uuid.UUID(str(metadata[name]))
        except (KeyError, ValueError):
            return f"{name} mangler eller er ikke en UUID"
    if metadata.get("svarPaMelding") is not None:
        try:
            uuid.UUID(str(metadata["svarPaMelding"]))
        except ValueError:
            return "svarPaMelding er ikke en UUID"
    if not isinstance(metadata.get("meldingType"), str) or not metadata["meldingType"]:
        return "meldingType mangler"
    ttl = metadata.get("ttl")
    if ttl is not None and (not isinstance(ttl, int) or ttl < 1000):
        return "ttl skal være millisekunder, minst 1000"
    headere = metadata.get("headere")
    if headere is not None and not (
        isinstance(headere, dict) and all(isinstance(v, str) for v in headere.values())
    ):
        return "headere skal være tekst → tekst"
    return None


@dataclass(frozen=True)
class Account:
    """A Fiks IO account on the local Fiks IO: its id (so its queue) and its keys."""

    id: uuid.UUID
    keys: KeyPair

    @property
    def queue(self) -> str:
        return queue_name(self.id)


def client_for(server: FiksIoServer, account: Account) -> FiksIoClient:
    """A Fiks IO client sending from `account` through the local REST front (the token is a
    word the server only checks is there: no Maskinporten here)."""
    integration = KsIntegration(
        server.integration_id, server.password, lambda: "maskinporten-token"
    )
    return FiksIoClient(
        server.base_url, account=account.id, integration=integration, signer=account.keys
    )
