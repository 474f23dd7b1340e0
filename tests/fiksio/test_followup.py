"""The follow-up reads a kommune's Fiks IO account when no robot does (real RabbitMQ): a
byggesak robot reading a drop folder files its decisions over Fiks Arkiv, and the archive's
receipt and error answers reach their cases; any other message on the account is quarantined
for the kommune with the reason and its body kept; the queue is emptied only of what is on
record."""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pika
import pytest

from demo.standins.fiks_io import Account, FiksIoServer, client_for
from demo.standins.keys import make_key_pair
from runner.fiksarkiv.arkivmelding import ARKIVMELDING_TYPE
from runner.fiksio.asice import ContainerFile
from runner.fiksio.client import OutgoingMessage
from runner.fiksio.message import client_message_id
from runner.followup import after_run, follow_up, reads_answers
from runner.kommuner.settings import FiksArkivSettings
from runner.ks.keys import KeyPair
from runner.models.robot import RobotDefinition, load_robots
from runner.run import find_robot
from runner.settings import Settings
from runner.store import CaseState, Store, open_store
from runner.store.engine import transaction
from runner.web import queries
from tests.fiksio.conftest import receiver_for
from tests.fiksio.test_archive import INVALID_REQUEST, RECEIPT, answer
from tests.fiksio.test_robot import (  # noqa: F401 (fixtures)
    application,
    fiks_settings,
    publish,
)
from tests.fiksio.test_robot import robot as fiks_io_robot  # noqa: F401 (fixture)
from tests.sources.helpers import run

pytestmark = pytest.mark.rabbitmq

DEMO_INBOX = Path(__file__).parents[2] / "demo" / "inbox" / "byggesak"
ASKOY = "4627"


@pytest.fixture(scope="module")
def archive_keys() -> KeyPair:
    return make_key_pair("Arkiv")


@pytest.fixture
def archive(amqp_url: str, archive_keys: KeyPair, fiks_io: FiksIoServer) -> Iterator[Account]:
    account = Account(uuid.uuid4(), archive_keys)
    fiks_io.certificates[account.id] = archive_keys.certificate
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    channel = connection.channel()
    channel.queue_declare(account.queue)
    try:
        yield account
    finally:
        channel.queue_delete(account.queue)
        connection.close()


@pytest.fixture
def archive_settings(fiks_settings: Settings, archive: Account) -> Settings:  # noqa: F811
    """Askøy files its decisions over Fiks Arkiv; its byggesaker come by drop folder."""
    askoy = fiks_settings.kommune.model_copy(
        update={"fiks_arkiv": FiksArkivSettings(account=archive.id)}
    )
    kommuner = {**fiks_settings.kommuner, askoy.kommunenummer: askoy}
    return fiks_settings.model_copy(update={"kommune": askoy, "kommuner": kommuner})


@pytest.fixture
def store(archive_settings: Settings) -> Iterator[Store]:
    with open_store(archive_settings.database_url) as opened:
        yield opened


@pytest.fixture
def folder_robot(archive_settings: Settings) -> RobotDefinition:
    """The shipped byggesak robot: a drop folder in, letters to the outbox folder."""
    robot = find_robot(archive_settings, "byggesak-smatiltak")
    assert robot.source.kind == "folder"
    return robot


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    askoy = [
        path
        for path in sorted(DEMO_INBOX.glob("*.json"))
        if json.loads(path.read_text("utf-8"))["kommunenummer"] == ASKOY
    ]
    for path in askoy[:12]:
        shutil.copy(path, folder / path.name)
    return folder


def test_a_folder_robots_archive_answers_reach_their_cases(
    archive_settings: Settings,
    store: Store,
    folder_robot: RobotDefinition,
    inbox: Path,
    amqp_url: str,
    fiks_io: FiksIoServer,
    accounts: tuple[Account, Account],
    archive: Account,
) -> None:
    kommune, _ = accounts
    reports = run(archive_settings, store, folder_robot, inbox)
    sent = sorted(r.case_id for r in reports.values() if r.state == CaseState.sent)
    assert len(sent) >= 2, "the demo's clear-cut Askøy cases are finalised and sent"
    case_of = {
        e.data["archive_message"]: case_id
        for case_id in sent
        for e in store.events(case_id)
        if e.kind == "sent"
    }
    filed = {}
    for delivery in receiver_for(amqp_url, archive).messages():
        assert delivery.metadata is not None
        assert delivery.metadata.message_type == ARKIVMELDING_TYPE
        filed[case_of[str(delivery.metadata.message_id)]] = delivery.metadata.message_id
    assert sorted(filed) == sent  # every sent decision went to the archive
    first, second = sent[0], sent[1]
    receipt = ContainerFile("arkivmelding-kvittering.xml", RECEIPT.encode(), "application/xml")
    answer(fiks_io, archive, kommune, filed[first], f"{ARKIVMELDING_TYPE}.mottatt")
    answer(fiks_io, archive, kommune, filed[first], f"{ARKIVMELDING_TYPE}.kvittering", (receipt,))
    error = ContainerFile("feilmelding.xml", INVALID_REQUEST.encode(), "application/xml")
    answer(fiks_io, archive, kommune, filed[second],
           "no.ks.fiks.arkiv.v1.feilmelding.ugyldigforespoersel", (error,))  # fmt: skip
    assert receiver_for(amqp_url, kommune).waiting() == 3

    (report,) = after_run(archive_settings, store)  # what `saksrobot run` does after its robots
    assert (report.kommunenummer, report.answers, report.refused) == (ASKOY, 3, 0)
    assert report.problems == []
    assert receiver_for(amqp_url, kommune).waiting() == 0
    kinds = [e.kind for e in store.events(first)]
    assert kinds[-2:] == ["archive_received", "archive_filed"]
    filed_event = store.events(first)[-1]
    assert filed_event.data["ids"]["saksnummer"] == "2026/1234"
    assert store.get_case(first).state == CaseState.sent
    parked = store.get_case(second)
    assert parked.state == CaseState.parked
    assert parked.last_error is not None and "Arkivdelen BYGG finnes ikke" in parked.last_error
    assert after_run(archive_settings, store)[0].answers == 0  # nothing left, nothing twice


def test_another_message_on_the_account_is_quarantined_for_the_kommune_and_kept(
    archive_settings: Settings,
    store: Store,
    amqp_url: str,
    fiks_io: FiksIoServer,
    accounts: tuple[Account, Account],
) -> None:
    kommune, portal = accounts
    with client_for(fiks_io, portal) as client:
        typed = client.send(OutgoingMessage(kommune.id, "no.ks.fiks.annet.v1", application(),
                                            client_message_id("C")))  # fmt: skip
    garbage = publish(amqp_url, kommune.queue, b"\x00ikke en melding", portal)

    (report,) = after_run(archive_settings, store)
    assert (report.answers, report.refused, report.problems) == (0, 2, [])
    assert receiver_for(amqp_url, kommune).waiting() == 0  # each on record, then acknowledged
    with transaction(store.engine, write=False) as conn:
        rows = queries.quarantine(conn, queries.kommune_scope([ASKOY], archive_settings.served))
    by_ref = {row.source_ref: row for row in rows}
    assert set(by_ref) == {f"fiksio:{typed.meldingId}", f"fiksio:{garbage}"}
    assert all(row.kommunenummer == ASKOY for row in rows)  # Askøy's caseworkers see them
    (typed_problem,) = by_ref[f"fiksio:{typed.meldingId}"].errors
    assert "meldingstypen no.ks.fiks.annet.v1" in typed_problem["reason"]
    assert str(kommune.id) in typed_problem["reason"]
    assert "source: {kind: fiksio" in typed_problem["fix"]
    assert typed_problem["text"] == "fiksio_foreign_type"  # shown in the reader's målform
    assert "kan ikke åpnes" in by_ref[f"fiksio:{garbage}"].errors[0]["reason"]
    refused = archive_settings.data_dir / "fiksio" / "refused"
    assert (refused / f"{garbage}.cms").read_bytes() == b"\x00ikke en melding"
    assert (refused / f"{typed.meldingId}.cms").stat().st_size > 0  # the encrypted body
    assert after_run(archive_settings, store)[0].refused == 0


def test_a_robot_reading_the_account_takes_the_answers_itself(
    archive_settings: Settings,
    store: Store,
    fiks_io_robot: RobotDefinition,  # noqa: F811
    folder_robot: RobotDefinition,
    amqp_url: str,
    fiks_io: FiksIoServer,
    accounts: tuple[Account, Account],
) -> None:
    kommune, portal = accounts
    askoy = archive_settings.kommune
    assert reads_answers(archive_settings, {folder_robot.id: folder_robot}, askoy)
    reader = fiks_io_robot.model_copy(update={"id": "byggesak-fiksio"})
    robots = {folder_robot.id: folder_robot, reader.id: reader}
    assert not reads_answers(archive_settings, robots, askoy)
    with client_for(fiks_io, portal) as client:
        client.send(OutgoingMessage(kommune.id, "no.ks.fiks.annet.v1", application(),
                                    client_message_id("D")))  # fmt: skip
    assert follow_up(archive_settings, store, robots, holder="test") == []
    assert receiver_for(amqp_url, kommune).waiting() == 1  # left to the robot's source
    assert store.list_cases() == []


def test_an_account_out_of_reach_is_told_and_tried_again(
    archive_settings: Settings, store: Store
) -> None:
    askoy = archive_settings.kommune
    assert askoy.fiks_io is not None
    away = askoy.fiks_io.model_copy(update={"amqp_url": "amqp://guest:guest@127.0.0.1:1/%2F"})
    askoy = askoy.model_copy(update={"fiks_io": away})
    settings = archive_settings.model_copy(
        update={"kommune": askoy, "kommuner": {**archive_settings.kommuner, ASKOY: askoy}}
    )
    robots = load_robots(settings.content_dir / "robots")
    (report,) = follow_up(settings, store, robots, holder="test")
    assert len(report.problems) == 1 and "kan ikke nås" in report.problems[0]
    (again,) = follow_up(settings, store, robots, holder="test")  # the next round tries again
    assert again.problems
