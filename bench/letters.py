"""Benchmark: letters per second, Markdown → PDF with saksrobot's renderer vs RPA.PDF html_to_pdf.

Run: .venv/bin/python bench/letters.py [N] [N_RPA]

Renders N byggesak letters (a different applicant and reference each time, so nothing is
cached by content) from the shipped templates, then the same kind of letter through
RPA.PDF's `PDF().html_to_pdf(html, path)`, and prints ms per letter, the ratio, and peak RSS.
"""

from __future__ import annotations

import resource
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from runner.kommuner.settings import KommuneSettings  # noqa: E402
from runner.letters import (  # noqa: E402
    LetterTemplates,
    PdfRenderer,
    appeal_deadline,
    markdown_to_html,
)

FIRST_NAMES = [
    "Synnøve",
    "Áile",
    "Ánde",
    "Ola",
    "Kari",
    "Đorđe",
    "Nils Ŋ.",
    "Åse",
    "Ørjan",
    "Sigrún",
]
LAST_NAMES = ["Testesen", "Čiekčaš", "Šaršo", "Nordmann", "Ŧuollevaš", "Østby", "Ærø", "Žáhk"]

KOMMUNE = KommuneSettings.model_validate(
    {
        "kommunenummer": "4627",
        "name": "Askøy kommune",
        "letterhead": {
            "title": "Askøy kommune",
            "department": {"nb": "Byggesak", "nn": "Byggesak"},
            "postal_address": "Postboks 323, 5323 Kleppestø",
            "visiting_address": "Klampavikvegen 1, Kleppestø",
            "phone": "56 15 80 00",
            "email": "postmottak@askoy.kommune.no",
            "web": "askoy.kommune.no",
            "org_number": "964 338 442",
        },
        "appeal_body": {"byggesak": "Statsforvaltaren i Vestland"},
    }
)
RULES = [
    {
        "id": "areal",
        "title": "Bebygd areal er høgst 70 m²",
        "outcome": "oppfylt",
        "legal_basis": [
            {"ref": "SAK10 § 3-1", "url": "https://lovdata.no/forskrift/2010-03-26-488/§3-1"}
        ],
        "explanation": "Garasjen har eit bebygd areal på 42,5 m².",
    },
    {
        "id": "avstand",
        "title": "Avstand til nabogrensa",
        "outcome": "oppfylt",
        "legal_basis": [
            {"ref": "pbl. § 29-4", "url": "https://lovdata.no/lov/2008-06-27-71/§29-4"}
        ],
        "explanation": "Avstanden er 1,8 m, og garasjen er under 50 m².",
    },
]


def context(number: int, outcome: str = "innvilget") -> dict[str, Any]:
    name = f"{FIRST_NAMES[number % len(FIRST_NAMES)]} {LAST_NAMES[number % len(LAST_NAMES)]}"
    reference = f"BS-2026-{number:06d}"
    case = {
        "reference": reference,
        "received_at": "2026-09-21T14:02:00+02:00",
        "applicant": {"name": name},
        "property": {
            "gnr": 3 + number % 40,
            "bnr": 100 + number,
            "fnr": 0,
            "snr": 0,
            "address": f"Kleppevegen {number % 90 + 1}, 5300 Kleppestø",
        },
        "measure": {
            "kind": "frittliggende_bygning",
            "use": "garasje",
            "for_habitation": False,
            "built_area_m2": 30 + number % 20 + 0.5,
            "usable_area_m2": 28.0,
            "ridge_height_m": 3.9,
            "eaves_height_m": 2.8,
            "storeys": 1,
            "has_basement": False,
            "distance_to_boundary_m": 1.8,
            "distance_to_buildings_m": 4.0,
            "over_pipes": False,
            "description": f"Frittliggjande garasje i tre for {name}",
            "length_m": None,
        },
        "plan": {"conforms": True, "plan_id": "4627-2011003"},
        "neighbour_notice": {"sent_on": "2026-09-01", "objections": 0, "boundary_consent": False},
        "dispensation_requested": False,
    }
    letter_date = date(2026, 9, 22)
    return {
        "case": case,
        "kommune": KOMMUNE.letter_view("nn"),
        "appeal_body": KOMMUNE.appeal_body_for("byggesak", "nn"),
        "decision": {"outcome": outcome, "route": "auto", "reasons": [], "automatic": True},
        "rules": RULES,
        "failed_rules": [],
        "fee": 6400,
        "fee_reference": "Gebyrregulativ for byggesak 2026, kap. 2",
        "letter_date": letter_date,
        "appeal_deadline": appeal_deadline(letter_date, 3),
        "appeal_weeks": 3,
        "byggefrist_ar": 3,
        "missing_documents": ["Situasjonsplan", "Teikningar av fasadane"]
        if outcome == "mangler_dokumentasjon"
        else [],
        "reference": reference,
    }


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_letter(
    templates: LetterTemplates, renderer: PdfRenderer, letter: str, count: int, rpa_count: int
) -> None:
    contexts = [context(n, letter) for n in range(count)]
    drafts = [templates.render(f"byggesak/{letter}", "nn", item) for item in contexts]

    def render(index: int) -> bytes:
        draft = drafts[index]
        return renderer.render(
            draft.markdown,
            letterhead=KOMMUNE.letterhead,
            malform="nn",
            title=draft.title,
            reference=contexts[index]["reference"],
            letter_date=date(2026, 9, 22),
            recipient=[contexts[index]["case"]["applicant"]["name"], "Kleppevegen 7", "5300 Ask"],
        )

    render(0)  # warm up: first use of each font style
    timings, pages = [], 0
    for index in range(count):
        started = time.perf_counter()
        pdf = render(index)
        timings.append((time.perf_counter() - started) * 1000)
        pages += pdf.count(b"/Type /Page\n")
    started = time.perf_counter()
    for item in contexts:
        templates.render(f"byggesak/{letter}", "nn", item)
    template_ms = (time.perf_counter() - started) * 1000 / count
    ours_ms = statistics.mean(timings)
    p95 = sorted(timings)[int(0.95 * len(timings)) - 1]
    rss_before_rpa = peak_rss_mb()

    from RPA.PDF import PDF  # imported late: the import alone costs ~0.4 s

    html = markdown_to_html(drafts[0].markdown)
    rpa_timings = []
    with tempfile.TemporaryDirectory() as folder:
        PDF().html_to_pdf(html, str(Path(folder) / "warm.pdf"))
        for index in range(rpa_count):
            started = time.perf_counter()
            PDF().html_to_pdf(html, str(Path(folder) / f"letter-{index}.pdf"))
            rpa_timings.append((time.perf_counter() - started) * 1000)
    rpa_ms = statistics.mean(rpa_timings)

    print(f"byggesak/{letter} (nn), {count} letters, {pages / count:.1f} pages each:")
    print(f"  template render (jinja2 sandbox): {template_ms:6.2f} ms per letter")
    print(
        f"  PDF render (ours):                {ours_ms:6.2f} ms per letter "
        f"(median {statistics.median(timings):.2f}, p95 {p95:.2f})"
    )
    print(f"  RPA.PDF html_to_pdf, {rpa_count} runs:     {rpa_ms:6.1f} ms per letter")
    print(f"  ratio RPA.PDF / ours:             {rpa_ms / ours_ms:6.0f}x")
    print(f"  peak RSS before RPA.PDF ran:      {rss_before_rpa:6.0f} MB")
    print(f"  peak RSS after RPA.PDF ran:       {peak_rss_mb():6.0f} MB")


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    rpa_count = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    templates = LetterTemplates(ROOT / "templates")
    started = time.perf_counter()
    renderer = PdfRenderer()
    print(f"font preparation (once per process): {(time.perf_counter() - started) * 1000:.0f} ms")
    for letter in ("mangler_dokumentasjon", "innvilget"):
        bench_letter(templates, renderer, letter, count, rpa_count)


if __name__ == "__main__":
    main()
