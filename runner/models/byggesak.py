"""The byggesak case: an application for a small building measure (plan- og bygningsloven)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from runner.models.common import (
    PERSONAL,
    Applicant,
    Attachment,
    Email,
    FreeText,
    FrozenModel,
    Kommunenummer,
    Malform,
    ReceivedAt,
    ShortText,
    Verification,
)
from runner.models.geometry import Position
from runner.models.mapfacts import MapFacts
from runner.problems import invalid

Metres = Annotated[float, Field(ge=0, le=100)]
SquareMetres = Annotated[float, Field(ge=0, le=100_000)]


class MeasureKind(StrEnum):
    """What kind of measure (tiltak) is applied for."""

    frittliggende_bygning = "frittliggende_bygning"
    tilbygg = "tilbygg"
    levegg = "levegg"
    annet = "annet"


class RoomUse(StrEnum):
    """What a room in the measure is used for: a closed list the rules can classify.

    Rooms for lasting stay or habitation (SAK10 § 4-1 first ledd b): oppholdsrom, bolig,
    soverom, kjokken, bad, kontor, hobbyrom. Not for lasting stay: bod, garasje, carport,
    lager, vindfang, teknisk_rom, vedbu. `annet`: the application says something the rules
    cannot classify, so a caseworker decides.
    """

    bod = "bod"
    garasje = "garasje"
    carport = "carport"
    lager = "lager"
    vindfang = "vindfang"
    teknisk_rom = "teknisk_rom"
    vedbu = "vedbu"
    oppholdsrom = "oppholdsrom"
    bolig = "bolig"
    soverom = "soverom"
    kjokken = "kjokken"
    bad = "bad"
    kontor = "kontor"
    hobbyrom = "hobbyrom"
    annet = "annet"


class SmallBuilding(FrozenModel):
    """A small building already on the property (a free-standing building or an extension)."""

    kind: Literal["frittliggende_bygning", "tilbygg"]
    use: ShortText = ""
    built_area_m2: SquareMetres
    usable_area_m2: SquareMetres
    #: the measure applied for is an extension of this building
    extended_by_measure: bool = False


class ByggesakApplicant(Applicant):
    """The tiltakshaver: the person applying, who gets the decision by e-mail."""

    email: Email = Field(json_schema_extra=PERSONAL)


class Property(FrozenModel):
    """The property (eiendom) where the measure is built, by matrikkel number."""

    gnr: Annotated[int, Field(ge=1, le=99999)]
    bnr: Annotated[int, Field(ge=1, le=9999)]
    fnr: Annotated[int, Field(ge=0, le=9999)] = 0
    snr: Annotated[int, Field(ge=0, le=999)] = 0
    address: ShortText = Field(json_schema_extra=PERSONAL)
    is_developed: bool
    #: Small buildings already there (garages, sheds, annexes and their extensions). Optional:
    #: without it, the rules that need it (an extension's total area) are uavklart.
    existing_small_buildings: Annotated[list[SmallBuilding], Field(max_length=50)] | None = None


class Measure(FrozenModel):
    """The measure (tiltak) with the dimensions the rules read."""

    kind: MeasureKind
    use: ShortText
    for_habitation: bool
    built_area_m2: SquareMetres
    usable_area_m2: SquareMetres
    ridge_height_m: Metres
    eaves_height_m: Metres
    storeys: Annotated[int, Field(ge=0, le=50)]
    has_basement: bool
    distance_to_boundary_m: Metres
    distance_to_buildings_m: Metres
    over_pipes: bool
    description: FreeText = Field(default="", json_schema_extra=PERSONAL)
    length_m: Metres | None = None
    #: What its rooms are used for (a closed list). Optional: without it, an extension's
    #: exemption (no rooms for lasting stay) is uavklart.
    rooms: Annotated[list[RoomUse], Field(max_length=30)] | None = None


class Plan(FrozenModel):
    """Whether the measure conforms to the zoning plan; null when not known."""

    conforms: bool | None
    plan_id: ShortText | None = None


class NeighbourNotice(FrozenModel):
    """Notice to neighbours (nabovarsel, pbl. § 21-3)."""

    sent_on: date | None
    objections: Annotated[int, Field(ge=0, le=1000)]
    boundary_consent: bool


#: The most verified facts a sender may state; the kommune's map data adds its own besides.
MAX_OWN_VERIFIED = 100


def _own_verified_at_most(value: list[Verification]) -> list[Verification]:
    own = sum(1 for item in value if item.fact.split(".")[0] != "map_facts")
    if own > MAX_OWN_VERIFIED:
        raise invalid("too_many_verified", limit=MAX_OWN_VERIFIED, n=own)
    return value


class ByggesakCase(FrozenModel):
    """An application for a small building measure, as received."""

    case_type: Literal["byggesak"]
    reference: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")]
    received_at: ReceivedAt
    kommunenummer: Kommunenummer
    malform: Malform | None = None
    applicant: ByggesakApplicant
    property: Property
    measure: Measure
    plan: Plan
    neighbour_notice: NeighbourNotice
    dispensation_requested: bool
    attachments: Annotated[list[Attachment], Field(max_length=100, default_factory=list)]
    #: Where the measure stands (point and optional footprint). Optional: without it the
    #: rules on map facts are uavklart.
    position: Position | None = None
    #: Facts from the kommune's map data, added by the facts step (runner/steps/facts.py);
    #: their provenance is in `verified`. Optional: without them those rules are uavklart.
    map_facts: MapFacts | None = None
    #: Facts confirmed by a register, the kommune's map data or a caseworker; the rest are
    #: the applicant's declarations. Optional: without it every fact is declared. At most
    #: MAX_OWN_VERIFIED from the sender; the facts step adds one per map fact besides them.
    verified: Annotated[
        list[Verification],
        Field(max_length=MAX_OWN_VERIFIED + len(MapFacts.model_fields), default_factory=list),
        AfterValidator(_own_verified_at_most),
    ]

    def case_date(self) -> date:
        """The date that selects the rule-set version and parameters: the day it was received."""
        return self.received_at.date()
