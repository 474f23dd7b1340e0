"""Fiks Arkiv end to end on the real RabbitMQ: a decided case's arkivmelding (valid against
KS's official XSD) goes to the archive's Fiks IO account with the letter PDF, exactly once;
the archive's answers come back to the kommune's account and are put on the case; an error
answer parks the case for a human."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import pika
import pytest
import xmlschema

from demo.standins.fiks_io import Account, FiksIoServer, client_for
from demo.standins.keys import make_key_pair
from demo.standins.serving import running
from demo.standins.svarut import SvarUtServer
from runner.casework.retry import retry_case
from runner.channels.configs import SvarUtChannelConfig
from runner.channels.fiksio import FiksIoChannel
from runner.explain import explanation_data
from runner.fiksarkiv.arkivmelding import ARKIVMELDING_FILE, ARKIVMELDING_TYPE, SCHEMAS
from runner.fiksio.asice import ContainerFile
from runner.fiksio.client import OutgoingMessage
from runner.fiksio.message import client_message_id
from runner.followup import follow_up
from runner.kommuner.settings import FiksArkivSettings, SvarUtSettings
from runner.ks.keys import KeyPair
from runner.models.robot import RobotDefinition
from runner.settings import Settings
from runner.store import CaseState, Store, open_store
from tests.fiksio.conftest import receiver_for
from tests.fiksio.test_robot import (  # noqa: F401 (fixtures)
    Crash,
    fiks_settings,
    grant,
    robot,
    send_application,
)
from tests.sources.helpers import run

pytestmark = pytest.mark.rabbitmq

NS = "{https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/v1}"
RECEIPT = """<?xml version="1.0" encoding="UTF-8"?>
<arkivmeldingKvittering
    xmlns="https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/kvittering/v1"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <mappeKvittering xsi:type="saksmappeKvittering">
    <systemID>0f2e8a52-6f0b-4a3e-9a57-4b1b7a6f0c11</systemID>
    <opprettetEllerEksisterende>Opprettet</opprettetEllerEksisterende>
    <saksaar>2026</saksaar><sakssekvensnummer>1234</sakssekvensnummer>
  </mappeKvittering>
  <registreringKvittering xsi:type="journalpostKvittering">
    <systemID>5a1c9a5e-2b1e-4f7e-8f3a-3a2f7d1e9b22</systemID>
    <opprettetEllerEksisterende>Opprettet</opprettetEllerEksisterende>
    <journalaar>2026</journalaar><journalsekvensnummer>5678</journalsekvensnummer>
    <journalpostnummer>3</journalpostnummer>
  </registreringKvittering>
</arkivmeldingKvittering>
"""
INVALID_REQUEST = """<?xml version="1.0" encoding="UTF-8"?>
<ugyldigforespoersel
    xmlns="https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/feil/ugyldigforespoersel/v1">
  <feilId xmlns="https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/feil/feilmelding/v1"
    >F-77</feilId>
  <feilmelding xmlns="https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/feil/feilmelding/v1"
    >Arkivdelen BYGG finnes ikke</feilmelding>
</ugyldigforespoersel>
"""


@pytest.fixture(scope="module")
def archive_keys() -> KeyPair:
    return make_key_pair("Arkiv")


@pytest.fixture
def archive(amqp_url: str, archive_keys: KeyPair, fiks_io: FiksIoServer) -> Iterator[Account]:
    """The kommune's archive: its own Fiks IO account and queue."""
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
    """Askøy files its decisions over Fiks Arkiv in the archive's account."""
    arkiv = FiksArkivSettings(account=archive.id, archive_part="BYGG")
    askoy = fiks_settings.kommune.model_copy(update={"fiks_arkiv": arkiv})
    kommuner = {**fiks_settings.kommuner, askoy.kommunenummer: askoy}
    return fiks_settings.model_copy(update={"kommune": askoy, "kommuner": kommuner})


@pytest.fixture
def store(archive_settings: Settings) -> Store:
    return open_store(archive_settings.database_url)


def decided_case(
    settings: Settings,
    store: Store,
    robot: RobotDefinition,  # noqa: F811
    fiks_io: FiksIoServer,
    accounts: tuple[Account, Account],
) -> int:
    kommune, portal = accounts
    message_id = send_application(fiks_io, portal, kommune)
    report = run(settings, store, robot, None)[f"fiksio:{message_id}"]
    grant(settings, store, robot, report.case_id)
    return report.case_id


def answer(server: FiksIoServer, archive: Account, kommune: Account, answered: uuid.UUID,
           message_type: str, files: tuple[ContainerFile, ...] = ()) -> None:  # fmt: skip
    """The archive answers our arkivmelding over Fiks IO."""
    with client_for(server, archive) as client:
        client.send(
            OutgoingMessage(
                kommune.id, message_type, files, client_message_id(str(uuid.uuid4())), answered
            )
        )


def test_a_decided_case_is_filed_and_the_archives_receipt_is_recorded(
    archive_settings: Settings,
    store: Store,
    robot: RobotDefinition,  # noqa: F811
    amqp_url: str,
    fiks_io: FiksIoServer,
    accounts: tuple[Account, Account],
    archive: Account,
) -> None:
    kommune, _ = accounts
    case_id = decided_case(archive_settings, store, robot, fiks_io, accounts)
    case = store.get_case(case_id)
    assert case.state == CaseState.sent
    (filed,) = receiver_for(amqp_url, archive).messages()
    assert filed.error is None and filed.metadata is not None and filed.container is not None
    assert filed.metadata.message_type == ARKIVMELDING_TYPE
    assert filed.metadata.sender_account == kommune.id
    files = {f.name: f.content for f in filed.container.files}
    pdf_name = f"{case.reference}.pdf"
    assert sorted(files) == sorted([ARKIVMELDING_FILE, pdf_name])
    letter = store.latest_letter(case_id)
    assert letter is not None and letter.pdf_path is not None
    assert files[pdf_name] == Path(letter.pdf_path).read_bytes()
    # valid against KS's official XSD, checked here on its own
    schema = xmlschema.XMLSchema(SCHEMAS / f"{ARKIVMELDING_TYPE}.xsd")
    schema.validate(io.BytesIO(files[ARKIVMELDING_FILE]))
    root = ElementTree.fromstring(files[ARKIVMELDING_FILE])
    journalpost = root.find(f"{NS}registrering")
    assert journalpost is not None
    party = journalpost.find(f"{NS}korrespondansepart")
    assert party is not None
    assert party.findtext(f"{NS}korrespondansepartNavn") == case.data["applicant"]["name"]
    assert party.findtext(f"{NS}personid") == case.data["applicant"]["national_id"]
    item = journalpost.find(f"{NS}dokumentbeskrivelse/{NS}dokumentobjekt")
    assert item is not None and item.findtext(f"{NS}referanseDokumentfil") == pdf_name
    assert root.findtext(f"{NS}mappe/{NS}tittel", "").endswith(f"({case.reference})")

    # the archive says it took it in, then files it and answers with its ids
    answer(fiks_io, archive, kommune, filed.metadata.message_id, f"{ARKIVMELDING_TYPE}.mottatt")
    receipt = ContainerFile("arkivmelding-kvittering.xml", RECEIPT.encode(), "application/xml")
    answer(fiks_io, archive, kommune, filed.metadata.message_id,
           f"{ARKIVMELDING_TYPE}.kvittering", (receipt,))  # fmt: skip
    run(archive_settings, store, robot, None)  # the kommune's account is read: the answers
    assert receiver_for(amqp_url, kommune).waiting() == 0
    kinds = [e.kind for e in store.events(case_id)]
    assert kinds[-2:] == ["archive_received", "archive_filed"]
    status = explanation_data(store, str(case_id))["archive"]
    assert status["state"] == "archive_filed"
    assert status["ids"]["saksnummer"] == "2026/1234"
    assert status["ids"]["journalpostnummer"] == "3"
    assert store.get_case(case_id).state == CaseState.sent
    assert fiks_io.problems == []


def test_an_error_from_the_archive_parks_the_case(
    archive_settings: Settings,
    store: Store,
    robot: RobotDefinition,  # noqa: F811
    amqp_url: str,
    fiks_io: FiksIoServer,
    accounts: tuple[Account, Account],
    archive: Account,
) -> None:
    kommune, _ = accounts
    case_id = decided_case(archive_settings, store, robot, fiks_io, accounts)
    (filed,) = receiver_for(amqp_url, archive).messages()
    assert filed.metadata is not None
    error = ContainerFile("feilmelding.xml", INVALID_REQUEST.encode(), "application/xml")
    answer(fiks_io, archive, kommune, filed.metadata.message_id,
           "no.ks.fiks.arkiv.v1.feilmelding.ugyldigforespoersel", (error,))  # fmt: skip
    run(archive_settings, store, robot, None)
    case = store.get_case(case_id)
    assert case.state == CaseState.parked
    assert case.last_error is not None and "Arkivdelen BYGG finnes ikke" in case.last_error
    failed = [e for e in store.events(case_id) if e.kind == "archive_failed"]
    assert "F-77" in failed[0].data["error"]
    # the caseworker files it by hand; retrying puts the case back as sent, sending nothing
    filed_before = len(fiks_io.accepted)
    retry_case(archive_settings, store, str(case_id))
    assert store.get_case(case_id).state == CaseState.sent
    assert len(fiks_io.accepted) == filed_before


def test_a_crash_between_filing_and_commit_files_nothing_twice(
    archive_settings: Settings,
    store: Store,
    robot: RobotDefinition,  # noqa: F811
    amqp_url: str,
    fiks_io: FiksIoServer,
    accounts: tuple[Account, Account],
    archive: Account,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from runner.fiksarkiv.archiver import Archiver

    kommune, portal = accounts
    message_id = send_application(fiks_io, portal, kommune)
    report = run(archive_settings, store, robot, None)[f"fiksio:{message_id}"]
    file_for_real = Archiver.file

    def file_then_die(archiver: Archiver, entry: object, case_id: int) -> uuid.UUID:
        file_for_real(archiver, entry, case_id)  # type: ignore[arg-type]
        raise Crash  # the archive has it; the outbox row and the case are not yet marked

    monkeypatch.setattr(Archiver, "file", file_then_die)
    with pytest.raises(Crash):
        grant(archive_settings, store, robot, report.case_id)
    (row,) = store.outbox_for_case(report.case_id)
    assert row.state == "sending"
    monkeypatch.setattr(Archiver, "file", file_for_real)
    run(archive_settings, store, robot, None)  # resumed: letter and arkivmelding go again
    assert store.get_case(report.case_id).state == CaseState.sent
    filed = [m for m in fiks_io.accepted if m["meldingType"] == ARKIVMELDING_TYPE]
    assert len(filed) == 1  # the second was recognised by its klientMeldingId
    assert receiver_for(amqp_url, archive).waiting() == 1
    letters = [m for m in fiks_io.accepted if m["mottakerKontoId"] == str(portal.id)]
    assert len(letters) == 1
    assert FiksIoChannel.send is not None


def test_the_letter_goes_through_svarut_and_the_arkivmelding_over_fiks_io(
    archive_settings: Settings,
    store: Store,
    robot: RobotDefinition,  # noqa: F811
    amqp_url: str,
    fiks_io: FiksIoServer,
    accounts: tuple[Account, Account],
    archive: Account,
    tmp_path: Path,
) -> None:
    """The whole round trip: the application over Fiks IO, the letter to the citizen through
    SvarUt (the local server checking SvarUt's published description), the arkivmelding to
    the archive over Fiks IO on RabbitMQ, the archive's receipt back onto the case."""
    kommune, portal = accounts
    svarut_server = SvarUtServer(uuid.uuid4(), fiks_io.integration_id, fiks_io.password)
    with running(svarut_server):
        secrets = tmp_path / "svarut"
        secrets.mkdir()
        (secrets / "passord").write_text(fiks_io.password)
        svarut = SvarUtSettings(
            account_id=svarut_server.account,
            integration_id=fiks_io.integration_id,
            integration_password_file=secrets / "passord",
            api_url=svarut_server.base_url,
        )
        askoy = archive_settings.kommune.model_copy(update={"svarut": svarut})
        settings = archive_settings.model_copy(
            update={
                "kommune": askoy,
                "kommuner": {**archive_settings.kommuner, askoy.kommunenummer: askoy},
            }
        )
        svarut_robot = robot.model_copy(update={"channel": SvarUtChannelConfig(kind="svarut")})
        case_id = decided_case(settings, store, svarut_robot, fiks_io, accounts)
        case = store.get_case(case_id)
        assert case.state == CaseState.sent
        (shipment,) = svarut_server.shipments.values()
        assert (
            shipment["forsendelse"]["mottaker"]["digitalId"]
            == case.data["applicant"]["national_id"]
        )
        assert svarut_server.problems == []
        assert receiver_for(amqp_url, portal).waiting() == 0  # the letter went through SvarUt
        (filed,) = receiver_for(amqp_url, archive).messages()
        assert filed.metadata is not None and filed.container is not None
        xml = next(f.content for f in filed.container.files if f.name == ARKIVMELDING_FILE)
        xmlschema.XMLSchema(SCHEMAS / f"{ARKIVMELDING_TYPE}.xsd").validate(io.BytesIO(xml))
        pdf = next(f.content for f in filed.container.files if f.name.endswith(".pdf"))
        assert pdf == shipment["files"][0]  # the archive has the letter the citizen got
        receipt = ContainerFile("arkivmelding-kvittering.xml", RECEIPT.encode(), "text/xml")
        answer(fiks_io, archive, kommune, filed.metadata.message_id,
               f"{ARKIVMELDING_TYPE}.kvittering", (receipt,))  # fmt: skip
        run(settings, store, svarut_robot, None)
        follow_up(settings, store, {svarut_robot.id: svarut_robot}, holder="test")
        status = explanation_data(store, str(case_id))["archive"]
        assert status["ids"]["saksnummer"] == "2026/1234"
        statuses = [e.data["status"] for e in store.events(case_id) if e.kind == "letter_status"]
        assert statuses == ["MOTTATT"]  # SvarUt's delivery status, followed after the run
