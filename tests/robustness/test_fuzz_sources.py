"""Fuzzing per source: mutated PDF forms, workbooks, NAV søknader, e-mails and work items.

For every example: no exception escapes the source or the pipeline, the mutated item is
quarantined or processed, a valid item beside it is processed, and a second pass over the
same store finds only duplicates (tests/robustness/fuzzing.py). A few examples per source in
CI (SAKSROBOT_FUZZ_EXAMPLES, default 30); bench/fuzz_sources.py runs many.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runner.models.robot import RobotDefinition
from runner.run import find_robot, make_pipeline
from runner.settings import Settings, load_settings
from runner.sources import FolderSource, WorkItemsSource
from runner.sources.configs import ImapSourceConfig
from runner.sources.excel import ExcelSource
from runner.sources.imap import listed_message, message_item
from runner.sources.pdfform import PdfFormSource
from runner.store import open_store

from .conftest import DEMO_SETTINGS
from .fuzzing import (
    DERANDOMIZE,
    EXAMPLES,
    Harness,
    demo_case,
    json_bytes,
    mutated_form,
    mutated_mail,
    mutated_nav,
    mutated_work_items,
    mutated_workbook,
)
from .hostile import NAV_FIXTURE, valid_form, valid_workbook

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=DERANDOMIZE,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@contextmanager
def _harness(
    robot: str | None = None, *, definition: Any = None
) -> Iterator[tuple[Harness, Settings]]:
    with tempfile.TemporaryDirectory() as folder:
        config = load_settings(
            DEMO_SETTINGS, data_dir=Path(folder) / "data", retry_delay_seconds=0.0
        )
        with open_store(config.database_url) as store:
            chosen = definition(config) if definition else find_robot(config, robot or "")
            yield Harness(make_pipeline(config, store, chosen)), config


@pytest.fixture(scope="module")
def form_harness() -> Iterator[tuple[Harness, Settings]]:
    with _harness("byggesak-skjema") as made:
        yield made


@FUZZ
@given(content=mutated_form())
def test_mutated_pdf_forms(form_harness: tuple[Harness, Settings], content: bytes) -> None:
    harness, config = form_harness
    with tempfile.TemporaryDirectory() as folder:
        inbox = Path(folder)
        (inbox / "a-hostile.pdf").write_bytes(content)
        (inbox / "b-valid.pdf").write_bytes(valid_form(2))
        source = PdfFormSource(inbox, max_bytes=config.max_input_bytes)
        harness.check(source.items, inbox, ["b-valid.pdf"])


@pytest.fixture(scope="module")
def workbook_harness() -> Iterator[tuple[Harness, Settings, bytes]]:
    with _harness("byggesak-excel") as (harness, config):
        base = valid_workbook(config.data_dir / "base.xlsx", 2, seed=77).read_bytes()
        yield harness, config, base


@FUZZ
@given(data=st.data())
def test_mutated_workbooks(
    workbook_harness: tuple[Harness, Settings, bytes], data: st.DataObject
) -> None:
    harness, config, base = workbook_harness
    content = data.draw(mutated_workbook(base))
    with tempfile.TemporaryDirectory() as folder:
        inbox = Path(folder)
        (inbox / "a-hostile.xlsx").write_bytes(content)
        (inbox / "b-valid.xlsx").write_bytes(base)
        source = ExcelSource(inbox, max_bytes=config.max_input_bytes, sheet="Saker")
        harness.check(source.items, inbox, ["b-valid.xlsx!Saker:2", "b-valid.xlsx!Saker:3"])


@pytest.fixture(scope="module")
def nav_harness() -> Iterator[tuple[Harness, Settings]]:
    with _harness("sosialhjelp-nav") as made:
        yield made


@FUZZ
@given(content=mutated_nav())
def test_mutated_nav_soknader(nav_harness: tuple[Harness, Settings], content: bytes) -> None:
    harness, config = nav_harness
    with tempfile.TemporaryDirectory() as folder:
        inbox = Path(folder)
        (inbox / "a-hostile.json").write_bytes(content)
        (inbox / "b-valid.json").write_bytes(NAV_FIXTURE.read_bytes())
        source = FolderSource(inbox, max_bytes=config.max_input_bytes, pattern="*.json")
        harness.check(source.items, inbox, ["b-valid.json"])


def _mail_robot(config: Settings) -> RobotDefinition:
    form = find_robot(config, "byggesak-skjema").source
    base = find_robot(config, "byggesak-smatiltak")
    source = ImapSourceConfig(kind="imap", form=getattr(form, "mapping"))  # noqa: B009
    return base.model_copy(update={"id": "byggesak-epost", "source": source})


@pytest.fixture(scope="module")
def mail_harness() -> Iterator[tuple[Harness, Settings]]:
    with _harness(definition=_mail_robot) as made:
        yield made


def _valid_mail() -> bytes:
    message = EmailMessage()
    message["Message-ID"] = "<gyldig@innbygger.example.no>"
    message["From"] = "innbygger@example.no"
    message.set_content("Søknaden er vedlagt.")
    data = json_bytes(demo_case("EP-VALID"))
    message.add_attachment(data, maintype="application", subtype="json", filename="soknad.json")
    return message.as_bytes()


@FUZZ
@given(raw=mutated_mail())
def test_mutated_emails(mail_harness: tuple[Harness, Settings], raw: bytes) -> None:
    harness, config = mail_harness
    valid = message_item("INBOX", listed_message("2", _valid_mail()), config.max_input_bytes)

    def items() -> list[Any]:
        return [message_item("INBOX", listed_message("1", raw), config.max_input_bytes), valid]

    harness.check(items, Path(tempfile.gettempdir()), [valid.source_ref])


@pytest.fixture(scope="module")
def workitems_harness() -> Iterator[tuple[Harness, Settings]]:
    with _harness("byggesak-smatiltak") as made:
        yield made


@contextmanager
def _workitem_environment() -> Iterator[None]:
    """WorkItemsSource sets RPA_* variables for the RPA library; restore them after."""
    names = ("RPA_INPUT_WORKITEM_PATH", "RPA_OUTPUT_WORKITEM_PATH")
    saved = {name: os.environ.get(name) for name in names}
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@FUZZ
@given(drawn=mutated_work_items())
def test_mutated_work_items(
    workitems_harness: tuple[Harness, Settings], drawn: tuple[bytes, bool]
) -> None:
    harness, config = workitems_harness
    content, intact = drawn
    with tempfile.TemporaryDirectory() as folder, _workitem_environment():
        path = Path(folder) / "work-items.json"
        path.write_bytes(content)
        os.environ["RPA_OUTPUT_WORKITEM_PATH"] = str(Path(folder) / "output.json")
        source = WorkItemsSource(path, max_bytes=config.max_input_bytes)
        readable = _readable_list(content)
        valid = ["work-items.json#0"] if intact and readable else []
        harness.check(source.items, Path(folder), valid)


def _readable_list(content: bytes) -> bool:
    """Whether RPA.Robocorp.WorkItems reads the file: a JSON list of objects (it refuses a
    file with any other item, so the valid one cannot be read then either)."""
    try:
        items = json.loads(content.decode("utf-8"))  # json.loads(bytes) lets surrogates by
    except ValueError:
        return False
    return isinstance(items, list) and all(isinstance(item, dict) for item in items)
