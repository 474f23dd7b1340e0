"""DiBK's XML application (tiltak uten ansvarsrett) → the byggesak case: XSD, mapping, paths."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as settings_hypothesis
from hypothesis import strategies as st

from demo.dibk_form import application_xml
from demo.synthetic import SCENARIOS, byggesak_case
from runner.errors import CaseValidationError
from runner.models import ByggesakCase
from runner.settings import Settings
from runner.sources.dibk import dibk_case

FIXTURE = Path(__file__).parent / "fixtures" / "dibk-tiltak-uten-ansvarsrett.xml"
HASH = "0123456789abcdef" * 4
ARRIVED = datetime(2026, 9, 21, 12, 0, tzinfo=UTC)


def read(content: bytes, folder: str = "") -> ByggesakCase:
    case = dibk_case("soknad.xml", content, "byggesak", content_hash=HASH, received_at=ARRIVED,
                     attachment_folder=folder)  # fmt: skip
    assert isinstance(case, ByggesakCase)
    return case


def problems(content: bytes) -> dict[str, str]:
    with pytest.raises(CaseValidationError) as caught:
        read(content)
    return {problem.location: problem.reason for problem in caught.value.problems}


def test_the_fixture_becomes_the_case_it_describes() -> None:
    case = read(FIXTURE.read_bytes(), "melding-1")
    assert case.kommunenummer == "4627"
    assert (case.property.gnr, case.property.bnr) == (57, 22)
    assert case.property.address == "Juvikstølen 115, 5300 Kleppestø"
    assert case.applicant.national_id == "26104691063"
    assert case.applicant.email == "ingrid.kvaale30@example.no"
    assert case.measure.kind == "frittliggende_bygning"
    assert (case.measure.use, case.measure.for_habitation) == ("garasje", False)
    assert (case.measure.built_area_m2, case.measure.usable_area_m2) == (57.8, 56.7)
    assert (case.measure.ridge_height_m, case.measure.eaves_height_m) == (3.6, 2.6)
    assert case.measure.distance_to_boundary_m == 9.9
    assert case.plan.conforms is None and case.plan.plan_id == "4627-2008004"
    assert case.neighbour_notice.sent_on is not None and case.neighbour_notice.objections == 0
    assert case.dispensation_requested is False
    assert [(a.kind, a.file) for a in case.attachments] == [
        ("situasjonsplan", "melding-1/situasjonsplan.pdf"),
        ("tegning", "melding-1/fasadar.pdf"),
    ]
    assert case.reference == "BS-D-0123456789"


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_every_demo_scenario_survives_the_round_trip(scenario: str) -> None:
    original = byggesak_case(random.Random(scenario), scenario, reference="BS-1",
                             received_at=ARRIVED)  # fmt: skip
    case = read(application_xml(original))
    measure, source = case.measure, original["measure"]
    for key in ("kind", "for_habitation", "built_area_m2", "usable_area_m2", "ridge_height_m",
                "eaves_height_m", "storeys", "distance_to_boundary_m", "distance_to_buildings_m",
                "over_pipes"):  # fmt: skip
        assert getattr(measure, key) == source[key], key
    assert case.applicant.national_id == original["applicant"]["national_id"]
    assert case.property.gnr == original["property"]["gnr"]
    assert case.dispensation_requested == original["dispensation_requested"]
    notice = original["neighbour_notice"]
    assert case.neighbour_notice.objections == notice["objections"]
    assert case.neighbour_notice.boundary_consent == notice["boundary_consent"]
    assert sorted(a.kind for a in case.attachments) == sorted(
        a["kind"] for a in original["attachments"]
    )


def _changed(old: str, new: str) -> bytes:
    text = FIXTURE.read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new, 1).encode("utf-8")


@pytest.mark.parametrize(
    ("old", "new", "path", "words"),
    [
        ("<gaardsnummer>57</gaardsnummer>", "",
         "eiendomByggested/eiendom[1]/eiendomsidentifikasjon/gaardsnummer", "mangler"),
        ("<gaardsnummer>57</gaardsnummer>", "<gaardsnummer>femtisju</gaardsnummer>",
         "eiendomByggested/eiendom/eiendomsidentifikasjon/gaardsnummer", "XSD"),
        ("<BRA>56.7</BRA>", "<BRA>ca. femti</BRA>", "beskrivelseAvTiltak/BRA", "ikke et tall"),
        ("<kodeverdi>Garasje</kodeverdi>", "<kodeverdi>Drivhus</kodeverdi>",
         "beskrivelseAvTiltak/bruk/tiltaksformaal[1]/kodeverdi", "Drivhus"),
        ("<kodeverdi>Privatperson</kodeverdi>", "<kodeverdi>Foretak</kodeverdi>",
         "tiltakshaver/partstype/kodeverdi", "privatpersoner"),
        ("<moenehoeyde>3.6</moenehoeyde>", "", "tilleggsopplysninger/moenehoeyde", "mangler"),
        ("<foedselsnummer>26104691063</foedselsnummer>",
         "<foedselsnummer>26104691064</foedselsnummer>",
         "tiltakshaver/foedselsnummer (applicant.national_id)", "kontrollsiffer"),
        ("<ftbId>", "<skonummer>44</skonummer><ftbId>", "metadata", "ikke med i skjemaet"),
        ("<antallMerknader>0</antallMerknader>", "<antallMerknader>mange</antallMerknader>",
         "varsling/antallMerknader", "heltall"),
        ("</eiendom>", "</eiendom><eiendom/>", "eiendomByggested/eiendom[2]", "flere eiendommer"),
    ],
)  # fmt: skip
def test_a_field_that_cannot_be_mapped_names_its_xml_path(
    old: str, new: str, path: str, words: str
) -> None:
    found = problems(_changed(old, new))
    assert path in found, found
    assert words in found[path]


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"not xml at all", "ikke gyldig XML"),
        (b"<Rammesoknad xmlns='http://skjema.kxml.no/dibk/rammesoknad/3.0'/>", "ikke skjemaet"),
        (
            b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<TiltakUtenAnsvarsrett xmlns="http://skjema.kxml.no/dibk/tiltakutenansvarsrett/3.0">'
            b"&x;</TiltakUtenAnsvarsrett>",
            "ikke gyldig XML",
        ),
    ],
)
def test_what_is_not_the_form_is_refused_whole(content: bytes, words: str) -> None:
    found = problems(content)
    assert any(words in reason for reason in found.values()), found


def test_dibk_applications_from_a_folder_run_through_the_robot(
    settings: Settings, tmp_path: Path
) -> None:
    """From a drop folder: a good application becomes a case for a caseworker (the form does
    not say whether the plan allows the measure); a broken one is quarantined with its path."""
    from runner.models.robot import FolderSourceConfig
    from runner.run import find_robot
    from runner.store import open_store
    from tests.sources.helpers import run

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "soknad.xml").write_bytes(FIXTURE.read_bytes())
    (inbox / "odelagt.xml").write_bytes(_changed("<BRA>56.7</BRA>", "<BRA>femti</BRA>"))
    robot = find_robot(settings, "byggesak-smatiltak")
    source = FolderSourceConfig(kind="folder", path="inbox", format="dibk-tiltak-uten-ansvarsrett")
    robot = robot.model_copy(update={"source": source})
    store = open_store(settings.database_url)
    reports = run(settings, store, robot, inbox)
    good, bad = reports["soknad.xml"], reports["odelagt.xml"]
    assert good.state == "pending_review" and good.errors == []
    assert store.get_case(good.case_id).data["measure"]["built_area_m2"] == 57.8
    assert bad.state == "quarantined"
    assert bad.errors[0]["field"] == "beskrivelseAvTiltak/BRA"
    assert "ikke et tall" in bad.errors[0]["reason"]


@settings_hypothesis(max_examples=150, deadline=None)
@given(index=st.integers(min_value=0, max_value=200), text=st.text(max_size=30))
def test_any_value_in_any_element_is_a_case_or_a_problem(index: int, text: str) -> None:
    """Whatever text an element holds, the mapping gives a case or problems, never a crash."""
    from xml.etree import ElementTree

    root = ElementTree.fromstring(FIXTURE.read_bytes())
    leaves = [node for node in root.iter() if len(node) == 0]
    leaf = leaves[index % len(leaves)]
    leaf.text = "".join(c for c in text if c.isprintable())
    content = ElementTree.tostring(root, encoding="utf-8")
    try:
        read(content)
    except CaseValidationError as error:
        assert error.problems and all(p.reason for p in error.problems)
