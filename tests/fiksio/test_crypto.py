"""CMS EnvelopedData for the receiver's certificate, and checks of keys and certificates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from asn1crypto import cms

from demo.standins.keys import make_key_pair, write_key_pair
from runner.errors import ConfigurationError
from runner.fiksio.crypto import decrypt_payload, encrypt_payload
from runner.fiksio.errors import FiksIoMessageError
from runner.ks.keys import KeyPair, certificate_problems, load_key_pair


def test_only_the_receiver_opens_what_was_encrypted_for_it(
    kommune_keys: KeyPair, portal_keys: KeyPair
) -> None:
    secret = b"ASiC-E container bytes" * 100
    encrypted = encrypt_payload(secret, kommune_keys.certificate)
    assert secret not in encrypted
    assert decrypt_payload(encrypted, kommune_keys, source="x") == secret
    with pytest.raises(FiksIoMessageError) as caught:
        decrypt_payload(encrypted, portal_keys, source="fiksio:abc")
    assert "kan ikke dekrypteres" in caught.value.problems[0].reason
    assert caught.value.source == "fiksio:abc"


def test_the_envelope_is_what_ks_kryptering_makes(kommune_keys: KeyPair) -> None:
    """AES-256-CBC content, RSAES-OAEP with SHA-256 and MGF1-SHA-256, recipient by issuer and
    serial number (ks-no kryptering CMSKrypteringImpl)."""
    envelope = cms.ContentInfo.load(encrypt_payload(b"x", kommune_keys.certificate))
    assert envelope["content_type"].native == "enveloped_data"
    content = envelope["content"]
    algorithm = content["encrypted_content_info"]["content_encryption_algorithm"]
    assert algorithm["algorithm"].native == "aes256_cbc"
    recipient = content["recipient_infos"][0].chosen
    transport = recipient["key_encryption_algorithm"]
    assert transport["algorithm"].native == "rsaes_oaep"
    assert transport["parameters"].native == {
        "hash_algorithm": {"algorithm": "sha256", "parameters": None},
        "mask_gen_algorithm": {
            "algorithm": "mgf1",
            "parameters": {"algorithm": "sha256", "parameters": None},
        },
        "p_source_algorithm": {"algorithm": "p_specified", "parameters": b""},
    }
    issuer_serial = recipient["rid"].chosen
    assert issuer_serial["serial_number"].native == kommune_keys.certificate.serial_number


def test_an_envelope_with_pkcs1_v15_key_transport_is_read_too(kommune_keys: KeyPair) -> None:
    """What other CMS writers make (here the cryptography package's own builder)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.ciphers import algorithms
    from cryptography.hazmat.primitives.serialization import pkcs7

    envelope = (
        pkcs7.PKCS7EnvelopeBuilder()
        .set_data(b"fra en annen avsender")
        .add_recipient(kommune_keys.certificate)
        .set_content_encryption_algorithm(algorithms.AES128)
        .encrypt(serialization.Encoding.DER, [pkcs7.PKCS7Options.Binary])
    )
    assert decrypt_payload(envelope, kommune_keys, source="x") == b"fra en annen avsender"


def test_what_we_encrypt_opens_with_openssl(kommune_keys: KeyPair, tmp_path: Path) -> None:
    """An independent CMS reader (the openssl command) opens our envelope."""
    import shutil
    import subprocess

    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is not installed (apt-get install openssl)")
    key_path, cert_path = write_key_pair(kommune_keys, tmp_path, "kommune")
    (tmp_path / "melding.cms").write_bytes(
        encrypt_payload(b"til mottakeren", kommune_keys.certificate)
    )
    done = subprocess.run(
        [openssl, "cms", "-decrypt", "-inform", "DER", "-in", str(tmp_path / "melding.cms"),
         "-inkey", str(key_path), "-recip", str(cert_path), "-binary"],
        capture_output=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout == b"til mottakeren"


def test_what_openssl_encrypts_with_oaep_we_open(kommune_keys: KeyPair, tmp_path: Path) -> None:
    """And the other way: openssl's OAEP-SHA256 envelope (BER, as a streaming writer makes)."""
    import shutil
    import subprocess

    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is not installed (apt-get install openssl)")
    _, cert_path = write_key_pair(kommune_keys, tmp_path, "kommune")
    (tmp_path / "inn.txt").write_bytes(b"fra openssl")
    done = subprocess.run(
        [openssl, "cms", "-encrypt", "-binary", "-aes256", "-outform", "DER", "-stream",
         "-in", str(tmp_path / "inn.txt"), "-recip", str(cert_path),
         "-keyopt", "rsa_padding_mode:oaep", "-keyopt", "rsa_oaep_md:sha256",
         "-keyopt", "rsa_mgf1_md:sha256"],
        capture_output=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr.decode()
    assert (
        cms.ContentInfo.load(done.stdout)["content"]["recipient_infos"][0]
        .chosen["key_encryption_algorithm"]["algorithm"]
        .native
        == "rsaes_oaep"
    )
    assert decrypt_payload(done.stdout, kommune_keys, source="x") == b"fra openssl"


@pytest.mark.parametrize("damage", ["flip", "cut", "garbage"])
def test_a_damaged_envelope_is_a_message_error(kommune_keys: KeyPair, damage: str) -> None:
    encrypted = bytearray(encrypt_payload(b"payload" * 50, kommune_keys.certificate))
    if damage == "flip":
        # AES-CBC has no integrity of its own (the container's signature gives it), so a
        # random flip in the last block leaves valid padding about once in 256 runs. The
        # ciphertext ends the DER envelope: flipping the last byte of the block before the
        # last turns the padding 02 02 (350 bytes of payload) into 02 03, never valid.
        encrypted[-17] ^= 0x01
    elif damage == "cut":
        encrypted = encrypted[:-40]
    else:
        encrypted = bytearray(b"\x30\x03\x02\x01\x00")
    with pytest.raises(FiksIoMessageError):
        decrypt_payload(bytes(encrypted), kommune_keys, source="x")


def test_certificate_problems_say_what_is_wrong(kommune_keys: KeyPair) -> None:
    assert certificate_problems(kommune_keys.certificate, kommune_keys.private_key) == []
    expired = make_key_pair("Gammel", valid_from=datetime.now(UTC) - timedelta(days=400), days=30)
    assert any("gikk ut" in p for p in certificate_problems(expired.certificate))
    future = make_key_pair("Ny", valid_from=datetime.now(UTC) + timedelta(days=10))
    assert any("gjelder først" in p for p in certificate_problems(future.certificate))
    other = make_key_pair("Annen")
    problems = certificate_problems(kommune_keys.certificate, other.private_key)
    assert problems == ["den private nøkkelen hører ikke til sertifikatet"]


def test_a_key_pair_is_loaded_from_files_and_a_mismatch_refused(
    tmp_path: object, kommune_keys: KeyPair, portal_keys: KeyPair
) -> None:
    from pathlib import Path

    folder = Path(str(tmp_path))
    key_path, cert_path = write_key_pair(kommune_keys, folder, "kommune")
    loaded = load_key_pair(key_path, cert_path)
    assert loaded.certificate == kommune_keys.certificate
    _, other_cert = write_key_pair(portal_keys, folder, "portal")
    with pytest.raises(ConfigurationError, match="hører ikke til"):
        load_key_pair(key_path, other_cert)
    with pytest.raises(ConfigurationError, match="Kan ikke lese"):
        load_key_pair(folder / "mangler.pem", cert_path)
    with pytest.raises(ConfigurationError, match=r"ikke et X\.509"):
        load_key_pair(key_path, key_path)
