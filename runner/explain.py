"""`saksrobot explain`: the full trace of a case — facts, rules, decision, letter, history."""

from __future__ import annotations

import json
import re
from typing import Any

from rich.console import Console
from rich.markdown import Markdown
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from runner.points import current_answers, open_points
from runner.store import Store
from runner.vocabulary import word

OUTCOME_TEXT = {
    "oppfylt": "[green]oppfylt[/]",
    "ikke_oppfylt": "[red]ikke oppfylt[/]",
    "uavklart": "[yellow]uavklart[/]",
    "ikke_aktuelt": "[dim]ikke aktuelt[/]",
}


#: A fødselsnummer or D-nummer (or another 11-digit personal number) on its own, "DDMMYY
#: NNNNN" or "DDMMYYNNNNN".
_NATIONAL_ID = re.compile(r"(?<![0-9])([0-9]{6}) ?[0-9]{5}(?![0-9])")


def mask_national_ids(value: Any) -> Any:
    """`value` with every 11-digit national id shown as its birth date only ("010190 *****"),
    as the review page shows it; the rest is unchanged."""
    if isinstance(value, str):
        return _NATIONAL_ID.sub(r"\1 *****", value)
    if isinstance(value, dict):
        return {key: mask_national_ids(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [mask_national_ids(item) for item in value]
    if isinstance(value, int) and not isinstance(value, bool) and len(str(value)) == 11:
        return mask_national_ids(str(value))
    return value


def explanation_data(store: Store, ref_or_id: str) -> dict[str, Any]:
    """Everything that explains a case, as plain data (also the --json output)."""
    record = store.find_case(ref_or_id)
    decision = store.latest_decision(record.id)
    letter = store.latest_letter(record.id)
    points = open_points(decision.results) if decision is not None else []
    answers = current_answers(points, store.casework.answers(record.id))
    events = [
        {"seq": e.seq, "at": e.at.isoformat(), "actor": e.actor, "kind": e.kind, "data": e.data}
        for e in store.events(record.id)
    ]
    return {
        "case": {
            "id": record.id,
            "reference": record.reference,
            "robot": record.robot_id,
            "state": record.state,
            "outcome": record.outcome,
            "route": record.route,
            "reasons": record.reasons,
            "errors": record.errors,
            "facts": record.data,
        },
        "decision": None
        if decision is None
        else {
            "rule_set": decision.rule_set_id,
            "rule_set_version": decision.rule_set_version,
            "rule_set_hash": decision.rule_set_hash,
            "decision_date": decision.decision_date,
            "inputs_hash": decision.inputs_hash,
            "parameters": decision.parameters,
            "results": decision.results,
            "outcome": decision.outcome,
            "route": decision.route,
            "reasons": decision.reasons,
            "amounts": decision.amounts,
        },
        # The caseworker's decisions on the points the robot left open (runner/points.py).
        "open_points": [
            {
                "rule_id": point.rule_id,
                "title": point.title,
                "robot_outcome": point.robot_outcome,
                "discretion": point.discretion,
                "unverified": point.unverified,
                "answer": None
                if point.rule_id not in answers
                else {
                    "outcome": answers[point.rule_id].outcome,
                    "assessment": answers[point.rule_id].assessment,
                    "answered_by": answers[point.rule_id].answered_by,
                    "answered_at": answers[point.rule_id].answered_at.isoformat(),
                },
            }
            for point in points
        ],
        "letter": None
        if letter is None
        else {
            "version": letter.version,
            "malform": letter.malform,
            "template_id": letter.template_id,
            "template_hash": letter.template_hash,
            "pdf_path": letter.pdf_path,
            "sha256": letter.sha256,
            "approved_by": letter.approved_by,
            "approved_at": letter.approved_at.isoformat() if letter.approved_at else None,
            "markdown": letter.markdown,
        },
        "events": events,
        "archive": archive_status(events),
    }


#: The archive's ids as a caseworker reads them (Fiks Arkiv receipt element: words nb, nn).
ARCHIVE_IDS = {
    "saksnummer": ("Saksnummer i arkivet", "Saksnummer i arkivet"),
    "journalpostnummer": ("Journalpostnummer", "Journalpostnummer"),
    "journalaar": ("Journalår", "Journalår"),
    "journalsekvensnummer": ("Journalsekvensnummer", "Journalsekvensnummer"),
    "mappe_systemID": ("Sakens id i arkivet", "Saka sin id i arkivet"),
    "journalpost_systemID": ("Journalpostens id i arkivet", "Journalposten sin id i arkivet"),
}


def archive_status(events: list[dict[str, Any]]) -> dict[str, Any] | None:
    """What the kommune's archive (Fiks Arkiv) last said about the case: its ids, or its
    error; None when the case was not filed over Fiks Arkiv."""
    status: dict[str, Any] | None = None
    for event in events:
        if event["kind"] == "sent" and event["data"].get("archive_message"):
            status = {"state": "sent", "ids": {}, "error": None}
        elif event["kind"] == "archive_received" and status is not None:
            status["state"] = "archive_received"
        elif event["kind"] == "archive_filed":
            status = {"state": "archive_filed", "ids": event["data"].get("ids", {}), "error": None}
        elif event["kind"] == "archive_failed":
            error = event["data"].get("error")
            status = {
                "state": "archive_failed",
                "ids": event["data"].get("ids", {}),
                "error": error,
            }
    return status


def archive_lines(status: dict[str, Any] | None, malform: str) -> list[str]:
    """The archive's state and ids as lines for a caseworker, in `malform`."""
    if status is None:
        return []
    nynorsk = malform == "nn"
    if status["state"] == "sent":
        lines = ["Arkiv: sendt, ventar på svar" if nynorsk else "Arkiv: sendt, venter på svar"]
    else:
        lines = [f"Arkiv: {word('event', status['state'], malform)}"]
    for name, words in ARCHIVE_IDS.items():
        if status["ids"].get(name):
            lines.append(f"{words[1] if nynorsk else words[0]}: {status['ids'][name]}")
    if status["error"]:
        lines.append(f"Feil: {status['error']}")
    return lines


def explain_case(
    store: Store,
    ref_or_id: str,
    *,
    malform: str,
    as_json: bool,
    console: Console,
    show_personal_data: bool = False,
) -> None:
    """Print the explanation of one case; national ids are masked unless
    `show_personal_data`."""
    data = explanation_data(store, ref_or_id)
    if not show_personal_data:
        data = mask_national_ids(data)
    if as_json:
        console.out(json.dumps(data, ensure_ascii=False, indent=2, default=str))
        return
    case = data["case"]
    console.print(
        Panel.fit(
            f"Sak {case['reference'] or case['id']} (id {case['id']}) — robot {case['robot']}\n"
            f"Tilstand: {word('state', case['state'], malform)}   "
            f"Utfall: {word('outcome', case['outcome'], malform)}   "
            f"Rute: {case['route'] or '-'}",
            title="Sak",
        )
    )
    if case["errors"]:
        table = Table(title="Feil i innsendt sak")
        table.add_column("Felt")
        table.add_column("Feil")
        table.add_column("Slik retter du det")
        for error in case["errors"]:
            table.add_row(error["field"] or "(fil)", error["reason"], error.get("fix", ""))
        console.print(table)
    if case["facts"]:
        console.print(
            Panel(
                json.dumps(case["facts"], ensure_ascii=False, indent=2),
                title="Fakta (innsendt sak)",
                expand=console.is_terminal,  # piped: as wide as the facts, not the pipe
            )
        )
        _print_map_facts(case["facts"], console)
    decision = data["decision"]
    if decision is not None:
        console.print(
            f"Regelsett: {decision['rule_set']} versjon {decision['rule_set_version']} "
            f"(sha256 {decision['rule_set_hash'][:16]}…), vurdert per {decision['decision_date']}"
        )
        table = Table(title="Regler")
        table.add_column("Regel")
        table.add_column("Resultat")
        table.add_column("Verdier lest")
        table.add_column("Rettslig grunnlag")
        table.add_column("Forklaring")
        for result in decision["results"]:
            provenance = result.get("provenance") or {}
            values = ", ".join(
                f"{k} = {v}" + (f" ({provenance[k]})" if k in provenance else "")
                for k, v in result.get("values", {}).items()
            )
            if result.get("value") is not None:
                values = f"= {result['value']}; " + values
            basis = "\n".join(f"{b['ref']} ({b['url']})" for b in result["legal_basis"])
            explanation = result.get("explanation", {}).get(malform, "")
            if result.get("error"):
                explanation += f"\n[yellow]{result['error']}[/]"
            if result.get("discretion") == "open":
                explanation += "\n[yellow]Skjønn: en saksbehandler avgjør.[/]"
            if result.get("unverified"):
                facts = ", ".join(result["unverified"])
                explanation += f"\n[yellow]Må kontrolleres: {facts}[/]"
            if result.get("guideline"):
                guideline = result["guideline"]
                explanation += (
                    f"\nKommunens retningslinjer: {guideline.get('reference', '')} "
                    f"(vedtatt {guideline.get('adopted', '')})"
                )
            table.add_row(
                f"{result['rule_id']}\n{result['title'].get(malform, '')}",
                OUTCOME_TEXT.get(result["outcome"], result["outcome"]),
                values,
                basis,
                explanation,
            )
        console.print(table)
        console.print(
            f"Vedtak: [bold]{word('outcome', decision['outcome'], malform)}[/], "
            f"rute {decision['route']}; grunner: {', '.join(decision['reasons']) or 'ingen'}"
        )
    if data["open_points"]:
        _print_open_points(data["open_points"], malform, console)
    letter = data["letter"]
    if letter is not None:
        console.print(
            Panel(
                Markdown(letter["markdown"]),
                title=f"Brev v{letter['version']} ({letter['malform']}, "
                f"mal {letter['template_id']})",
                expand=console.is_terminal,
            )
        )
        if letter["pdf_path"]:
            console.print(f"PDF: {letter['pdf_path']} (sha256 {letter['sha256']})")
    for line in archive_lines(data["archive"], malform):
        console.print(line)
    table = Table(title="Hendelser")
    for column in ("#", "Tid", "Aktør", "Hendelse"):
        table.add_column(column)
    for event in data["events"]:
        table.add_row(
            str(event["seq"]), event["at"], event["actor"], word("event", event["kind"], malform)
        )
    console.print(table)


def _print_open_points(points: list[dict[str, Any]], malform: str, console: Console) -> None:
    """The open points and the caseworker's decision on each, with the written assessment."""
    nynorsk = malform == "nn"
    table = Table(
        title="Opne punkt og vurderinga til sakshandsamaren"
        if nynorsk
        else "Åpne punkter og saksbehandlers vurdering"
    )
    for column in (
        ("Regel", "Regel"),
        ("Roboten", "Roboten"),
        ("Avgjørelse", "Avgjerd"),
        ("Vurdering", "Vurdering"),
        ("Hvem og når", "Kven og når"),
    ):
        table.add_column(column[1] if nynorsk else column[0])
    for point in points:
        answer = point["answer"]
        table.add_row(
            f"{point['rule_id']}\n{point['title'].get(malform) or point['title'].get('nb', '')}",
            word("result", point["robot_outcome"], malform),
            word("result", answer["outcome"], malform)
            if answer
            else ("[yellow]ikkje avgjort[/]" if nynorsk else "[yellow]ikke avgjort[/]"),
            answer["assessment"] if answer else "",
            f"{answer['answered_by']}, {answer['answered_at']}" if answer else "",
        )
    console.print(table)


def _print_map_facts(facts: dict[str, Any], console: Console) -> None:
    """The map facts of a case, each with where it came from (dataset, date, features) or
    why it could not be read."""
    found = facts.get("map_facts") if isinstance(facts, dict) else None
    if not isinstance(found, dict):
        return
    sources = {
        item["fact"].removeprefix("map_facts."): item.get("reference") or ""
        for item in facts.get("verified") or []
        if item.get("source") == "kartdata" and item["fact"].startswith("map_facts.")
    }
    unresolved = found.get("unresolved") or {}
    table = Table(title="Kartdata (faktasteget)")
    table.add_column("Fakta")
    table.add_column("Verdi")
    table.add_column("Kilde: datasett, dato, objekt / grunn")
    for name, value in found.items():
        if name == "unresolved":
            continue
        if name in unresolved:
            table.add_row(name, "uavklart", escape(str(unresolved[name].get("nb", ""))))
        else:
            value_text = escape(json.dumps(value, ensure_ascii=False))
            table.add_row(name, value_text, escape(sources.get(name, "oppgitt")))
    console.print(table)
