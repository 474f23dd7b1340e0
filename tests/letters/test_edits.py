"""A caseworker's hand edits carried onto a letter drafted again (runner/letters/edits.py):
kept where only they changed a passage, reported (never picked) where the new draft changed
it too."""

from __future__ import annotations

from runner.letters.edits import Conflict, carry_edits
from runner.letters.placeholders import open_placeholders

PLACEHOLDER = "[[Saksbehandler skriver her den individuelle vurderingen. Slett denne teksten.]]"
DRAFT = f"""# Vedtak om økonomisk stønad til livsopphold – november 2026

## Vedtak

Du får 7 350 kr i økonomisk stønad til livsopphold for november 2026.

## Slik har vi beregnet stønaden

| Post | Beløp |
|---|---|
| Livsopphold | 7 350 kr |

## Vår vurdering

{PLACEHOLDER}

## Utbetaling

Vi betaler 7 350 kr til kontonummeret ditt, ****.**.*4321.

Med hilsen
Askøy kommune
"""
ASSESSMENT = "Søkeren har ingen andre midler, og vi har lagt vekt på at husstanden har to barn."


def test_an_edit_is_carried_onto_a_draft_that_changed_elsewhere() -> None:
    edited = DRAFT.replace("Med hilsen", "Ta kontakt om du har spørsmål.\n\nMed hilsen")
    drafted = DRAFT.replace("7 350 kr", "7 900 kr")
    merged = carry_edits(DRAFT, edited, drafted)
    assert merged.clean and merged.conflicts == ()
    assert merged.markdown == drafted.replace(
        "Med hilsen", "Ta kontakt om du har spørsmål.\n\nMed hilsen"
    )


def test_the_welfare_assessment_written_in_place_of_the_placeholder_is_kept() -> None:
    edited = DRAFT.replace(PLACEHOLDER, ASSESSMENT)
    drafted = DRAFT.replace("7 350 kr", "7 900 kr")  # the answers changed the amount
    merged = carry_edits(DRAFT, edited, drafted)
    assert merged.clean
    assert ASSESSMENT in merged.markdown and "7 900 kr" in merged.markdown
    assert "7 350 kr" not in merged.markdown
    assert open_placeholders(merged.markdown) == []


def test_a_placeholder_the_new_draft_changed_is_a_conflict_and_stays_open() -> None:
    """The caseworker wrote the assessment; the new draft (another outcome) asks for another
    one: the new draft's placeholder stays, so the letter cannot be sent unwritten."""
    edited = DRAFT.replace(PLACEHOLDER, ASSESSMENT)
    other = "[[Saksbehandler skriver her hvorfor søknaden er avslått. Slett denne teksten.]]"
    drafted = DRAFT.replace(PLACEHOLDER, other)
    merged = carry_edits(DRAFT, edited, drafted)
    assert merged.conflicts == (Conflict(edited=ASSESSMENT, drafted=other),)
    assert not merged.clean
    assert merged.markdown == drafted
    assert open_placeholders(merged.markdown) == [other[2:-2]]


def test_a_passage_both_changed_is_reported_not_picked() -> None:
    line = "Du får 7 350 kr i økonomisk stønad til livsopphold for november 2026."
    mine = "Du får 7 350 kr i økonomisk stønad til livsopphold for hele november 2026."
    new = "Du får 7 900 kr i økonomisk stønad til livsopphold for november 2026."
    edited = DRAFT.replace(line, mine).replace("Med hilsen", "Vennlig hilsen")
    drafted = DRAFT.replace(line, new)
    merged = carry_edits(DRAFT, edited, drafted)
    assert merged.conflicts == (Conflict(edited=mine, drafted=new),)
    # The new draft's text where they conflict; the edit elsewhere is not lost either.
    assert new in merged.markdown and mine not in merged.markdown
    assert "Vennlig hilsen" in merged.markdown


def test_edits_at_the_start_and_at_the_end_are_kept() -> None:
    edited = f"Unntatt offentlighet, jf. offentleglova § 13.\n\n{DRAFT}\nVedlegg: søknaden\n"
    drafted = DRAFT.replace("7 350 kr", "7 900 kr")
    merged = carry_edits(DRAFT, edited, drafted)
    assert merged.clean
    assert merged.markdown.startswith("Unntatt offentlighet, jf. offentleglova § 13.\n\n# Vedtak")
    assert merged.markdown.endswith("Askøy kommune\n\nVedlegg: søknaden\n")
    assert "7 900 kr" in merged.markdown


def test_a_changed_heading_and_a_deleted_passage_the_draft_kept_are_carried() -> None:
    edited = DRAFT.replace("## Utbetaling\n\n", "## Slik betaler vi\n\n").replace(
        "| Livsopphold | 7 350 kr |\n", ""
    )
    merged = carry_edits(DRAFT, edited, DRAFT.replace("november", "desember"))
    assert merged.clean
    assert "## Slik betaler vi" in merged.markdown and "| Livsopphold |" not in merged.markdown
    assert "desember 2026" in merged.markdown


def test_a_deletion_of_a_passage_the_draft_changed_is_a_conflict_with_no_text_of_theirs() -> None:
    line = "Vi betaler 7 350 kr til kontonummeret ditt, ****.**.*4321."
    edited = DRAFT.replace(line + "\n\n", "")
    drafted = DRAFT.replace(line, line.replace("7 350", "7 900"))
    merged = carry_edits(DRAFT, edited, drafted)
    assert len(merged.conflicts) == 1
    assert merged.conflicts[0].drafted.startswith(line.replace("7 350", "7 900"))
    assert "7 900" not in merged.conflicts[0].edited


def test_no_edits_give_the_new_draft_and_line_ends_do_not_count_as_edits() -> None:
    drafted = DRAFT.replace("november", "desember")
    assert carry_edits(DRAFT, DRAFT, drafted).markdown == drafted
    windows = DRAFT.replace("\n", "\r\n").rstrip() + "\r\n\r\n"
    merged = carry_edits(DRAFT, windows, drafted)
    assert merged.clean and merged.markdown == drafted
    same = DRAFT.replace("Med hilsen", "Vennlig hilsen")  # the same edit on both sides
    assert carry_edits(DRAFT, same, same).markdown == same
