"""The decision record beside each finalised letter: Noark 5 style archive metadata."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from runner.archive import SCHEMA, record_path
from runner.run import find_robot, run_robot
from runner.settings import CONTENT_ROOT, Settings
from runner.store import open_store


def test_each_letter_has_a_record_with_its_checksum(settings: Settings, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    case = CONTENT_ROOT / "demo" / "inbox" / "byggesak" / "BS-2026-000122.json"
    (inbox / case.name).write_bytes(case.read_bytes())
    with open_store(settings.database_url) as store:
        run_robot(settings, store, find_robot(settings, "byggesak-smatiltak"), inbox=inbox)
        (record,) = store.list_cases()
        assert record.state == "sent"
        letter = store.latest_letter(record.id)
        decision = store.latest_decision(record.id)
    assert letter is not None and letter.pdf_path is not None and decision is not None
    pdf = Path(letter.pdf_path)
    data = json.loads(record_path(pdf).read_text(encoding="utf-8"))
    assert data["schema"] == SCHEMA
    assert data["saksmappe"]["saksnummer"] == "BS-2026-000122"
    assert data["saksmappe"]["saksdato"] == "2026-01-09"
    document = data["dokumentbeskrivelse"]["dokumentobjekt"]
    assert document["referanseDokumentfil"] == pdf.name
    assert document["sjekksum"] == hashlib.sha256(pdf.read_bytes()).hexdigest() == letter.sha256
    assert document["filstoerrelse"] == pdf.stat().st_size
    parties = {p["korrespondanseparttype"]: p for p in data["journalpost"]["korrespondansepart"]}
    assert parties["Mottaker"]["korrespondansepartNavn"] == "Torbjørn Vik"
    assert data["journalpost"]["dokumentetsDato"]
    assert data["vedtak"]["utfall"] == record.outcome == "innvilget"
    assert data["vedtak"]["regelsett"] == {
        "id": decision.rule_set_id,
        "versjon": decision.rule_set_version,
        "hash": decision.rule_set_hash,
    }
