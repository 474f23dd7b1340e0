"""The SvarUt channel against a local server that checks every request against SvarUt's
published API description (demo/standins/svarut.py): the shipment SvarUt needs, once
per letter (its outbox key is the external reference), reconciled after a crash, and the
delivery status followed onto the case (by the kommune's follow-up, runner/followup.py)."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from demo.standins.serving import running
from demo.standins.svarut import SvarUtServer
from runner.channels.base import Delivery, Letter, Recipient
from runner.channels.configs import SvarUtChannelConfig
from runner.channels.svarut import SvarUtChannel, follow_deliveries, svarut_client
from runner.errors import ChannelError
from runner.followup import follow_up
from runner.kommuner.ks_settings import MaskinportenSettings
from runner.kommuner.settings import SvarUtSettings
from runner.models.robot import RobotDefinition
from runner.run import find_robot
from runner.settings import Settings
from runner.store import CaseState, Store, open_store
from tests.sources.helpers import run

DEMO_INBOX = Path(__file__).parents[2] / "demo" / "inbox" / "byggesak"
KARI = Recipient("Kari Nordmann", "01017012345", None, "Storgata 1", "5300", "Kleppestø")


@pytest.fixture
def server() -> Iterator[SvarUtServer]:
    state = SvarUtServer(uuid.uuid4(), uuid.uuid4(), "integrasjon-passord")
    with running(state):
        yield state


@pytest.fixture
def svarut(server: SvarUtServer, tmp_path: Path) -> SvarUtSettings:
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    (secrets / "passord").write_text(server.password + "\n")
    return SvarUtSettings(
        account_id=server.account,
        integration_id=server.integration_id,
        integration_password_file=secrets / "passord",
        api_url=server.base_url,
        accounting_code="BYGG-01",
    )


@pytest.fixture
def channel_for(
    maskinporten_settings: MaskinportenSettings,
) -> Callable[[SvarUtSettings], SvarUtChannel]:
    """The channel of an account, logging in with tokens from the local Maskinporten."""

    def channel(settings: SvarUtSettings) -> SvarUtChannel:
        return SvarUtChannel(lambda: svarut_client(settings, maskinporten_settings), settings)

    return channel


def letter(tmp_path: Path, key: str = "byggesak-smatiltak-1-v1") -> Letter:
    pdf = tmp_path / f"{key}.pdf"
    pdf.write_bytes(b"%PDF-1.7 vedtak")
    return Letter(key, pdf, "BS-1", recipient=KARI, title="Vedtak – Byggesak")


def test_a_letter_goes_out_as_the_shipment_svarut_describes(
    server: SvarUtServer,
    svarut: SvarUtSettings,
    tmp_path: Path,
    channel_for: Callable[[SvarUtSettings], SvarUtChannel],
) -> None:
    where = channel_for(svarut).send(letter(tmp_path))
    ((shipment_id, sent),) = server.shipments.items()
    assert where == f"svarut:{shipment_id}"
    shipment = sent["forsendelse"]
    assert shipment["mottaker"] == {"navn": "Kari Nordmann", "digitalId": "01017012345",
                                    "adresselinje1": "Storgata 1", "postnummer": "5300",
                                    "poststed": "Kleppestø"}  # fmt: skip
    assert shipment["tittel"] == "Vedtak – Byggesak"
    assert shipment["kunDigitalLevering"] is False  # may go on paper: the address is there
    assert shipment["eksternReferanse"] == "byggesak-smatiltak-1-v1"
    assert shipment["konteringskode"] == "BYGG-01"
    assert shipment["dokumenter"] == [{"filnavn": "BS-1.pdf", "mimeType": "application/pdf"}]
    assert sent["files"] == [b"%PDF-1.7 vedtak"]
    assert server.problems == []


def test_an_organisation_is_addressed_by_its_number(
    server: SvarUtServer,
    svarut: SvarUtSettings,
    tmp_path: Path,
    channel_for: Callable[[SvarUtSettings], SvarUtChannel],
) -> None:
    company = Recipient("Bygg AS", None, "974760673", "Kaien 2", "5300", "Kleppestø")
    base = letter(tmp_path)
    org_letter = Letter(base.key, base.pdf_path, base.reference, recipient=company)
    channel_for(svarut).send(org_letter)
    (sent,) = server.shipments.values()
    assert sent["forsendelse"]["mottaker"]["digitalId"] == "974760673"
    assert server.problems == []


def test_the_same_letter_again_is_not_a_second_shipment(
    server: SvarUtServer,
    svarut: SvarUtSettings,
    tmp_path: Path,
    channel_for: Callable[[SvarUtSettings], SvarUtChannel],
) -> None:
    channel = channel_for(svarut)
    assert channel.reconcile("byggesak-smatiltak-1-v1") is Delivery.not_delivered
    first = channel.send(letter(tmp_path))
    assert channel.reconcile("byggesak-smatiltak-1-v1") is Delivery.delivered
    assert channel.send(letter(tmp_path)) == first  # SvarUt knows it by its reference
    assert len(server.shipments) == 1
    assert server.problems == []


def test_a_letter_that_may_go_on_paper_needs_a_postal_address(
    server: SvarUtServer,
    svarut: SvarUtSettings,
    tmp_path: Path,
    channel_for: Callable[[SvarUtSettings], SvarUtChannel],
) -> None:
    base = letter(tmp_path)
    no_address = Letter(base.key, base.pdf_path, "BS-1", recipient=Recipient("Kari", "0101"))
    with pytest.raises(ChannelError, match="postadresse"):
        channel_for(svarut).send(no_address)
    digital = svarut.model_copy(update={"digital_only": True})
    channel_for(digital).send(no_address)
    (sent,) = server.shipments.values()
    assert sent["forsendelse"]["kunDigitalLevering"] is True


def test_the_server_refuses_what_the_description_does_not_allow(
    server: SvarUtServer,
    svarut: SvarUtSettings,
    tmp_path: Path,
    maskinporten_settings: MaskinportenSettings,
    channel_for: Callable[[SvarUtSettings], SvarUtChannel],
) -> None:
    """The stand-in can fail: a wrong login, an unknown field, a file out of step."""
    wrong = svarut.model_copy(update={"integration_password_file": tmp_path / "feil"})
    (tmp_path / "feil").write_text("feil-passord")
    with pytest.raises(ChannelError, match="innlogging"):
        channel_for(wrong).send(letter(tmp_path))
    with svarut_client(svarut, maskinporten_settings) as client:
        with pytest.raises(ChannelError, match="400"):
            client.send({"tittel": "x", "mottaker": {"navn": "Kari"}, "ukjent": 1}, [])
        with pytest.raises(ChannelError, match="400"):
            client.send(
                {"tittel": "x", "mottaker": {"navn": "Kari"},
                 "dokumenter": [{"filnavn": "a.pdf", "mimeType": "application/pdf"}]},
                [("b.pdf", b"%PDF-1.7", "application/pdf")],
            )  # fmt: skip
        with pytest.raises(ChannelError, match="400"):
            client.send({"mottaker": {"navn": "Kari"}}, [])  # tittel is required
    assert len(server.problems) == 4
    assert server.shipments == {}


# -- a robot's letters through SvarUt, end to end ----------------------------------------


@pytest.fixture
def svarut_settings(
    settings: Settings, svarut: SvarUtSettings, maskinporten_settings: MaskinportenSettings
) -> Settings:
    askoy = settings.kommune.model_copy(
        update={"svarut": svarut, "maskinporten": maskinporten_settings}
    )
    kommuner = {**settings.kommuner, askoy.kommunenummer: askoy}
    return settings.model_copy(update={"kommune": askoy, "kommuner": kommuner})


@pytest.fixture
def robot(svarut_settings: Settings) -> RobotDefinition:
    return find_robot(svarut_settings, "byggesak-smatiltak").model_copy(
        update={"channel": SvarUtChannelConfig(kind="svarut")}
    )


@pytest.fixture
def store(svarut_settings: Settings) -> Store:
    return open_store(svarut_settings.database_url)


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    for name in sorted(p.name for p in DEMO_INBOX.glob("*.json"))[:4]:
        shutil.copy(DEMO_INBOX / name, folder / name)
    return folder


def test_a_robots_letters_go_through_svarut_and_their_status_is_followed(
    server: SvarUtServer,
    svarut_settings: Settings,
    store: Store,
    robot: RobotDefinition,
    inbox: Path,
    channel_for: Callable[[SvarUtSettings], SvarUtChannel],
) -> None:
    reports = run(svarut_settings, store, robot, inbox)
    follow_up(svarut_settings, store, {robot.id: robot}, holder="test")  # as `saksrobot run`
    sent = [r for r in reports.values() if r.state == CaseState.sent]
    assert sent, "the demo's clear-cut cases are finalised and sent"
    assert len(server.shipments) == len(sent)
    assert server.problems == []
    by_reference = {s["forsendelse"]["eksternReferanse"]: i for i, s in server.shipments.items()}
    first, second = sent[0], sent[-1]
    (row,) = store.outbox_for_case(first.case_id)
    assert row.key in by_reference and row.channel == "svarut"
    # the first was read; the second could not be delivered: a human takes it
    server.set_status(by_reference[row.key], "LEST")
    if second is not first:
        (other,) = store.outbox_for_case(second.case_id)
        server.set_status(by_reference[other.key], "IKKE_LEVERT")
    run(svarut_settings, store, robot, inbox)
    (report,) = follow_up(svarut_settings, store, {robot.id: robot}, holder="test")
    assert report.statuses == (2 if second is not first else 1)  # SvarUt asked how they fare
    statuses = [e.data["status"] for e in store.events(first.case_id) if e.kind == "letter_status"]
    assert statuses == ["MOTTATT", "LEST"]  # the first run saw it taken in
    assert store.get_case(first.case_id).state == CaseState.sent
    if second is not first:
        parked = store.get_case(second.case_id)
        assert parked.state == CaseState.parked
        assert parked.last_error is not None and "IKKE_LEVERT" in parked.last_error
    assert len(server.shipments) == len(sent)  # nothing sent twice
    askoy = svarut_settings.kommune
    assert askoy.svarut is not None
    assert follow_deliveries(svarut_settings, store, channel_for(askoy.svarut), askoy) == 0


def test_a_crash_between_send_and_commit_sends_nothing_twice(
    server: SvarUtServer,
    svarut_settings: Settings,
    store: Store,
    robot: RobotDefinition,
    inbox: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Crash(BaseException):
        """The process dies."""

    sent_for_real = SvarUtChannel.send

    def send_then_die(channel: SvarUtChannel, letter: Letter) -> str:
        sent_for_real(channel, letter)
        raise Crash  # SvarUt has the letter; the outbox row is still "sending"

    monkeypatch.setattr(SvarUtChannel, "send", send_then_die)
    with pytest.raises(Crash):
        run(svarut_settings, store, robot, inbox)
    assert len(server.shipments) == 1
    (sending,) = store.outbox("sending")
    monkeypatch.setattr(SvarUtChannel, "send", sent_for_real)
    reports = run(svarut_settings, store, robot, inbox)  # resumed: reconciled with SvarUt
    assert store.outbox("sending") == []
    row = next(r for r in store.outbox("sent") if r.key == sending.key)
    assert row.state == "sent"
    sent = [r for r in reports.values() if r.state == CaseState.sent]
    references = [s["forsendelse"]["eksternReferanse"] for s in server.shipments.values()]
    assert len(references) == len(set(references))  # one shipment per letter
    assert sending.key in references
    assert server.problems == []
    assert sent
