"""Log redaction: no fødselsnummer, D-nummer or registered personal value reaches a log line."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import random
import re
import warnings
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
import structlog
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.table import Table
from rich.text import Text
from stdnum.no import fodselsnummer
from structlog.typing import Processor

import runner.logs
import runner.redaction
from demo.synthetic import byggesak_case, synthetic_fodselsnummer
from runner.logs import configure_logging, get_logger
from runner.models.byggesak import ByggesakCase
from runner.redaction import (
    REDACTED,
    clear_personal_values,
    personal_data_scope,
    redact,
    register_personal_values,
    render_rich,
)

# Synthetic numbers (synthetic_fodselsnummer(Random(7)) and (Random(8), d_number=True)),
# written out because a traceback shows source lines, and the test needs one in a line.
FNR_LITERAL = "19016520244"
D_NUMBER_LITERAL = "43055694851"


def test_the_literals_are_valid_synthetic_numbers() -> None:
    assert synthetic_fodselsnummer(random.Random(7)) == FNR_LITERAL
    assert synthetic_fodselsnummer(random.Random(8), d_number=True) == D_NUMBER_LITERAL


def fnr(seed: int = 1, *, d_number: bool = False) -> str:
    return synthetic_fodselsnummer(random.Random(seed), d_number=d_number)


def failing_check(number: str) -> str:
    """The same number with its last check digit changed, so the check fails."""
    changed = number[:-1] + str((int(number[-1]) + 1) % 10)
    assert not fodselsnummer.is_valid(changed)
    return changed


def a_case(seed: int = 3) -> dict[str, Any]:
    return byggesak_case(
        random.Random(seed),
        "unntatt_garasje",
        reference="BS-2026-000417",
        received_at=datetime(2026, 9, 21, 12, 2, tzinfo=UTC),
    )


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    structlog.reset_defaults()
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.captureWarnings(False)
    clear_personal_values()


@pytest.fixture(params=["json", "console"])
def output(request: pytest.FixtureRequest, restore_logging: None) -> Callable[[], str]:
    """Configure logging into a buffer in both formats; call the result to read it."""
    stream = io.StringIO()
    configure_logging("debug", request.param, stream)
    return stream.getvalue


@pytest.fixture
def json_lines(restore_logging: None) -> Callable[[], list[dict[str, Any]]]:
    stream = io.StringIO()
    configure_logging("debug", "json", stream)
    return lambda: [json.loads(line) for line in stream.getvalue().splitlines()]


def test_fnr_in_the_message_is_redacted(output: Callable[[], str]) -> None:
    number = fnr()
    get_logger().info(f"søknad frå {number} motteken")
    assert number not in output()
    assert f"søknad frå {REDACTED} motteken" in output()


def test_fnr_with_a_space_after_the_birth_date_is_redacted(output: Callable[[], str]) -> None:
    number = fnr(2)
    spaced = f"{number[:6]} {number[6:]}"
    get_logger().info(f"fnr {spaced}.")
    assert spaced not in output()
    assert f"fnr {REDACTED}." in output()


def test_d_number_is_redacted(output: Callable[[], str]) -> None:
    number = fnr(3, d_number=True)
    assert int(number[0]) >= 4
    get_logger().warning("d-nummer", note=f"D-nummer {number}", literal=D_NUMBER_LITERAL)
    assert number not in output()
    assert D_NUMBER_LITERAL not in output()


def test_eleven_digits_failing_the_check_stay(output: Callable[[], str]) -> None:
    order_number = failing_check(fnr(4))
    longer_run = "9" + fnr(5)  # a valid number inside a longer digit run is no fødselsnummer
    get_logger().info(f"ordre {order_number}", reference=longer_run)
    assert order_number in output()
    assert longer_run in output()


def test_kwargs_nested_values_and_personal_keys(json_lines: Callable[[], Any]) -> None:
    number = synthetic_fodselsnummer(random.Random(6), birth_date=date(1980, 5, 17))
    get_logger().info(
        "innsyn",
        name="Ola Nordmann",
        applicant={"email": "ola@example.no", "notes": [f"id {number}", ("t", number)]},
        identifier=int(number),
        reference="BS-2026-000417",
    )
    [line] = json_lines()
    assert number not in json.dumps(line)
    assert line["name"] == REDACTED
    assert line["applicant"]["email"] == REDACTED
    assert line["applicant"]["notes"] == [f"id {REDACTED}", ["t", REDACTED]]
    assert line["identifier"] == REDACTED
    assert line["reference"] == "BS-2026-000417"  # case references are fine to log


def test_log_exception_with_case_data_in_its_message(output: Callable[[], str]) -> None:
    case = a_case()
    applicant = case["applicant"]
    with personal_data_scope(case, ByggesakCase):
        try:
            raise ValueError(f"{applicant['name']} ({applicant['national_id']}) bur i feil kommune")
        except ValueError:
            get_logger().exception("validering feila", case=case["reference"])
    text = output()
    assert "ValueError" in text and "Traceback" in text
    assert applicant["name"] not in text
    assert applicant["national_id"] not in text
    assert "BS-2026-000417" in text


def test_exc_info_true_and_a_traceback_with_a_local_fnr(output: Callable[[], str]) -> None:
    def look_up() -> None:
        national_id = FNR_LITERAL
        raise LookupError(national_id, 19016520244)  # the source line shows in the traceback

    try:
        look_up()
    except LookupError:
        get_logger().error("oppslag feila", exc_info=True)
    text = output()
    assert "LookupError" in text
    assert "raise LookupError(national_id, ***)" in text
    assert FNR_LITERAL not in text


def test_standard_library_loggers_are_redacted(output: Callable[[], str]) -> None:
    number = fnr(7)
    logging.getLogger("thirdparty").error("kunne ikkje sende til %s", number)
    try:
        raise RuntimeError(number)
    except RuntimeError:
        logging.getLogger("thirdparty.sub").exception("feil", extra={"national_id": number})
    text = output()
    assert number not in text
    assert "kunne ikkje sende til ***" in text
    assert "RuntimeError: ***" in text


def test_third_party_handlers_are_replaced(restore_logging: None) -> None:
    own_stream, ours = io.StringIO(), io.StringIO()
    engine_logger = logging.getLogger("sqlalchemy.engine")
    engine_logger.addHandler(logging.StreamHandler(own_stream))
    engine_logger.propagate = False
    configure_logging("info", "json", ours)
    number = fnr(8)
    engine_logger.warning("parameters (%r,)", number)
    assert own_stream.getvalue() == ""
    assert number not in ours.getvalue()
    assert json.loads(ours.getvalue())["logger"] == "sqlalchemy.engine"


def test_warnings_are_routed_through_redaction(output: Callable[[], str]) -> None:
    number = fnr(9)
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.warn(f"uventa verdi {number}", UserWarning, stacklevel=1)
    assert "uventa verdi ***" in output()
    assert number not in output()


def test_logs_go_to_stderr_and_stdout_stays_clean(
    restore_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("info", "json")
    get_logger().info("hei", national_id=fnr())
    captured = capsys.readouterr()
    assert captured.out == ""
    assert json.loads(captured.err)["national_id"] == REDACTED


def test_level_filters_both_kinds_of_logger(restore_logging: None) -> None:
    configure_logging("warning", "json", stream := io.StringIO())
    get_logger().info("skjult")
    logging.getLogger("thirdparty").info("skjult")
    get_logger().warning("synleg")
    assert "skjult" not in stream.getvalue()
    assert "synleg" in stream.getvalue()


def test_get_logger_names_the_calling_module(json_lines: Callable[[], Any]) -> None:
    get_logger().info("a")
    get_logger("runner.pipeline").info("b")
    assert [line["logger"] for line in json_lines()] == [__name__, "runner.pipeline"]


def test_registered_case_values_are_redacted(json_lines: Callable[[], Any]) -> None:
    case = a_case()
    applicant = case["applicant"]
    street = applicant["address"]["street"]
    first_name, last_name = applicant["name"].split(" ", 1)
    description = case["measure"]["description"]
    with personal_data_scope(case, ByggesakCase):
        get_logger().info(
            f"brev til {applicant['name'].upper()} i {street}",
            salutation=f"Kjære {first_name}",
            summary=f"{last_name}: {description}",
            contact=f"<{applicant['email']}>",
            where=case["property"]["address"],
            case=case["reference"],
        )
    [line] = json_lines()
    text = json.dumps(line, ensure_ascii=False)
    for secret in (applicant["name"], street, first_name, last_name, description):
        assert secret not in text and secret.upper() not in text
    assert applicant["email"] not in text
    assert line["salutation"] == f"Kjære {REDACTED}"
    assert line["case"] == "BS-2026-000417"


def test_a_validated_model_and_a_raw_dict_register_the_same(json_lines: Callable[[], Any]) -> None:
    case = a_case()
    model = ByggesakCase.model_validate(case)
    with personal_data_scope(model):
        get_logger().info(case["applicant"]["name"])
        get_logger().info("modell", case=model)
    lines = json_lines()
    assert lines[0]["event"] == REDACTED
    assert lines[1]["case"]["applicant"]["name"] == REDACTED
    assert lines[1]["case"]["measure"]["use"] == case["measure"]["use"]


def test_after_the_scope_values_are_no_longer_registered(json_lines: Callable[[], Any]) -> None:
    case = a_case()
    name = case["applicant"]["name"]
    with personal_data_scope(case, ByggesakCase):
        get_logger().info(name)
    get_logger().info(name)
    assert [line["event"] for line in json_lines()] == [REDACTED, name]


def test_nested_scopes_redact_both_cases_when_a_line_first_comes(
    json_lines: Callable[[], Any],
) -> None:
    """A scope sorts its case's values only when a line is logged; an inner scope entered
    before anything was logged still redacts the outer case's values, and the outer's
    again after the inner one ends."""
    outer, inner = a_case(), a_case()
    inner["applicant"]["name"] = "Áile Čiekčaš"
    with personal_data_scope(outer, ByggesakCase):
        with personal_data_scope(ByggesakCase.model_validate(inner)):
            get_logger().info(f"{outer['applicant']['name']} og {inner['applicant']['name']}")
        get_logger().info(f"{outer['applicant']['name']} og {inner['applicant']['name']}")
    first, second = (line["event"] for line in json_lines())
    assert first == f"{REDACTED} og {REDACTED}"
    assert second == f"{REDACTED} og {inner['applicant']['name']}"


def test_register_numbers_as_whole_tokens_and_clear(json_lines: Callable[[], Any]) -> None:
    register_personal_values([11500, "Storgata 101", 7])
    get_logger().info("husleige 11 500 kr, 11500 kr, ordre 211500, Storgata 101, rom 7")
    clear_personal_values()
    get_logger().info("husleige 11500")
    first, second = (line["event"] for line in json_lines())
    assert first == "husleige *** kr, *** kr, ordre 211500, ***, rom 7"
    assert second == "husleige 11500"


def test_concurrent_cases_do_not_share_values(json_lines: Callable[[], Any]) -> None:
    async def process(name: str, other: str) -> None:
        with personal_data_scope({"applicant": {"name": name}}, ByggesakCase):
            await asyncio.sleep(0.01)
            get_logger().info(f"{name}|{other}")

    async def both() -> None:
        await asyncio.gather(
            process("Kari Testesen", "Ola Prøvestad"), process("Ola Prøvestad", "Kari Testesen")
        )

    asyncio.run(both())
    assert sorted(line["event"] for line in json_lines() if "|" in line["event"]) == [
        "***|Kari Testesen",
        "***|Ola Prøvestad",
    ]


def test_rich_output_passes_the_same_redaction(output: Callable[[], str]) -> None:
    number = fnr(10)
    table = Table("navn", "fødselsnummer")
    table.add_row("Kari Testesen", number)
    coloured = io.StringIO()
    from rich.console import Console

    Console(file=coloured, force_terminal=True, color_system="truecolor").print(
        f"[bold]{number[:6]}[/bold] [red]{number[6:]}[/red]"
    )
    assert "\x1b[" in coloured.getvalue()
    with personal_data_scope({"applicant": {"name": "Kari Testesen"}}, ByggesakCase):
        get_logger().info(render_rich(table))
        get_logger().info("farga", text=coloured.getvalue(), rich=Text(f"id {number}"))
    text = output()
    assert number not in text
    assert f"{number[:6]} {number[6:]}" not in text
    assert "Kari Testesen" not in text
    assert "fødselsnummer" in text


def test_a_failing_redaction_withholds_the_line() -> None:
    class Broken:
        def __repr__(self) -> str:
            raise RuntimeError(fnr())

    event = {"event": "hemmeleg", "level": "info", "value": Broken()}
    assert redact(None, "info", event) == {
        "event": "log line withheld: redaction failed",
        "level": "info",
        "timestamp": None,
        "redaction_error": "RuntimeError",
    }


def test_every_public_name_exists() -> None:
    for module in (runner.logs, runner.redaction):
        for name in module.__all__:
            assert hasattr(module, name), name


_RENDERERS: list[Processor] = [
    structlog.processors.JSONRenderer(ensure_ascii=False),
    structlog.dev.ConsoleRenderer(colors=False),
]
_TEXT = st.text(st.characters(blacklist_characters="\x1b"), max_size=60)


@settings(max_examples=300, database=None, deadline=None)
@given(
    before=_TEXT,
    after=_TEXT,
    seed=st.integers(0, 2**32),
    spaced=st.booleans(),
    d_number=st.booleans(),
    where=st.sampled_from(["event", "value", "nested", "key"]),
)
def test_embedded_valid_fnr_never_shows(
    before: str, after: str, seed: int, spaced: bool, d_number: bool, where: str
) -> None:
    number = synthetic_fodselsnummer(random.Random(seed), d_number=d_number)
    written = f"{number[:6]} {number[6:]}" if spaced else number
    # A digit right next to it makes a longer digit run, which is by design not an fnr.
    before = before + " " if re.search(r"[0-9]$", before) else before
    after = " " + after if re.match(r"[0-9]", after) else after
    text = before + written + after
    event: dict[str, Any] = {
        "event": text if where == "event" else "x",
        "value": text if where == "value" else 1,
        "nested": {"list": [{"deep": text}]} if where == "nested" else {},
    }
    if where == "key":
        event["values"] = {text: "v"}
    for renderer in _RENDERERS:
        rendered = str(renderer(None, "info", redact(None, "info", dict(event))))
        assert number not in rendered
        assert written not in rendered


def test_rpaframework_info_lines_are_quiet_at_info() -> None:
    """RPA.Excel logs "Opened workbook: <… object at 0x…>" at info: nothing for an operator."""
    import io
    import logging

    from runner.logs import configure_logging

    configure_logging("info", stream=io.StringIO())
    assert not logging.getLogger("RPA.Excel.Files").isEnabledFor(logging.INFO)
    assert logging.getLogger("RPA.Excel.Files").isEnabledFor(logging.WARNING)
    assert logging.getLogger("runner.pipeline").isEnabledFor(logging.INFO)
    configure_logging("debug", stream=io.StringIO())
    assert logging.getLogger("RPA.Excel.Files").isEnabledFor(logging.WARNING)
