"""The review page's words in bokmål and nynorsk; templates call t('key')."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from runner.errors import SaksrobotError
from runner.problems import PROBLEMS, fill

#: key → (bokmål, nynorsk)
TEXTS: dict[str, tuple[str, str]] = {
    "app": ("Saksrobot – saksbehandling", "Saksrobot – sakshandsaming"),
    "skip": ("Hopp til innholdet", "Hopp til innhaldet"),
    "main_menu": ("Hovedmeny", "Hovudmeny"),
    "queue": ("Saker til vurdering", "Saker til vurdering"),
    "quarantine": ("Karantene", "Karantene"),
    "dashboard": ("Oversikt", "Oversikt"),
    "outbox": ("Utsendte brev", "Utsende brev"),
    "users": ("Brukere", "Brukarar"),
    "logout": ("Logg ut", "Logg ut"),
    "login": ("Logg inn", "Logg inn"),
    "username": ("Brukernavn", "Brukarnamn"),
    "password": ("Passord", "Passord"),
    "login_failed": (
        "Feil brukernavn eller passord, eller kontoen er låst en stund etter for mange forsøk.",
        "Feil brukarnamn eller passord, eller kontoen er låst ei stund etter for mange forsøk.",
    ),
    "login_throttled": (
        "For mange mislykkede innlogginger herfra. Vent et kvarter og prøv igjen.",
        "For mange mislukka innloggingar herifrå. Vent eit kvarter og prøv igjen.",
    ),
    "sso_login": ("Logg inn med {name}", "Logg inn med {name}"),
    "or_password": (
        "Eller logg inn med brukernavn og passord",
        "Eller logg inn med brukarnamn og passord",
    ),
    "sso_failed_state": (
        "Innloggingen ble ikke fullført: den tok for lang tid, eller den ble startet i en annen "
        "nettleser eller fane. Prøv igjen.",
        "Innlogginga vart ikkje fullført: ho tok for lang tid, eller ho vart starta i ein annan "
        "nettlesar eller fane. Prøv igjen.",
    ),
    "sso_failed_token": (
        "Svaret fra {name} kunne ikke kontrolleres, så du er ikke logget inn. Prøv igjen; skjer "
        "det igjen, si fra til driftsansvarlig.",
        "Svaret frå {name} kunne ikkje kontrollerast, så du er ikkje logga inn. Prøv igjen; skjer "
        "det igjen, sei frå til driftsansvarleg.",
    ),
    "sso_failed_no_group": (
        "Du er logget inn hos {name}, men er ikke med i noen gruppe som gir tilgang til "
        "saksrobot. Be administratoren i kommunen om tilgang.",
        "Du er logga inn hos {name}, men er ikkje med i nokon gruppe som gir tilgang til "
        "saksrobot. Be administratoren i kommunen om tilgang.",
    ),
    "sso_failed_refused": (
        "{name} avbrøt innloggingen. Prøv igjen.",
        "{name} avbraut innlogginga. Prøv igjen.",
    ),
    "sso_failed_unreachable": (
        "Fikk ikke kontakt med {name}. Prøv igjen om litt; varer det, si fra til driftsansvarlig.",
        "Fekk ikkje kontakt med {name}. Prøv igjen om litt; varer det, sei frå til "
        "driftsansvarleg.",
    ),
    "sso_failed_disabled": (
        "Kontoen din er deaktivert her. Be administratoren i kommunen om hjelp.",
        "Kontoen din er deaktivert her. Be administratoren i kommunen om hjelp.",
    ),
    "sso_account": (
        "Logger inn med felles pålogging: rolle og kommuner følger gruppene hos "
        "identitetsleverandøren.",
        "Loggar inn med felles pålogging: rolle og kommunar følgjer gruppene hos "
        "identitetsleverandøren.",
    ),
    "switch_malform": ("Skriv nynorsk", "Skriv bokmål"),
    "logged_in_as": ("Innlogget som", "Innlogga som"),
    "filters": ("Filtrer", "Filtrer"),
    "robot": ("Robot", "Robot"),
    "reason": ("Grunn", "Grunn"),
    "age": ("Alder", "Alder"),
    "kommune": ("Kommune", "Kommune"),
    "all": ("Alle", "Alle"),
    "older_than": ("Eldre enn {n} dager", "Eldre enn {n} dagar"),
    "apply": ("Bruk filter", "Bruk filter"),
    "counts_per_reason": ("Antall per grunn", "Tal per grunn"),
    "reference": ("Referanse", "Referanse"),
    "received": ("Mottatt", "Motteke"),
    "registered": ("Registrert", "Registrert"),
    "deadline": ("Frist", "Frist"),
    "outcome": ("Utfall", "Utfall"),
    "reasons": ("Grunner", "Grunnar"),
    "assigned": ("Saksbehandler", "Sakshandsamar"),
    "urgent": ("Haster", "Hastar"),
    "overdue": ("Fristen er passert", "Fristen er passert"),
    "no_cases": ("Ingen saker venter.", "Ingen saker ventar."),
    "page": ("Side {n}", "Side {n}"),
    "next": ("Neste side", "Neste side"),
    "previous": ("Forrige side", "Førre side"),
    "showing": ("{n} saker venter", "{n} saker ventar"),
    "case": ("Sak", "Sak"),
    "facts": ("Opplysninger i saken", "Opplysningar i saka"),
    "why_flagged": ("Hvorfor saken trenger vurdering", "Kvifor saka treng vurdering"),
    "no_flags": (
        "Alle regler er oppfylt; saken er sendt til vurdering etter kommunens valg.",
        "Alle reglar er oppfylte; saka er send til vurdering etter val i kommunen.",
    ),
    "rule_trace": ("Alle regler som ble prøvd", "Alle reglar som vart prøvde"),
    "rule": ("Regel", "Regel"),
    "result": ("Resultat", "Resultat"),
    "legal_basis": ("Rettslig grunnlag", "Rettsleg grunnlag"),
    "explanation": ("Forklaring", "Forklaring"),
    "values_read": ("Verdier lest", "Verdiar lesne"),
    "oppfylt": ("oppfylt", "oppfylt"),
    "ikke_oppfylt": ("ikke oppfylt", "ikkje oppfylt"),
    "uavklart": ("uavklart", "uavklart"),
    "ikke_aktuelt": ("ikke aktuelt", "ikkje aktuelt"),
    "rule_set": (
        "Regelsett {id} versjon {v}, vurdert per {d}",
        "Regelsett {id} versjon {v}, vurdert per {d}",
    ),
    "letter": ("Utkast til brev", "Utkast til brev"),
    "letter_version": ("versjon {v}, skrevet av {by}", "versjon {v}, skriven av {by}"),
    "history": ("Hendelser", "Hendingar"),
    "archive": ("Arkivet (Fiks Arkiv)", "Arkivet (Fiks Arkiv)"),
    "time": ("Tid", "Tid"),
    "actor": ("Hvem", "Kven"),
    "event": ("Hendelse", "Hending"),
    "actions": ("Behandle saken", "Handsam saka"),
    "approve": ("Gå videre til godkjenning", "Gå vidare til godkjenning"),
    "edit_letter": ("Rediger brevet (Markdown)", "Rediger brevet (Markdown)"),
    "preview": ("Forhåndsvis", "Førehandsvis"),
    "preview_title": ("Forhåndsvisning av redigert brev", "Førehandsvising av redigert brev"),
    "approve_edited": (
        "Lagre endringene og gå videre til godkjenning",
        "Lagre endringane og gå vidare til godkjenning",
    ),
    "reject": ("Avslutt uten brev", "Avslutt utan brev"),
    "reject_reason": ("Begrunnelse", "Grunngiving"),
    "change_outcome": ("Velg et annet utfall", "Vel eit anna utfall"),
    "choose_outcome_first": (
        "Ingen regel gir et utfall i denne saken. Velg utfall nedenfor; da lages brevet.",
        "Ingen regel gjev eit utfall i denne saka. Vel utfall nedanfor; då blir brevet laga.",
    ),
    "discretion_open": ("Skjønn: saksbehandler avgjør", "Skjøn: sakshandsamar avgjer"),
    "needs_verification": ("Må kontrolleres", "Må kontrollerast"),
    "guideline_applied": (
        "Avgjort etter kommunens retningslinjer: {ref} (vedtatt {d})",
        "Avgjort etter retningslinjene til kommunen: {ref} (vedteke {d})",
    ),
    "provenance": ("Opplysninger", "Opplysningar"),
    "declared": ("oppgitt av søker", "opplyst av søkjar"),
    "redraft": ("Skriv nytt utkast", "Skriv nytt utkast"),
    "take": ("Ta saken", "Ta saka"),
    "hand_back": ("Legg tilbake i køen", "Legg tilbake i køen"),
    "reassign": ("Tildel saken", "Tildel saka"),
    "assign_to": ("Til saksbehandler", "Til sakshandsamar"),
    "not_assigned": ("Ingen har tatt saken.", "Ingen har teke saka."),
    "assigned_to": ("Saken er tatt av {u}.", "Saka er teken av {u}."),
    "bulk": ("Godkjenn flere", "Godkjenn fleire"),
    "bulk_select": ("Velg saken", "Vel saka"),
    "bulk_review": ("Se valgte saker før godkjenning", "Sjå valde saker før godkjenning"),
    "bulk_confirm": ("Godkjenn og send alle {n}", "Godkjenn og send alle {n}"),
    "bulk_intro": (
        "Disse klare utkastene blir godkjent og sendt. Les gjennom listen.",
        "Desse klare utkasta blir godkjende og sende. Les gjennom lista.",
    ),
    "bulk_done": ("{n} saker er godkjent og sendt.", "{n} saker er godkjende og sende."),
    "bulk_skipped": (
        "{n} saker har åpne punkter og må avgjøres på sin egen side; de er ikke sendt.",
        "{n} saker har opne punkt og må avgjerast på si eiga side; dei er ikkje sende.",
    ),
    "done_approved": ("Saken er godkjent og brevet sendt.", "Saka er godkjend og brevet sendt."),
    "done_rejected": ("Saken er avsluttet.", "Saka er avslutta."),
    "done_redrafted": ("Nytt utkast er skrevet.", "Nytt utkast er skrive."),
    "done_assigned": ("Tildelingen er endret.", "Tildelinga er endra."),
    "done_handled": ("Saken er merket som håndtert.", "Saka er merkt som handtert."),
    "done_answered": (
        "Svarene er lagret, og brevet er skrevet på nytt med vurderingene dine.",
        "Svara er lagra, og brevet er skrive på nytt med vurderingane dine.",
    ),
    "done_noted": ("Notatet er lagret.", "Notatet er lagra."),
    "open_points": ("Åpne punkter du må avgjøre", "Opne punkt du må avgjere"),
    "open_points_intro": (
        "Roboten kunne ikke avgjøre disse punktene alene. Avgjør hvert punkt: bekreft "
        "robotens vurdering eller overstyr den, og skriv en kort vurdering. Vurderingen "
        "skrives inn i brevets begrunnelse (forvaltningsloven § 25).",
        "Roboten kunne ikkje avgjere desse punkta åleine. Avgjer kvart punkt: stadfest "
        "vurderinga til roboten eller overstyr henne, og skriv ei kort vurdering. Vurderinga "
        "blir skriven inn i grunngjevinga i brevet (forvaltningslova § 25).",
    ),
    "points_progress": ("{done} av {n} punkter er avgjort.", "{done} av {n} punkt er avgjorde."),
    "robot_reading": ("Robotens vurdering", "Vurderinga til roboten"),
    "your_answer": ("Din avgjørelse", "Avgjerda di"),
    "answer_oppfylt": ("Oppfylt", "Oppfylt"),
    "answer_ikke_oppfylt": ("Ikke oppfylt", "Ikkje oppfylt"),
    "assessment": ("Vurdering (kommer med i brevet)", "Vurdering (kjem med i brevet)"),
    "assessment_always": (
        "Påkrevd: skriv minst {n} tegn om hvilke fakta og hensyn du har lagt vekt på.",
        "Påkravd: skriv minst {n} teikn om kva fakta og omsyn du har lagt vekt på.",
    ),
    "assessment_on_override": (
        "Påkrevd hvis du overstyrer robotens vurdering (minst {n} tegn).",
        "Påkravd dersom du overstyrer vurderinga til roboten (minst {n} teikn).",
    ),
    "save_answers": ("Lagre avgjørelsene", "Lagre avgjerdene"),
    "answers_redraft_note": (
        "Når du lagrer, skrives brevet på nytt med vurderingene dine. Endringer du har lagret "
        "i brevteksten, blir ført over på det nye utkastet. Har det nye utkastet endret den "
        "samme teksten, viser saken hva som ikke kunne føres over, så du kan gjøre det selv.",
        "Når du lagrar, blir brevet skrive på nytt med vurderingane dine. Endringar du har "
        "lagra i brevteksten, blir førte over på det nye utkastet. Har det nye utkastet endra "
        "den same teksten, viser saka kva som ikkje kunne førast over, så du kan gjere det "
        "sjølv.",
    ),
    "edits_kept": (
        "Endringene du gjorde i brevteksten (versjon {v}), er ført over på det nye utkastet.",
        "Endringane du gjorde i brevteksten (versjon {v}), er førte over på det nye utkastet.",
    ),
    "edits_conflict_title": (
        "Endringer som ikke kunne føres over",
        "Endringar som ikkje kunne førast over",
    ),
    "edits_conflict_intro": (
        "Brevet er skrevet på nytt, og det nye utkastet har endret tekst du også hadde endret "
        "(versjon {v}). Brevet under er det nye utkastet uten disse endringene dine. Gjør dem "
        "på nytt i brevteksten der det trengs. Teksten din er lagret.",
        "Brevet er skrive på nytt, og det nye utkastet har endra tekst du òg hadde endra "
        "(versjon {v}). Brevet under er det nye utkastet utan desse endringane dine. Gjer dei "
        "på nytt i brevteksten der det trengst. Teksten din er lagra.",
    ),
    "edits_yours": ("Din tekst", "Teksten din"),
    "edits_new": ("Det nye utkastet", "Det nye utkastet"),
    "edits_none": ("(ingen tekst)", "(ingen tekst)"),
    "edits_seen": (
        "Jeg har sett endringene mine som ikke ble ført over, og vil sende brevet slik det står.",
        "Eg har sett endringane mine som ikkje vart førte over, og vil sende brevet slik det "
        "står.",
    ),
    "answered_by": ("Avgjort av {u} {at}: {outcome}.", "Avgjort av {u} {at}: {outcome}."),
    "answer_missing": ("Velg oppfylt eller ikke oppfylt.", "Vel oppfylt eller ikkje oppfylt."),
    "assessment_required": (
        "Skriv en vurdering på minst {n} tegn.",
        "Skriv ei vurdering på minst {n} teikn.",
    ),
    "assessment_too_long": (
        "Vurderingen er for lang (høyst {m} tegn).",
        "Vurderinga er for lang (høgst {m} teikn).",
    ),
    "not_open": ("Punktet er ikke lenger åpent.", "Punktet er ikkje lenger ope."),
    "answer_points_first": (
        "Avgjør de åpne punktene før vedtaket kan godkjennes ({n} igjen).",
        "Avgjer dei opne punkta før vedtaket kan godkjennast ({n} att).",
    ),
    "confirm_title": ("Kontroller og send vedtaket", "Kontroller og send vedtaket"),
    "confirm_intro": (
        "Dette er vedtaket slik det blir sendt. Les brevet før du sender. Ingenting er sendt "
        "før du trykker «Send vedtaket».",
        "Dette er vedtaket slik det blir sendt. Les brevet før du sender. Ingenting er sendt "
        "før du trykkjer «Send vedtaket».",
    ),
    "open_pdf": (
        "Åpne brevet slik det blir sendt (PDF, versjon {v})",
        "Opne brevet slik det blir sendt (PDF, versjon {v})",
    ),
    "decided_points": ("Punkter som er avgjort", "Punkt som er avgjorde"),
    "final_letter": ("Brevet som blir sendt", "Brevet som blir sendt"),
    "send_decision": ("Send vedtaket", "Send vedtaket"),
    "back_to_case": ("Tilbake til saken", "Tilbake til saka"),
    "letter_fingerprint": ("Kontrollsum for brevteksten", "Kontrollsum for brevteksten"),
    "notes": ("Interne notater", "Interne notat"),
    "notes_intro": (
        "Bare for saksbehandlere i kommunen. Notater kommer ikke med i brevet og vises aldri "
        "til søkeren.",
        "Berre for sakshandsamarar i kommunen. Notat kjem ikkje med i brevet og blir aldri "
        "viste til søkjaren.",
    ),
    "new_note": ("Nytt notat", "Nytt notat"),
    "save_note": ("Lagre notatet", "Lagre notatet"),
    "no_notes": ("Ingen notater.", "Ingen notat."),
    "mine": ("Mine saker", "Mine saker"),
    "mine_only": ("Bare saker jeg har tatt", "Berre saker eg har teke"),
    "state": ("Tilstand", "Tilstand"),
    "errors": ("Feil i innsendt sak", "Feil i innsend sak"),
    "field": ("Felt", "Felt"),
    "problem": ("Feil", "Feil"),
    "fix": ("Slik retter du det", "Slik rettar du det"),
    "raw": ("Innholdet slik det kom inn", "Innhaldet slik det kom inn"),
    "source_file": ("Fil", "Fil"),
    "mark_handled": ("Merk som håndtert", "Merk som handtert"),
    "note": ("Merknad", "Merknad"),
    "no_quarantine": ("Ingen saker i karantene.", "Ingen saker i karantene."),
    "whole_file": ("(hele filen)", "(heile fila)"),
    "parked_why": ("Hvorfor saken er stoppet", "Kvifor saka er stoppa"),
    "kommune_unread": ("(kunne ikke leses)", "(kunne ikkje lesast)"),
    "by_state": ("Saker per robot og tilstand", "Saker per robot og tilstand"),
    "per_day": ("Mottatte saker per dag, siste 30 dager", "Mottekne saker per dag, siste 30 dagar"),
    "time_in_queue": ("Tid i køen", "Tid i køen"),
    "waiting": ("Venter nå", "Ventar no"),
    "median_days": ("Median ventetid (dager)", "Median ventetid (dagar)"),
    "oldest_days": ("Lengst ventetid (dager)", "Lengst ventetid (dagar)"),
    "count": ("Antall", "Tal"),
    "sent_at": ("Sendt", "Sendt"),
    "channel": ("Kanal", "Kanal"),
    "new_user": ("Ny bruker", "Ny brukar"),
    "full_name": ("Fullt navn", "Fullt namn"),
    "role": ("Rolle", "Rolle"),
    "kommuner": (
        "Kommuner (kommunenummer, skilt med komma)",
        "Kommunar (kommunenummer, skilde med komma)",
    ),
    "disable": ("Deaktiver", "Deaktiver"),
    "disabled": ("Deaktivert", "Deaktivert"),
    "active": ("Aktiv", "Aktiv"),
    "create": ("Opprett", "Opprett"),
    "enable": ("Aktiver", "Aktiver"),
    "reset_password": ("Nytt passord for", "Nytt passord for"),
    "change_user": ("Endre", "Endre"),
    "new_password_for": (
        "Nytt passord for {u} (vises bare nå, gi det videre på en trygg måte):",
        "Nytt passord for {u} (blir berre vist no, gje det vidare på ein trygg måte):",
    ),
    "done_user_created": ("Brukeren er opprettet.", "Brukaren er oppretta."),
    "done_user_disabled": ("Brukeren er deaktivert.", "Brukaren er deaktivert."),
    "done_user_enabled": ("Brukeren er aktivert.", "Brukaren er aktivert."),
    "done_user_changed": (
        "Brukeren er endret og logget ut.",
        "Brukaren er endra og logga ut.",
    ),
    "error": ("Noe gikk galt", "Noko gjekk gale"),
    "edits_saved": (
        "Endringene dine er lagret som en ny versjon.",
        "Endringane dine er lagra som ein ny versjon.",
    ),
    "not_found": ("Finnes ikke", "Finst ikkje"),
    "back": ("Tilbake til køen", "Tilbake til køen"),
    "yes": ("ja", "ja"),
    "no": ("nei", "nei"),
    "unknown": ("ukjent", "ukjend"),
    "case_deadline": ("Saksbehandlingsfrist", "Sakshandsamingsfrist"),
    "skip_actions": ("Hopp til behandling av saken", "Hopp til handsaming av saka"),
    "sent_letter": ("Sendt brev", "Sendt brev"),
    "approved_letter": ("Godkjent brev", "Godkjend brev"),
    "reads": ("Lest {n} ganger, sist {at} av {who}", "Lese {n} gonger, sist {at} av {who}"),
    "reads_list": ("Vis alle som har lest saken", "Vis alle som har lese saka"),
    "no_reads": ("Ingen har lest saken ennå.", "Ingen har lese saka enno."),
    "documents": ("Dokumenter i saken", "Dokument i saka"),
    "documents_note": (
        "Dokumentene åpnes i en ny fane. Hver åpning blir registrert som lesing av saken.",
        "Dokumenta blir opna i ei ny fane. Kvar opning blir registrert som lesing av saka.",
    ),
    "doc_brev": ("Brev, versjon {n} (PDF)", "Brev, versjon {n} (PDF)"),
    "doc_utkast": ("Brevutkastet slik det blir (PDF)", "Brevutkastet slik det blir (PDF)"),
    "doc_soknad": ("Søknaden slik den kom inn ({source})", "Søknaden slik han kom inn ({source})"),
    "doc_vedlegg": ("Vedlegg {n}: {kind}", "Vedlegg {n}: {kind}"),
    "doc_missing": ("ikke mottatt som fil", "ikkje motteke som fil"),
    "legend": ("Forklaring til køen", "Forklaring til køen"),
    "legend_urgent": (
        "saken har kortere frist etter loven (for eksempel tre uker etter pbl. § 21-7 andre "
        "ledd, eller nødhjelp samme dag) og står først i køen.",
        "saka har kortare frist etter lova (til dømes tre veker etter pbl. § 21-7 andre "
        "ledd, eller naudhjelp same dag) og står først i køen.",
    ),
    "legend_overdue": (
        "saksbehandlingsfristen (datoen i kolonnen Frist) er ute; saken skulle vært avgjort.",
        "sakshandsamingsfristen (datoen i kolonna Frist) er ute; saka skulle vore avgjord.",
    ),
    "legend_reasons": (
        "reglene som gjorde at saken trenger vurdering, hver med sitt resultat "
        "(ikke oppfylt eller uavklart).",
        "reglane som gjorde at saka treng vurdering, kvar med resultatet sitt "
        "(ikkje oppfylt eller uavklart).",
    ),
}


def translator(malform: str) -> Callable[..., str]:
    """t(key, **values) in the given målform; an unknown key is shown as itself."""
    index = 1 if malform == "nn" else 0

    def t(key: str, **values: object) -> str:
        pair = TEXTS.get(key)
        text = pair[index] if pair is not None else key
        return text.format(**values) if values else text

    return t


Pair = tuple[str, str]

#: An error's words: key → ((message bokmål, nynorsk), (fix bokmål, nynorsk)). The keys an
#: error names (SaksrobotError.text), one per error kind for errors that name none, and the
#: keys a quarantined item's or a parked case's problem names (FieldProblem.text; their
#: words are in runner/problems.py, where the pipeline, which knows no web page, makes them).
ERRORS: dict[str, tuple[Pair, Pair]] = {
    **PROBLEMS,
    # --- by kind, for errors raised outside the web app (store, pipeline, settings) ---
    "error": (
        (
            "Siden feilet på grunn av en feil i saksrobot",
            "Sida feila på grunn av ein feil i saksrobot",
        ),
        (
            "Prøv igjen. Skjer det igjen, si fra til driftsansvarlig når det skjedde.",
            "Prøv igjen. Skjer det igjen, sei frå til driftsansvarleg når det skjedde.",
        ),
    ),
    "not_found": (
        ("Det du ba om, finnes ikke", "Det du bad om, finst ikkje"),
        (
            "Gå tilbake til køen og velg fra listen der.",
            "Gå tilbake til køen og vel frå lista der.",
        ),
    ),
    "review": (
        (
            "Dette kan ikke gjøres med saken slik den er nå",
            "Dette kan ikkje gjerast med saka slik ho er no",
        ),
        ("Åpne saken på nytt og prøv igjen.", "Opne saka på nytt og prøv igjen."),
    ),
    "bad_request": (
        ("Forespørselen ble avvist", "Førespurnaden vart avvist"),
        ("Bruk lenkene og skjemaene på sidene.", "Bruk lenkjene og skjemaa på sidene."),
    ),
    "forbidden": (
        ("Rollen din gir ikke tilgang til dette", "Rolla di gir ikkje tilgang til dette"),
        ("Be en administrator om riktig rolle.", "Be ein administrator om rett rolle."),
    ),
    "login_required": (
        ("Du er ikke logget inn", "Du er ikkje logga inn"),
        ("Logg inn og prøv igjen.", "Logg inn og prøv igjen."),
    ),
    # --- the web app's own errors ---
    "page_missing": (
        ("Siden finnes ikke", "Sida finst ikkje"),
        ("Gå tilbake til køen.", "Gå tilbake til køen."),
    ),
    "method_refused": (
        ("Siden kan ikke brukes på denne måten", "Sida kan ikkje brukast på denne måten"),
        ("Bruk lenkene og skjemaene på sidene.", "Bruk lenkjene og skjemaa på sidene."),
    ),
    "request_refused": (
        ("Forespørselen ble avvist ({status})", "Førespurnaden vart avvist ({status})"),
        ("Bruk lenkene og skjemaene på sidene.", "Bruk lenkjene og skjemaa på sidene."),
    ),
    "invalid_request": (
        (
            "Adressen eller skjemaet har en verdi som mangler eller er feil",
            "Adressa eller skjemaet har ein verdi som manglar eller er feil",
        ),
        (
            "Bruk lenkene og skjemaene på sidene, og fyll ut alle feltene.",
            "Bruk lenkjene og skjemaa på sidene, og fyll ut alle felta.",
        ),
    ),
    "csrf": (
        (
            "Skjemaet er for gammelt eller mangler sikkerhetsnøkkelen",
            "Skjemaet er for gammalt eller manglar tryggleiksnøkkelen",
        ),
        (
            "Last siden inn på nytt og send skjemaet igjen.",
            "Last sida inn på nytt og send skjemaet igjen.",
        ),
    ),
    "case_missing": (
        ("Saken finnes ikke", "Saka finst ikkje"),
        (
            "Gå tilbake til køen og velg en sak fra listen.",
            "Gå tilbake til køen og vel ei sak frå lista.",
        ),
    ),
    "case_changed": (
        ("Sak {case} er endret siden du åpnet den", "Sak {case} er endra sidan du opna ho"),
        (
            "Åpne saken på nytt, se hva som er endret, og prøv igjen.",
            "Opne saka på nytt, sjå kva som er endra, og prøv igjen.",
        ),
    ),
    "illegal_transition": (
        (
            "Sak {case} har tilstanden «{state}» og kan ikke behandles slik nå",
            "Sak {case} har tilstanden «{state}» og kan ikkje handsamast slik no",
        ),
        (
            "Åpne saken på nytt og se hva som er gjort med den.",
            "Opne saka på nytt og sjå kva som er gjort med ho.",
        ),
    ),
    "form_field": (
        (
            "Et felt i skjemaet mangler eller er for langt",
            "Eit felt i skjemaet manglar eller er for langt",
        ),
        ("Send skjemaet fra sakssiden.", "Send skjemaet frå sakssida."),
    ),
    "form_number": (
        ("Et felt i skjemaet er ikke et tall", "Eit felt i skjemaet er ikkje eit tal"),
        ("Send skjemaet fra sakssiden.", "Send skjemaet frå sakssida."),
    ),
    "note_empty": (
        ("Notatet er tomt", "Notatet er tomt"),
        ("Skriv notatet, og lagre det.", "Skriv notatet, og lagre det."),
    ),
    "unknown_action": (
        ("Ukjent handling", "Ukjend handling"),
        ("Bruk knappene på sakssiden.", "Bruk knappane på sakssida."),
    ),
    "cannot_take": (
        ("Kollegaen kan ikke ta denne saken", "Kollegaen kan ikkje ta denne saka"),
        (
            "Velg en kollega som arbeider for kommunen saken hører til.",
            "Vel ein kollega som arbeider for kommunen saka høyrer til.",
        ),
    ),
    "filter_number": (
        (
            "«{name}» må være et helt tall fra 0 til {limit}",
            "«{name}» må vere eit heilt tal frå 0 til {limit}",
        ),
        ("Bruk filterskjemaet.", "Bruk filterskjemaet."),
    ),
    "bad_selection": (
        ("Utvalget av saker er feil", "Utvalet av saker er feil"),
        ("Bruk avkrysningsboksene i køen.", "Bruk avkryssingsboksane i køen."),
    ),
    "none_chosen": (
        ("Ingen sak er valgt", "Inga sak er vald"),
        ("Kryss av for én eller flere saker i køen.", "Kryss av for éi eller fleire saker i køen."),
    ),
    "not_clear_draft": (
        (
            "Sak {reference} er ikke et klart utkast som venter på vurdering",
            "Sak {reference} er ikkje eit klart utkast som ventar på vurdering",
        ),
        (
            "Godkjenn den fra sin egen side; ingenting er sendt.",
            "Godkjenn ho frå si eiga side; ingenting er sendt.",
        ),
    ),
    "not_in_quarantine": (
        ("Sak {case} er ikke i karantene", "Sak {case} er ikkje i karantene"),
        ("Åpne saken fra karantenelisten.", "Opne saka frå karantenelista."),
    ),
    "note_too_long": (
        ("Merknaden mangler eller er for lang", "Merknaden manglar eller er for lang"),
        ("Skriv høyst 2000 tegn.", "Skriv høgst 2000 teikn."),
    ),
    "document_missing": (
        ("Saken har ikke dette dokumentet", "Saka har ikkje dette dokumentet"),
        ("Åpne dokumentene fra listen på sakssiden.", "Opne dokumenta frå lista på sakssida."),
    ),
    "letter_unreadable": (
        (
            "PDF-en av brevet, versjon {version}, kan ikke leses",
            "PDF-en av brevet, versjon {version}, kan ikkje lesast",
        ),
        (
            "Si fra til driftsansvarlig: mappen med brevene er ikke tilgjengelig her.",
            "Sei frå til driftsansvarleg: mappa med breva er ikkje tilgjengeleg her.",
        ),
    ),
    "letter_altered": (
        (
            "PDF-en av brevet, versjon {version}, er ikke den som ble sendt (kontrollsummen "
            "sha256 er en annen)",
            "PDF-en av brevet, versjon {version}, er ikkje den som vart send (kontrollsummen "
            "sha256 er ein annan)",
        ),
        (
            "Si fra til driftsansvarlig: filen må hentes fra sikkerhetskopien.",
            "Sei frå til driftsansvarleg: fila må hentast frå tryggingskopien.",
        ),
    ),
    "attachment_missing": (
        (
            "Vedlegg {number} finnes ikke på denne maskinen",
            "Vedlegg {number} finst ikkje på denne maskina",
        ),
        (
            "Vedlegget er nevnt i søknaden, men filen ble ikke funnet sammen med saken; be "
            "avsenderen om det.",
            "Vedlegget er nemnt i søknaden, men fila vart ikkje funnen saman med saka; be "
            "avsendaren om det.",
        ),
    ),
    "sso_provider_missing": (
        ("Denne påloggingen finnes ikke", "Denne pålogginga finst ikkje"),
        ("Bruk knappene på innloggingssiden.", "Bruk knappane på innloggingssida."),
    ),
    "user_missing": (
        ("Brukeren finnes ikke", "Brukaren finst ikkje"),
        ("Velg en bruker fra listen.", "Vel ein brukar frå lista."),
    ),
    "own_account": (
        ("Du kan ikke endre din egen konto her", "Du kan ikkje endre din eigen konto her"),
        (
            "Be en annen administrator om å gjøre det.",
            "Be ein annan administrator om å gjere det.",
        ),
    ),
    "kommune_not_served": (
        (
            "Kommune {kommuner} hører ikke til denne installasjonen",
            "Kommune {kommuner} høyrer ikkje til denne installasjonen",
        ),
        (
            "Oppgi kommunenummer for kommuner som hører til installasjonen.",
            "Oppgi kommunenummer for kommunar som høyrer til installasjonen.",
        ),
    ),
    "role_not_yours": (
        (
            "Du kan ikke gi rollen «{role}» for kommune {kommuner}",
            "Du kan ikkje gi rolla «{role}» for kommune {kommuner}",
        ),
        (
            "Gi en rolle og kommuner du selv administrerer, eller be en driftsadministrator.",
            "Gi ei rolle og kommunar du sjølv administrerer, eller be ein driftsadministrator.",
        ),
    ),
    "password_short": (
        ("Passordet må ha minst {n} tegn", "Passordet må ha minst {n} teikn"),
        ("Velg et lengre passord.", "Vel eit lengre passord."),
    ),
    "user_refused": (
        ("Brukeren kunne ikke lagres", "Brukaren kunne ikkje lagrast"),
        (
            "Kontroller brukernavnet (det kan være tatt) og rollen, og prøv igjen.",
            "Kontroller brukarnamnet (det kan vere teke) og rolla, og prøv igjen.",
        ),
    ),
    "robot_missing": (
        ("Roboten for saken finnes ikke", "Roboten for saka finst ikkje"),
        (
            "Si fra til driftsansvarlig: robotdefinisjonen mangler i innholdsmappen.",
            "Sei frå til driftsansvarleg: robotdefinisjonen manglar i innhaldsmappa.",
        ),
    ),
    "letter_not_newest": (
        (
            "Brevet du så, er ikke lenger den nyeste versjonen",
            "Brevet du såg, er ikkje lenger den nyaste versjonen",
        ),
        (
            "Åpne saken igjen og les det nyeste brevet før du godkjenner.",
            "Opne saka igjen og les det nyaste brevet før du godkjenner.",
        ),
    ),
    "no_decision": (
        ("Saken har ikke noe vedtak fra roboten", "Saka har ikkje noko vedtak frå roboten"),
        (
            "Si fra til driftsansvarlig: roboten må kjøres på saken igjen.",
            "Sei frå til driftsansvarleg: roboten må køyrast på saka igjen.",
        ),
    ),
    "answers_refused": (
        ("{n} svar kunne ikke lagres", "{n} svar kunne ikkje lagrast"),
        (
            "Velg oppfylt eller ikke oppfylt for hvert punkt, og skriv vurderingen.",
            "Vel oppfylt eller ikkje oppfylt for kvart punkt, og skriv vurderinga.",
        ),
    ),
    "no_letter": (
        ("Saken har ikke noe brev ennå", "Saka har ikkje noko brev enno"),
        (
            "Velg utfall på sakssiden; da skrives brevet.",
            "Vel utfall på sakssida; då blir brevet skrive.",
        ),
    ),
    "points_open": (
        (
            "Saken har {n} åpne punkt som ikke er avgjort",
            "Saka har {n} opne punkt som ikkje er avgjorde",
        ),
        (
            "Svar på hvert åpent punkt øverst på saken før vedtaket sendes.",
            "Svar på kvart ope punkt øvst på saka før vedtaket blir sendt.",
        ),
    ),
    "letter_before_answers": (
        ("Brevet ble skrevet før de siste svarene", "Brevet vart skrive før dei siste svara"),
        (
            "Lagre svarene igjen; da skrives brevet med dem.",
            "Lagre svara igjen; då blir brevet skrive med dei.",
        ),
    ),
    "letter_placeholder": (
        (
            "Brevet har tekst saksbehandleren må skrive før det kan godkjennes: «{text}».",
            "Brevet har tekst sakshandsamaren må skrive før det kan godkjennast: «{text}».",
        ),
        (
            "Åpne saken, skriv vurderingen i stedet for teksten i [[ ]], og godkjenn.",
            "Opne saka, skriv vurderinga i staden for teksten i [[ ]], og godkjenn.",
        ),
    ),
    "letter_empty": (
        ("Brevet er tomt", "Brevet er tomt"),
        (
            "Skriv brevet, eller avslutt saken uten brev.",
            "Skriv brevet, eller avslutt saka utan brev.",
        ),
    ),
    "edits_not_seen": (
        (
            "{n} av endringene dine i brevteksten kom ikke med i det nye utkastet",
            "{n} av endringane dine i brevteksten kom ikkje med i det nye utkastet",
        ),
        (
            "Les endringene på bekreftelsen, kryss av for at du har sett dem, og send igjen.",
            "Les endringane på stadfestinga, kryss av for at du har sett dei, og send igjen.",
        ),
    ),
    "letter_changed": (
        (
            "Brevet er endret etter at det ble vist til bekreftelse",
            "Brevet er endra etter at det vart vist til stadfesting",
        ),
        (
            "Åpne bekreftelsen igjen og les brevet som blir sendt.",
            "Opne stadfestinga igjen og les brevet som blir sendt.",
        ),
    ),
    "reason_required": (
        ("Du må skrive en begrunnelse", "Du må skrive ei grunngiving"),
        ("Skriv hvorfor saken avsluttes.", "Skriv kvifor saka blir avslutta."),
    ),
    "no_letter_for_outcome": (
        (
            "Roboten har ikke noe brev for utfallet «{outcome}»",
            "Roboten har ikkje noko brev for utfallet «{outcome}»",
        ),
        (
            "Velg et av utfallene i listen på sakssiden.",
            "Vel eitt av utfalla i lista på sakssida.",
        ),
    ),
}

E = TypeVar("E", bound=SaksrobotError)


def _words(
    key: str, values: Mapping[str, object], notes: tuple[str, ...], malform: str
) -> tuple[str, str]:
    message, fix = ERRORS[key]
    index = 1 if malform == "nn" else 0
    added = [TEXTS[note][index] for note in notes]
    return (
        " ".join([fill(message[index], values, malform), *added]),
        fill(fix[index], values, malform),
    )


def error_words(error: SaksrobotError, malform: str) -> tuple[str, str]:
    """The error's message and fix in the målform: its own words (`text`), else the words
    for its kind, else the words for an error in saksrobot; each of its `notes` (a key of
    TEXTS) is added to the message."""
    if error.text in ERRORS:
        key = str(error.text)
    else:
        key = error.kind if error.kind in ERRORS else "error"
    return _words(key, error.values, error.notes, malform)


def worded(kind: type[E], text: str, /, *, notes: tuple[str, ...] = (), **values: object) -> E:
    """An error of `kind` with the words ERRORS[text]: the reader gets them in their
    målform (error_words), the operator (str, logs) in bokmål."""
    message, fix = _words(text, values, notes, "nb")
    error = kind(message, fix=fix, text=text, values=values)
    error.notes = notes
    return error


def problem_words(problem: Mapping[str, object], malform: str) -> tuple[str, str]:
    """A stored problem's (FieldProblem.as_dict) reason and fix in the målform, by its words
    (`text`, `values`) as error_words does; one without words (an old record, a reason
    nobody worded) as it was stored, in bokmål."""
    key, values = problem.get("text"), problem.get("values")
    if isinstance(key, str) and key in ERRORS and isinstance(values, Mapping):
        try:
            return _words(key, values, (), malform)
        except (KeyError, IndexError, ValueError):
            pass  # values that do not fit the words (a record made by another version)
    return str(problem.get("reason") or ""), str(problem.get("fix") or "")
