"""`make demo`'s round trip through Fiks IO and Fiks Arkiv (demo/roundtrip.py): on the real
RabbitMQ the application becomes a case, the caseworker's decision goes out as a letter over
Fiks IO, the arkivmelding reaches the archive's queue valid against KS's XSD, and the archive's
receipt ends on the case; the demo archive refuses an arkivmelding that breaks the XSD; without
a broker the round trip says how to turn one on and exits 0."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
import xmlschema
from fastapi.testclient import TestClient

from demo.roundtrip import AMQP_URL_VARIABLE
from demo.roundtrip_steps import ROBOT, round_trip
from demo.standins.archive import DemoArchive
from demo.standins.fiks_io import Account, FiksIoServer, client_for
from runner.channels.configs import FiksIoChannelConfig
from runner.explain import explanation_data
from runner.fiksarkiv.arkivmelding import ARKIVMELDING_FILE, ARKIVMELDING_TYPE, SCHEMAS
from runner.fiksarkiv.replies import read_reply
from runner.fiksio import ContainerFile, OutgoingMessage, client_message_id
from runner.models.robot import load_robot
from runner.settings import CONTENT_ROOT, Settings
from runner.store import CaseState, open_store
from runner.web.accounts import create_user
from runner.web.app import create_app
from tests.fiksio.conftest import receiver_for
from tests.web.conftest import PASSWORD, login


@pytest.mark.rabbitmq
def test_the_round_trip_sends_the_letter_files_it_and_records_the_receipt(
    settings: Settings, amqp_url: str
) -> None:
    said: list[str] = []
    trip = round_trip(settings, amqp_url, said.append)
    assert [line.split(".")[0].strip() for line in said] == [str(n) for n in range(1, 10)]
    assert trip.problems == []  # every request was as KS describes it
    with open_store(settings.database_url) as store:
        case = store.get_case(trip.case_id)
        assert case.state == CaseState.sent and case.outcome == "innvilget"
        assert trip.answered > 0  # plan conformity: a person answered in writing
        answers = store.casework.answers(trip.case_id)
        assert len(answers) == trip.answered
        assert all(len(a.assessment) >= 20 for a in answers.values())

        # the letter reached the letter channel: the portal's account, answering its message
        letter = trip.letter
        assert letter.error is None and letter.metadata is not None
        assert letter.container is not None
        channel = load_robot(ROBOT).channel
        assert isinstance(channel, FiksIoChannelConfig)
        assert letter.metadata.message_type == channel.message_type
        application = store.raw_item(trip.case_id).source_ref
        assert application == f"fiksio:{letter.metadata.reply_to}"
        sent = store.latest_letter(trip.case_id)
        assert sent is not None and sent.pdf_path is not None
        (pdf,) = letter.container.files
        assert pdf.content == Path(sent.pdf_path).read_bytes()

        # the arkivmelding reached the archive's queue, valid against KS's official XSD
        (filed,) = trip.filed
        assert filed.problem is None
        assert sorted(filed.files) == sorted([ARKIVMELDING_FILE, pdf.name])
        xmlschema.XMLSchema(SCHEMAS / f"{ARKIVMELDING_TYPE}.xsd").validate(
            io.BytesIO(filed.arkivmelding)
        )

        # the archive's receipt is recorded on the case
        kinds = [event.kind for event in store.events(trip.case_id)]
        assert kinds[-2:] == ["archive_received", "archive_filed"]
        archive = explanation_data(store, str(trip.case_id))["archive"]
        assert archive["state"] == "archive_filed"
        assert archive["ids"]["saksnummer"] == filed.saksnummer
        assert archive["ids"]["journalpostnummer"] == filed.journalpostnummer
        # the review page shows the sent case with the archive's receipt
        create_user(store, username="saksbehandler", full_name="Demo Saksbehandler",
                    role="caseworker", kommuner=["4627"], password=PASSWORD)  # fmt: skip
        with TestClient(create_app(settings, store), follow_redirects=False) as client:
            login(client, "saksbehandler")
            page = client.get(f"/saker/{trip.case_id}")
        assert page.status_code == 200
        assert f"<li>Saksnummer i arkivet: {filed.saksnummer}</li>" in page.text
    # the keys were made under the data folder, never in the repository: the three Fiks IO
    # accounts' and the kommune's virksomhetssertifikat for Maskinporten
    keys = sorted(p.name for p in (settings.data_dir / "fiks-demo" / "nokler").glob("*.pem"))
    names = ("arkiv", "kommune", "portal", "virksomhet")
    assert keys == sorted(f"{name}.{kind}.pem" for name in names for kind in ("cert", "key"))


@pytest.mark.rabbitmq
def test_the_demo_archive_refuses_an_arkivmelding_that_breaks_the_xsd(
    amqp_url: str, fiks_io: FiksIoServer, accounts: tuple[Account, Account]
) -> None:
    kommune, archive = accounts  # the second account is the archive's here
    broken = ContainerFile(ARKIVMELDING_FILE, b"<arkivmelding/>", "application/xml")
    with client_for(fiks_io, kommune) as client:
        sent = client.send(
            OutgoingMessage(archive.id, ARKIVMELDING_TYPE, (broken,), client_message_id("brutt"))
        )
    with client_for(fiks_io, archive) as client:
        (filed,) = DemoArchive(receiver_for(amqp_url, archive), client).take()
    assert filed.problem is not None and "Fiks Arkiv-skjemaet" in filed.problem
    assert filed.saksnummer is None
    (delivery,) = receiver_for(amqp_url, kommune).messages()  # the answer, and nothing else
    reply = read_reply(delivery)
    assert reply.answer == "feil" and reply.answers == sent.meldingId
    assert reply.error is not None and reply.error.startswith("ugyldig forespørsel: ")


def test_without_rabbitmq_it_says_how_to_turn_it_on_and_exits_0(tmp_path: Path) -> None:
    env = {
        **os.environ,
        AMQP_URL_VARIABLE: "amqp://guest:hemmelig@127.0.0.1:1/%2F",  # nothing listens there
        "SAKSROBOT_DATA_DIR": str(tmp_path / "data"),
        "PYTHONPATH": str(CONTENT_ROOT),
    }
    done = subprocess.run(
        [sys.executable, "-m", "demo.roundtrip"],
        cwd=CONTENT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "RabbitMQ svarer ikke på amqp://127.0.0.1:1/" in done.stdout
    assert "rabbitmq-server" in done.stdout and AMQP_URL_VARIABLE in done.stdout
    assert "hemmelig" not in done.stdout + done.stderr  # the password is never shown
    assert not (tmp_path / "data").exists()  # nothing was made
