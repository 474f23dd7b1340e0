"""The steps of `make demo`'s round trip through Fiks IO and Fiks Arkiv (demo/roundtrip.py
checks the broker first and prints the end). Each step is told to `say` in Norwegian; the
result is returned for the printout and the tests (tests/fiksio/test_demo_roundtrip.py)."""

from __future__ import annotations

import random
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pika

from demo.dibk_form import application_xml
from demo.standins.archive import DemoArchive, Filed
from demo.standins.fiks_io import Account, FiksIoServer, client_for
from demo.standins.keys import make_key_pair, write_key_pair
from demo.standins.maskinporten import MaskinportenServer
from demo.standins.serving import running
from demo.synthetic import byggesak_case
from runner.demo import attachment_pdf
from runner.explain import archive_lines, explanation_data
from runner.fiksio import (
    ContainerFile,
    Delivery,
    FiksIoReceiver,
    OutgoingMessage,
    client_message_id,
)
from runner.kommuner.ks_settings import MaskinportenSettings
from runner.kommuner.settings import FiksArkivSettings, FiksIoSettings
from runner.ks.keys import KeyPair
from runner.models.robot import RobotDefinition, load_robot
from runner.run import CaseReport, run_robot
from runner.settings import Settings
from runner.store import Store, open_store
from runner.vocabulary import word
from runner.web.actions import Reviewer, letter_digest

__all__ = ["ROBOT", "RoundTrip", "round_trip"]

ROBOT = Path(__file__).resolve().parent / "fiksio-robot.yaml"
CASEWORKER = "saksbehandler"
#: The application the portal sends: a 60 m² garage (demo/synthetic.py's scenario).
SCENARIO = "soknad_garasje_60"
#: What the portal's message says it is (the robot takes this type only).
APPLICATION_TYPE = "no.ks.fiks.byggesoknad.tiltakutenansvarsrett.v3"


@dataclass(frozen=True)
class RoundTrip:
    """What happened, for the printout and the tests."""

    case_id: int
    reference: str
    state: str
    answered: int  # open points the caseworker answered
    letter: Delivery  # the letter as the portal received it
    filed: list[Filed]  # what the archive took from its queue
    archive: dict[str, object]  # the archive's state on the case (runner/explain.py)
    problems: list[str]  # requests the stand-ins refused (none when all is well)


def make_accounts(folder: Path) -> tuple[Account, Account, Account]:
    """(kommune, portal, archive): fresh keys and certificates, written to `folder`."""
    accounts = []
    for name, holder in (
        ("kommune", "Askoy kommune"),
        ("portal", "Byggesoknadsportalen"),
        ("arkiv", "Askoy kommune arkiv"),
    ):
        keys = make_key_pair(holder)
        write_key_pair(keys, folder, name)
        accounts.append(Account(uuid.uuid4(), keys))
    kommune, portal, archive = accounts
    return kommune, portal, archive


def open_accounts(amqp_url: str, accounts: tuple[Account, ...]) -> None:
    """Each account's queue on the broker, as Fiks opens it when an account is made."""
    with pika.BlockingConnection(pika.URLParameters(amqp_url)) as connection:
        channel = connection.channel()
        for account in accounts:
            channel.queue_declare(account.queue)


def close_accounts(amqp_url: str, accounts: tuple[Account, ...]) -> None:
    """Remove the demo's queues (each run makes new accounts)."""
    with pika.BlockingConnection(pika.URLParameters(amqp_url)) as connection:
        channel = connection.channel()
        for account in accounts:
            channel.queue_delete(account.queue)


def kommune_settings(
    settings: Settings,
    folder: Path,
    kommune: Account,
    archive: Account,
    server: FiksIoServer,
    maskinporten: MaskinportenServer,
    virksomhet: KeyPair,
    amqp_url: str,
) -> Settings:
    """The demo kommune (Askøy) with its Maskinporten client, its Fiks IO account and its
    archive on Fiks Arkiv."""
    (folder / "integrasjonspassord").write_text(server.password + "\n")
    key_path, cert_path = write_key_pair(virksomhet, folder, "virksomhet")
    client = MaskinportenSettings(
        client_id=maskinporten.client_id,
        private_key=key_path,
        certificate=cert_path,
        issuer=maskinporten.issuer,
    )
    account = FiksIoSettings(
        account_id=kommune.id,
        integration_id=server.integration_id,
        private_key=folder / "kommune.key.pem",
        certificate=folder / "kommune.cert.pem",
        integration_password_file=folder / "integrasjonspassord",
        api_url=server.base_url,
        amqp_url=amqp_url,
    )
    askoy = settings.kommune.model_copy(
        update={
            "maskinporten": client,
            "fiks_io": account,
            "fiks_arkiv": FiksArkivSettings(account=archive.id),
        }
    )
    kommuner = {**settings.kommuner, askoy.kommunenummer: askoy}
    return settings.model_copy(update={"kommune": askoy, "kommuner": kommuner})


def application(reference: str) -> tuple[ContainerFile, ...]:
    """The portal's message: DiBK's XML application and its situasjonsplan."""
    case = byggesak_case(
        random.Random(reference), SCENARIO, reference=reference, received_at=datetime.now(UTC)
    )
    return (
        ContainerFile("soknad.xml", application_xml(case), "application/xml"),
        ContainerFile(
            "situasjonsplan.pdf", attachment_pdf(reference, "situasjonsplan"), "application/pdf"
        ),
    )


def take_in(settings: Settings, store: Store, robot: RobotDefinition) -> list[CaseReport]:
    """One run of the robot over the kommune's account; the cases it took."""
    reports: list[CaseReport] = []
    run_robot(settings, store, robot, on_case=reports.append)
    return reports


def decide(settings: Settings, store: Store, robot: RobotDefinition, case_id: int) -> int:
    """The demo caseworker's work, as on the review page: grant, answer every open point with a
    written assessment, look at the final letter and approve it (it is sent). Returns how many
    points were answered."""
    reviewer = Reviewer(settings, store, {robot.id: robot})
    record = store.get_case(case_id)
    if record.outcome != "innvilget":
        record = reviewer.redraft(case_id, CASEWORKER, version=record.version, outcome="innvilget")
    points, _ = reviewer.open_points(case_id)
    given: dict[str, tuple[str | None, str]] = {
        point.rule_id: (
            "oppfylt",
            f"Kontrollert av saksbehandler: «{point.title.get('nb', point.rule_id)}» er i orden "
            "etter søknaden, situasjonsplanen og kommunens plankart.",
        )
        for point in points
    }
    if given:
        record = reviewer.answer(case_id, CASEWORKER, version=record.version, given=given)
    letter = store.latest_letter(case_id)
    assert letter is not None  # answering drafted it
    letter = reviewer.prepare(case_id, CASEWORKER, version=record.version, letter_id=letter.id)
    reviewer.letter_pdf(record, letter)  # the confirmation shows the final PDF first
    reviewer.approve(
        case_id,
        CASEWORKER,
        version=record.version,
        letter_id=letter.id,
        letter_hash=letter_digest(letter),
    )
    return len(points)


def send_application(server: FiksIoServer, portal: Account, kommune: Account) -> uuid.UUID:
    """The portal sends a DiBK application to the kommune; its Fiks IO message id."""
    key = f"demo-{uuid.uuid4()}"
    with client_for(server, portal) as client:
        message = OutgoingMessage(
            kommune.id, APPLICATION_TYPE, application(key), client_message_id(key)
        )
        return client.send(message).meldingId


def file_in_archive(
    server: FiksIoServer, amqp_url: str, archive: Account, say: Callable[[str], None]
) -> list[Filed]:
    """The demo archive takes what waits on its queue and answers each arkivmelding."""
    with client_for(server, archive) as client:
        receiver = FiksIoReceiver(amqp_url, account=archive.id, keys=archive.keys)
        filed = DemoArchive(receiver, client).take()
    for entry in filed:
        if entry.problem is not None:
            say(f" 7. Demoarkivet avviste arkivmeldingen: {entry.problem}")
            continue
        say(
            f" 7. Arkivmeldingen ({', '.join(entry.files)}) kom til arkivets kø; demoarkivet "
            "dekrypterte den, sjekket signaturen og fant den gyldig etter KS sitt XSD"
        )
        say(
            f" 8. Demoarkivet svarte «mottatt» og «kvittering» (saksnummer {entry.saksnummer}, "
            f"journalpostnummer {entry.journalpostnummer})"
        )
    return filed


def round_trip(settings: Settings, amqp_url: str, say: Callable[[str], None]) -> RoundTrip:
    """The whole round trip on the broker at `amqp_url` (which answers), the case in the
    settings' store; each step told to `say`."""
    folder = settings.data_dir / "fiks-demo" / "nokler"
    accounts = make_accounts(folder)
    kommune, portal, archive = accounts
    say(
        " 1. Nøkler og sertifikater for tre Fiks IO-kontoer (kommunen, byggesøknadsportalen, "
        f"arkivet) ligger i {folder}"
    )
    open_accounts(amqp_url, accounts)
    server = FiksIoServer(amqp_url, integration_id=uuid.uuid4(), password=secrets.token_urlsafe())
    for account in accounts:
        server.certificates[account.id] = account.keys.certificate
    virksomhet = make_key_pair("Askoy kommune virksomhet")  # signs its Maskinporten grants
    maskinporten = MaskinportenServer(str(uuid.uuid4()), virksomhet.certificate)
    robot = load_robot(ROBOT)
    try:
        with running(server), running(maskinporten), open_store(settings.database_url) as store:
            say(
                f" 2. Lokale stand-ins for Fiks IO sitt REST-grensesnitt på {server.base_url} "
                f"og Maskinporten på {maskinporten.issuer} (sjekker hver forespørsel mot KS og "
                "Digdir sine beskrivelser; meldingene går til RabbitMQ)"
            )
            fiks = kommune_settings(
                settings, folder, kommune, archive, server, maskinporten, virksomhet, amqp_url
            )
            application_id = send_application(server, portal, kommune)
            say(
                " 3. Byggesøknadsportalen sendte en DiBK-søknad (tiltak uten ansvarsrett), "
                f"signert og kryptert, til kommunens kø {kommune.queue}"
            )
            (report,) = take_in(fiks, store, robot)
            points, _ = Reviewer(fiks, store, {robot.id: robot}).open_points(report.case_id)
            say(
                f" 4. Roboten {robot.id} tok meldingen (dekryptert, signatur og søknadens XSD "
                f"sjekket): sak {report.reference} gikk til saksbehandler med {len(points)} "
                "åpne punkter (om tiltaket følger planen, avgjør et menneske)"
            )
            answered = decide(fiks, store, robot, report.case_id)
            say(
                f" 5. Demo-saksbehandleren «{CASEWORKER}» svarte skriftlig på de {answered} "
                "åpne punktene (alle oppfylt, blant dem samsvar med arealplanen), så på brevet "
                "og godkjente vedtaket: innvilget"
            )
            (letter,) = FiksIoReceiver(amqp_url, account=portal.id, keys=portal.keys).messages()
            names = ", ".join(f.name for f in letter.container.files) if letter.container else "-"
            say(
                f" 6. Vedtaksbrevet ({names}) gikk over Fiks IO til byggesøknadsportalen som svar "
                f"på søknadsmeldingen {application_id}"
            )
            filed = file_in_archive(server, amqp_url, archive, say)
            take_in(fiks, store, robot)
            status = explanation_data(store, str(report.case_id))["archive"] or {}
            record = store.get_case(report.case_id)
            say(
                " 9. Roboten leste arkivets svar og førte dem på saken: "
                f"{'; '.join(archive_lines(status, 'nb')[:3])}. Saken er "
                f"{word('state', record.state, 'nb').lower()}."
            )
            return RoundTrip(
                case_id=record.id,
                reference=record.reference or str(record.id),
                state=record.state,
                answered=answered,
                letter=letter,
                filed=filed,
                archive=dict(status),
                problems=[*server.problems, *maskinporten.problems],
            )
    finally:
        close_accounts(amqp_url, accounts)
