"""Keys and self-signed certificates for the tests and the demo, made fresh each time (never kept
in the repository): they stand in for the virksomhetssertifikater a kommune uploads to Fiks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from runner.ks.keys import KeyPair


def make_key_pair(
    name: str, *, valid_from: datetime | None = None, days: int = 365, bits: int = 2048
) -> KeyPair:
    """An RSA key and a self-signed certificate for it, like a test virksomhetssertifikat."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    start = valid_from or datetime.now(UTC) - timedelta(days=1)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "NO"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, name),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{name} Fiks IO test"),
        ]
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=days))
        .sign(key, hashes.SHA256())
    )
    return KeyPair(key, certificate)


def write_key_pair(keys: KeyPair, folder: Path, name: str) -> tuple[Path, Path]:
    """The key (PKCS#8 PEM, mode 600) and certificate (PEM) as files in the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    key_path, cert_path = folder / f"{name}.key.pem", folder / f"{name}.cert.pem"
    key_path.write_bytes(
        keys.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    cert_path.write_bytes(keys.certificate.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path
