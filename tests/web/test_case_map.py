"""The case page's map: a server-rendered SVG of the footprint and the kommune's map data,
with a legend naming each dataset and its date; no script, no external tiles."""

from __future__ import annotations

from fastapi.testclient import TestClient

from runner.store import Store
from tests.web.conftest import HOME, login


def _case_id(store: Store, reference: str) -> int:
    cases = store.list_cases(kommunenummer=HOME, limit=500)
    return next(c.id for c in cases if c.reference == reference)


def test_a_garage_in_the_flood_zone_shows_on_the_map_with_the_datasets_named(
    client: TestClient, web_store: Store
) -> None:
    login(client, "kari")
    page = client.get(f"/saker/{_case_id(web_store, 'BS-2026-000141')}").text
    start = page.index("<svg")
    svg = page[start : page.index("</svg>", start)]
    assert 'role="img"' in svg and "<title" in svg
    assert "Flomsoner (demo), datert 2026-06-01" in svg
    assert "Eiendomsgrenser, matrikkel (demo), datert 2026-06-01" in svg
    assert "Tiltaket (fotavtrykk)" in svg
    assert "#9ec9f0" in svg  # the flood zone is drawn around the footprint
    assert (
        "<script" not in svg
        and "href" not in svg
        and "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
    )
