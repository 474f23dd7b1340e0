"""The public surface of runner.fiksio: every name in __all__ imports, and it is the contract."""

from __future__ import annotations

import runner.fiksio


def test_every_name_in_all_imports() -> None:
    for name in runner.fiksio.__all__:
        assert getattr(runner.fiksio, name) is not None


def test_all_is_the_contract() -> None:
    assert set(runner.fiksio.__all__) == {
        "ContainerFile", "Delivery", "FiksIoClient", "FiksIoMessageError", "FiksIoReceiver",
        "FiksIoSendError", "KeyPair", "MessageMetadata", "OutgoingMessage",
        "SentMessage", "SignedContainer", "build_container", "certificate_problems",
        "client_message_id", "decrypt_payload", "encrypt_payload", "load_certificate",
        "load_key_pair", "queue_name", "read_container",
    }  # fmt: skip
