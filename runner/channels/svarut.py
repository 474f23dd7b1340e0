"""Letters through KS SvarUt: the letter PDF with the shipment (forsendelse) SvarUt needs.

Built from SvarUt's published REST API (v2; OpenAPI files in ks-no/fiks-svarut-klient, KS's
page "API: Integrasjon med REST"), base `{api}` = https://svarut.ks.no/api:

- send: `POST {api}/v2/kontoer/{kontoId}/forsendelser`, multipart/form-data: a first part
  `forsendelse` (application/json, the `Forsendelse` schema: tittel, mottaker {navn, digitalId
  (national id or organisation number), adresselinje1, postnummer, poststed}, avgivendeSystem,
  konteringskode, kunDigitalLevering, dokumenter [{filnavn, mimeType}], eksternReferanse), then
  the documents in that order, each with its file name; the answer is `{"id": <forsendelse>}`;
- the shipments with an external reference: `GET {api}/v2/kontoer/{kontoId}/forsendelser
  ?eksternRef=…` → `{"forsendelseIds": […]}`;
- status: `POST {api}/v2/kontoer/{kontoId}/forsendelser/status-sok` with `{"forsendelseIds":
  […]}` → `{"statuser": [{id, status, sisteStatusEndring}]}`.

Every request carries the integration's login (runner/ks/integration.py). The outbox key is
the shipment's eksternReferanse: before sending, and after a crash, SvarUt is asked for a
shipment with that reference, so a letter SvarUt already has is never sent again (reconcile
proves delivery both ways).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import httpx

from runner.channels.base import Delivery, Letter
from runner.errors import ChannelError
from runner.kommuner.ks_settings import MaskinportenSettings
from runner.kommuner.settings import KommuneSettings, SvarUtSettings
from runner.ks.integration import KsIntegration, KsService, integration_for
from runner.problems import problem
from runner.store import Store

if TYPE_CHECKING:
    from runner.settings import Settings

__all__ = [
    "FINAL_FAILURES",
    "SVARUT",
    "SvarUtChannel",
    "SvarUtClient",
    "follow_deliveries",
    "svarut_client",
]

SYSTEM = "saksrobot"
#: Statuses after which the letter did not reach its recipient: a human must act.
FINAL_FAILURES = frozenset({"AVVIST", "IKKE_LEVERT"})


#: SvarUt as the integration's requests name it; its failures are channel errors.
SVARUT = KsService("SvarUt", "[svarut]", ChannelError)


class SvarUtClient:
    """SvarUt's REST API (v2) for one sending account."""

    def __init__(
        self,
        base_url: str,
        *,
        account: uuid.UUID,
        integration: KsIntegration,
        http: httpx.Client | None = None,
        timeout: float = 960.0,  # KS recommends 16 minutes for sending
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.account = account
        self.integration = integration
        self.http = http or httpx.Client(timeout=timeout)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> SvarUtClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def shipments(self) -> str:
        return f"{self.base_url}/v2/kontoer/{self.account}/forsendelser"

    def send(self, shipment: dict[str, Any], files: list[tuple[str, bytes, str]]) -> uuid.UUID:
        """Send a shipment with its documents (name, content, mime type), in order."""
        parts: list[tuple[str, tuple[str | None, bytes, str]]] = [
            ("forsendelse", (None, json.dumps(shipment).encode(), "application/json"))
        ]
        parts += [(f"dokument{n}", (name, content, mime)) for n, (name, content, mime) in
                  enumerate(files, 1)]  # fmt: skip
        response = self._request("POST", self.shipments, files=parts)
        return uuid.UUID(str(self._json(response, "id")["id"]))

    def by_reference(self, reference: str) -> list[uuid.UUID]:
        """The shipments sent from the account with this external reference."""
        response = self._request("GET", self.shipments, params={"eksternRef": reference})
        return [uuid.UUID(str(i)) for i in self._json(response, "forsendelseIds")["forsendelseIds"]]

    def statuses(self, ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
        """The current status of each shipment (MOTTATT, AKSEPTERT, LEST, SENDT_PRINT, …)."""
        body = {"forsendelseIds": [str(i) for i in ids]}
        response = self._request("POST", f"{self.shipments}/status-sok", json=body)
        found = self._json(response, "statuser")["statuser"]
        return {uuid.UUID(str(item["id"])): str(item["status"]) for item in found}

    def _request(self, method: str, url: str, **options: Any) -> httpx.Response:
        response = self.integration.request(self.http, SVARUT, method, url, **options)
        if response.status_code != 200:
            raise ChannelError(
                f"SvarUt svarte HTTP {response.status_code}: {response.text[:300]}",
                fix="Les feilmeldingen fra SvarUt; rett forsendelsen eller kontoen. Sendingen "
                "prøves igjen.",
            )
        return response

    @staticmethod
    def _json(response: httpx.Response, field: str) -> dict[str, Any]:
        try:
            data = response.json()
        except ValueError:
            data = None
        if not isinstance(data, dict) or field not in data:
            raise ChannelError(
                f"SvarUt svarte uten '{field}'",
                fix="Meld fra til KS; sendingen prøves igjen og blir kjent igjen på referansen.",
            )
        return data


class SvarUtChannel:
    """Sends each letter as a SvarUt shipment; the outbox key is its external reference."""

    kind = "svarut"
    answers_source = False

    def __init__(self, connect: Callable[[], SvarUtClient], settings: SvarUtSettings) -> None:
        self.connect = connect
        self.settings = settings

    def shipment(self, letter: Letter, file_name: str) -> dict[str, Any]:
        """The `Forsendelse` for a letter (SvarUt's own field names)."""
        recipient = letter.recipient
        if recipient is None:
            raise ChannelError(
                f"Saken {letter.reference} har ingen mottaker SvarUt kan sende til",
                fix="Saken må ha søkerens navn og fødselsnummer eller organisasjonsnummer.",
            )
        address: dict[str, Any] = {"navn": recipient.name}
        digital_id = recipient.organisation_number or recipient.national_id
        if digital_id:
            address["digitalId"] = digital_id
        if recipient.street:
            address["adresselinje1"] = recipient.street
        if recipient.postal_code:
            address["postnummer"] = recipient.postal_code
        if recipient.city:
            address["poststed"] = recipient.city
        if not self.settings.digital_only and not (recipient.postal_code and recipient.city):
            raise ChannelError(
                f"Brevet i sak {letter.reference} kan gå på papir, men søkeren har ingen "
                "postadresse",
                fix="Rett søkerens adresse, eller sett digital_only = true i [svarut].",
            )
        shipment: dict[str, Any] = {
            "tittel": (letter.title or f"Vedtak i sak {letter.reference}")[:1000],
            "mottaker": address,
            "avgivendeSystem": SYSTEM,
            "kunDigitalLevering": self.settings.digital_only,
            "dokumenter": [{"filnavn": file_name, "mimeType": "application/pdf"}],
            "eksternReferanse": letter.key[:100],
            "forsendelsestype": "vedtak",
        }
        if self.settings.accounting_code:
            shipment["konteringskode"] = self.settings.accounting_code
        return shipment

    def send(self, letter: Letter) -> str:
        pdf = letter.pdf()
        file_name = f"{letter.reference}.pdf".replace("/", "-")
        shipment = self.shipment(letter, file_name)
        with self.connect() as client:
            earlier = client.by_reference(letter.key)
            if earlier:  # SvarUt has it already (sent before a crash): never again
                return f"svarut:{earlier[0]}"
            sent = client.send(shipment, [(file_name, pdf, "application/pdf")])
        return f"svarut:{sent}"

    def reconcile(self, key: str) -> Delivery:
        """Whether SvarUt has a shipment with this key as its external reference."""
        with self.connect() as client:
            found = client.by_reference(key)
        return Delivery.delivered if found else Delivery.not_delivered

    def status(self, key: str) -> str | None:
        """The delivery status of the letter with this key (None if SvarUt has none)."""
        with self.connect() as client:
            ids = client.by_reference(key)
            if not ids:
                return None
            return client.statuses(ids[-1:]).get(ids[-1])


def follow_deliveries(
    settings: Settings, store: Store, channel: SvarUtChannel, kommune: KommuneSettings
) -> int:
    """Poll the kommune's SvarUt account (`channel`) for the status of the kommune's letters
    sent through SvarUt and not yet final (a case's kommune is its kommunenummer, the
    default kommune's for a case without one: as the send step chose the account); each new
    status is an event `letter_status` on the case (shown by its word in runner/vocabulary.py
    DELIVERY). A letter SvarUt could not deliver (AVVIST, IKKE_LEVERT) parks its case for a
    human. The number of new statuses. Called by a kommune's follow-up (runner/followup.py)."""
    from runner.steps.context import ROBOT_ACTOR
    from runner.store import CaseState

    changed = 0
    for row in store.outbox("sent", channel=channel.kind):
        owner = store.get_case(row.case_id).kommunenummer or settings.kommune.kommunenummer
        if owner != kommune.kommunenummer:
            continue  # another kommune's letter: followed from its own account
        known = [
            e.data.get("status")
            for e in store.events(row.case_id)
            if e.kind == "letter_status" and e.data.get("key") == row.key
        ]
        if known and known[-1] in FINAL_FAILURES | {"LEST", "PRINTET", "LEVERT_SDP"}:
            continue  # nothing further will change
        status = channel.status(row.key)
        if status is None or (known and known[-1] == status):
            continue
        data = {"key": row.key, "status": status}
        with store.unit():
            case = store.get_case(row.case_id)
            store.record_event(row.case_id, actor="svarut", kind="letter_status", data=data)
            if status in FINAL_FAILURES and case.state == CaseState.sent:
                store.transition(
                    row.case_id,
                    CaseState.parked,
                    actor=ROBOT_ACTOR,
                    event="parked",
                    data={
                        "error": f"SvarUt: {status}",
                        "kind": "svarut",
                        "problem": problem("parked_svarut", status=status).as_dict(),
                    },
                    last_error=(
                        f"brevet kom ikke fram gjennom SvarUt (status {status}); send det på "
                        "annen måte og noter det i saken"
                    ),
                )
        changed += 1
    return changed


def svarut_client(
    settings: SvarUtSettings, maskinporten: MaskinportenSettings | None
) -> SvarUtClient:
    """A client of the kommune's SvarUt account (the integration's password read now, its
    tokens from the kommune's Maskinporten client)."""
    return SvarUtClient(
        settings.api_url,
        account=settings.account_id,
        integration=integration_for(settings, maskinporten, SVARUT.table),
    )
