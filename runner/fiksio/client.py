"""Sending over Fiks IO: the REST API that takes a message and the catalogue of public keys.

As KS's send clients do it (ks-no/fiks-io-send-klient, fiks-io-send-client-dotnet):
`POST {base}/fiks-io/api/v1/send` with multipart/form-data, a part `metadata` (JSON,
application/json: avsenderKontoId, mottakerKontoId, meldingType, svarPaMelding, ttl in
milliseconds, headere) and a part `data` (the encrypted ASiC-E, with a file name), sent with the
integration's login (runner/ks/integration.py); the answer is 202 Accepted with the registered
message as JSON. The receiver's certificate comes from the catalogue,
`GET {base}/fiks-io/katalog/api/v1/kontoer/{kontoId}/offentligNokkel` (JSON with `nokkel`,
the certificate in PEM).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
from cryptography import x509
from pydantic import ValidationError

from runner.fiksio.asice import ContainerFile, build_container
from runner.fiksio.crypto import encrypt_payload
from runner.fiksio.errors import FiksIoSendError
from runner.fiksio.message import (
    CLIENT_MESSAGE_ID,
    DEFAULT_TTL_MS,
    SendSpecification,
    SentMessage,
)
from runner.ks.integration import KsIntegration, KsService
from runner.ks.keys import KeyPair, certificate_problems

__all__ = ["FIKS_IO", "FiksIoClient", "OutgoingMessage"]

SEND_PATH = "/fiks-io/api/v1/send"
CATALOGUE_PATH = "/fiks-io/katalog/api/v1/kontoer/{account}/offentligNokkel"


#: Fiks IO as the integration's requests name it; its failures are send errors.
FIKS_IO = KsService("Fiks IO", "[fiks_io]", FiksIoSendError)


@dataclass(frozen=True)
class OutgoingMessage:
    """A message to send: to whom, of which type, its files, and the sender's own id."""

    receiver: uuid.UUID
    message_type: str
    files: tuple[ContainerFile, ...]
    client_message_id: uuid.UUID
    reply_to: uuid.UUID | None = None
    ttl_ms: int = DEFAULT_TTL_MS


class FiksIoClient:
    """Sends signed, encrypted messages from one Fiks IO account."""

    def __init__(
        self,
        base_url: str,
        *,
        account: uuid.UUID,
        integration: KsIntegration,
        signer: KeyPair,
        http: httpx.Client | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.account = account
        self.integration = integration
        self.signer = signer
        self.http = http or httpx.Client(timeout=timeout)
        self._certificates: dict[uuid.UUID, x509.Certificate] = {}

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> FiksIoClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def receiver_certificate(self, account: uuid.UUID) -> x509.Certificate:
        """The receiving account's current certificate from the catalogue (kept per client)."""
        if account in self._certificates:
            return self._certificates[account]
        url = self.base_url + CATALOGUE_PATH.format(account=account)
        response = self._request("GET", url)
        if response.status_code != 200:
            raise FiksIoSendError(
                f"Fiks IO-katalogen svarte {response.status_code} for konto {account}",
                fix="Sjekk at mottakerkontoen finnes og har lastet opp en offentlig nøkkel.",
            )
        try:
            pem = str(response.json()["nokkel"]).encode()
            certificate = x509.load_pem_x509_certificate(pem)
        except (ValueError, KeyError, TypeError) as error:
            raise FiksIoSendError(
                f"Fiks IO-katalogen ga ikke et gyldig sertifikat for konto {account}",
                fix="Meld fra til KS; mottakeren må laste opp nøkkelen på nytt.",
            ) from error
        problems = certificate_problems(certificate)
        if problems:
            raise FiksIoSendError(
                f"Mottakerkontoen {account} sitt sertifikat kan ikke brukes: {'; '.join(problems)}",
                fix="Mottakeren må laste opp et gyldig sertifikat i Fiks Forvaltning.",
            )
        self._certificates[account] = certificate
        return certificate

    def send(self, message: OutgoingMessage) -> SentMessage:
        """Sign, encrypt and send; the same client_message_id again is a resend of the same
        message, never a new one."""
        specification = SendSpecification(
            avsenderKontoId=self.account,
            mottakerKontoId=message.receiver,
            meldingType=message.message_type,
            svarPaMelding=message.reply_to,
            ttl=message.ttl_ms,
            headere={CLIENT_MESSAGE_ID: str(message.client_message_id)},
        )
        payload = encrypt_payload(
            build_container(list(message.files), self.signer),
            self.receiver_certificate(message.receiver),
        )
        metadata = specification.model_dump_json(exclude_none=True).encode()
        files = {
            "metadata": (None, metadata, "application/json"),
            "data": (f"{message.client_message_id}.asice.cms", payload, "application/octet-stream"),
        }
        response = self._request("POST", self.base_url + SEND_PATH, files=files)
        if response.status_code != 202:
            raise FiksIoSendError(
                f"Fiks IO tok ikke imot meldingen (HTTP {response.status_code}): "
                f"{response.text[:300]}",
                fix="Sjekk integrasjonens id, passord og tilgang til kontoen i Fiks Forvaltning.",
            )
        try:
            return SentMessage.model_validate(response.json())
        except (ValidationError, json.JSONDecodeError) as error:
            raise FiksIoSendError(
                "Fiks IO svarte 202 uten en lesbar kvittering på meldingen",
                fix="Meldingen kan være sendt; sendes den på nytt, kjenner mottakeren den igjen.",
            ) from error

    def _request(self, method: str, url: str, **options: Any) -> httpx.Response:
        return self.integration.request(self.http, FIKS_IO, method, url, **options)
