"""A building application over Fiks IO end to end: it arrives encrypted on the real RabbitMQ
queue, becomes a case, is decided, and its letter goes back over Fiks IO exactly once."""

from __future__ import annotations

import io
import random
import uuid
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pika
import pytest

from demo.dibk_form import application_xml
from demo.standins.fiks_io import Account, FiksIoServer, client_for
from demo.standins.keys import write_key_pair
from demo.synthetic import byggesak_case
from runner.channels.configs import FiksIoChannelConfig
from runner.channels.fiksio import FiksIoChannel
from runner.fiksio.asice import ContainerFile, build_container
from runner.fiksio.client import OutgoingMessage
from runner.fiksio.crypto import encrypt_payload
from runner.fiksio.message import client_message_id
from runner.kommuner.ks_settings import MaskinportenSettings
from runner.kommuner.settings import FiksIoSettings
from runner.models.robot import RobotDefinition
from runner.run import find_robot
from runner.settings import Settings
from runner.sources.configs import FiksIoSourceConfig
from runner.store import CaseState, Store, open_store
from runner.web.actions import Reviewer, letter_digest
from tests.fiksio.conftest import receiver_for
from tests.sources.helpers import run

pytestmark = pytest.mark.rabbitmq

APPLICATION_TYPE = "no.ks.fiks.byggesoknad.tiltakutenansvarsrett.v3"
LETTER_TYPE = "no.ks.fiks.byggesak.vedtak.v1"
RECEIVED = datetime(2026, 9, 21, 12, 0, tzinfo=UTC)


class Crash(BaseException):
    """The process dies (nothing below catches a BaseException that is not an Exception)."""


@pytest.fixture
def fiks_settings(
    settings: Settings,
    tmp_path: Path,
    amqp_url: str,
    fiks_io: FiksIoServer,
    accounts: tuple[Account, Account],
    maskinporten_settings: MaskinportenSettings,
) -> Settings:
    """The demo settings with Askøy's Fiks IO account (logging in with tokens from the local
    Maskinporten); letters answer the application."""
    kommune, _ = accounts
    secrets = tmp_path / "secrets"
    key_path, cert_path = write_key_pair(kommune.keys, secrets, "askoy")
    (secrets / "integrasjonspassord").write_text(fiks_io.password + "\n")
    account = FiksIoSettings(
        account_id=kommune.id,
        integration_id=fiks_io.integration_id,
        private_key=key_path,
        certificate=cert_path,
        integration_password_file=secrets / "integrasjonspassord",
        api_url=fiks_io.base_url,
        amqp_url=amqp_url,
        letter_receiver=None,  # every case here came over Fiks IO: its letter answers it
    )
    askoy = settings.kommune.model_copy(
        update={"fiks_io": account, "maskinporten": maskinporten_settings}
    )
    kommuner = {**settings.kommuner, askoy.kommunenummer: askoy}
    return settings.model_copy(update={"kommune": askoy, "kommuner": kommuner})


@pytest.fixture
def robot(fiks_settings: Settings) -> RobotDefinition:
    """The byggesak robot reading Fiks IO and answering over Fiks IO."""
    return find_robot(fiks_settings, "byggesak-smatiltak").model_copy(
        update={
            "source": FiksIoSourceConfig(kind="fiksio", message_types=[APPLICATION_TYPE]),
            "channel": FiksIoChannelConfig(kind="fiksio", message_type=LETTER_TYPE),
        }
    )


@pytest.fixture
def store(fiks_settings: Settings) -> Store:
    return open_store(fiks_settings.database_url)


def application(seed: int = 7) -> tuple[ContainerFile, ...]:
    case = byggesak_case(random.Random(seed), "soknad_garasje_60", reference="BS-1",
                         received_at=RECEIVED)  # fmt: skip
    return (
        ContainerFile("soknad.xml", application_xml(case), "application/xml"),
        ContainerFile("situasjonsplan.pdf", b"%PDF-1.7 situasjonsplan", "application/pdf"),
        ContainerFile("fasader.pdf", b"%PDF-1.7 fasader", "application/pdf"),
    )


def send_application(server: FiksIoServer, portal: Account, kommune: Account) -> uuid.UUID:
    with client_for(server, portal) as client:
        sent = client.send(
            OutgoingMessage(kommune.id, APPLICATION_TYPE, application(), client_message_id("A-1"))
        )
    return sent.meldingId


def publish(amqp_url: str, queue: str, body: bytes, sender: Account, **custom: str) -> str:
    """A delivery as Fiks IO makes it, put on the queue directly (for what the API would not
    send: a second delivery of one message, a tampered body)."""
    message_id = str(uuid.uuid4())
    headers = {"melding-id": message_id, "type": APPLICATION_TYPE, "avsender-id": str(sender.id)}
    headers.update({f"egendefinert-header.{k}": v for k, v in custom.items()})
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    try:
        connection.channel().basic_publish("", queue, body, pika.BasicProperties(headers=headers))
    finally:
        connection.close()
    return message_id


def grant(settings: Settings, store: Store, robot: RobotDefinition, case_id: int) -> None:
    """The caseworker checks the plan, decides to grant, and approves the letter."""
    reviewer = Reviewer(settings, store, {robot.id: robot})
    record = store.get_case(case_id)
    assert record.state == CaseState.pending_review
    record = reviewer.redraft(case_id, "saksbehandler", version=record.version,
                              outcome="innvilget")  # fmt: skip
    points, _ = reviewer.open_points(case_id)
    assert points  # plan conformity is only declared in a DiBK form: a person decides it
    given = {p.rule_id: ("oppfylt", "Kontrollert mot reguleringsplanen i kartet.") for p in points}
    record = reviewer.answer(case_id, "saksbehandler", version=record.version, given=given)
    letter = store.latest_letter(case_id)
    assert letter is not None
    reviewer.approve(case_id, "saksbehandler", version=record.version, letter_id=letter.id,
                     letter_hash=letter_digest(letter))  # fmt: skip


def test_an_application_over_fiks_io_is_decided_and_answered_over_fiks_io(
    fiks_settings: Settings,
    store: Store,
    robot: RobotDefinition,
    amqp_url: str,
    fiks_io: FiksIoServer,
    accounts: tuple[Account, Account],
) -> None:
    kommune, portal = accounts
    message_id = send_application(fiks_io, portal, kommune)
    reports = run(fiks_settings, store, robot, None)
    report = reports[f"fiksio:{message_id}"]
    assert report.errors == []
    assert receiver_for(amqp_url, kommune).waiting() == 0  # stored, then acknowledged
    kept = fiks_settings.data_dir / "fiksio" / str(message_id)
    assert sorted(p.name for p in kept.iterdir()) == ["fasader.pdf", "situasjonsplan.pdf",
                                                      "soknad.xml"]  # fmt: skip
    case = store.get_case(report.case_id)
    assert case.data["attachments"][0]["file"] == f"{message_id}/situasjonsplan.pdf"
    # the form does not say whether the plan allows it: a caseworker decides, then it is sent
    assert report.route == "review"
    grant(fiks_settings, store, robot, report.case_id)
    assert store.get_case(report.case_id).state == CaseState.sent
    (answer,) = receiver_for(amqp_url, portal).messages()
    assert answer.error is None and answer.metadata is not None and answer.container is not None
    assert answer.metadata.message_type == LETTER_TYPE
    assert answer.metadata.sender_account == kommune.id
    assert answer.metadata.reply_to == message_id  # the answer to the application's message
    assert answer.container.signer == kommune.keys.certificate
    (letter,) = answer.container.files
    assert letter.name == f"{case.reference}.pdf" and letter.content.startswith(b"%PDF")
    assert fiks_io.problems == []


def test_a_crash_between_send_and_commit_sends_nothing_twice(
    fiks_settings: Settings,
    store: Store,
    robot: RobotDefinition,
    amqp_url: str,
    fiks_io: FiksIoServer,
    accounts: tuple[Account, Account],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    kommune, portal = accounts
    message_id = send_application(fiks_io, portal, kommune)
    report = run(fiks_settings, store, robot, None)[f"fiksio:{message_id}"]
    sent_for_real = FiksIoChannel.send

    def send_then_die(channel: FiksIoChannel, letter: object) -> str:
        sent_for_real(channel, letter)  # type: ignore[arg-type]
        raise Crash  # after Fiks IO took the letter, before the outbox row is marked sent

    monkeypatch.setattr(FiksIoChannel, "send", send_then_die)
    with pytest.raises(Crash):
        grant(fiks_settings, store, robot, report.case_id)
    (row,) = store.outbox_for_case(report.case_id)
    assert row.state == "sending"
    monkeypatch.setattr(FiksIoChannel, "send", sent_for_real)
    run(fiks_settings, store, robot, None)  # the next run resumes the case
    (row,) = store.outbox_for_case(report.case_id)
    assert row.state == "sent"
    assert store.get_case(report.case_id).state == CaseState.sent
    letters = [m for m in fiks_io.accepted if m["meldingType"] == LETTER_TYPE]
    assert len(letters) == 1  # the resend was recognised by its klientMeldingId
    assert receiver_for(amqp_url, portal).waiting() == 1
    assert fiks_io.requests == 3  # application, letter, the letter again


def test_the_same_application_delivered_twice_is_one_case(
    fiks_settings: Settings,
    store: Store,
    robot: RobotDefinition,
    amqp_url: str,
    accounts: tuple[Account, Account],
) -> None:
    kommune, portal = accounts
    for _ in range(2):  # two deliveries (two melding-id) of the sender's one message
        body = encrypt_payload(build_container(list(application()), portal.keys),
                               kommune.keys.certificate)  # fmt: skip
        publish(amqp_url, kommune.queue, body, portal, klientMeldingId=str(uuid.uuid4()))
    reports = list(run(fiks_settings, store, robot, None).values())
    assert sorted(r.duplicate for r in reports) == [False, True]
    assert receiver_for(amqp_url, kommune).waiting() == 0


def _tampered(portal: Account, kommune: Account) -> bytes:
    container = build_container(list(application()), portal.keys)
    source = zipfile.ZipFile(io.BytesIO(container))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for entry in source.infolist():
            content = source.read(entry)
            if entry.filename == "soknad.xml":
                content = content.replace(b"<BRA>", b"<BRA>1")
            target.writestr(entry, content)
    return encrypt_payload(buffer.getvalue(), kommune.keys.certificate)


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda portal, kommune: _tampered(portal, kommune), "endret etter at avsenderen signerte"),
        (
            lambda portal, kommune: encrypt_payload(
                build_container(list(application()), portal.keys), portal.keys.certificate
            ),
            "kan ikke dekrypteres",
        ),
        (lambda portal, kommune: b"\x00garbage", "kan ikke dekrypteres"),
    ],
    ids=["tampered", "wrongly-encrypted", "not-cms"],
)
def test_a_tampered_or_wrongly_encrypted_message_is_quarantined_and_kept(
    fiks_settings: Settings,
    store: Store,
    robot: RobotDefinition,
    amqp_url: str,
    accounts: tuple[Account, Account],
    make: object,
    words: str,
) -> None:
    kommune, portal = accounts
    body = make(portal, kommune)  # type: ignore[operator]
    message_id = publish(amqp_url, kommune.queue, body, portal)
    report = run(fiks_settings, store, robot, None)[f"fiksio:{message_id}"]
    assert report.state == "quarantined"
    assert any(words in error["reason"] for error in report.errors), report.errors
    kept = fiks_settings.data_dir / "fiksio" / "refused" / f"{message_id}.cms"
    assert kept.read_bytes() == body  # never lost
    assert receiver_for(amqp_url, kommune).waiting() == 0


def test_a_message_of_another_type_is_quarantined_with_the_types_taken(
    fiks_settings: Settings,
    store: Store,
    robot: RobotDefinition,
    fiks_io: FiksIoServer,
    accounts: tuple[Account, Account],
) -> None:
    kommune, portal = accounts
    with client_for(fiks_io, portal) as client:
        sent = client.send(OutgoingMessage(kommune.id, "no.ks.fiks.annet.v1", application(),
                                           client_message_id("B")))  # fmt: skip
    report = run(fiks_settings, store, robot, None)[f"fiksio:{sent.meldingId}"]
    assert report.state == "quarantined"
    assert APPLICATION_TYPE in report.errors[0]["reason"]
