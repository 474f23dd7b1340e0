"""A case's documents in the browser: letters as PDF, the draft as PDF, the application and
its attachments; kommune-scoped, served inline with strict headers, each opening a read."""

from __future__ import annotations

import hashlib
import json
from io import BytesIO
from pathlib import Path

from fastapi.testclient import TestClient
from pypdf import PdfReader

from runner.models.robot import load_robots
from runner.run import run_robot
from runner.settings import CONTENT_ROOT, Settings
from runner.store import CaseRecord, CaseState, Store
from runner.web.routes.documents import DOCUMENT_CSP
from tests.web.conftest import HOME, OTHER, answer_points, login, send_confirmed

DEMO = CONTENT_ROOT / "demo" / "inbox"


def _waiting(store: Store) -> CaseRecord:
    cases = store.list_cases(state=CaseState.pending_review, kommunenummer=HOME, limit=500)
    return next(c for c in cases if store.latest_letter(c.id) is not None)


def _pdf_text(body: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(BytesIO(body)).pages).split())


def _reads(store: Store, case_id: int) -> list[dict[str, object]]:
    """What each read showed (its reader's role and address are the audit export's)."""
    return [
        {k: v for k, v in e.data.items() if k not in ("role", "source")}
        for e in store.events(case_id)
        if e.kind == "viewed"
    ]


def _assert_served_inline(response: object, media_type: str) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert headers["content-type"].startswith(media_type)
    assert headers["content-disposition"].startswith("inline; filename=")
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["content-security-policy"] == DOCUMENT_CSP
    assert headers["cache-control"] == "no-store"


def test_the_draft_opens_as_pdf_and_the_opening_is_a_read(
    client: TestClient, web_store: Store
) -> None:
    login(client, "kari")
    case = _waiting(web_store)
    page = client.get(f"/saker/{case.id}").text
    assert f'href="/saker/{case.id}/dokumenter/utkast"' in page
    assert f'href="/saker/{case.id}/dokumenter/soknad"' in page
    assert "Dokumenter i saken" in page and "Brevutkastet slik det blir (PDF)" in page
    response = client.get(f"/saker/{case.id}/dokumenter/utkast")
    _assert_served_inline(response, "application/pdf")
    assert response.content.startswith(b"%PDF-")
    assert case.reference is not None and case.reference in _pdf_text(response.content)
    assert _reads(web_store, case.id)[-1] == {"page": "dokument", "dokument": "utkast"}
    assert web_store.events(case.id)[-1].actor == "kari"


def test_the_application_file_opens_as_it_came_in(client: TestClient, web_store: Store) -> None:
    login(client, "kari")
    case = _waiting(web_store)
    response = client.get(f"/saker/{case.id}/dokumenter/soknad")
    _assert_served_inline(response, "application/json")
    assert response.content == web_store.raw_content(case.id)
    assert _reads(web_store, case.id)[-1] == {"page": "dokument", "dokument": "soknad"}


def test_the_sent_letter_opens_and_the_outbox_links_to_it(
    client: TestClient, web_store: Store
) -> None:
    csrf = login(client, "kari")
    case = _waiting(web_store)
    answer_points(client, web_store, case.id, csrf)
    assert send_confirmed(client, web_store, case.id, csrf).status_code == 303
    sent = web_store.latest_letter(case.id)
    assert sent is not None and sent.pdf_path is not None
    page = client.get(f"/saker/{case.id}").text
    link = f'/saker/{case.id}/dokumenter/brev-{sent.version}"'
    assert link in page and "/dokumenter/utkast" not in page  # no draft once it is sent
    response = client.get(f"/saker/{case.id}/dokumenter/brev-{sent.version}")
    _assert_served_inline(response, "application/pdf")
    assert hashlib.sha256(response.content).hexdigest() == sent.sha256
    assert response.content == Path(sent.pdf_path).read_bytes()
    outbox = client.get("/utboks").text
    assert link in outbox and "Sendt brev" in outbox and "Utkast til brev" not in outbox


def test_a_changed_letter_file_is_not_served(client: TestClient, web_store: Store) -> None:
    csrf = login(client, "kari")
    case = _waiting(web_store)
    answer_points(client, web_store, case.id, csrf)
    assert send_confirmed(client, web_store, case.id, csrf).status_code == 303
    sent = web_store.latest_letter(case.id)
    assert sent is not None and sent.pdf_path is not None
    Path(sent.pdf_path).write_bytes(b"%PDF-1.4 not the letter that was sent")
    response = client.get(
        f"/saker/{case.id}/dokumenter/brev-{sent.version}",
        headers={"accept": "application/json"},
    )
    assert response.status_code == 404 and "sha256" in response.json()["message"]


def test_another_kommune_gets_the_same_404_as_for_the_case(
    client: TestClient, web_store: Store
) -> None:
    login(client, "ola")  # a caseworker of 0301 only
    case = _waiting(web_store)
    assert case.kommunenummer == HOME != OTHER
    json_accept = {"accept": "application/json"}
    for key in ("utkast", "soknad", "brev-1", "vedlegg-1"):
        response = client.get(f"/saker/{case.id}/dokumenter/{key}", headers=json_accept)
        page = client.get(f"/saker/{case.id}", headers=json_accept)
        assert response.status_code == page.status_code == 404
        assert response.json() == page.json()
    assert _reads(web_store, case.id) == []


def test_unknown_document_keys_are_404(client: TestClient, web_store: Store) -> None:
    login(client, "kari")
    case = _waiting(web_store)
    for key in ("brev-1", "vedlegg-99", "vedlegg-0", "brev-x", "..%2F..%2Fetc%2Fpasswd", "x"):
        response = client.get(f"/saker/{case.id}/dokumenter/{key}")
        assert response.status_code == 404, key
    assert _reads(web_store, case.id) == []  # nothing was read


def _run(settings: Settings, store: Store, robot_id: str, inbox: Path) -> None:
    robot = load_robots(settings.content_dir / "robots")[robot_id]
    run_robot(settings, store, robot, inbox=inbox)


def test_attachments_beside_the_case_file_open_and_missing_ones_are_named(
    client: TestClient, web_settings: Settings, web_store: Store, tmp_path: Path
) -> None:
    data = json.loads((DEMO / "byggesak" / "BS-2026-000107.json").read_text(encoding="utf-8"))
    data["reference"] = "BS-2026-900107"
    data["kommunenummer"] = HOME
    inbox = tmp_path / "inbox"
    (inbox / "BS-2026-000107").mkdir(parents=True)
    (inbox / "sak.json").write_text(json.dumps(data), encoding="utf-8")
    plan = b"%PDF-1.4 situasjonsplan"
    (inbox / data["attachments"][0]["file"]).write_bytes(plan)
    data["attachments"].append({"kind": "annet", "file": "BS-2026-000107/side.html"})
    (inbox / "BS-2026-000107" / "side.html").write_text("<script>alert(1)</script>")
    (inbox / "sak.json").write_text(json.dumps(data), encoding="utf-8")
    _run(web_settings, web_store, "byggesak-smatiltak", inbox)
    case = web_store.find_case("BS-2026-900107")
    login(client, "kari")
    page = client.get(f"/saker/{case.id}").text
    assert f'href="/saker/{case.id}/dokumenter/vedlegg-1"' in page
    assert "Vedlegg 1: situasjonsplan" in page
    assert "Vedlegg 2: tegning <span" in page and "ikke mottatt som fil" in page
    assert f'href="/saker/{case.id}/dokumenter/vedlegg-2"' not in page
    response = client.get(f"/saker/{case.id}/dokumenter/vedlegg-1")
    _assert_served_inline(response, "application/pdf")
    assert response.content == plan
    assert _reads(web_store, case.id)[-1] == {"page": "dokument", "dokument": "vedlegg-1"}
    assert client.get(f"/saker/{case.id}/dokumenter/vedlegg-2").status_code == 404
    html_file = client.get(f"/saker/{case.id}/dokumenter/vedlegg-4")  # never run as a page
    assert html_file.status_code == 200
    assert html_file.headers["content-type"] == "application/octet-stream"
    assert html_file.headers["content-disposition"].startswith("attachment; ")
    assert html_file.headers["content-security-policy"] == DOCUMENT_CSP


def test_a_pdf_form_application_opens_as_the_form(
    client: TestClient, web_settings: Settings, web_store: Store
) -> None:
    _run(web_settings, web_store, "byggesak-skjema", DEMO / "byggesak-skjema")
    case = web_store.list_cases(robot_id="byggesak-skjema", limit=1)[0]
    login(client, "kari")
    assert "Søknaden slik den kom inn (PDF-skjema)" in client.get(f"/saker/{case.id}").text
    response = client.get(f"/saker/{case.id}/dokumenter/soknad")
    _assert_served_inline(response, "application/pdf")
    assert response.content == web_store.raw_content(case.id)
    assert response.content.startswith(b"%PDF")
