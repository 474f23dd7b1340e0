"""E-mail in over IMAP (RPA.Email.ImapSmtp) against a real dovecot on loopback."""

from __future__ import annotations

import re
from email.message import EmailMessage
from pathlib import Path

import pytest
from pydantic import SecretStr

from runner.models.robot import RobotDefinition
from runner.pipeline import Pipeline
from runner.run import find_robot, make_pipeline, make_source
from runner.settings import CONTENT_ROOT, Settings, load_settings
from runner.sources.configs import ImapSourceConfig
from runner.store import Store, open_store
from tests.mailservers import Dovecot

from .helpers import run

DEMO = CONTENT_ROOT / "demo"
pytestmark = pytest.mark.slow


def _mail(number: int, attachment: tuple[str, bytes, str] | None) -> bytes:
    message = EmailMessage()
    message["Message-ID"] = f"<soknad-{number}@innbygger.example.no>"
    message["From"] = "innbygger@example.no"
    message["To"] = "postmottak@askoy.kommune.no"
    message["Subject"] = f"Søknad {number}"
    message.set_content("Her er søknaden min.")
    if attachment is not None:
        name, data, subtype = attachment
        message.add_attachment(data, maintype="application", subtype=subtype, filename=name)
    return message.as_bytes()


@pytest.fixture
def mail_settings(tmp_path: Path, dovecot: Dovecot) -> Settings:
    return load_settings(DEMO / "saksrobot.toml", data_dir=tmp_path / "data", imap=dovecot.settings)


@pytest.fixture
def robot(mail_settings: Settings) -> RobotDefinition:
    form = find_robot(mail_settings, "byggesak-skjema").source
    base = find_robot(mail_settings, "byggesak-smatiltak")
    source = ImapSourceConfig(kind="imap", form=getattr(form, "mapping"))  # noqa: B009
    return base.model_copy(update={"id": "byggesak-epost", "source": source})


@pytest.fixture
def store(mail_settings: Settings) -> Store:
    return open_store(mail_settings.database_url)


def _deliver_three(dovecot: Dovecot) -> None:
    case = (DEMO / "inbox" / "byggesak" / "BS-2026-000107.json").read_bytes()
    form = (DEMO / "inbox" / "byggesak-skjema" / "skjema-01.pdf").read_bytes()
    dovecot.deliver(_mail(1, ("soknad.json", case, "json")))
    dovecot.deliver(_mail(2, ("skjema.pdf", form, "pdf")))
    dovecot.deliver(_mail(3, None))


def test_unseen_mail_becomes_cases_and_is_moved(
    dovecot: Dovecot, mail_settings: Settings, store: Store, robot: RobotDefinition
) -> None:
    _deliver_three(dovecot)
    reports = run(mail_settings, store, robot, None)
    by_number = {ref.split("/")[1]: report for ref, report in reports.items()}
    assert by_number["soknad-1@innbygger.example.no"].reference == "BS-2026-000107"
    assert by_number["soknad-2@innbygger.example.no"].state != "quarantined"
    assert by_number["soknad-2@innbygger.example.no"].reference.startswith("BS-S-")  # type: ignore[union-attr]
    no_attachment = by_number["soknad-3@innbygger.example.no"]
    assert no_attachment.state == "quarantined"
    assert "ingen søknad vedlagt" in no_attachment.errors[0]["reason"]
    assert dovecot.messages("INBOX") == []
    handled = dovecot.messages("Behandlet")
    assert len(handled) == 3 and all("\\Seen" in flags for _, flags in handled)


def test_a_crash_midway_leaves_the_rest_unread_and_nothing_twice(
    dovecot: Dovecot, mail_settings: Settings, store: Store, robot: RobotDefinition
) -> None:
    _deliver_three(dovecot)
    pipeline: Pipeline = make_pipeline(mail_settings, store, robot)
    items = make_source(mail_settings, robot, None).items()
    first = next(items)
    case_id, created = pipeline.intake(first)  # stored …
    assert created
    items.close()  # … and the process dies before it asks for the next message
    unread = dovecot.messages("INBOX", "UNSEEN")
    assert len(unread) == 3  # nothing was marked read or moved, not even the stored one
    reports = run(mail_settings, store, robot, None)
    assert reports[first.source_ref].duplicate
    assert reports[first.source_ref].case_id == case_id
    assert sum(not r.duplicate for r in reports.values()) == 2
    assert dovecot.messages("INBOX") == [] and len(dovecot.messages("Behandlet")) == 3


def test_wrong_password_says_what_to_check(dovecot: Dovecot, tmp_path: Path) -> None:
    from runner.errors import SourceError
    from runner.sources.imap import ImapSource

    server = dovecot.settings.model_copy(update={"password": SecretStr("feil")})
    source = ImapSource(server, folder="INBOX", handled_folder="Behandlet", max_bytes=1000)
    with pytest.raises(SourceError, match="SAKSROBOT_IMAP__PASSWORD") as caught:
        source.count()
    assert "feil" not in str(caught.value)


def test_a_header_no_charset_decodes_does_not_stop_the_mailbox(
    dovecot: Dovecot, mail_settings: Settings, store: Store, robot: RobotDefinition
) -> None:
    """RPA's list_messages decoded every header of every message at once: one Subject in an
    unknown charset stopped every run. Each message is now read on its own."""
    case = (DEMO / "inbox" / "byggesak" / "BS-2026-000107.json").read_bytes()
    odd = re.sub(
        rb"Subject: [^\n]*",
        b"Subject: =?x-unknown?q?=FF?= =?utf-8?b?////?=",
        _mail(1, ("soknad.json", case, "json")),
        count=1,
    )
    assert b"x-unknown" in odd
    dovecot.deliver(odd)
    dovecot.deliver(_mail(2, None))
    reports = run(mail_settings, store, robot, None)
    by_number = {ref.split("/")[1]: report for ref, report in reports.items()}
    assert by_number["soknad-1@innbygger.example.no"].reference == "BS-2026-000107"
    assert by_number["soknad-2@innbygger.example.no"].state == "quarantined"
    assert dovecot.messages("INBOX") == []
    again = run(mail_settings, store, robot, None)
    assert again == {}
