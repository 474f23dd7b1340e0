"""The quarantine pages in Norwegian, bokmål and nynorsk: no English word or code left."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from runner.store import CaseState, Store
from tests.web.conftest import HOME, login
from tests.web.test_words import _nynorsk, _text

#: English words and codes these pages used to show (or could): none may be read there.
ENGLISH = re.compile(
    r"\b(bytes|folder|source|quarantined?|errors?|raw|file|field|handled|note|received)\b",
    re.IGNORECASE,
)


RAW = re.compile(r'<pre class="raw".*?</pre>', re.S)


def _pages(client: TestClient, store: Store) -> tuple[str, str]:
    """The list's and the item's words (not the item's content as it came in: data)."""
    (case,) = store.list_cases(state=CaseState.quarantined, kommunenummer=HOME, limit=50)
    item = RAW.sub("", client.get(f"/karantene/{case.id}").text)
    return _text(client.get("/karantene").text), _text(item)


def test_quarantine_pages_have_no_english_in_either_malform(
    client: TestClient, web_store: Store
) -> None:
    csrf = login(client, "kari")
    listing, item = _pages(client, web_store)
    for seen in (listing, item):
        assert not ENGLISH.findall(seen), ENGLISH.findall(seen)
    assert "Feil i innsendt sak" in item and "saksfil" in item and " byte " in item
    assert "Merk som håndtert" in item and "Innholdet slik det kom inn" in item
    _nynorsk(client, csrf)
    listing, item = _pages(client, web_store)
    for seen in (listing, item):
        assert not ENGLISH.findall(seen), ENGLISH.findall(seen)
    assert "Feil i innsend sak" in item and "Merk som handtert" in item
    assert "Innhaldet slik det kom inn" in item and " byte " in item


def test_quarantine_errors_are_norwegian_in_either_malform(
    client: TestClient, web_store: Store
) -> None:
    csrf = login(client, "kari")
    waiting = web_store.list_cases(state=CaseState.pending_review, limit=1)[0]
    (quarantined,) = web_store.list_cases(state=CaseState.quarantined, kommunenummer=HOME, limit=50)
    not_there = _text(client.get(f"/karantene/{waiting.id}").text)
    assert f"Sak {waiting.id} er ikke i karantene" in not_there
    assert "Åpne saken fra karantenelisten." in not_there
    too_long = client.post(
        f"/karantene/{quarantined.id}/handtert", data={"csrf": csrf, "note": "x" * 2001}
    )
    assert too_long.status_code == 400
    assert "Merknaden mangler eller er for lang" in _text(too_long.text)
    _nynorsk(client, csrf)
    not_there = _text(client.get(f"/karantene/{waiting.id}").text)
    assert f"Sak {waiting.id} er ikkje i karantene" in not_there
    assert "Opne saka frå karantenelista." in not_there
    assert not ENGLISH.findall(not_there), ENGLISH.findall(not_there)
