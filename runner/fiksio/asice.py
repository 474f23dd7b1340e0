"""ASiC-E containers (ETSI EN 319 162, CAdES profile) as Fiks IO carries them.

The container is a zip: `mimetype` first and stored uncompressed, the payload files,
`META-INF/manifest.xml` (the ODF manifest listing every file), `META-INF/asicmanifest.xml`
(each file's SHA-256 digest) and `META-INF/signature.p7s`, a detached CMS signature by the
sender over the ASiC manifest. This is the layout KS's asice handlers produce with the
Digipost/Difi ASiC library. Reading a container checks the signature and every digest, and
refuses a file that is not listed, listed twice or missing.
"""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePosixPath
from xml.etree import ElementTree

from asn1crypto import cms
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs7

from runner.fiksio.errors import FiksIoMessageError
from runner.ks.keys import KeyPair
from runner.problems import problem

__all__ = ["ContainerFile", "SignedContainer", "build_container", "read_container"]

MIMETYPE = "application/vnd.etsi.asic-e+zip"
ASIC_NS = "http://uri.etsi.org/02918/v1.2.1#"
DSIG_NS = "http://www.w3.org/2000/09/xmldsig#"
ODF_NS = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
SHA256_URI = "http://www.w3.org/2001/04/xmlenc#sha256"
MANIFEST = "META-INF/manifest.xml"
ASIC_MANIFEST = "META-INF/asicmanifest.xml"
SIGNATURE = "META-INF/signature.p7s"
#: The most files and bytes a container may unpack to (a zip bomb is refused, not unpacked).
MAX_FILES = 200
MAX_UNPACKED_BYTES = 512 * 1024 * 1024


@dataclass(frozen=True)
class ContainerFile:
    """One payload file of a container: its name, content and media type."""

    name: str
    content: bytes
    media_type: str = "application/octet-stream"


@dataclass(frozen=True)
class SignedContainer:
    """A container's files, checked against the signature, and who signed it."""

    files: tuple[ContainerFile, ...]
    signer: x509.Certificate

    def file(self, name: str) -> ContainerFile | None:
        return next((item for item in self.files if item.name == name), None)


def build_container(files: list[ContainerFile], signer: KeyPair) -> bytes:
    """A signed ASiC-E container holding the files."""
    names = [item.name for item in files]
    for name in names:
        _check_name(name, "avsender")
    if len(set(names)) != len(names):
        raise ValueError("two payload files have the same name")
    asic_manifest = _asic_manifest(files)
    signature = (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(asic_manifest)
        .add_signer(signer.certificate, signer.private_key, hashes.SHA256())
        .sign(
            serialization.Encoding.DER,
            [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary],
        )
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), MIMETYPE, compress_type=zipfile.ZIP_STORED)
        for item in files:
            archive.writestr(item.name, item.content, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr(MANIFEST, _odf_manifest(files), compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr(ASIC_MANIFEST, asic_manifest, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr(SIGNATURE, signature, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def read_container(data: bytes, *, source: str) -> SignedContainer:
    """The container's payload files after checking its structure, signature and digests."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise _refused(source, "", "asice_not_zip") from error
    with archive:
        entries = archive.infolist()
        _check_layout(entries, source)
        try:
            contents = {entry.filename: archive.read(entry) for entry in entries}
        except (
            zipfile.BadZipFile,
            zlib.error,
            NotImplementedError,
            RuntimeError,
            EOFError,
        ) as error:
            # a damaged entry (bad CRC, broken deflate stream), an unsupported compression
            # method or an encrypted entry
            raise _refused(source, "", "asice_damaged") from error
    if contents["mimetype"] != MIMETYPE.encode():
        raise _refused(source, "mimetype", "asice_mimetype", mimetype=MIMETYPE)
    for required in (ASIC_MANIFEST, SIGNATURE):
        if required not in contents:
            raise _refused(source, required, "asice_unsigned")
    signer = _verify_signature(contents[ASIC_MANIFEST], contents[SIGNATURE], source)
    listed = _listed_digests(contents[ASIC_MANIFEST], source)
    payload = {
        name: content
        for name, content in contents.items()
        if name != "mimetype" and not name.startswith("META-INF/")
    }
    unlisted = sorted(set(payload) - set(listed))
    if unlisted:
        raise _refused(source, unlisted[0], "asice_unlisted")
    files = []
    for name, (media_type, digest) in listed.items():
        if name not in payload:
            raise _refused(source, name, "asice_listed_missing")
        if hashlib.sha256(payload[name]).digest() != digest:
            raise _refused(source, name, "asice_file_changed")
        files.append(ContainerFile(name, payload[name], media_type))
    return SignedContainer(tuple(files), signer)


def _asic_manifest(files: list[ContainerFile]) -> bytes:
    ElementTree.register_namespace("", ASIC_NS)
    ElementTree.register_namespace("ds", DSIG_NS)
    root = ElementTree.Element(f"{{{ASIC_NS}}}ASiCManifest")
    ElementTree.SubElement(
        root,
        f"{{{ASIC_NS}}}SigReference",
        {"URI": SIGNATURE, "MimeType": "application/x-pkcs7-signature"},
    )
    for item in files:
        reference = ElementTree.SubElement(
            root,
            f"{{{ASIC_NS}}}DataObjectReference",
            {"URI": item.name, "MimeType": item.media_type},
        )
        ElementTree.SubElement(reference, f"{{{DSIG_NS}}}DigestMethod", {"Algorithm": SHA256_URI})
        value = ElementTree.SubElement(reference, f"{{{DSIG_NS}}}DigestValue")
        value.text = base64.b64encode(hashlib.sha256(item.content).digest()).decode()
    return bytes(ElementTree.tostring(root, encoding="utf-8", xml_declaration=True))


def _odf_manifest(files: list[ContainerFile]) -> bytes:
    ElementTree.register_namespace("manifest", ODF_NS)
    root = ElementTree.Element(f"{{{ODF_NS}}}manifest")
    entries = [("/", MIMETYPE), *((item.name, item.media_type) for item in files)]
    for path, media_type in entries:
        ElementTree.SubElement(
            root,
            f"{{{ODF_NS}}}file-entry",
            {f"{{{ODF_NS}}}full-path": path, f"{{{ODF_NS}}}media-type": media_type},
        )
    return bytes(ElementTree.tostring(root, encoding="utf-8", xml_declaration=True))


def _check_layout(entries: list[zipfile.ZipInfo], source: str) -> None:
    if not entries or entries[0].filename != "mimetype":
        raise _refused(source, "mimetype", "asice_mimetype_first")
    if entries[0].compress_type != zipfile.ZIP_STORED:
        raise _refused(source, "mimetype", "asice_mimetype_stored")
    if len(entries) > MAX_FILES:
        raise _refused(source, "", "asice_too_many", limit=MAX_FILES)
    if sum(entry.file_size for entry in entries) > MAX_UNPACKED_BYTES:
        raise _refused(source, "", "asice_too_big")
    names = [entry.filename for entry in entries]
    if len(set(names)) != len(names):
        raise _refused(source, "", "asice_duplicate")
    for name in names:
        _check_name(name, source)


def _check_name(name: str, source: str) -> None:
    path = PurePosixPath(name)
    if not name or path.is_absolute() or ".." in path.parts or "\\" in name:
        raise _refused(source, name, "asice_name_outside")


def _verify_signature(manifest: bytes, signature: bytes, source: str) -> x509.Certificate:
    try:
        content = cms.ContentInfo.load(signature)
        signed = content["content"]
        signer_info = signed["signer_infos"][0]
        attributes = signer_info["signed_attrs"]
        certificates = [
            x509.load_der_x509_certificate(choice.chosen.dump())
            for choice in signed["certificates"]
        ]
        sid = signer_info["sid"].chosen
        serial = sid["serial_number"].native
        signer = next(cert for cert in certificates if cert.serial_number == serial)
        digest = next(
            attr["values"][0].native
            for attr in attributes
            if attr["type"].native == "message_digest"
        )
        algorithm = signer_info["digest_algorithm"]["algorithm"].native
        signed_bytes = attributes.untag().dump()
        signature_value = signer_info["signature"].native
    except (ValueError, KeyError, TypeError, IndexError, StopIteration) as error:
        raise _refused(source, SIGNATURE, "asice_signature_unreadable") from error
    if algorithm != "sha256":
        raise _refused(source, SIGNATURE, "asice_digest", algorithm=algorithm)
    if digest != hashlib.sha256(manifest).digest():
        raise _refused(source, ASIC_MANIFEST, "asice_manifest_changed")
    public = signer.public_key()
    if not isinstance(public, rsa.RSAPublicKey):
        raise _refused(source, SIGNATURE, "asice_not_rsa")
    try:
        public.verify(signature_value, signed_bytes, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature as error:
        raise _refused(source, SIGNATURE, "asice_signature_wrong") from error
    return signer


def _listed_digests(manifest: bytes, source: str) -> dict[str, tuple[str, bytes]]:
    try:
        root = ElementTree.fromstring(manifest)
    except ElementTree.ParseError as error:
        raise _refused(source, ASIC_MANIFEST, "asice_manifest_xml") from error
    listed: dict[str, tuple[str, bytes]] = {}
    for reference in root.iter(f"{{{ASIC_NS}}}DataObjectReference"):
        name = reference.get("URI") or ""
        method = reference.find(f"{{{DSIG_NS}}}DigestMethod")
        value = reference.findtext(f"{{{DSIG_NS}}}DigestValue") or ""
        if method is None or method.get("Algorithm") != SHA256_URI:
            raise _refused(source, name, "asice_not_sha256")
        if name in listed:
            raise _refused(source, name, "asice_listed_twice")
        try:
            listed[name] = (reference.get("MimeType") or "", base64.b64decode(value, validate=True))
        except ValueError as error:
            raise _refused(source, name, "asice_digest_not_base64") from error
    if not listed:
        raise _refused(source, ASIC_MANIFEST, "asice_manifest_empty")
    return listed


def _refused(source: str, location: str, key: str, **values: object) -> FiksIoMessageError:
    """The container refused: the problem runner/problems.py FIKSIO[key] at `location`."""
    return FiksIoMessageError(source, [problem(key, location, **values)])
