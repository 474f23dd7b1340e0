"""The national components' round trip, run by `make demo` after `saksrobot demo`.

When RabbitMQ answers (127.0.0.1:5672, or the URL in SAKSROBOT_DEMO_AMQP_URL), one building
application goes the whole way a kommune's would, on the real broker:

1. three Fiks IO accounts get fresh keys and certificates under the demo's data folder: the
   kommune (Askøy), the building portal and the kommune's archive;
2. the local stand-in for Fiks IO's REST front starts on loopback (demo/standins/fiks_io.py:
   every request checked against KS's description; accepted messages go to the real queues);
3. the portal sends a DiBK application (demo/dibk_form.py), signed and encrypted, to the
   kommune's queue;
4. the demo's Fiks IO robot (demo/fiksio-robot.yaml) reads it: a case, sent to review, as
   every DiBK application is (plan conformity is a person's decision);
5. the demo caseworker answers its open points with a written assessment and approves the
   letter, through the review page's own actions (runner/web/actions.py);
6. the letter goes back over Fiks IO as the answer to the application's message, and the
   arkivmelding (valid against KS's official XSD) to the archive's queue;
7. the demo archive (demo/standins/archive.py) opens and validates it and answers `mottatt`
   and `kvittering` with its saksnummer and journalpostnummer;
8. the robot reads the answers and records the receipt on the case.

Each step is printed in Norwegian. When RabbitMQ does not answer, it says how to turn it on and
exits 0, so `make demo` stays green; it checks the broker before it loads anything heavy. Run:
`python -m demo.roundtrip [--settings FILE]`. The steps are in demo/roundtrip_steps.py.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import pika
import pika.exceptions

__all__ = ["AMQP_URL_VARIABLE", "broker_problem", "main"]

AMQP_URL_VARIABLE = "SAKSROBOT_DEMO_AMQP_URL"
DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/%2F"
SETTINGS = Path(__file__).resolve().parent / "saksrobot.toml"


def shown_url(url: str) -> str:
    """The broker's address without its user and password."""
    parameters = pika.URLParameters(url)
    return f"amqp://{parameters.host}:{parameters.port}/"


def broker_problem(url: str) -> str | None:
    """Why the broker at `url` cannot be used (None when it answers and lets us in)."""
    parameters = pika.URLParameters(url)
    parameters.socket_timeout = 2
    parameters.connection_attempts = 1
    try:
        pika.BlockingConnection(parameters).close()
    except (pika.exceptions.AMQPError, OSError) as error:
        return type(error).__name__
    return None


def how_to_enable(url: str, problem: str) -> str:
    return (
        f"Rundturen gjennom Fiks IO og Fiks Arkiv er hoppet over: RabbitMQ svarer ikke på "
        f"{shown_url(url)} ({problem}).\n"
        "Slik slår du den på:\n"
        "  - start RabbitMQ på denne maskinen: sudo apt-get install rabbitmq-server && "
        "sudo systemctl start rabbitmq-server (brukeren guest/guest på 127.0.0.1:5672), "
        "og kjør make demo igjen;\n"
        f"  - eller bruk en annen RabbitMQ: {AMQP_URL_VARIABLE}="
        "amqp://bruker:passord@vert:5672/%2F make demo"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--settings", type=Path, default=SETTINGS)
    options = parser.parse_args(argv)
    amqp_url = os.environ.get(AMQP_URL_VARIABLE) or DEFAULT_AMQP_URL
    problem = broker_problem(amqp_url)
    if problem is not None:
        print(how_to_enable(amqp_url, problem))
        return 0
    # The broker answers: now the round trip's machinery (slow to import) is loaded.
    from demo.roundtrip_steps import round_trip
    from runner.logs import configure_logging
    from runner.settings import load_settings
    from runner.store import CaseState
    from runner.vocabulary import word

    settings = load_settings(options.settings)
    configure_logging("warning")  # the steps below say what happens; the log only what fails
    print(
        f"Rundtur gjennom de nasjonale komponentene (Fiks IO og Fiks Arkiv) på RabbitMQ "
        f"{shown_url(amqp_url)}:"
    )
    started = time.monotonic()
    result = round_trip(settings, amqp_url, print)
    shown = _shown(options.settings)
    print(f"Se saken: .venv/bin/saksrobot explain {result.reference} --settings {shown}")
    print(
        f"Eller på saksbehandlingssiden: .venv/bin/saksrobot serve --settings {shown}, "
        f"og åpne http://127.0.0.1:8000/saker/{result.case_id}"
    )
    seconds = f"{time.monotonic() - started:.1f}".replace(".", ",")
    print(f"Rundturen tok {seconds} sekunder.")
    if result.state != CaseState.sent or result.problems:
        print(
            "Rundturen gikk ikke som den skulle: saken er "
            f"{word('state', result.state, 'nb').lower()}; "
            f"stand-in for Fiks IO avviste: {result.problems}"
        )
        return 1
    return 0


def _shown(path: Path) -> str:
    """The settings path as the user can type it here (relative when under this folder)."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


if __name__ == "__main__":
    sys.exit(main())
