"""Make the demo Excel batch: byggesaker exported from another system, one row per case.

Written with RPA.Excel.Files; the header row holds the column names that
robots/byggesak-excel.yaml maps to case fields. Row 7 has a deliberate error (an area
typed as text) to show that a bad row is quarantined alone.

    .venv/bin/python demo/make_excel.py
"""

from __future__ import annotations

import random
import sys
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

from demo.synthetic import byggesak_case  # noqa: E402

TARGET = ROOT / "inbox" / "byggesak-excel" / "saker-2026-03.xlsx"
SHEET = "Saker"
SEED = 4629
#: Column header → case path (the robot file maps them back).
COLUMNS: dict[str, str] = {
    "Saksnummer": "reference",
    "Mottatt": "received_at",
    "Kommunenr": "kommunenummer",
    "Målform": "malform",
    "Tiltakshaver": "applicant.name",
    "Fødselsnummer": "applicant.national_id",
    "Adresse": "applicant.address.street",
    "Postnr": "applicant.address.postal_code",
    "Poststed": "applicant.address.city",
    "E-post": "applicant.email",
    "Gnr": "property.gnr",
    "Bnr": "property.bnr",
    "Eiendomsadresse": "property.address",
    "Bebygd": "property.is_developed",
    "Tiltakstype": "measure.kind",
    "Bruk": "measure.use",
    "Beboelse": "measure.for_habitation",
    "BYA m2": "measure.built_area_m2",
    "BRA m2": "measure.usable_area_m2",
    "Mønehøyde m": "measure.ridge_height_m",
    "Gesimshøyde m": "measure.eaves_height_m",
    "Etasjer": "measure.storeys",
    "Kjeller": "measure.has_basement",
    "Avstand grense m": "measure.distance_to_boundary_m",
    "Avstand bygg m": "measure.distance_to_buildings_m",
    "Over ledninger": "measure.over_pipes",
    "Planstatus": "plan.conforms",
    "Plan-ID": "plan.plan_id",
    "Nabovarsel sendt": "neighbour_notice.sent_on",
    "Merknader": "neighbour_notice.objections",
    "Nabosamtykke": "neighbour_notice.boundary_consent",
    "Dispensasjon": "dispensation_requested",
}
SCENARIOS = ["unntatt_garasje", "soknad_garasje_60", "unntatt_tilbygg", "for_naer_grense",
             "plan_strid", "nabomerknad", "soknad_tilbygg_40", "dispensasjon"]  # fmt: skip


def _get(case: dict[str, Any], path: str) -> Any:
    value: Any = case
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def row_for(case: dict[str, Any]) -> list[Any]:
    """One spreadsheet row: booleans as ja/nei, dates as Excel dates, numbers as numbers."""
    row: list[Any] = []
    for path in COLUMNS.values():
        value = _get(case, path)
        if isinstance(value, bool):
            value = "ja" if value else "nei"
        elif value is None and path == "plan.conforms":
            value = "ukjent"
        elif path == "received_at":
            value = datetime.fromisoformat(value).replace(tzinfo=None)
        elif path == "neighbour_notice.sent_on" and value:
            value = datetime.fromisoformat(value)
        row.append(value)
    return row


def batch_rows(count: int, *, seed: int = SEED, bad_row: int | None = 5) -> list[list[Any]]:
    """`count` synthetic rows; row index `bad_row` (0-based) has a text where a number goes."""
    rng = random.Random(seed)
    rows = []
    for index in range(count):
        received = datetime(2026, 3, 2, 8, 0, tzinfo=ZoneInfo("Europe/Oslo")).replace(
            day=2 + index % 25, minute=index % 60
        )
        case = byggesak_case(rng, SCENARIOS[index % len(SCENARIOS)],
                             reference=f"BS-X-{index + 1:05d}", received_at=received,
                             malform="nn" if index % 2 else "nb")  # fmt: skip
        row = row_for(case)
        if index == bad_row:
            row[list(COLUMNS).index("BYA m2")] = "ca. førti"
        rows.append(row)
    return rows


def write_batch(target: Path, rows: list[list[Any]]) -> None:
    """Write the header and rows to a new workbook with RPA.Excel.Files."""
    from RPA.Excel.Files import Files

    target.parent.mkdir(parents=True, exist_ok=True)
    library = Files()
    library.create_workbook(str(target), fmt="xlsx", sheet_name=SHEET)
    library.append_rows_to_worksheet([list(COLUMNS), *rows], name=SHEET)
    library.save_workbook()
    library.close_workbook()


def main() -> None:
    write_batch(TARGET, batch_rows(12))
    print(f"Wrote {TARGET}")


if __name__ == "__main__":
    main()
