"""End-to-end encryption of a Fiks IO payload: CMS EnvelopedData for the receiver's certificate.

As KS's own encryption library does it (ks-no kryptering `CMSKrypteringImpl`, used by the Fiks IO
clients): CMS (RFC 5652) EnvelopedData, content encrypted with AES-256-CBC, the content key
encrypted for the receiver's X.509 certificate with RSAES-OAEP (SHA-256, MGF1 with SHA-256,
empty label), the recipient named by issuer and serial number. Reading also takes RSA PKCS#1
v1.5 key transport and AES-128/192, and BER (indefinite lengths, chunked content) as streaming
CMS writers produce it. The structure is read and written with asn1crypto, the cryptography
with the `cryptography` package's primitives.
"""

from __future__ import annotations

import os
from typing import Any

from asn1crypto import algos, cms, core
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import padding as block_padding
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from runner.fiksio.errors import FiksIoMessageError
from runner.ks.keys import KeyPair
from runner.problems import problem

__all__ = ["decrypt_payload", "encrypt_payload"]


HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha1": hashes.SHA1,
    "sha224": hashes.SHA224,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}
#: RSAES-OAEP as KS's library sets it: SHA-256, MGF1 with SHA-256, empty label.
OAEP_SHA256 = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
CONTENT_CIPHERS = {"aes128_cbc": 16, "aes192_cbc": 24, "aes256_cbc": 32}


def encrypt_payload(data: bytes, receiver: x509.Certificate) -> bytes:
    """The data as DER-encoded CMS EnvelopedData that only the receiver's key opens."""
    public = receiver.public_key()
    if not isinstance(public, rsa.RSAPublicKey):
        raise ValueError("the receiver's certificate has no RSA key")
    key, iv = os.urandom(32), os.urandom(16)
    padder = block_padding.PKCS7(128).padder()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    ciphertext = encryptor.update(padder.update(data) + padder.finalize()) + encryptor.finalize()
    issuer = asn1_x509.Name.load(receiver.issuer.public_bytes())  # as encoded: dumped as is
    oaep = algos.RSAESOAEPParams(
        {
            "hash_algorithm": {"algorithm": "sha256"},
            "mask_gen_algorithm": {"algorithm": "mgf1", "parameters": {"algorithm": "sha256"}},
            "p_source_algorithm": {"algorithm": "p_specified", "parameters": b""},
        }
    )
    recipient = cms.KeyTransRecipientInfo(
        {
            "version": "v0",
            "rid": cms.RecipientIdentifier(
                {
                    "issuer_and_serial_number": cms.IssuerAndSerialNumber(
                        {"issuer": issuer, "serial_number": receiver.serial_number}
                    )
                }
            ),
            "key_encryption_algorithm": {"algorithm": "rsaes_oaep", "parameters": oaep},
            "encrypted_key": public.encrypt(key, OAEP_SHA256),
        }
    )
    content = cms.EncryptedContentInfo(
        {
            "content_type": "data",
            "content_encryption_algorithm": {
                "algorithm": "aes256_cbc",
                "parameters": core.OctetString(iv),
            },
            "encrypted_content": ciphertext,
        }
    )
    # each level from its encoding, so the large content is encoded once, not at every level
    enveloped = cms.EnvelopedData(
        {
            "version": "v0",
            "recipient_infos": [cms.RecipientInfo({"ktri": recipient})],
            "encrypted_content_info": cms.EncryptedContentInfo.load(content.dump()),
        }
    )
    envelope = {"content_type": "enveloped_data", "content": enveloped.load(enveloped.dump())}
    return bytes(cms.ContentInfo(envelope).dump())


def decrypt_payload(data: bytes, keys: KeyPair, *, source: str) -> bytes:
    """The plaintext of CMS EnvelopedData for our key; a message not for us, damaged or not
    CMS at all is a FiksIoMessageError saying so in Norwegian."""
    try:
        return _decrypt(data, keys)
    except (ValueError, KeyError, TypeError, IndexError, OverflowError) as error:
        raise FiksIoMessageError(source, [problem("fiksio_undecryptable")]) from error


def _decrypt(data: bytes, keys: KeyPair) -> bytes:
    info = cms.ContentInfo.load(data)
    if info["content_type"].native != "enveloped_data":
        raise ValueError("not CMS EnvelopedData")
    enveloped = info["content"]
    ours = [
        choice.chosen
        for choice in enveloped["recipient_infos"]
        if choice.name == "ktri" and _names_us(choice.chosen["rid"], keys.certificate)
    ]
    if not ours:
        raise ValueError("no recipient is our certificate")
    recipient = ours[0]
    content_key = keys.private_key.decrypt(
        recipient["encrypted_key"].native, _key_padding(recipient["key_encryption_algorithm"])
    )
    content = enveloped["encrypted_content_info"]
    algorithm = content["content_encryption_algorithm"]
    name = algorithm["algorithm"].native
    if CONTENT_CIPHERS.get(name) != len(content_key):
        raise ValueError(f"content encryption {name} with a {len(content_key)}-byte key")
    iv = algorithm["parameters"].native
    ciphertext = content["encrypted_content"].native
    if not isinstance(iv, bytes) or len(iv) != 16 or not isinstance(ciphertext, bytes):
        raise ValueError("content encryption parameters missing")
    decryptor = Cipher(algorithms.AES(content_key), modes.CBC(iv)).decryptor()
    padded = decryptor.update(ciphertext) + decryptor.finalize()
    unpadder = block_padding.PKCS7(128).unpadder()
    return unpadder.update(padded) + unpadder.finalize()


def _names_us(rid: Any, certificate: x509.Certificate) -> bool:
    """Whether a recipient identifier names our certificate (issuer and serial, or key id)."""
    if rid.name == "issuer_and_serial_number":
        chosen = rid.chosen
        return bool(
            chosen["serial_number"].native == certificate.serial_number
            and chosen["issuer"].dump() == certificate.issuer.public_bytes()
        )
    try:
        extension = certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
    except x509.ExtensionNotFound:
        return False
    return bool(rid.chosen.native == extension.value.digest)


def _key_padding(algorithm: Any) -> padding.AsymmetricPadding:
    """The RSA padding a recipient's key was encrypted with: OAEP (with its hashes) or v1.5."""
    name = algorithm["algorithm"].native
    if name == "rsaes_pkcs1v15":
        return padding.PKCS1v15()
    if name != "rsaes_oaep":
        raise ValueError(f"key transport {name} is not RSA")
    params = algorithm["parameters"]
    digest = HASHES[params["hash_algorithm"]["algorithm"].native]
    mask = HASHES[params["mask_gen_algorithm"]["parameters"]["algorithm"].native]
    label = params["p_source_algorithm"]["parameters"].native or None
    return padding.OAEP(mgf=padding.MGF1(mask()), algorithm=digest(), label=label)
