"""KS Fiks IO: signed, encrypted messages between systems (ASiC-E in CMS, AMQP in, REST out)."""

from runner.fiksio.asice import ContainerFile, SignedContainer, build_container, read_container
from runner.fiksio.client import FiksIoClient, OutgoingMessage
from runner.fiksio.crypto import decrypt_payload, encrypt_payload
from runner.fiksio.errors import FiksIoMessageError, FiksIoSendError
from runner.fiksio.message import MessageMetadata, SentMessage, client_message_id, queue_name
from runner.fiksio.receive import Delivery, FiksIoReceiver
from runner.ks.keys import KeyPair, certificate_problems, load_certificate, load_key_pair

__all__ = [
    "ContainerFile",
    "Delivery",
    "FiksIoClient",
    "FiksIoMessageError",
    "FiksIoReceiver",
    "FiksIoSendError",
    "KeyPair",
    "MessageMetadata",
    "OutgoingMessage",
    "SentMessage",
    "SignedContainer",
    "build_container",
    "certificate_problems",
    "client_message_id",
    "decrypt_payload",
    "encrypt_payload",
    "load_certificate",
    "load_key_pair",
    "queue_name",
    "read_container",
]
