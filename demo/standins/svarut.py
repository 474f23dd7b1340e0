"""A local SvarUt for the tests: every request checked against SvarUt's published API description.

SvarUt cannot be reached from here, so this server stands in for it. It is built from KS's
published OpenAPI files for REST v2 (demo/standins/svarut_api/, from ks-no/fiks-svarut-klient)
and KS's page on the multipart send ("API: Integrasjon med REST"):

- the path and method must be one of the description's (`/api` + its paths), the path's
  kontoId a UUID and the server's account;
- `Authorization: Bearer <token>`, `IntegrasjonId` and `IntegrasjonPassord` (KS's page);
- send: multipart/form-data whose first part is named `forsendelse`, application/json, valid
  against the `Forsendelse` schema (and with no field the schema does not have, in it or in
  its `mottaker`), followed by one part per `dokumenter` entry in that order, each with a file
  name equal to the entry's `filnavn` (and a PDF where the mimeType says application/pdf);
  answered with `SendForsendelseResponse`;
- status-sok: a JSON body valid against `StatusSok`; answered with `ForsendelseStatuser`;
- eksternref: the query parameters the description lists, required ones present; answered with
  `EksternRefOppslagResponse`.

Each answer is checked against the description's response schema too. A request outside the
description is answered 400 (401 for the login) and kept in `problems`; the tests assert it
stays empty. Shipments are kept with their status (MOTTATT first; a test moves it on).
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from demo.standins.serving import form_parts, login_problem, part_bytes, part_name

DESCRIPTIONS = Path(__file__).parent / "svarut_api"
SEND = json.loads((DESCRIPTIONS / "forsendelse-send-api-v2.json").read_text("utf-8"))
STATUS = json.loads((DESCRIPTIONS / "forsendelse-status-api-v2.json").read_text("utf-8"))
REFERENCE = json.loads((DESCRIPTIONS / "forsendelse-eksternref-api-v2.json").read_text("utf-8"))


#: An endpoint: a request in, the answer out.
Handler = Callable[[Request], Awaitable[Response]]


def problem_with(description: dict[str, Any], schema: str, value: Any) -> str | None:
    """Why `value` breaks the description's component schema (None if it does not)."""
    wrapper = {"$ref": f"#/components/schemas/{schema}", "components": description["components"]}
    try:
        jsonschema.validate(value, wrapper)
    except jsonschema.ValidationError as error:
        where = "/".join(str(p) for p in error.absolute_path) or "(roten)"
        return f"{schema}: {where}: {error.message}"
    return None


def unknown_fields(description: dict[str, Any], schema: str, value: Any) -> set[str]:
    properties = description["components"]["schemas"][schema].get("properties", {})
    return set(value) - set(properties) if isinstance(value, dict) else set()


@dataclass
class SvarUtServer:
    """The server's state: the account, shipments sent, problems found."""

    account: uuid.UUID
    integration_id: uuid.UUID
    password: str
    shipments: dict[uuid.UUID, dict[str, Any]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    port: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def close(self) -> None:
        return None

    def set_status(self, shipment: uuid.UUID, status: str) -> None:
        enum = STATUS["components"]["schemas"]["ForsendelseStatus"]["properties"]["status"]["enum"]
        assert status in enum, f"{status} is not a status SvarUt describes"
        self.shipments[shipment]["status"] = status

    def app(self) -> Starlette:
        routes = []
        for description, handlers in (
            (SEND, {"post": self.send}),
            (STATUS, {"post": self.status}),
            (REFERENCE, {"get": self.by_reference}),
        ):
            for path, operations in description["paths"].items():
                for method, operation in operations.items():
                    handler = handlers.get(method)
                    if handler is None:
                        continue
                    route_path = "/api" + path.replace("{kontoId}", "{kontoId:str}")
                    routes.append(
                        Route(route_path, self._checked(handler, operation), methods=[method])
                    )
        return Starlette(routes=routes)

    def _checked(self, handler: Handler, operation: dict[str, Any]) -> Handler:
        async def endpoint(request: Request) -> Response:
            self.requests.append(f"{request.method} {request.url.path}")
            problem = login_problem(request.headers, self.integration_id, self.password)
            if problem:
                return self._refuse(problem, 401)
            account = request.path_params.get("kontoId", "")
            try:
                if uuid.UUID(account) != self.account:
                    return self._refuse(f"kontoId {account} er ikke kontoen", 403)
            except ValueError:
                return self._refuse("kontoId er ikke en UUID (format uuid)")
            for parameter in operation.get("parameters", []):
                required = parameter["in"] == "query" and parameter.get("required")
                if required and parameter["name"] not in request.query_params:
                    return self._refuse(f"spørreparameteren {parameter['name']} mangler")
            known = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
            unknown = set(request.query_params) - known
            if unknown:
                return self._refuse(f"ukjente spørreparametre: {sorted(unknown)}")
            return await handler(request)

        return endpoint

    async def send(self, request: Request) -> Response:
        content_type = request.headers.get("content-type", "")
        if not content_type.startswith("multipart/form-data"):
            return self._refuse(f"Content-Type er {content_type!r}, ikke multipart/form-data")
        parts = form_parts(content_type, await request.body())
        if not parts or part_name(parts[0]) != "forsendelse":
            return self._refuse("første del skal hete 'forsendelse'")
        first = parts[0]
        if first.get_content_type() != "application/json":
            return self._refuse("delen 'forsendelse' er ikke application/json")
        try:
            shipment = json.loads(part_bytes(first) or b"")
        except ValueError:
            return self._refuse("delen 'forsendelse' er ikke JSON")
        problem = problem_with(SEND, "Forsendelse", shipment)
        if problem:
            return self._refuse(problem)
        extra = unknown_fields(SEND, "Forsendelse", shipment) | unknown_fields(
            SEND, "Adresse", shipment.get("mottaker")
        )
        if extra:
            return self._refuse(f"felt beskrivelsen ikke har: {sorted(extra)}")
        documents = shipment.get("dokumenter") or []
        files = parts[1:]
        if len(files) != len(documents):
            return self._refuse(f"{len(documents)} dokumenter i metadata, {len(files)} filer sendt")
        contents = []
        for document, part in zip(documents, files, strict=True):
            if part.get_filename() != document["filnavn"]:
                return self._refuse(
                    f"filen {part.get_filename()!r} er ikke {document['filnavn']!r} "
                    "(samme rekkefølge og navn som i metadata)"
                )
            content = part_bytes(part)
            if document["mimeType"] == "application/pdf" and not content.startswith(b"%PDF"):
                return self._refuse(f"{document['filnavn']} er ikke en PDF")
            contents.append(content)
        shipment_id = uuid.uuid4()
        with self._lock:
            self.shipments[shipment_id] = {
                "forsendelse": shipment,
                "files": contents,
                "status": "MOTTATT",
                "changed": datetime.now(UTC).isoformat(),
            }
        return self._answer(SEND, "SendForsendelseResponse", {"id": str(shipment_id)})

    async def status(self, request: Request) -> Response:
        try:
            body = json.loads(await request.body())
        except ValueError:
            return self._refuse("status-sok: kroppen er ikke JSON")
        problem = problem_with(STATUS, "StatusSok", body)
        if problem:
            return self._refuse(problem)
        statuses = [
            {"id": str(i), "status": self.shipments[i]["status"],
             "sisteStatusEndring": self.shipments[i]["changed"]}
            for i in map(uuid.UUID, body["forsendelseIds"]) if i in self.shipments
        ]  # fmt: skip
        return self._answer(STATUS, "ForsendelseStatuser", {"statuser": statuses})

    async def by_reference(self, request: Request) -> Response:
        reference = request.query_params.get("eksternRef")
        found = [
            str(i)
            for i, s in self.shipments.items()
            if s["forsendelse"].get("eksternReferanse") == reference
        ]
        return self._answer(REFERENCE, "EksternRefOppslagResponse", {"forsendelseIds": found})

    def _answer(self, description: dict[str, Any], schema: str, body: Any) -> Response:
        problem = problem_with(description, schema, body)
        assert problem is None, f"the server's own answer breaks the description: {problem}"
        return JSONResponse(body, status_code=200)

    def _refuse(self, problem: str, status: int = 400) -> Response:
        self.problems.append(problem)
        return JSONResponse({"message": problem, "status": status}, status_code=status)
