"""The XSD a DiBK robot checks applications against: a setting of its source, loaded once and
safely, and held against every element the mapping reads (runner/sources/dibk_schema.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from runner.errors import CaseValidationError, ConfigurationError
from runner.models.robot import FolderSourceConfig, RobotDefinition
from runner.settings import Settings
from runner.sources.configs import DIBK_FORMAT, FiksIoSourceConfig
from runner.sources.dibk import dibk_case
from runner.sources.dibk_paths import FormPath
from runner.sources.dibk_schema import SHIPPED_SCHEMA, form_schema, schema_problems

FIXTURE = Path(__file__).parent / "fixtures" / "dibk-tiltak-uten-ansvarsrett.xml"
SHIPPED = SHIPPED_SCHEMA.read_text(encoding="utf-8")
FIRST_ELEMENT = '<xs:element name="TiltakUtenAnsvarsrett"'
#: The shipped schema with mønehøyde at most 3 m: stricter, and still readable by the mapping.
STRICTER = (
    '<xs:element name="moenehoeyde" type="xs:decimal" minOccurs="0"/>',
    '<xs:element name="moenehoeyde" minOccurs="0"><xs:simpleType><xs:restriction '
    'base="xs:decimal"><xs:maxInclusive value="3.0"/></xs:restriction></xs:simpleType>'
    "</xs:element>",
)


def copy(folder: Path, *changes: tuple[str, str], name: str = "skjema.xsd") -> Path:
    """The shipped schema with each (old, new) replaced once, as a file in `folder`."""
    text = SHIPPED
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def found(path: Path) -> dict[str, str]:
    return {problem.location: problem.reason for problem in schema_problems(path)}


def test_the_shipped_schema_fits_the_mapping() -> None:
    assert schema_problems() == []
    assert schema_problems(SHIPPED_SCHEMA) == []
    assert form_schema() is form_schema(SHIPPED_SCHEMA)  # loaded once per process


def test_a_path_in_a_repeated_element_is_named_with_its_position() -> None:
    estate = FormPath.ESTATE
    assert FormPath.GNR.below(estate) == "eiendomsidentifikasjon/gaardsnummer"
    assert FormPath.GNR.at(estate, 1) == (
        "eiendomByggested/eiendom[1]/eiendomsidentifikasjon/gaardsnummer"
    )
    assert estate.at(estate, 2) == "eiendomByggested/eiendom[2]"
    with pytest.raises(ValueError, match="not below"):
        FormPath.GNR.below(FormPath.APPLICANT)


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        (('name="moenehoeyde"', 'name="moenehoyde"'), "tilleggsopplysninger/moenehoeyde",
         "finnes ikke i skjemaet"),
        (('name="eiendomsidentifikasjon"', 'name="matrikkelnummer"'),
         "eiendomByggested/eiendom/eiendomsidentifikasjon",
         "eiendomByggested/eiendom/eiendomsidentifikasjon/gaardsnummer"),
        (('name="nabovarselSendtDato" type="xs:date"',
          'name="nabovarselSendtDato" type="xs:string"'),
         "tilleggsopplysninger/nabovarselSendtDato",
         "en dato (xs:date), men skjemaet har xs:string"),
        (('name="gaardsnummer" type="xs:integer"', 'name="gaardsnummer" type="xs:decimal"'),
         "eiendomByggested/eiendom/eiendomsidentifikasjon/gaardsnummer", "et heltall"),
        (('name="minsteAvstandNabogrense" type="xs:decimal"',
          'name="minsteAvstandNabogrense" type="xs:boolean"'),
         "rammebetingelser/plassering/minsteAvstandNabogrense", "et tall"),
        (('name="harKjeller" type="xs:boolean"', 'name="harKjeller" type="xs:string"'),
         "tilleggsopplysninger/harKjeller", "ja/nei (xs:boolean)"),
        (('<xs:element name="navn" type="xs:string" nillable="true" minOccurs="0"/>\n'
          '      <xs:element name="adresse" type="EnkelAdresseType"',
          '<xs:element name="navn" type="KodeType" nillable="true" minOccurs="0"/>\n'
          '      <xs:element name="adresse" type="EnkelAdresseType"'),
         "tiltakshaver/navn", "har underelementer"),
    ],
)  # fmt: skip
def test_a_changed_schema_names_each_path_the_mapping_cannot_read(
    tmp_path: Path, change: tuple[str, str], path: str, words: str
) -> None:
    problems = found(copy(tmp_path, change))
    assert path in problems, problems
    assert words in problems[path]
    (fix,) = {p.fix for p in schema_problems(tmp_path / "skjema.xsd")}
    assert "mappingen må oppdateres" in fix and "karantene med denne stien" in fix


def test_another_namespace_is_one_problem(tmp_path: Path) -> None:
    form = "http://skjema.kxml.no/dibk/tiltakutenansvarsrett/3.0"
    other = "http://skjema.kxml.no/dibk/tiltakutenansvarsrett/4.0"
    path = tmp_path / "skjema.xsd"
    path.write_text(SHIPPED.replace(form, other), encoding="utf-8")
    (problem,) = schema_problems(path)
    assert other in problem.reason and form in problem.reason and "navnerom" in problem.reason


def test_a_stricter_schema_the_mapping_can_read_has_no_problems(tmp_path: Path) -> None:
    assert schema_problems(copy(tmp_path, STRICTER)) == []


@pytest.mark.parametrize(
    ("include", "words"),
    [
        ('<xs:include schemaLocation="http://example.org/felles.xsd"/>', "fra nettet"),
        ('<xs:include schemaLocation="/etc/felles.xsd"/>', "utenfor mappen"),
        ('<xs:include schemaLocation="../felles.xsd"/>', "utenfor mappen"),
    ],
)
def test_a_schema_reaching_outside_its_folder_is_refused(
    tmp_path: Path, include: str, words: str
) -> None:
    folder = tmp_path / "dibk"
    folder.mkdir()
    (tmp_path / "felles.xsd").write_text("<not-read/>")
    path = copy(folder, (FIRST_ELEMENT, include + FIRST_ELEMENT))
    (problem,) = schema_problems(path)
    assert words in problem.reason, problem.reason
    with pytest.raises(ConfigurationError) as caught:
        form_schema(path)
    assert "xsd:" in (caught.value.fix or "")


def test_an_include_beside_the_schema_is_read(tmp_path: Path) -> None:
    """DiBK's file may keep its shared types in a file of their own in the same folder."""
    start = SHIPPED.index('<xs:complexType name="KodeType">')
    end = SHIPPED.index('<xs:complexType name="EiendomListe">')
    (tmp_path / "felles.xsd").write_text(
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'xmlns="http://skjema.kxml.no/dibk/tiltakutenansvarsrett/3.0" '
        'targetNamespace="http://skjema.kxml.no/dibk/tiltakutenansvarsrett/3.0" '
        'elementFormDefault="qualified">' + SHIPPED[start:end] + "</xs:schema>",
        encoding="utf-8",
    )
    path = copy(
        tmp_path,
        (SHIPPED[start:end], ""),
        (FIRST_ELEMENT, '<xs:include schemaLocation="felles.xsd"/>' + FIRST_ELEMENT),
    )
    assert schema_problems(path) == []


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (None, "kan ikke leses"),
        ("dette er ikke XML", "kan ikke leses som XSD"),
        ('<?xml version="1.0"?><!DOCTYPE xs:schema [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
         '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:annotation>'
         "<xs:documentation>&x;</xs:documentation></xs:annotation></xs:schema>",
         "kan ikke leses som XSD"),
    ],
)  # fmt: skip
def test_a_schema_that_cannot_be_loaded_is_one_problem(
    tmp_path: Path, content: str | None, words: str
) -> None:
    path = tmp_path / "skjema.xsd"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    (problem,) = schema_problems(path)
    assert words in problem.reason and str(path) in problem.reason
    assert "root:" not in problem.reason  # /etc/passwd was not read


def test_the_xsd_setting_is_an_absolute_path_for_dibk_sources_only() -> None:
    xsd = Path("/etc/saksrobot/dibk/tiltakutenansvarsrett.xsd")
    assert FolderSourceConfig(kind="folder", path="inn", format=DIBK_FORMAT, xsd=xsd).xsd == xsd
    assert FiksIoSourceConfig(kind="fiksio", message_types=["t"], xsd=xsd).reads_dibk
    with pytest.raises(ValidationError, match="absolutt sti"):
        FolderSourceConfig(kind="folder", path="inn", format=DIBK_FORMAT, xsd=Path("a.xsd"))
    with pytest.raises(ValidationError, match="bare format"):
        FolderSourceConfig(kind="folder", path="inn", format="case", xsd=xsd)
    with pytest.raises(ValidationError, match="bare format"):
        FiksIoSourceConfig(kind="fiksio", message_types=["t"], format="case", xsd=xsd)


def test_the_mapper_checks_against_the_given_schema(tmp_path: Path) -> None:
    content = FIXTURE.read_bytes()
    arrived = datetime(2026, 9, 21, 12, 0, tzinfo=UTC)
    common = {"content_hash": "0" * 64, "received_at": arrived}
    assert dibk_case("s.xml", content, "byggesak", **common).model_dump()["measure"]
    with pytest.raises(CaseValidationError) as caught:
        dibk_case("s.xml", content, "byggesak", schema=copy(tmp_path, STRICTER), **common)
    (problem,) = caught.value.problems
    assert problem.location == "tilleggsopplysninger/moenehoeyde"
    assert "XSD" in problem.reason and "3.0" in problem.reason


@pytest.mark.parametrize("kind", ["folder", "fiksio"])
def test_both_sources_of_dibk_applications_read_with_their_xsd(kind: str, tmp_path: Path) -> None:
    from runner.sources.convert import read_case
    from runner.store.records import RawItemRecord

    xsd = copy(tmp_path, STRICTER)
    config = (
        FolderSourceConfig(kind="folder", path="inn", format=DIBK_FORMAT, xsd=xsd)
        if kind == "folder"
        else FiksIoSourceConfig(kind="fiksio", message_types=["soknad"], xsd=xsd)
    )
    content = FIXTURE.read_bytes()
    raw = RawItemRecord(
        id=1,
        robot_id="byggesak-smatiltak",
        source=kind,
        source_ref=f"{kind}:melding-1",
        content_hash="0" * 64,
        size=len(content),
        received_at=datetime(2026, 9, 21, tzinfo=UTC),
    )
    with pytest.raises(CaseValidationError) as caught:
        read_case(config, raw, content, "byggesak")
    assert [p.location for p in caught.value.problems] == ["tilleggsopplysninger/moenehoeyde"]
    shipped = config.model_copy(update={"xsd": None})
    assert read_case(shipped, raw, content, "byggesak").model_dump()["measure"]


def dibk_robot(settings: Settings, xsd: Path | None) -> RobotDefinition:
    from runner.run import find_robot

    source = FolderSourceConfig(kind="folder", path="inbox", format=DIBK_FORMAT, xsd=xsd)
    return find_robot(settings, "byggesak-smatiltak").model_copy(update={"source": source})


def test_a_robot_uses_the_schema_of_its_source(settings: Settings, tmp_path: Path) -> None:
    """An application valid under the shipped schema and not under the robot's stricter one
    is quarantined with the XSD's reason and its path."""
    from runner.store import open_store
    from tests.sources.helpers import run

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "soknad.xml").write_bytes(FIXTURE.read_bytes())
    robot = dibk_robot(settings, copy(tmp_path, STRICTER))
    store = open_store(settings.database_url)
    report = run(settings, store, robot, inbox)["soknad.xml"]
    assert report.state == "quarantined"
    assert report.errors[0]["field"] == "tilleggsopplysninger/moenehoeyde"
    assert "verdien stemmer ikke med skjemaet (XSD)" in report.errors[0]["reason"]


def test_a_robot_with_a_schema_it_cannot_load_does_not_start(
    settings: Settings, tmp_path: Path
) -> None:
    from runner.run import make_source

    robot = dibk_robot(settings, tmp_path / "mangler.xsd")
    with pytest.raises(ConfigurationError, match="kan ikke leses"):
        make_source(settings, robot, tmp_path)
