"""Norwegian words everywhere a caseworker reads (issue "The caseworker decides, the robot
assists"): states, events, roles and outcomes in bokmål and nynorsk, reasons with their
result, the deadline named with its legal basis, reads collapsed in the history, sent
letters called sent, kommuner by name, a skip link to the actions."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient

from runner.store import CaseRecord, CaseState, Store
from tests.web.conftest import HOME, answer_points, login, send_confirmed

TAGS = re.compile(r"<[^>]+>")


def _text(page: str) -> str:
    """What a reader sees: the page without tags (attribute values such as form codes go)."""
    return html.unescape(TAGS.sub(" ", page))


def _waiting(store: Store, *, with_letter: bool = True) -> CaseRecord:
    for case in store.list_cases(state=CaseState.pending_review, kommunenummer=HOME, limit=500):
        if (store.latest_letter(case.id) is not None) == with_letter and case.reasons:
            return case
    raise AssertionError("no waiting case of that kind in the demo store")


def _nynorsk(client: TestClient, csrf: str) -> None:
    response = client.post("/malform", data={"csrf": csrf, "malform": "nn", "neste": "/saker"})
    assert response.status_code == 303


def test_case_page_speaks_norwegian_in_both_malformer(client: TestClient, web_store: Store) -> None:
    csrf = login(client, "kari")
    case = _waiting(web_store)
    bokmal = client.get(f"/saker/{case.id}").text
    seen = _text(bokmal)
    assert "Venter på saksbehandler" in seen and "pending_review" not in seen
    assert "(saksbehandler)" in seen and "(caseworker)" not in seen
    assert "Vurdert etter reglene" in seen and "evaluated" not in seen
    assert "Ikke søknadspliktig" in seen or case.outcome == "ikke_soknadspliktig"
    assert "ikke_soknadspliktig" not in seen and "mangler_dokumentasjon" not in seen
    # The outcome choice shows words; the form still sends the code.
    assert re.search(r'<option value="innvilget">Innvilget</option>', bokmal) or (
        case.outcome == "innvilget"
    )
    assert "Askøy kommune (4627)" in seen

    _nynorsk(client, csrf)
    nynorsk = _text(client.get(f"/saker/{case.id}").text)
    assert "Ventar på sakshandsamar" in nynorsk and "(sakshandsamar)" in nynorsk
    assert "Vurdert etter reglane" in nynorsk and "Sakshandsamingsfrist" in nynorsk


def test_the_deadline_is_named_with_its_legal_basis(client: TestClient, web_store: Store) -> None:
    login(client, "kari")
    for urgent, basis in ((True, "pbl. § 21-7 andre ledd"), (False, "pbl. § 21-7 første ledd")):
        case = next(
            c
            for c in web_store.list_cases(state=CaseState.pending_review, kommunenummer=HOME)
            if c.urgent is urgent and c.deadline is not None
        )
        assert case.deadline is not None
        seen = " ".join(_text(client.get(f"/saker/{case.id}").text).split())
        assert f"Saksbehandlingsfrist ( {basis} ): {case.deadline:%d.%m.%Y}" in seen


def test_reads_are_recorded_but_collapsed_in_the_history(
    client: TestClient, web_store: Store
) -> None:
    login(client, "kari")
    case = _waiting(web_store)
    for _ in range(5):
        page = client.get(f"/saker/{case.id}").text
    reads = [e for e in web_store.events(case.id) if e.kind == "viewed"]
    assert len(reads) == 5 and {e.actor for e in reads} == {"kari"}  # still audited
    history = page[page.index('id="hist-h"') :]
    rows = history[: history.index("</table>")]
    assert "Lest" not in rows and "viewed" not in rows  # the list shows actions only
    assert rows.count("<tr>") == len(web_store.events(case.id)) - 5 + 1  # + the header row
    summary = _text(history[history.index('id="reads"') :])
    assert re.search(r"Lest 5 ganger, sist \d\d\.\d\d\.\d{4} \d\d:\d\d av kari", summary)


def test_queue_reasons_show_their_result_and_the_badges_are_explained(
    client: TestClient, web_store: Store
) -> None:
    csrf = login(client, "kari")
    page = client.get("/saker").text
    seen = " ".join(_text(page).split())
    assert re.search(r"er vedlagt: (ikke oppfylt|uavklart)", seen), seen[:2000]
    queue = page[page.index('<table class="queue"') :]
    for reasons in re.findall(r'data-label="Grunner">(.*?)</td>', queue):
        if reasons != "–":
            assert reasons.count("<li>") == reasons.count('class="badge ')
    start = page.index('id="legend-h"')
    legend = _text(page[start : page.index("</section>", start)])
    assert "Haster" in legend and "kortere frist" in legend
    assert "Fristen er passert" in legend and "saksbehandlingsfristen" in legend
    # Kommuner by name, with their number.
    assert "Askøy kommune (4627)" in _text(queue)
    assert ">4627</td>" not in queue
    _nynorsk(client, csrf)
    nynorsk = " ".join(_text(client.get("/saker").text).split())
    assert "Hastar" in nynorsk and "kortare frist" in nynorsk
    assert re.search(r": (ikkje oppfylt|uavklart) ", nynorsk)


def test_outbox_calls_sent_letters_sent(client: TestClient, web_store: Store) -> None:
    csrf = login(client, "leder")
    case = _waiting(web_store)
    letter = web_store.latest_letter(case.id)
    assert letter is not None
    answer_points(client, web_store, case.id, csrf)
    assert send_confirmed(client, web_store, case.id, csrf).status_code == 303
    seen = _text(client.get("/utboks").text)
    assert "Sendt brev" in seen and "Utkast til brev" not in seen
    assert web_store.get_case(case.id).state == CaseState.sent
    letter_heading = client.get(f"/saker/{case.id}").text
    assert '<h2 id="letter-h">Sendt brev</h2>' in letter_heading
    assert "Sendt" in seen and "Mappe (arkiv)" in seen and " folder " not in seen


def test_roles_on_the_users_page_are_words(client: TestClient) -> None:
    login(client, "admin")
    page = client.get("/brukere").text
    seen = _text(page)
    assert "Saksbehandler" in seen and "Fagleder" in seen and "Driftsadministrator" in seen
    assert "caseworker" not in seen and "deployment_admin" not in seen
    assert '<option value="caseworker">Saksbehandler</option>' in page


def test_the_skip_link_to_the_actions_comes_first(client: TestClient, web_store: Store) -> None:
    login(client, "kari")
    case = _waiting(web_store)
    page = client.get(f"/saker/{case.id}").text
    body = page[page.index("<body>") :]
    first = re.search(r"<(a|button|input|select|textarea)\b[^>]*>", body)
    assert first is not None and 'href="#actions"' in first.group(0)
    assert 'id="actions" tabindex="-1"' in page
