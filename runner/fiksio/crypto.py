"""End-to-end encryption of a Fiks IO payload: CMS EnvelopedData for the receiver's certificate.

KS's clients encrypt the ASiC-E container as CMS (RFC 5652) EnvelopedData with AES-256-CBC
content encryption and RSA key transport to the receiver's X.509 certificate (the public key
the receiving account has uploaded to Fiks). We use the `cryptography` package's PKCS#7
envelope builder and decrypter, which produce and read exactly that structure.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers import algorithms
from cryptography.hazmat.primitives.serialization import pkcs7

from runner.errors import ConfigurationError, FieldProblem
from runner.fiksio.errors import FiksIoMessageError

__all__ = [
    "KeyPair",
    "certificate_problems",
    "decrypt_payload",
    "encrypt_payload",
    "load_certificate",
    "load_key_pair",
    "load_private_key",
]


class KeyPair:
    """A private RSA key and the certificate that carries its public half."""

    def __init__(self, private_key: rsa.RSAPrivateKey, certificate: x509.Certificate) -> None:
        self.private_key = private_key
        self.certificate = certificate


def encrypt_payload(data: bytes, receiver: x509.Certificate) -> bytes:
    """The data as DER-encoded CMS EnvelopedData that only the receiver's key opens."""
    return (
        pkcs7.PKCS7EnvelopeBuilder()
        .set_data(data)
        .add_recipient(receiver)
        .set_content_encryption_algorithm(algorithms.AES256)
        .encrypt(serialization.Encoding.DER, [pkcs7.PKCS7Options.Binary])
    )


def decrypt_payload(data: bytes, keys: KeyPair, *, source: str) -> bytes:
    """The plaintext of CMS EnvelopedData for our key; a message not for us, damaged or not
    CMS at all is a FiksIoMessageError saying so in Norwegian."""
    try:
        return pkcs7.pkcs7_decrypt_der(data, keys.certificate, keys.private_key, [])
    except ValueError as error:
        raise FiksIoMessageError(
            source,
            [
                FieldProblem(
                    "",
                    "meldingen kan ikke dekrypteres med kommunens nøkkel (den er kryptert for "
                    "en annen mottaker, er skadet underveis eller er ikke CMS)",
                    "be avsenderen sende på nytt til riktig Fiks IO-konto med kontoens "
                    "gjeldende offentlige nøkkel",
                )
            ],
        ) from error


def load_certificate(path: Path) -> x509.Certificate:
    """An X.509 certificate from a PEM or DER file."""
    data = _read(path, "sertifikatet")
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificate(data)
        return x509.load_der_x509_certificate(data)
    except ValueError as error:
        raise ConfigurationError(
            f"{path} er ikke et X.509-sertifikat (PEM eller DER)",
            fix="Pek på sertifikatfilen kontoen er registrert med i Fiks Forvaltning.",
        ) from error


def load_private_key(path: Path) -> rsa.RSAPrivateKey:
    """An unencrypted RSA private key from a PEM (PKCS#8 or PKCS#1) or DER file."""
    data = _read(path, "den private nøkkelen")
    try:
        if b"-----BEGIN" in data:
            key = serialization.load_pem_private_key(data, password=None)
        else:
            key = serialization.load_der_private_key(data, password=None)
    except (ValueError, TypeError) as error:
        raise ConfigurationError(
            f"{path} er ikke en ukryptert privat nøkkel (PEM eller DER)",
            fix="Lagre nøkkelen uten passord i en fil bare saksrobot kan lese (chmod 600).",
        ) from error
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ConfigurationError(
            f"{path} er ikke en RSA-nøkkel", fix="Fiks IO bruker RSA-nøkler; lag et nytt RSA-par."
        )
    return key


def load_key_pair(key_path: Path, certificate_path: Path) -> KeyPair:
    """The account's key and certificate, refused if they do not belong together."""
    keys = KeyPair(load_private_key(key_path), load_certificate(certificate_path))
    problems = certificate_problems(keys.certificate, keys.private_key)
    if problems:
        raise ConfigurationError(
            f"Nøkkelen {key_path} og sertifikatet {certificate_path} kan ikke brukes",
            problems=[FieldProblem("", problem) for problem in problems],
            fix="Lag et nytt nøkkelpar, last opp sertifikatet i Fiks Forvaltning og pek på begge.",
        )
    return keys


def certificate_problems(
    certificate: x509.Certificate,
    private_key: rsa.RSAPrivateKey | None = None,
    *,
    now: datetime | None = None,
) -> list[str]:
    """What is wrong with a certificate (expired, not yet valid, not matching the key), in
    Norwegian; empty when it can be used."""
    moment = now or datetime.now(UTC)
    problems = []
    if certificate.not_valid_after_utc < moment:
        day = certificate.not_valid_after_utc.date().isoformat()
        problems.append(f"sertifikatet gikk ut {day}")
    if certificate.not_valid_before_utc > moment:
        day = certificate.not_valid_before_utc.date().isoformat()
        problems.append(f"sertifikatet gjelder først fra {day}")
    public = certificate.public_key()
    if not isinstance(public, rsa.RSAPublicKey):
        problems.append("sertifikatet har ikke en RSA-nøkkel")
    elif private_key is not None and public.public_numbers() != (
        private_key.public_key().public_numbers()
    ):
        problems.append("den private nøkkelen hører ikke til sertifikatet")
    return problems


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise ConfigurationError(
            f"Kan ikke lese {what} {path}: {error.strerror}",
            fix="Sjekk stien i kommunens innstillinger og at saksrobot har lesetilgang.",
        ) from error
