"""Editing a letter: the caseworker edits the text as it reads (no escape characters where
nothing needs one), previews it, and the approved letter's PDF says what was written."""

from __future__ import annotations

import json
import re
from html import unescape
from io import BytesIO
from pathlib import Path

from fastapi.testclient import TestClient
from pypdf import PdfReader

from runner.models.robot import load_robots
from runner.run import run_robot
from runner.settings import CONTENT_ROOT, Settings
from runner.store import CaseState, Store
from tests.web.conftest import HOME, answer_points, login, send_confirmed

CASE = CONTENT_ROOT / "demo" / "inbox" / "byggesak" / "BS-2026-000115.json"
TEXTAREA = re.compile(r'<textarea id="markdown" name="markdown"[^>]*>(.*?)</textarea>', re.S)


def _case_received_on_10_june(settings: Settings, store: Store, inbox: Path) -> int:
    data = json.loads(CASE.read_text(encoding="utf-8"))
    data.update(reference="BS-2026-910115", kommunenummer=HOME, malform="nb")
    data["received_at"] = "2026-06-10T09:30:00+02:00"
    inbox.mkdir()
    (inbox / "sak.json").write_text(json.dumps(data), encoding="utf-8")
    robot = load_robots(settings.content_dir / "robots")["byggesak-smatiltak"]
    run_robot(settings, store, robot, inbox=inbox)
    return store.find_case("BS-2026-910115").id


def _pdf_lines(path: str) -> list[str]:
    reader = PdfReader(BytesIO(Path(path).read_bytes()))
    return [line.strip() for page in reader.pages for line in page.extract_text().splitlines()]


def test_a_date_round_trips_without_a_backslash_into_the_pdf(
    client: TestClient, web_settings: Settings, web_store: Store, tmp_path: Path
) -> None:
    case_id = _case_received_on_10_june(web_settings, web_store, tmp_path / "inbox")
    case = web_store.get_case(case_id)
    assert case.state == CaseState.pending_review
    draft = web_store.latest_letter(case_id)
    assert draft is not None
    assert "søknaden din 10. juni 2026" in draft.markdown
    assert "\\" not in draft.markdown  # no escape, and no backslash line break either
    csrf = login(client, "kari")
    found = TEXTAREA.search(client.get(f"/saker/{case_id}").text)
    assert found is not None
    shown = unescape(found.group(1))
    assert shown == draft.markdown and "10\\. juni" not in shown
    added = "Vi viser også til telefonsamtalen 10. juni og e-post til ola_n@example.no."
    edited = f"{shown}\n{added}\nRing oss gjerne.\n"  # a line break as the caseworker types it
    form = {"csrf": csrf, "version": str(case.version), "letter_id": str(draft.id)}
    preview = client.post(f"/saker/{case_id}/forhandsvis", data={**form, "markdown": edited})
    assert preview.status_code == 200
    again = TEXTAREA.search(preview.text)
    assert again is not None and unescape(again.group(1)) == edited  # the text as written
    assert f"{added}<br />\nRing oss gjerne." in preview.text
    answer_points(client, web_store, case_id, csrf)
    approved = send_confirmed(client, web_store, case_id, csrf, markdown=edited)
    assert approved.status_code == 303
    letter = web_store.latest_letter(case_id)
    assert letter is not None and letter.markdown == edited and letter.pdf_path
    lines = _pdf_lines(letter.pdf_path)
    text = " ".join(" ".join(lines).split())
    assert "Ring oss gjerne." in lines  # its own line, as typed
    assert "søknaden din 10. juni 2026" in text
    assert "telefonsamtalen 10. juni og e-post til ola_n@example.no." in text
    assert "\\" not in text
