"""The kommune's keys, certificates and secrets for KS: read from files and checked.

The same checks serve the Fiks IO account's key pair (signing and decrypting messages) and the
virksomhetssertifikat that signs Maskinporten grants: readable, an RSA key, the key belonging to
the certificate, and the certificate valid now.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from runner.errors import ConfigurationError, FieldProblem

__all__ = [
    "KeyPair",
    "certificate_problems",
    "load_certificate",
    "load_key_pair",
    "load_private_key",
    "read_secret",
]


class KeyPair:
    """A private RSA key and the certificate that carries its public half."""

    def __init__(self, private_key: rsa.RSAPrivateKey, certificate: x509.Certificate) -> None:
        self.private_key = private_key
        self.certificate = certificate


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
            fix="Pek på sertifikatfilen: for Fiks IO den kontoen er registrert med i Fiks "
            "Forvaltning, for Maskinporten virksomhetssertifikatet.",
        ) from error


def load_private_key(path: Path, password: str | None = None) -> rsa.RSAPrivateKey:
    """An RSA private key from a PEM (PKCS#8 or PKCS#1) or DER file; encrypted with
    `password` when one is given."""
    data = _read(path, "den private nøkkelen")
    secret = password.encode() if password is not None else None
    try:
        if b"-----BEGIN" in data:
            key = serialization.load_pem_private_key(data, password=secret)
        else:
            key = serialization.load_der_private_key(data, password=secret)
    except (ValueError, TypeError) as error:
        if password is None:
            raise ConfigurationError(
                f"{path} er ikke en ukryptert privat nøkkel (PEM eller DER)",
                fix="Lagre nøkkelen uten passord i en fil bare saksrobot kan lese (chmod 600), "
                "eller oppgi passordet i key_password_file (Maskinporten).",
            ) from error
        raise ConfigurationError(
            f"{path} kan ikke åpnes med passordet i key_password_file (PEM eller DER)",
            fix="Sjekk at passordfilen hører til nøkkelen, og at nøkkelen er PEM eller DER.",
        ) from error
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ConfigurationError(
            f"{path} er ikke en RSA-nøkkel",
            fix="Fiks IO og Maskinporten (RS256) bruker RSA-nøkler; lag et nytt RSA-par.",
        )
    return key


def load_key_pair(key_path: Path, certificate_path: Path, password: str | None = None) -> KeyPair:
    """The key and certificate, refused if they do not belong together or the certificate is
    not valid now."""
    keys = KeyPair(load_private_key(key_path, password), load_certificate(certificate_path))
    problems = certificate_problems(keys.certificate, keys.private_key)
    if problems:
        raise ConfigurationError(
            f"Nøkkelen {key_path} og sertifikatet {certificate_path} kan ikke brukes",
            problems=[FieldProblem("", problem) for problem in problems],
            fix="Bestill nytt sertifikat eller lag et nytt nøkkelpar, og pek på begge (for Fiks "
            "IO: last opp sertifikatet i Fiks Forvaltning).",
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


def read_secret(path: Path, what: str, table: str) -> str:
    """A secret kept in a file (first line, stripped)."""
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError as error:
        raise ConfigurationError(
            f"Kan ikke lese {what} i {path}: {error.strerror}",
            fix=f"Sjekk stien i {table} og at saksrobot har lesetilgang.",
        ) from error
    if not text:
        raise ConfigurationError(f"{path} er tom ({what})", fix=f"Legg {what} i filen.")
    return text.splitlines()[0]


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise ConfigurationError(
            f"Kan ikke lese {what} {path}: {error.strerror}",
            fix="Sjekk stien i kommunens innstillinger og at saksrobot har lesetilgang.",
        ) from error
