"""ASiC-E containers: layout as the ETSI profile and KS's handlers make it, signature checked."""

from __future__ import annotations

import io
import zipfile

import pytest

from runner.fiksio.asice import (
    ASIC_MANIFEST,
    MIMETYPE,
    SIGNATURE,
    ContainerFile,
    build_container,
    read_container,
)
from runner.fiksio.errors import FiksIoMessageError
from runner.ks.keys import KeyPair

FILES = [
    ContainerFile("soknad.xml", b"<soknad>hei</soknad>", "application/xml"),
    ContainerFile("situasjonsplan.pdf", b"%PDF-1.7 plan", "application/pdf"),
]


def rewritten(container: bytes, changes: dict[str, bytes | None]) -> bytes:
    """The container with some entries replaced (None: removed), order and compression kept."""
    source = zipfile.ZipFile(io.BytesIO(container))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for entry in source.infolist():
            content = changes.get(entry.filename, source.read(entry))
            if content is not None:
                target.writestr(entry, content)
    return buffer.getvalue()


def test_a_container_opens_with_its_files_and_signer(portal_keys: KeyPair) -> None:
    container = build_container(FILES, portal_keys)
    opened = read_container(container, source="test")
    assert [(f.name, f.content, f.media_type) for f in opened.files] == [
        (f.name, f.content, f.media_type) for f in FILES
    ]
    assert opened.signer == portal_keys.certificate


def test_mimetype_is_first_and_stored_uncompressed(portal_keys: KeyPair) -> None:
    archive = zipfile.ZipFile(io.BytesIO(build_container(FILES, portal_keys)))
    first = archive.infolist()[0]
    assert first.filename == "mimetype"
    assert first.compress_type == zipfile.ZIP_STORED
    assert archive.read(first) == MIMETYPE.encode()
    names = archive.namelist()
    assert {"META-INF/manifest.xml", ASIC_MANIFEST, SIGNATURE} <= set(names)
    # the ODF manifest lists the container itself and every payload file
    manifest = archive.read("META-INF/manifest.xml").decode()
    assert 'full-path="/"' in manifest and 'full-path="soknad.xml"' in manifest


@pytest.mark.parametrize(
    ("changes", "location", "words"),
    [
        ({"soknad.xml": b"<soknad>endret</soknad>"}, "soknad.xml", "endret etter"),
        ({"situasjonsplan.pdf": None}, "situasjonsplan.pdf", "mangler i containeren"),
        ({"ekstra.txt": b"x"}, "", ""),  # handled below: an unlisted file
        ({SIGNATURE: None}, SIGNATURE, "ikke signert"),
        ({"mimetype": b"application/zip"}, "mimetype", "mimetype er ikke"),
    ],
)
def test_a_changed_container_is_refused_naming_the_file(
    portal_keys: KeyPair, changes: dict[str, bytes | None], location: str, words: str
) -> None:
    container = build_container(FILES, portal_keys)
    if "ekstra.txt" in changes:
        buffer = io.BytesIO(container)
        with zipfile.ZipFile(buffer, "a") as archive:
            archive.writestr("ekstra.txt", b"x")
        container, location, words = buffer.getvalue(), "ekstra.txt", "ikke med i det signerte"
    else:
        container = rewritten(container, changes)
    with pytest.raises(FiksIoMessageError) as caught:
        read_container(container, source="fiksio:1")
    problem = caught.value.problems[0]
    assert problem.location == location
    assert words in problem.reason


def test_a_manifest_signed_by_someone_else_is_refused(
    portal_keys: KeyPair, kommune_keys: KeyPair
) -> None:
    """A forger who re-signs changed files with his own key passes the digests, but a manifest
    swapped under the original signature does not."""
    original = build_container(FILES, portal_keys)
    forged = build_container([ContainerFile("soknad.xml", b"<falsk/>", "application/xml"),
                              FILES[1]], kommune_keys)  # fmt: skip
    forged_manifest = zipfile.ZipFile(io.BytesIO(forged)).read(ASIC_MANIFEST)
    swapped = rewritten(original, {ASIC_MANIFEST: forged_manifest, "soknad.xml": b"<falsk/>"})
    with pytest.raises(FiksIoMessageError) as caught:
        read_container(swapped, source="fiksio:2")
    assert caught.value.problems[0].location == ASIC_MANIFEST
    # the forger's own container verifies, but names the forger as signer
    assert read_container(forged, source="x").signer == kommune_keys.certificate


def test_a_signature_value_changed_is_refused(portal_keys: KeyPair) -> None:
    container = build_container(FILES, portal_keys)
    signature = bytearray(zipfile.ZipFile(io.BytesIO(container)).read(SIGNATURE))
    signature[-5] ^= 0xFF  # inside the RSA signature value at the end of the SignerInfo
    with pytest.raises(FiksIoMessageError) as caught:
        read_container(rewritten(container, {SIGNATURE: bytes(signature)}), source="x")
    assert caught.value.problems[0].location == SIGNATURE


@pytest.mark.parametrize("content", [b"", b"not a zip", b"PK\x03\x04broken"])
def test_what_is_not_a_container_is_refused(content: bytes) -> None:
    with pytest.raises(FiksIoMessageError, match="feil"):
        read_container(content, source="x")


def test_a_name_leading_out_of_the_container_is_refused(portal_keys: KeyPair) -> None:
    container = build_container(FILES, portal_keys)
    buffer = io.BytesIO(container)
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr("../../etc/passwd", b"x")
    with pytest.raises(FiksIoMessageError) as caught:
        read_container(buffer.getvalue(), source="x")
    assert "peker ut av" in caught.value.problems[0].reason


def test_a_damaged_entry_is_refused_not_raised(portal_keys: KeyPair) -> None:
    """A broken deflate stream or CRC in one file is the message's error, never a crash."""
    container = bytearray(build_container(FILES, portal_keys))
    archive = zipfile.ZipFile(io.BytesIO(bytes(container)))
    entry = archive.getinfo("situasjonsplan.pdf")
    # the entry's data starts after its local header (30 bytes + name + extra field)
    start = entry.header_offset + 30 + len(entry.filename) + len(entry.extra)
    for offset in range(start, start + entry.compress_size):
        container[offset] ^= 0x55
    with pytest.raises(FiksIoMessageError) as caught:
        read_container(bytes(container), source="x")
    assert "skadet" in caught.value.problems[0].reason
