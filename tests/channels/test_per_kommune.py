"""In a deployment serving several kommuner, each case's letter leaves through its own
kommune's channel: its own SvarUt account (two local SvarUt servers, demo/standins/svarut.py,
logging in through the local Maskinporten), followed up from that account; a kommune without
the account parks its case instead of borrowing another's; an e-mail names the case's kommune
in its målform (aiosmtpd on loopback)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from demo.standins.serving import running
from demo.standins.svarut import SvarUtServer
from runner.channels.base import Letter
from runner.channels.configs import SmtpChannelConfig, SvarUtChannelConfig
from runner.channels.svarut import SvarUtChannel
from runner.errors import ChannelAccountError
from runner.followup import follow_up
from runner.kommuner.ks_settings import MaskinportenSettings
from runner.kommuner.settings import KommuneSettings, SvarUtSettings
from runner.models.robot import RobotDefinition
from runner.run import find_robot
from runner.settings import Settings
from runner.steps.failures import RetryPolicy, with_retry
from runner.store import CaseState, Store, open_store
from tests.mailservers import SmtpServer
from tests.sources.helpers import run

DEMO_INBOX = Path(__file__).parents[2] / "demo" / "inbox" / "byggesak"
ASKOY, BERGEN = "4627", "4601"
#: Two clear-cut byggesaker of each kommune: Bergen's are two of Askøy's demo cases moved
#: to Bergen (its kommunenummer and a reference of its own), checked against the same map
#: data (the demo's, synthetic), so they too are decided without a caseworker.
CASES = {
    "BS-2026-000122": ASKOY,
    "BS-2026-000155": ASKOY,
    "BG-2026-000161": BERGEN,
    "BG-2026-000224": BERGEN,
}


def _server() -> SvarUtServer:
    return SvarUtServer(uuid.uuid4(), uuid.uuid4(), f"passord-{uuid.uuid4().hex[:8]}")


@pytest.fixture
def askoy_server() -> Iterator[SvarUtServer]:
    with running(state := _server()):
        yield state


@pytest.fixture
def bergen_server() -> Iterator[SvarUtServer]:
    with running(state := _server()):
        yield state


def _account(server: SvarUtServer, folder: Path) -> SvarUtSettings:
    folder.mkdir(parents=True)
    (folder / "passord").write_text(server.password + "\n")
    return SvarUtSettings(
        account_id=server.account,
        integration_id=server.integration_id,
        integration_password_file=folder / "passord",
        api_url=server.base_url,
    )


def _served(settings: Settings, askoy: KommuneSettings, bergen: KommuneSettings) -> Settings:
    """The demo deployment (Askøy its default kommune) with these two kommuner's settings."""
    return settings.model_copy(
        update={"kommune": askoy, "kommuner": {**settings.kommuner, ASKOY: askoy, BERGEN: bergen}}
    )


def _with(
    settings: Settings,
    number: str,
    account: SvarUtSettings | None = None,
    login: MaskinportenSettings | None = None,
) -> KommuneSettings:
    """The kommune with this SvarUt account (and Maskinporten client) and the demo's map data."""
    kommune = settings.kommune_for(number)
    update = {"svarut": account, "maskinporten": login, "map_data": settings.kommune.map_data}
    return kommune.model_copy(update=update)


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    for reference, kommune in CASES.items():
        case = json.loads((DEMO_INBOX / f"BS{reference[2:]}.json").read_text(encoding="utf-8"))
        case |= {"reference": reference, "kommunenummer": kommune}
        (folder / f"{reference}.json").write_text(json.dumps(case), encoding="utf-8")
    return folder


def _svarut_robot(settings: Settings) -> RobotDefinition:
    return find_robot(settings, "byggesak-smatiltak").model_copy(
        update={"channel": SvarUtChannelConfig(kind="svarut")}
    )


def _references(server: SvarUtServer) -> dict[str, uuid.UUID]:
    """The outbox keys of the server's shipments → their ids."""
    return {s["forsendelse"]["eksternReferanse"]: i for i, s in server.shipments.items()}


def _keys(store: Store, reference: str) -> list[str]:
    return [row.key for row in store.outbox_for_case(store.find_case(reference).id)]


def test_each_kommunes_letters_go_and_are_followed_through_its_own_svarut_account(
    settings: Settings,
    askoy_server: SvarUtServer,
    bergen_server: SvarUtServer,
    maskinporten_settings: MaskinportenSettings,
    inbox: Path,
    tmp_path: Path,
) -> None:
    served = _served(
        settings,
        _with(settings, ASKOY, _account(askoy_server, tmp_path / "a"), maskinporten_settings),
        _with(settings, BERGEN, _account(bergen_server, tmp_path / "b"), maskinporten_settings),
    )
    robot = _svarut_robot(served)
    store = open_store(served.database_url)
    reports = run(served, store, robot, inbox)
    assert {r.source_ref: r.state for r in reports.values()} == {
        f"{reference}.json": CaseState.sent for reference in CASES
    }
    for server, kommune in ((askoy_server, ASKOY), (bergen_server, BERGEN)):
        mine = {key for ref, k in CASES.items() if k == kommune for key in _keys(store, ref)}
        assert set(_references(server)) == mine  # its own kommune's letters, and only those
        assert server.problems == []

    # Bergen's account says its first letter was refused: that case alone is parked
    refused = _keys(store, "BG-2026-000161")[0]
    bergen_server.set_status(_references(bergen_server)[refused], "AVVIST")
    reports_by_kommune = {
        r.kommunenummer: r for r in follow_up(served, store, {robot.id: robot}, holder="test")
    }
    assert set(reports_by_kommune) == {ASKOY, BERGEN}
    assert reports_by_kommune[ASKOY].statuses == 2  # MOTTATT for each, from Askøy's account
    assert reports_by_kommune[BERGEN].statuses == 2
    parked = store.find_case("BG-2026-000161")
    assert parked.state == CaseState.parked and "AVVIST" in (parked.last_error or "")
    for reference in ("BS-2026-000122", "BS-2026-000155", "BG-2026-000224"):
        case = store.find_case(reference)
        assert case.state == CaseState.sent
        (status,) = [e.data["status"] for e in store.events(case.id) if e.kind == "letter_status"]
        assert status == "MOTTATT"
    assert askoy_server.problems == [] and bergen_server.problems == []


def test_a_kommune_without_svarut_parks_its_cases_and_borrows_no_other_account(
    settings: Settings,
    askoy_server: SvarUtServer,
    maskinporten_settings: MaskinportenSettings,
    inbox: Path,
    tmp_path: Path,
) -> None:
    served = _served(
        settings,
        _with(settings, ASKOY, _account(askoy_server, tmp_path / "a"), maskinporten_settings),
        _with(settings, BERGEN),  # no [svarut]
    )
    robot = _svarut_robot(served)
    store = open_store(served.database_url)
    run(served, store, robot, inbox)
    askoy_keys = {key for ref, k in CASES.items() if k == ASKOY for key in _keys(store, ref)}
    assert set(_references(askoy_server)) == askoy_keys  # no Bergen letter through Askøy's
    for reference in ("BG-2026-000161", "BG-2026-000224"):
        case = store.find_case(reference)
        assert case.state == CaseState.parked
        reason = case.last_error or ""
        assert "Bergen kommune (4601) har ingen [svarut]" in reason
        assert "Legg [svarut]" in reason and "kommune 4601" in reason
        assert [row.state for row in store.outbox_for_case(case.id)] == ["pending"]
    (report,) = follow_up(served, store, {robot.id: robot}, holder="test")
    assert report.kommunenummer == ASKOY  # Bergen has no account to follow


def test_a_missing_account_is_not_retried() -> None:
    tries: list[int] = []

    def build() -> None:
        tries.append(1)
        raise ChannelAccountError("Bergen kommune (4601) har ingen [svarut]", fix="Legg [svarut]")

    with pytest.raises(ChannelAccountError):
        with_retry(RetryPolicy(attempts=3, first_delay=0.0), build)
    assert tries == [1]  # retrying cannot give the kommune an account: parked at once


def test_an_email_names_the_cases_kommune_in_its_malform(
    settings: Settings, smtp_server: SmtpServer, inbox: Path
) -> None:
    served = _served(settings, _with(settings, ASKOY), _with(settings, BERGEN)).model_copy(
        update={"smtp": smtp_server.settings("post@saksrobot.no")}
    )
    robot = find_robot(served, "byggesak-smatiltak").model_copy(
        update={"channel": SmtpChannelConfig(kind="smtp")}
    )
    store = open_store(served.database_url)
    run(served, store, robot, inbox)
    texts = [
        part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
        for message in smtp_server.handler.messages
        for part in message.walk()
        if part.get_content_type() == "text/plain"
    ]
    bodies = {reference: text for text in texts for reference in CASES if reference in text}
    assert set(bodies) == set(CASES)
    for reference, kommune in CASES.items():
        if kommune == ASKOY:
            assert f"sak {reference} fra Askøy kommune" in bodies[reference]
        else:
            assert f"sak {reference} frå Bergen kommune" in bodies[reference]


def test_a_letter_cut_short_is_reconciled_with_its_own_kommunes_account(
    settings: Settings,
    askoy_server: SvarUtServer,
    bergen_server: SvarUtServer,
    maskinporten_settings: MaskinportenSettings,
    inbox: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Crash(BaseException):
        """The process dies."""

    served = _served(
        settings,
        _with(settings, ASKOY, _account(askoy_server, tmp_path / "a"), maskinporten_settings),
        _with(settings, BERGEN, _account(bergen_server, tmp_path / "b"), maskinporten_settings),
    )
    robot = _svarut_robot(served)
    store = open_store(served.database_url)
    sent_for_real = SvarUtChannel.send

    def send_then_die(channel: SvarUtChannel, letter: Letter) -> str:
        sent_for_real(channel, letter)
        raise Crash  # SvarUt has the letter; the outbox row is still "sending"

    monkeypatch.setattr(SvarUtChannel, "send", send_then_die)
    with pytest.raises(Crash):
        run(served, store, robot, inbox)  # Bergen's first case (BG- before BS-)
    (sending,) = store.outbox("sending")
    assert set(_references(bergen_server)) == {sending.key} and askoy_server.shipments == {}
    monkeypatch.setattr(SvarUtChannel, "send", sent_for_real)
    run(served, store, robot, inbox)  # resumed: asked of Bergen's account, which has it
    assert store.outbox("sending") == []
    (reconciled,) = [row for row in store.outbox("sent") if row.key == sending.key]
    assert reconciled.attempts == 1  # found delivered, not handed to a channel again
    for server, kommune in ((askoy_server, ASKOY), (bergen_server, BERGEN)):
        mine = {key for ref, k in CASES.items() if k == kommune for key in _keys(store, ref)}
        assert sorted(_references(server)) == sorted(mine)  # each once, at its own account
        assert len(server.shipments) == 2 and server.problems == []
