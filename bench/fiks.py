"""Benchmark: Fiks IO messages per second out and in, with signing and encryption.

Run: .venv/bin/python bench/fiks.py [N] [--json]

Each message carries a DiBK application (about 4 KB of XML) and a 100 KB PDF attachment.
- out, crypto only: build the signed ASiC-E container and encrypt it for the receiver;
- out, over the API: the same sent through the Fiks IO send API (the local server of the tests,
  which checks each request and publishes to the real RabbitMQ; needs RabbitMQ on 127.0.0.1);
- in: take each message from the queue, decrypt, check signature and digests, acknowledge.
RSA-2048 keys are made for the run. Prints messages per second and ms per message.
"""

from __future__ import annotations

import json
import os
import random
import socket
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pika  # noqa: E402

from demo.dibk_form import application_xml  # noqa: E402
from demo.standins.fiks_io import FiksIoServer  # noqa: E402
from demo.standins.keys import make_key_pair  # noqa: E402
from demo.standins.serving import running  # noqa: E402
from demo.synthetic import byggesak_case  # noqa: E402
from runner.fiksio import (  # noqa: E402
    ContainerFile,
    FiksIoClient,
    FiksIoReceiver,
    OutgoingMessage,
    build_container,
    client_message_id,
    encrypt_payload,
    queue_name,
)
from runner.ks import KsIntegration  # noqa: E402

AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/%2F"
MESSAGE_TYPE = "no.ks.fiks.byggesoknad.tiltakutenansvarsrett.v3"


def files(seed: int) -> tuple[ContainerFile, ...]:
    case = byggesak_case(
        random.Random(seed),
        "soknad_garasje_60",
        reference=f"BS-{seed}",
        received_at=datetime(2026, 9, 21, 12, tzinfo=UTC),
    )
    pdf = b"%PDF-1.7\n" + os.urandom(100_000)
    return (
        ContainerFile("soknad.xml", application_xml(case), "application/xml"),
        ContainerFile("situasjonsplan.pdf", pdf, "application/pdf"),
    )


def broker() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5672), timeout=1):
            return True
    except OSError:
        return False


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    count = int(args[0]) if args else 200
    sender, receiver = make_key_pair("Portal"), make_key_pair("Kommune")
    payloads = [files(seed) for seed in range(count)]
    result: dict[str, float | int | None] = {"messages": count}

    start = time.perf_counter()
    for payload in payloads:
        encrypt_payload(build_container(list(payload), sender), receiver.certificate)
    crypto = time.perf_counter() - start
    result["out_crypto_per_s"] = count / crypto
    result["out_crypto_ms"] = crypto / count * 1000

    result["out_api_per_s"] = result["in_per_s"] = None
    if broker():
        portal, kommune = uuid.uuid4(), uuid.uuid4()
        server = FiksIoServer(AMQP_URL, integration_id=uuid.uuid4(), password="p")
        server.certificates.update({portal: sender.certificate, kommune: receiver.certificate})
        connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
        channel = connection.channel()
        channel.queue_declare(queue_name(kommune))
        try:
            with running(server):
                integration = KsIntegration(server.integration_id, "p", lambda: "token")
                with FiksIoClient(
                    server.base_url, account=portal, integration=integration, signer=sender
                ) as client:
                    start = time.perf_counter()
                    for index, payload in enumerate(payloads):
                        client.send(
                            OutgoingMessage(
                                kommune, MESSAGE_TYPE, payload, client_message_id(f"bench-{index}")
                            )
                        )
                    sent = time.perf_counter() - start
            result["out_api_per_s"] = count / sent
            reader = FiksIoReceiver(AMQP_URL, account=kommune, keys=receiver)
            start = time.perf_counter()
            received = sum(1 for delivery in reader.messages() if delivery.error is None)
            taken = time.perf_counter() - start
            assert received == count, f"{received} of {count} messages opened"
            result["in_per_s"] = count / taken
            result["in_ms"] = taken / count * 1000
        finally:
            channel.queue_delete(queue_name(kommune))
            connection.close()

    if "--json" in sys.argv:
        print(json.dumps(result))
        return
    print(f"Fiks IO, {count} messages (4 KB XML + 100 KB PDF each), RSA-2048 (OAEP), AES-256-CBC")
    print(
        f"  out, sign + encrypt:        {result['out_crypto_per_s']:8.1f} msg/s "
        f"({result['out_crypto_ms']:.2f} ms each)"
    )
    if result["out_api_per_s"] is None:
        print("  out over the API and in:    not run (RabbitMQ is not on 127.0.0.1:5672)")
        return
    print(
        f"  out, through the send API:  {result['out_api_per_s']:8.1f} msg/s "
        "(local server checking each request, publishing to RabbitMQ)"
    )
    print(
        f"  in, AMQP + decrypt + verify: {result['in_per_s']:7.1f} msg/s "
        f"({result['in_ms']:.2f} ms each)"
    )


if __name__ == "__main__":
    main()
