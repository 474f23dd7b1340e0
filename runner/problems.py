"""Why an item was refused (quarantine) or a case set aside (parked), in bokmål and nynorsk.

A problem is made with `problem("key", location, **values)`: a runner.errors.FieldProblem
with its bokmål reason and fix (for logs, the CLI and the record) and its key and values, so
the review page shows it in the reader's målform. The words are one list with the errors'
(runner/web/i18n.py ERRORS holds these keys too; i18n.problem_words renders a stored one):
key → ((reason bokmål, nynorsk), (fix bokmål, nynorsk)). Values are the item's own content
(a field's value, a number, a code), never baked into a key; a runner.vocabulary.Word is
stored as {"word": kind, "code": code} and shown as its word.
"""

from __future__ import annotations

from collections.abc import Mapping

from runner.errors import FieldProblem
from runner.vocabulary import Word, word

__all__ = ["PARKED", "PROBLEMS", "PYDANTIC", "VALIDATION", "fill", "invalid", "problem"]

Pair = tuple[str, str]
Words = tuple[Pair, Pair]

_FIX_VALUE: Pair = ("rett verdien", "rett verdien")
_INTEGER: Pair = ("skal være et heltall", "skal vere eit heiltal")
_NUMBER: Pair = ("skal være et tall", "skal vere eit tal")
_BOOLEAN: Pair = ("skal være true eller false", "skal vere true eller false")
_OBJECT: Pair = ("skal være et objekt ({{ ... }})", "skal vere eit objekt ({{ ... }})")
_DATE: Pair = ("skal være en dato (ÅÅÅÅ-MM-DD)", "skal vere ein dato (ÅÅÅÅ-MM-DD)")
_TIME: Pair = ("skal være et tidspunkt med tidssone", "skal vere eit tidspunkt med tidssone")
_ISO_TIME: Pair = (
    "bruk ISO 8601 med tidssone, f.eks. 2026-09-21T14:02:00+02:00",
    "bruk ISO 8601 med tidssone, t.d. 2026-09-21T14:02:00+02:00",
)
_ALLOWED: Words = (
    ("ukjent verdi; tillatt er {expected}", "ukjend verdi; tillate er {expected}"),
    ("bruk en av de tillatte verdiene", "bruk ein av dei tillatne verdiane"),
)

#: pydantic's own error types as a case's model reports them (their context fills the
#: placeholders).
PYDANTIC: dict[str, Words] = {
    "missing": (("feltet mangler", "feltet manglar"), ("legg til feltet", "legg til feltet")),
    "extra_forbidden": (
        ("feltet er ukjent", "feltet er ukjent"),
        ("fjern feltet, eller sjekk stavemåten", "fjern feltet, eller sjekk stavemåten"),
    ),
    "bool_type": (_BOOLEAN, ("bruk true eller false", "bruk true eller false")),
    "bool_parsing": (_BOOLEAN, _FIX_VALUE),
    "int_type": (_INTEGER, ("bruk et heltall", "bruk eit heiltal")),
    "int_parsing": (_INTEGER, ("bruk et heltall", "bruk eit heiltal")),
    "int_from_float": (
        (
            "skal være et heltall, ikke et desimaltall",
            "skal vere eit heiltal, ikkje eit desimaltal",
        ),
        _FIX_VALUE,
    ),
    "float_type": (
        _NUMBER,
        ("bruk et tall med punktum som desimaltegn", "bruk eit tal med punktum som desimalteikn"),
    ),
    "float_parsing": (
        _NUMBER,
        ("bruk et tall med punktum som desimaltegn", "bruk eit tal med punktum som desimalteikn"),
    ),
    "finite_number": (("skal være et endelig tall", "skal vere eit endeleg tal"), _FIX_VALUE),
    "string_type": (
        ("skal være tekst", "skal vere tekst"),
        ("bruk tekst i anførselstegn", "bruk tekst i hermeteikn"),
    ),
    "dict_type": (_OBJECT, _FIX_VALUE),
    "model_type": (_OBJECT, _FIX_VALUE),
    "model_attributes_type": (_OBJECT, _FIX_VALUE),
    "list_type": (("skal være en liste ([ ... ])", "skal vere ei liste ([ ... ])"), _FIX_VALUE),
    "greater_than_equal": (
        (
            "verdien er for liten; den må være minst {ge}",
            "verdien er for lita; ho må vere minst {ge}",
        ),
        (
            "verdien kan ikke være negativ eller så liten",
            "verdien kan ikkje vere negativ eller så lita",
        ),
    ),
    "greater_than": (
        (
            "verdien er for liten; den må være over {gt}",
            "verdien er for lita; ho må vere over {gt}",
        ),
        _FIX_VALUE,
    ),
    "less_than_equal": (
        (
            "verdien er urimelig stor; den kan være høyst {le}",
            "verdien er urimeleg stor; ho kan vere høgst {le}",
        ),
        (
            "verdien er urimelig stor; sjekk enheten (meter, m²)",
            "verdien er urimeleg stor; sjekk eininga (meter, m²)",
        ),
    ),
    "less_than": (
        (
            "verdien er urimelig stor; den må være under {lt}",
            "verdien er urimeleg stor; ho må vere under {lt}",
        ),
        _FIX_VALUE,
    ),
    "string_too_long": (
        (
            "teksten er for lang; høyst {max_length} tegn",
            "teksten er for lang; høgst {max_length} teikn",
        ),
        ("korte ned teksten", "kort ned teksten"),
    ),
    "string_too_short": (
        (
            "teksten er for kort; minst {min_length} tegn",
            "teksten er for kort; minst {min_length} teikn",
        ),
        _FIX_VALUE,
    ),
    "too_long": (
        ("for mange elementer; høyst {max_length}", "for mange element; høgst {max_length}"),
        ("korte ned verdien", "kort ned verdien"),
    ),
    "string_pattern_mismatch": (
        ("har feil format", "har feil format"),
        ("følg formatet som er beskrevet", "følg formatet som er skildra"),
    ),
    "enum": _ALLOWED,
    "literal_error": _ALLOWED,
    "date_type": (_DATE, _FIX_VALUE),
    "date_parsing": (_DATE, _FIX_VALUE),
    "date_from_datetime_parsing": (
        _DATE,
        ("bruk dato på formen ÅÅÅÅ-MM-DD", "bruk dato på forma ÅÅÅÅ-MM-DD"),
    ),
    "datetime_type": (_TIME, _FIX_VALUE),
    "datetime_parsing": (_TIME, _ISO_TIME),
    "datetime_from_date_parsing": (_TIME, _ISO_TIME),
}

#: The error types our validators in runner/models raise (`invalid`).
VALIDATORS: dict[str, Words] = {
    "national_id_digits": (
        ("fødselsnummer/D-nummer må være 11 sifre", "fødselsnummer/D-nummer må vere 11 siffer"),
        _FIX_VALUE,
    ),
    "national_id_check": (
        (
            "fødselsnummer/D-nummer har feil kontrollsiffer",
            "fødselsnummer/D-nummer har feil kontrollsiffer",
        ),
        _FIX_VALUE,
    ),
    "kommunenummer_format": (
        (
            "kommunenummer må være fire sifre, med ledende null (f.eks. 0301)",
            "kommunenummer må vere fire siffer, med null først (t.d. 0301)",
        ),
        _FIX_VALUE,
    ),
    "time_zone_missing": (
        (
            "tidspunktet må ha tidssone, f.eks. 2026-09-21T14:02:00+02:00",
            "tidspunktet må ha tidssone, t.d. 2026-09-21T14:02:00+02:00",
        ),
        _FIX_VALUE,
    ),
    "received_in_future": (
        ("mottakstidspunktet ligger fram i tid", "mottakstidspunktet ligg fram i tid"),
        _FIX_VALUE,
    ),
    "attachment_absolute": (
        (
            "vedlegg må ha en relativ sti inne i innboksen, ikke en absolutt sti",
            "vedlegg må ha ein relativ sti inne i innboksen, ikkje ein absolutt sti",
        ),
        _FIX_VALUE,
    ),
    "attachment_outside": (
        (
            "vedlegg kan ikke peke ut av innboksen ('..' er ikke tillatt)",
            "vedlegg kan ikkje peike ut av innboksen ('..' er ikkje tillate)",
        ),
        _FIX_VALUE,
    ),
    "account_digits": (
        ("kontonummeret må være 11 sifre", "kontonummeret må vere 11 siffer"),
        _FIX_VALUE,
    ),
    "account_check": (
        ("kontonummeret har feil kontrollsiffer", "kontonummeret har feil kontrollsiffer"),
        _FIX_VALUE,
    ),
    "too_many_verified": (
        (
            "høyst {limit} verifiserte fakta fra avsenderen, fikk {n}; send bare fakta som "
            "regelverket leser",
            "høgst {limit} verifiserte fakta frå avsendaren, fekk {n}; send berre fakta som "
            "regelverket les",
        ),
        _FIX_VALUE,
    ),
    "footprint_open": (
        (
            "fotavtrykket må være lukket: første og siste punkt må være like",
            "fotavtrykket må vere lukka: første og siste punkt må vere like",
        ),
        _FIX_VALUE,
    ),
    "footprint_invalid": (
        (
            "fotavtrykket er ikke et gyldig polygon ({reason})",
            "fotavtrykket er ikkje ein gyldig polygon ({reason})",
        ),
        _FIX_VALUE,
    ),
    "outside_norway_degrees": (
        (
            "koordinaten ({x}, {y}) ligger ikke i Norge i {crs} (lengde, bredde); sjekk "
            "koordinatsystemet og at øst og nord ikke er byttet om",
            "koordinaten ({x}, {y}) ligg ikkje i Noreg i {crs} (lengd, breidd); sjekk "
            "koordinatsystemet og at aust og nord ikkje er bytte om",
        ),
        _FIX_VALUE,
    ),
    "outside_norway_metres": (
        (
            "koordinaten ({x}, {y}) ligger ikke i Norge i {crs} (øst, nord); sjekk "
            "koordinatsystemet og at øst og nord ikke er byttet om",
            "koordinaten ({x}, {y}) ligg ikkje i Noreg i {crs} (aust, nord); sjekk "
            "koordinatsystemet og at aust og nord ikkje er bytte om",
        ),
        _FIX_VALUE,
    ),
    "point_far_from_footprint": (
        (
            "punktet ligger langt fra fotavtrykket; sjekk koordinatene",
            "punktet ligg langt frå fotavtrykket; sjekk koordinatane",
        ),
        _FIX_VALUE,
    ),
}

#: A case's fields as its model checks them: runner/intake.py words these by their type.
VALIDATION: dict[str, Words] = {**PYDANTIC, **VALIDATORS}

_JSON_SYNTAX: Pair = (
    "rett syntaksen (komma, anførselstegn, klammer)",
    "rett syntaksen (komma, hermeteikn, klammer)",
)


def _json(nb: str, nn: str) -> Words:
    """A JSON syntax error at {line}, {column}: what is wrong there."""
    return (
        (f"ugyldig JSON på linje {{line}}, kolonne {{column}}{nb}",
         f"ugyldig JSON på linje {{line}}, kolonne {{column}}{nn}"),
        _JSON_SYNTAX,
    )  # fmt: skip


#: A case file as it is read (runner/intake.py).
INTAKE: dict[str, Words] = {
    "file_empty": (
        ("filen er tom", "fila er tom"),
        ("send inn en JSON-fil med saken", "send inn ei JSON-fil med saka"),
    ),
    "not_utf8": (
        ("filen er ikke gyldig UTF-8 (byte {byte})", "fila er ikkje gyldig UTF-8 (byte {byte})"),
        ("lagre filen som UTF-8", "lagre fila som UTF-8"),
    ),
    "duplicate_key": (
        (
            "nøkkelen '{key}' står to ganger i samme objekt",
            "nøkkelen '{key}' står to gonger i same objekt",
        ),
        ("fjern den ene forekomsten", "fjern den eine førekomsten"),
    ),
    "json_invalid": _json("", ""),
    "json_expecting_value": _json(": her mangler en verdi", ": her manglar ein verdi"),
    "json_expecting_name": _json(
        ": her skal det stå et feltnavn i doble anførselstegn",
        ": her skal det stå eit feltnamn i doble hermeteikn",
    ),
    "json_expecting_colon": _json(": her mangler et kolon", ": her manglar eit kolon"),
    "json_expecting_comma": _json(": her mangler et komma", ": her manglar eit komma"),
    "json_unterminated": _json(
        ": en tekst her mangler det avsluttende anførselstegnet",
        ": ein tekst her manglar det avsluttande hermeteiknet",
    ),
    "json_control": _json(
        ": et kontrolltegn står midt i en tekst", ": eit kontrollteikn står midt i ein tekst"
    ),
    "json_escape": _json(
        ": en ugyldig omvendt skråstrek (\\) står i en tekst",
        ": ein ugyldig omvend skråstrek (\\) står i ein tekst",
    ),
    "json_extra": _json(
        ": det står mer etter JSON-objektet", ": det står meir etter JSON-objektet"
    ),
    "json_comma_object": _json(": et komma står foran }}", ": eit komma står framfor }}"),
    "json_comma_array": _json(": et komma står foran ]", ": eit komma står framfor ]"),
    "json_too_deep": (
        ("JSON er nøstet for dypt", "JSON er nøsta for djupt"),
        ("saken kan ha høyst {depth} nivåer", "saka kan ha høgst {depth} nivå"),
    ),
    "json_not_object": (
        (
            "toppnivået er {kind}, ikke et JSON-objekt",
            "toppnivået er {kind}, ikkje eit JSON-objekt",
        ),
        (
            'filen skal inneholde ett objekt: {{ "case_type": ..., ... }}',
            'fila skal innehalde eitt objekt: {{ "case_type": ..., ... }}',
        ),
    ),
    "control_characters": (
        ("teksten inneholder kontrolltegn", "teksten inneheld kontrollteikn"),
        ("fjern usynlige tegn", "fjern usynlege teikn"),
    ),
    "case_type_missing": (
        ("feltet mangler", "feltet manglar"),
        ("bruk en av: {known}", "bruk ein av: {known}"),
    ),
    "case_type_unknown": (
        ("ukjent sakstype {shown}", "ukjend sakstype {shown}"),
        ("bruk en av: {known}", "bruk ein av: {known}"),
    ),
    "case_type_other_robot": (
        (
            "sakstypen '{case_type}' hører ikke til denne roboten",
            "sakstypen '{case_type}' høyrer ikkje til denne roboten",
        ),
        ("legg saken i innboksen for '{case_type}'", "legg saka i innboksen for '{case_type}'"),
    ),
    "kommune_not_served_case": (
        (
            "kommune {kommune} betjenes ikke av denne installasjonen",
            "kommune {kommune} høyrer ikkje til denne installasjonen",
        ),
        (
            "send saken til riktig kommune, eller legg {kommune} til i innstillingene",
            "send saka til rett kommune, eller legg {kommune} til i innstillingane",
        ),
    ),
}

_NAV_MISSING: Pair = ("mangler i NAV-søknaden", "manglar i NAV-søknaden")


def _nav(nb: str, nn: str) -> Words:
    """A piece the NAV søknad lacks, and how to get it."""
    return (_NAV_MISSING, (nb, nn))


#: A NAV søknad (runner/sources/nav.py), each naming its NAV path.
NAV: dict[str, Words] = {
    "nav_not_soknad": _nav(
        "filen er ikke en NAV-søknad (soknadsosialhjelp-filformat)",
        "fila er ikkje ein NAV-søknad (soknadsosialhjelp-filformat)",
    ),
    "nav_name_missing": _nav(
        "oppgi søkerens fornavn og etternavn", "oppgi fornamnet og etternamnet til søkjaren"
    ),
    "nav_national_id_missing": _nav(
        "oppgi søkerens fødselsnummer", "oppgi fødselsnummeret til søkjaren"
    ),
    "nav_account_missing": _nav(
        "søkeren må oppgi et kontonummer for utbetaling",
        "søkjaren må oppgi eit kontonummer for utbetaling",
    ),
    "nav_kommune_missing": _nav(
        "oppgi kommunenummeret søknaden er sendt til", "oppgi kommunenummeret søknaden er send til"
    ),
    "nav_address_missing": _nav(
        "søkeren må oppgi en gateadresse med postnummer",
        "søkjaren må oppgi ei gateadresse med postnummer",
    ),
    "nav_child_birth_missing": _nav(
        "oppgi barnets fødselsdato (ÅÅÅÅ-MM-DD)", "oppgi fødselsdatoen til barnet (ÅÅÅÅ-MM-DD)"
    ),
    "nav_amount_missing": _nav(
        "spør søkeren om beløpet og legg det inn", "spør søkjaren om beløpet og legg det inn"
    ),
    "nav_amount_not_finite": (
        (
            "beløpet er ikke et endelig tall (NaN eller uendelig)",
            "beløpet er ikkje eit endeleg tal (NaN eller uendeleg)",
        ),
        ("oppgi beløpet i hele kroner", "oppgi beløpet i heile kroner"),
    ),
    "nav_amount_negative": (
        ("beløpet er negativt", "beløpet er negativt"),
        ("oppgi 0 eller mer", "oppgi 0 eller meir"),
    ),
    "nav_not_list": (
        ("skal være en liste", "skal vere ei liste"),
        ("rett NAV-filen", "rett NAV-fila"),
    ),
    "nav_time_invalid": (
        ("ugyldig tidspunkt", "ugyldig tidspunkt"),
        ("bruk ISO 8601 med tidssone", "bruk ISO 8601 med tidssone"),
    ),
    "nav_reason_too_long": (
        (
            "begrunnelsen (med andre utgifter) er {n} tegn, over grensen på {limit} tegn en "
            "sak kan ha",
            "grunngjevinga (med andre utgifter) er {n} teikn, over grensa på {limit} teikn ei "
            "sak kan ha",
        ),
        (
            "les hele begrunnelsen i NAV-søknaden og behandle saken manuelt",
            "les heile grunngjevinga i NAV-søknaden og handsam saka manuelt",
        ),
    ),
}

_FORM_FIX: Pair = (
    "send søknaden på kommunens utfyllbare skjema (ikke skannet eller utskrevet), eller som JSON",
    "send søknaden på det utfyllbare skjemaet til kommunen (ikkje skanna eller utskrive), "
    "eller som JSON",
)
_UNREADABLE_FIELD: Pair = (
    "fyll ut feltet på nytt i skjemaet og send det inn på nytt",
    "fyll ut feltet på nytt i skjemaet og send det inn på nytt",
)

#: A PDF form or an Excel row as a case mapping reads it (runner/sources/pdfform.py,
#: excel.py, mapping.py): the fix for a value follows the field's type.
FORMS: dict[str, Words] = {
    "pdf_not_accepted": (
        ("denne roboten tar ikke imot PDF-skjema", "denne roboten tek ikkje imot PDF-skjema"),
        (
            "send søknaden som JSON, eller be driftsansvarlig sette opp skjemaet i robotfilen",
            "send søknaden som JSON, eller be driftsansvarleg setje opp skjemaet i robotfila",
        ),
    ),
    "pdf_not_pdf": (("filen er ikke en PDF", "fila er ikkje ein PDF"), _FORM_FIX),
    "pdf_unreadable": (
        ("PDF-en kan ikke leses ({error})", "PDF-en kan ikkje lesast ({error})"),
        _FORM_FIX,
    ),
    "pdf_no_fields": (
        (
            "PDF-en har ingen skjemafelt (skannet eller utskrevet skjema?); saksroboten "
            "gjetter ikke innholdet",
            "PDF-en har ingen skjemafelt (skanna eller utskrive skjema?); saksroboten "
            "gjettar ikkje innhaldet",
        ),
        _FORM_FIX,
    ),
    "field_text_encoding": (
        (
            "teksten i feltet har ugyldig tegnkoding (UTF-16) og kan ikke leses",
            "teksten i feltet har ugyldig teiknkoding (UTF-16) og kan ikkje lesast",
        ),
        _UNREADABLE_FIELD,
    ),
    "field_unreadable": (
        ("feltet kan ikke leses ({error})", "feltet kan ikkje lesast ({error})"),
        _UNREADABLE_FIELD,
    ),
    "excel_row_unreadable": (
        ("raden kan ikke leses", "rada kan ikkje lesast"),
        ("send arbeidsboken på nytt", "send arbeidsboka på nytt"),
    ),
    "form_field_unknown": (
        ("feltet finnes ikke", "feltet finst ikkje"),
        ("bruk skjemaet/malen fra kommunen", "bruk skjemaet/malen frå kommunen"),
    ),
}
_EMPTY: Pair = ("feltet er ikke fylt ut", "feltet er ikkje fylt ut")
#: A mapped field's type → how to fill it in (a value of that type that is wrong or empty).
TYPE_FIXES: dict[str, Pair] = {
    "text": ("fyll inn feltet", "fyll inn feltet"),
    "number": ("skriv et tall, f.eks. 14,5", "skriv eit tal, t.d. 14,5"),
    "integer": ("skriv et heltall", "skriv eit heiltal"),
    "bool": (
        "skriv ja eller nei (eller ukjent der det er lov)",
        "skriv ja eller nei (eller ukjend der det er lov)",
    ),
    "checkbox": ("kryss av eller la feltet stå tomt", "kryss av eller la feltet stå tomt"),
    "date": (
        "skriv datoen som DD.MM.ÅÅÅÅ eller ÅÅÅÅ-MM-DD",
        "skriv datoen som DD.MM.ÅÅÅÅ eller ÅÅÅÅ-MM-DD",
    ),
    "datetime": (
        "skriv tidspunktet som DD.MM.ÅÅÅÅ TT:MM eller ISO 8601",
        "skriv tidspunktet som DD.MM.ÅÅÅÅ TT:MM eller ISO 8601",
    ),
}
#: What is wrong with a mapped value (runner/sources/mapping.py convert_value).
VALUE_REASONS: dict[str, Pair] = {
    "empty": _EMPTY,
    "not_integer": ("'{value}' er ikke et heltall", "'{value}' er ikkje eit heiltal"),
    "not_yes_no": ("'{value}' er verken ja eller nei", "'{value}' er verken ja eller nei"),
    "not_finite": ("'{value}' er ikke et endelig tall", "'{value}' er ikkje eit endeleg tal"),
    "checkbox_number": (
        "et avkrysningsfelt er ikke et tall",
        "eit avkryssingsfelt er ikkje eit tal",
    ),
    "too_large": ("tallet er for stort", "talet er for stort"),
    "not_number": ("'{value}' er ikke et tall", "'{value}' er ikkje eit tal"),
    "not_date": ("'{value}' er ikke en dato", "'{value}' er ikkje ein dato"),
    "not_time": ("'{value}' er ikke et tidspunkt", "'{value}' er ikkje eit tidspunkt"),
}
#: One key per reason and type: "value_<reason>_<type>".
VALUES: dict[str, Words] = {
    f"value_{reason}_{kind}": (words, fix)
    for reason, words in VALUE_REASONS.items()
    for kind, fix in TYPE_FIXES.items()
}

_SEND_AGAIN: Pair = (
    "rett feltet i søknaden og send den inn på nytt fra byggesøknadsløsningen",
    "rett feltet i søknaden og send han inn på nytt frå byggjesøknadsløysinga",
)
_MISSING: Pair = ("mangler i søknaden", "manglar i søknaden")
_MANUAL: Pair = ("behandle saken manuelt", "handsam saka manuelt")

#: A DiBK søknad om tiltak uten ansvarsrett (runner/sources/dibk.py), each naming its XML path.
DIBK: dict[str, Words] = {
    "dibk_missing": (_MISSING, _SEND_AGAIN),
    "dibk_missing_number": (
        _MISSING,
        ("oppgi tallet i meter eller m²", "oppgi talet i meter eller m²"),
    ),
    "dibk_missing_yes_no": (_MISSING, ("svar ja eller nei", "svar ja eller nei")),
    "dibk_missing_national_id": (
        _MISSING,
        ("oppgi tiltakshaverens fødselsnummer", "oppgi fødselsnummeret til tiltakshavaren"),
    ),
    "dibk_missing_email": (
        _MISSING,
        (
            "oppgi en e-postadresse vedtaket kan sendes til",
            "oppgi ei e-postadresse vedtaket kan sendast til",
        ),
    ),
    "dibk_not_number": (
        ("'{value}' er ikke et tall", "'{value}' er ikkje eit tal"),
        ("oppgi tallet med punktum som skille", "oppgi talet med punktum som skilje"),
    ),
    "dibk_not_integer": (
        ("'{value}' er ikke et heltall", "'{value}' er ikkje eit heiltal"),
        ("oppgi et heltall", "oppgi eit heiltal"),
    ),
    "dibk_not_xml": (
        ("filen er ikke gyldig XML", "fila er ikkje gyldig XML"),
        ("send søknaden som XML fra DiBK", "send søknaden som XML frå DiBK"),
    ),
    "dibk_wrong_form": (
        (
            "dette er ikke skjemaet «søknad om tiltak uten ansvarsrett» ({namespace})",
            "dette er ikkje skjemaet «søknad om tiltak utan ansvarsrett» ({namespace})",
        ),
        (
            "send søknaden til roboten som tar imot dette skjemaet",
            "send søknaden til roboten som tek imot dette skjemaet",
        ),
    ),
    "dibk_xsd_element": (
        ("elementet er ikke med i skjemaet (XSD)", "elementet er ikkje med i skjemaet (XSD)"),
        _SEND_AGAIN,
    ),
    "dibk_xsd_missing": (
        (
            "et påkrevd element eller attributt mangler (XSD)",
            "eit påkravd element eller attributt manglar (XSD)",
        ),
        _SEND_AGAIN,
    ),
    "dibk_xsd_value": (
        ("verdien stemmer ikke med skjemaet (XSD)", "verdien stemmer ikkje med skjemaet (XSD)"),
        _SEND_AGAIN,
    ),
    "dibk_no_property": (
        ("søknaden oppgir ingen eiendom", "søknaden oppgjev ingen eigedom"),
        _SEND_AGAIN,
    ),
    "dibk_several_properties": (
        (
            "søknaden gjelder flere eiendommer; roboten behandler én eiendom per søknad",
            "søknaden gjeld fleire eigedomar; roboten handsamar éin eigedom per søknad",
        ),
        _MANUAL,
    ),
    "dibk_property_address_missing": (
        ("eiendommens adresse mangler", "adressa til eigedomen manglar"),
        _SEND_AGAIN,
    ),
    "dibk_no_applicant": (
        ("søknaden har ingen tiltakshaver", "søknaden har ingen tiltakshavar"),
        _SEND_AGAIN,
    ),
    "dibk_applicant_not_person": (
        (
            "tiltakshaveren er «{kind}»; roboten behandler bare søknader fra privatpersoner",
            "tiltakshavaren er «{kind}»; roboten handsamar berre søknader frå privatpersonar",
        ),
        _MANUAL,
    ),
    "dibk_measure_kind_missing": (
        ("tiltakstype mangler", "tiltakstype manglar"),
        ("velg tiltakstype", "vel tiltakstype"),
    ),
    "dibk_purpose_missing": (
        ("tiltakets formål mangler", "formålet med tiltaket manglar"),
        ("velg formål for tiltaket", "vel formål for tiltaket"),
    ),
    "dibk_purpose_unknown": (
        (
            "formålet «{purpose}» kjenner ikke roboten, så den vet ikke om tiltaket er for "
            "varig opphold",
            "formålet «{purpose}» kjenner ikkje roboten, så han veit ikkje om tiltaket er for "
            "varig opphald",
        ),
        (
            "behandle saken manuelt, eller legg koden til i runner/sources/dibk.py",
            "handsam saka manuelt, eller legg koden til i runner/sources/dibk.py",
        ),
    ),
    "dibk_notice_date_missing": (
        ("datoen for nabovarsel mangler", "datoen for nabovarsel manglar"),
        (
            "oppgi når naboene ble varslet, eller at tiltaket er fritatt",
            "oppgi når naboane vart varsla, eller at tiltaket er fritatt",
        ),
    ),
    "dibk_objections_zero": (
        (
            "søknaden sier at det finnes merknader, men antallet er 0",
            "søknaden seier at det finst merknader, men talet er 0",
        ),
        ("oppgi hvor mange merknader som kom", "oppgi kor mange merknader som kom"),
    ),
    "dibk_attachment_incomplete": (
        ("vedlegget mangler type eller filnavn", "vedlegget manglar type eller filnamn"),
        _SEND_AGAIN,
    ),
}

_SEND_MESSAGE_AGAIN: Pair = (
    "be avsenderen sende meldingen på nytt; står feilen igjen, meld fra til avsenderens "
    "systemleverandør",
    "be avsendaren sende meldinga på nytt; står feilen att, meld frå til systemleverandøren "
    "til avsendaren",
)
_PROTOCOL: Pair = (
    "meldingen kom ikke fra Fiks IO slik protokollen beskriver; meld fra til KS",
    "meldinga kom ikkje frå Fiks IO slik protokollen skildrar; meld frå til KS",
)


def _container(nb: str, nn: str) -> Words:
    """A signed container (ASiC-E) refused: what is wrong with it."""
    return ((nb, nn), _SEND_MESSAGE_AGAIN)


#: A Fiks IO message refused (runner/fiksio/*.py, runner/sources/fiksio.py): not for us,
#: unreadable, tampered with, or of a type the robot does not take.
FIKSIO: dict[str, Words] = {
    "fiksio_undecryptable": (
        (
            "meldingen kan ikke dekrypteres med kommunens nøkkel (den er kryptert for en annen "
            "mottaker, er skadet underveis eller er ikke CMS)",
            "meldinga kan ikkje dekrypterast med nøkkelen til kommunen (ho er kryptert for ein "
            "annan mottakar, er skadd undervegs eller er ikkje CMS)",
        ),
        (
            "be avsenderen sende på nytt til riktig Fiks IO-konto med kontoens gjeldende "
            "offentlige nøkkel",
            "be avsendaren sende på nytt til rett Fiks IO-konto med den gjeldande offentlege "
            "nøkkelen til kontoen",
        ),
    ),
    "fiksio_unreadable": (
        (
            "meldingen kan ikke leses (uventet feil: {error})",
            "meldinga kan ikkje lesast (uventa feil: {error})",
        ),
        (
            "be avsenderen sende på nytt; står feilen igjen, gi driftsansvarlig meldingens id",
            "be avsendaren sende på nytt; står feilen att, gi driftsansvarleg id-en til meldinga",
        ),
    ),
    "fiksio_header_missing": (("headeren mangler", "headeren manglar"), _PROTOCOL),
    "fiksio_header_not_uuid": (
        ("headeren er ikke en UUID", "headeren er ikkje ein UUID"),
        _PROTOCOL,
    ),
    "fiksio_wrong_type": (
        (
            "meldingstypen {message_type} tas ikke imot av denne roboten (den tar {taken})",
            "meldingstypen {message_type} blir ikkje teken imot av denne roboten (han tek {taken})",
        ),
        (
            "send meldingen til riktig konto eller med riktig type",
            "send meldinga til rett konto eller med rett type",
        ),
    ),
    "fiksio_foreign_unreadable": (
        (
            "en melding til Fiks IO-kontoen {account} ({kommune}) kan ikke åpnes ({problems}); "
            "ingen robot leser kontoen, som her bare tar imot arkivets svar på arkivmeldingene",
            "ei melding til Fiks IO-kontoen {account} ({kommune}) kan ikkje opnast ({problems}); "
            "ingen robot les kontoen, som her berre tek imot svara frå arkivet på arkivmeldingane",
        ),
        (
            "be avsenderen sende på nytt til riktig konto",
            "be avsendaren sende på nytt til rett konto",
        ),
    ),
    "fiksio_foreign_type": (
        (
            "meldingstypen {message_type} kom til Fiks IO-kontoen {account} ({kommune}), som "
            "ingen robot leser: her tas bare arkivets svar på arkivmeldingene imot",
            "meldingstypen {message_type} kom til Fiks IO-kontoen {account} ({kommune}), som "
            "ingen robot les: her blir berre svara frå arkivet på arkivmeldingane tekne imot",
        ),
        (
            "skal en robot ta imot slike meldinger, gi den source: {{kind: fiksio, "
            "message_types: [{message_type}]}} og kontoen i kommunens [fiks_io]; ellers be "
            "avsenderen (konto {sender}) sende til riktig konto",
            "skal ein robot ta imot slike meldingar, gje han source: {{kind: fiksio, "
            "message_types: [{message_type}]}} og kontoen i [fiks_io] for kommunen; elles be "
            "avsendaren (konto {sender}) sende til rett konto",
        ),
    ),
    "fiksio_no_application": (
        (
            "meldingen har ingen søknad ({suffix}-fil); den har {names}",
            "meldinga har ingen søknad ({suffix}-fil); ho har {names}",
        ),
        ("be avsenderen sende søknaden med", "be avsendaren sende søknaden med"),
    ),
    "fiksio_too_large": (
        (
            "søknaden er over grensen på {limit} byte (max_input_bytes)",
            "søknaden er over grensa på {limit} byte (max_input_bytes)",
        ),
        (
            "be avsenderen sende en mindre søknad, eller øk grensen (max_input_bytes)",
            "be avsendaren sende ein mindre søknad, eller auk grensa (max_input_bytes)",
        ),
    ),
    "asice_not_zip": _container(
        "innholdet er ikke en ASiC-E-container (ikke en zip)",
        "innhaldet er ikkje ein ASiC-E-container (ikkje ein zip)",
    ),
    "asice_damaged": _container(
        "en fil i containeren er skadet eller kan ikke pakkes ut",
        "ei fil i containeren er skadd eller kan ikkje pakkast ut",
    ),
    "asice_mimetype": _container("mimetype er ikke {mimetype}", "mimetype er ikkje {mimetype}"),
    "asice_unsigned": _container(
        "containeren er ikke signert (filen mangler)", "containeren er ikkje signert (fila manglar)"
    ),
    "asice_unlisted": _container(
        "filen er ikke med i det signerte manifestet", "fila er ikkje med i det signerte manifestet"
    ),
    "asice_listed_missing": _container(
        "filen står i manifestet, men mangler i containeren",
        "fila står i manifestet, men manglar i containeren",
    ),
    "asice_file_changed": _container(
        "filen er endret etter at avsenderen signerte", "fila er endra etter at avsendaren signerte"
    ),
    "asice_mimetype_first": _container(
        "filen mimetype skal ligge først i containeren",
        "fila mimetype skal liggje først i containeren",
    ),
    "asice_mimetype_stored": _container(
        "filen mimetype skal være lagret ukomprimert", "fila mimetype skal vere lagra ukomprimert"
    ),
    "asice_too_many": _container(
        "containeren har over {limit} filer", "containeren har over {limit} filer"
    ),
    "asice_too_big": _container(
        "containeren pakker seg ut til mer enn grensen på 512 MB",
        "containeren pakkar seg ut til meir enn grensa på 512 MB",
    ),
    "asice_duplicate": _container(
        "containeren har to filer med samme navn", "containeren har to filer med same namn"
    ),
    "asice_name_outside": _container(
        "filnavnet peker ut av containeren", "filnamnet peikar ut av containeren"
    ),
    "asice_signature_unreadable": _container(
        "signaturen kan ikke leses", "signaturen kan ikkje lesast"
    ),
    "asice_digest": _container(
        "signaturen bruker {algorithm}, ikke SHA-256",
        "signaturen brukar {algorithm}, ikkje SHA-256",
    ),
    "asice_manifest_changed": _container(
        "manifestet er endret etter at avsenderen signerte",
        "manifestet er endra etter at avsendaren signerte",
    ),
    "asice_not_rsa": _container(
        "signaturen er ikke laget med en RSA-nøkkel", "signaturen er ikkje laga med ein RSA-nøkkel"
    ),
    "asice_signature_wrong": _container(
        "signaturen stemmer ikke med innholdet", "signaturen stemmer ikkje med innhaldet"
    ),
    "asice_manifest_xml": _container(
        "manifestet er ikke gyldig XML", "manifestet er ikkje gyldig XML"
    ),
    "asice_not_sha256": _container(
        "filen er ikke sikret med SHA-256 i manifestet",
        "fila er ikkje sikra med SHA-256 i manifestet",
    ),
    "asice_listed_twice": _container(
        "filen står to ganger i manifestet", "fila står to gonger i manifestet"
    ),
    "asice_digest_not_base64": _container(
        "sjekksummen i manifestet er ikke base64", "sjekksummen i manifestet er ikkje base64"
    ),
    "asice_manifest_empty": _container(
        "manifestet lister ingen filer", "manifestet listar ingen filer"
    ),
}

_GENERAL_FIX: Pair = (
    "send saken inn på nytt i riktig format; står feilen igjen, gi driftsansvarlig sakens "
    "nummer (feiltypen og sporet står i loggen)",
    "send saka inn på nytt i rett format; står feilen att, gi driftsansvarleg nummeret til "
    "saka (feiltypen og sporet står i loggen)",
)

#: An item a reader failed on in a way nobody foresaw (runner/sources/boundary.py), and an
#: item's attachment outside its inbox (runner/steps/validate.py).
ITEMS: dict[str, Words] = {
    "item_too_many_digits": (
        (
            "et tall har over {digits} sifre og kan ikke leses",
            "eit tal har over {digits} siffer og kan ikkje lesast",
        ),
        ("rett tallet og send på nytt", "rett talet og send på nytt"),
    ),
    "item_encoding": (
        (
            "teksten har ugyldig tegnkoding og kan ikke leses",
            "teksten har ugyldig teiknkoding og kan ikkje lesast",
        ),
        ("lagre på nytt som UTF-8", "lagre på nytt som UTF-8"),
    ),
    "item_too_deep": (
        ("innholdet er nøstet for dypt til å leses", "innhaldet er nøsta for djupt til å lesast"),
        _GENERAL_FIX,
    ),
    "item_too_large": (
        ("innholdet er for stort til å leses", "innhaldet er for stort til å lesast"),
        ("del opp eller krymp filen", "del opp eller krymp fila"),
    ),
    "item_unexpected": (
        (
            "innholdet kan ikke leses (uventet feil: {error})",
            "innhaldet kan ikkje lesast (uventa feil: {error})",
        ),
        _GENERAL_FIX,
    ),
    "rule_set_missing": (
        (
            "ingen versjon av regelsettet gjelder {date}",
            "ingen versjon av regelsettet gjeld {date}",
        ),
        (
            "sjekk datoen på saken eller legg til en regelsett-versjon",
            "sjekk datoen på saka eller legg til ein regelsett-versjon",
        ),
    ),
    "attachment_escapes": (
        (
            "vedlegget peker ut av innboksen (via en symbolsk lenke eller '..')",
            "vedlegget peikar ut av innboksen (via ei symbolsk lenkje eller '..')",
        ),
        (
            "legg vedlegget i innboksen og bruk en relativ sti",
            "legg vedlegget i innboksen og bruk ein relativ sti",
        ),
    ),
}

#: The sources' own refusals (PDF form, Excel, NAV søknad, DiBK XML, Fiks IO).
SOURCES: dict[str, Words] = {**NAV, **FORMS, **VALUES, **DIBK, **FIKSIO, **ITEMS}

_RETRY: Pair = (
    "gi driftsansvarlig saksnummeret {case}; når feilen er rettet, kan driftsansvarlig kjøre "
    "saken videre",
    "gi driftsansvarleg saksnummeret {case}; når feilen er retta, kan driftsansvarleg køyre "
    "saka vidare",
)

#: Why a case was parked (runner/steps/failures.py park): by the error's kind, or its own.
PARKED: dict[str, Words] = {
    "parked_application": (
        (
            "en teknisk feil utenfor saken (disk, tjener eller lås) stoppet behandlingen, også "
            "etter nye forsøk",
            "ein teknisk feil utanfor saka (disk, tenar eller lås) stoppa handsaminga, også "
            "etter nye forsøk",
        ),
        _RETRY,
    ),
    "parked_no_account": (
        (
            "brevet skal sendes gjennom {channel}, men {kommune} ({kommunenummer}) har ingen "
            "konto der; det sendes ikke gjennom en annen kommunes konto",
            "brevet skal sendast gjennom {channel}, men {kommune} ({kommunenummer}) har ingen "
            "konto der; det blir ikkje sendt gjennom kontoen til ein annan kommune",
        ),
        (
            "be driftsansvarlig legge inn kommunens konto for {channel} og så prøve saken "
            "{case} på nytt",
            "be driftsansvarleg leggje inn kontoen til kommunen for {channel} og så prøve "
            "saka {case} på nytt",
        ),
    ),
    "parked_channel": (
        (
            "brevet kunne ikke leveres gjennom kanalen, heller ikke etter nye forsøk",
            "brevet kunne ikkje leverast gjennom kanalen, heller ikkje etter nye forsøk",
        ),
        _RETRY,
    ),
    "parked_source": (
        (
            "innholdet kunne ikke leses fra kilden (mappe, arbeidsliste eller postkasse)",
            "innhaldet kunne ikkje lesast frå kjelda (mappe, arbeidsliste eller postkasse)",
        ),
        _RETRY,
    ),
    "parked_unproven": (
        (
            "det kan ikke bevises at brevet kom fram gjennom kanalen",
            "det kan ikkje provast at brevet kom fram gjennom kanalen",
        ),
        (
            "sjekk kanalen for hånd, og be driftsansvarlig merke brevet i sak {case} som sendt "
            "hvis det kom fram, ellers sende det på nytt",
            "sjekk kanalen for hand, og be driftsansvarleg merkje brevet i sak {case} som sendt "
            "om det kom fram, elles sende det på nytt",
        ),
    ),
    "parked_interrupted": (
        (
            "behandlingen av saken ble avbrutt {n} ganger (roboten stoppet mens den behandlet "
            "saken, i tilstanden «{state}»); saken er satt til side så den ikke stopper flere "
            "kjøringer",
            "handsaminga av saka vart avbroten {n} gonger (roboten stoppa medan han handsama "
            "saka, i tilstanden «{state}»); saka er sett til side så ho ikkje stoppar fleire "
            "køyringar",
        ),
        (
            "gi driftsansvarlig saksnummeret {case} (loggen viser hvor det stoppet), så årsaken "
            "kan rettes og saken kjøres videre",
            "gi driftsansvarleg saksnummeret {case} (loggen viser kvar det stoppa), så årsaka "
            "kan rettast og saka køyrast vidare",
        ),
    ),
    "parked_internal": (
        (
            "uventet feil i roboten ({name}) i tilstanden «{state}»; feiltypen og sporet står "
            "i saksloggen",
            "uventa feil i roboten ({name}) i tilstanden «{state}»; feiltypen og sporet står "
            "i sakloggen",
        ),
        (
            "gi driftsansvarlig saksnummeret {case}, så feilen kan rettes og saken kjøres videre",
            "gi driftsansvarleg saksnummeret {case}, så feilen kan rettast og saka køyrast vidare",
        ),
    ),
    "parked_svarut": (
        (
            "brevet kom ikke fram gjennom SvarUt (status {status})",
            "brevet kom ikkje fram gjennom SvarUt (status {status})",
        ),
        (
            "send det på annen måte og noter det i saken",
            "send det på annan måte og noter det i saka",
        ),
    ),
    "parked_archive": (
        (
            "arkivet avviste arkivmeldingen ({error})",
            "arkivet avviste arkivmeldinga ({error})",
        ),
        (
            "arkiver brevet for hånd, eller gi driftsansvarlig saksnummeret {case}, så feilen "
            "kan rettes og brevet arkiveres på nytt",
            "arkiver brevet for hand, eller gi driftsansvarleg saksnummeret {case}, så feilen "
            "kan rettast og brevet arkiverast på nytt",
        ),
    ),
}

#: Every problem's words.
PROBLEMS: dict[str, Words] = {**VALIDATION, **INTAKE, **SOURCES, **PARKED}


def _shown(value: object, malform: str) -> object:
    if isinstance(value, Word):
        return word(value.kind, value.code, malform)
    if isinstance(value, Mapping) and set(value) == {"word", "code"}:
        return word(str(value["word"]), str(value["code"]), malform)
    return value


def fill(text: str, values: Mapping[str, object], malform: str) -> str:
    """`text` with its {placeholders} filled; a Word (or a stored one) as its word."""
    return text.format(**{name: _shown(value, malform) for name, value in values.items()})


def _stored(value: object) -> object:
    if isinstance(value, Word):
        return {"word": value.kind, "code": value.code}
    return value


def problem(key: str, location: str = "", /, **values: object) -> FieldProblem:
    """The problem PROBLEMS[key] at `location`, its reason and fix filled in bokmål."""
    (reason, _), (fix, _) = PROBLEMS[key]
    return FieldProblem(
        location,
        fill(reason, values, "nb"),
        fill(fix, values, "nb"),
        text=key,
        values={name: _stored(value) for name, value in values.items()},
    )


def invalid(key: str, **values: object) -> Exception:
    """The error a model's validator raises for VALIDATION[key]: pydantic reports it with
    the key as its type and `values` as its context (runner/intake.py words it)."""
    from pydantic_core import PydanticCustomError

    return PydanticCustomError(key, VALIDATORS[key][0][0], dict(values))
