"""Decisions and letters: an evaluation is stored whole, letters are versioned per case."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from runner.errors import NotFoundError, StoreError
from runner.models.results import Evaluation
from runner.store import LetterRecord, Store


def test_a_decision_is_stored_whole_and_replays(
    store: Store, make_case: Callable[..., int], evaluation: Evaluation
) -> None:
    case_id = make_case()
    assert store.latest_decision(case_id) is None
    first = store.save_decision(
        case_id, evaluation, inputs_hash="b" * 64, template_id=None, template_hash=None
    )
    second = store.save_decision(
        case_id,
        evaluation,
        inputs_hash="c" * 64,
        template_id="byggesak/innvilget",
        template_hash="d" * 64,
    )
    assert second > first
    decision = store.latest_decision(case_id)
    assert decision is not None
    assert (decision.id, decision.case_id, decision.inputs_hash) == (second, case_id, "c" * 64)
    assert (decision.rule_set_id, decision.rule_set_version, decision.rule_set_hash) == (
        "byggesak-smatiltak",
        "1",
        "a" * 64,
    )
    assert (decision.outcome, decision.route, decision.reasons) == (
        "innvilget",
        "review",
        ["hoyde"],
    )
    assert (decision.template_id, decision.template_hash) == ("byggesak/innvilget", "d" * 64)
    assert decision.amounts == {"gebyr": 4500}
    assert decision.results[0]["values"] == {"case.measure.built_area_m2": 30.5}
    assert decision.evaluation() == evaluation


def test_a_recorded_decision_is_the_row_latest_decision_reads_back(
    store: Store, make_case: Callable[..., int], evaluation: Evaluation
) -> None:
    """record_decision hands back the stored row itself (types as read back, not as given)."""
    case_id = make_case()
    recorded = store.record_decision(
        case_id, evaluation, inputs_hash="b" * 64, template_id=None, template_hash=None
    )
    assert recorded == store.latest_decision(case_id)
    assert recorded.evaluation() == evaluation
    with pytest.raises(NotFoundError, match="Case 42"):
        store.record_decision(42, evaluation, inputs_hash="b", template_id=None, template_hash=None)


def test_a_decision_for_a_missing_case_is_refused(store: Store, evaluation: Evaluation) -> None:
    with pytest.raises(NotFoundError, match="Case 42"):
        store.save_decision(42, evaluation, inputs_hash="b", template_id=None, template_hash=None)


def save_letter(
    store: Store, case_id: int, decision_id: int, text: str, by: str = "robot"
) -> LetterRecord:
    return store.save_letter(
        case_id=case_id,
        decision_id=decision_id,
        malform="nn",
        markdown=text,
        pdf_path=None,
        sha256=None,
        created_by=by,
    )


def test_letters_are_versioned_per_case(
    store: Store, make_case: Callable[..., int], evaluation: Evaluation
) -> None:
    one, two = make_case(), make_case()
    decision_one = store.save_decision(
        one, evaluation, inputs_hash="x", template_id=None, template_hash=None
    )
    decision_two = store.save_decision(
        two, evaluation, inputs_hash="x", template_id=None, template_hash=None
    )
    assert store.latest_letter(one) is None and store.letters(one) == []
    first = store.save_letter(
        case_id=one,
        decision_id=decision_one,
        malform="nb",
        markdown="# Vedtak",
        pdf_path=None,
        sha256=None,
        created_by="robot",
        template_id="byggesak/innvilget",
        template_hash="e" * 64,
    )
    other = save_letter(store, two, decision_two, "# Vedtak for sak to")
    edited = save_letter(store, one, decision_one, "# Vedtak (rettet)", by="kari")
    assert (first.version, other.version, edited.version) == (1, 1, 2)
    assert (first.template_id, edited.template_id) == ("byggesak/innvilget", None)
    assert (edited.malform, edited.created_by, edited.is_approved) == ("nn", "kari", False)
    assert store.letters(one) == [first, edited]
    assert store.latest_letter(one) == edited
    assert store.letter(first.id) == first


def test_a_letter_must_name_a_decision_of_its_case(
    store: Store, make_case: Callable[..., int], evaluation: Evaluation
) -> None:
    one, two = make_case(), make_case()
    decision = store.save_decision(
        one, evaluation, inputs_hash="x", template_id=None, template_hash=None
    )
    with pytest.raises(StoreError, match=f"Decision {decision} does not belong to case {two}"):
        save_letter(store, two, decision, "# Vedtak")
    with pytest.raises(NotFoundError):
        store.letter(999)


def test_the_pdf_file_and_approval_are_recorded(
    store: Store, make_case: Callable[..., int], evaluation: Evaluation
) -> None:
    case_id = make_case()
    decision = store.save_decision(
        case_id, evaluation, inputs_hash="x", template_id=None, template_hash=None
    )
    old = save_letter(store, case_id, decision, "# Utkast")
    letter = save_letter(store, case_id, decision, "# Vedtak")
    with pytest.raises(StoreError, match="version 2 is newer") as raised:
        store.approve_letter(old.id, "kari")
    assert raised.value.fix is not None and "newest version" in raised.value.fix
    approved = store.approve_letter(letter.id, "kari")
    assert approved.approved_by == "kari" and approved.is_approved
    assert approved.approved_at is not None and approved.approved_at.tzinfo is not None
    assert store.approve_letter(letter.id, "ola") == approved  # approving again changes nothing
    filed = store.update_letter_file(letter.id, "/var/letters/sak-1-v2.pdf", "f" * 64)
    assert (filed.pdf_path, filed.sha256, filed.approved_by) == (
        "/var/letters/sak-1-v2.pdf",
        "f" * 64,
        "kari",
    )
    assert store.latest_letter(case_id) == filed
    with pytest.raises(NotFoundError, match="Letter 999"):
        store.update_letter_file(999, "/x.pdf", "0" * 64)
    with pytest.raises(NotFoundError, match="Letter 999"):
        store.approve_letter(999, "kari")


def test_a_letter_for_a_missing_decision_or_case_is_refused(
    store: Store, make_case: Callable[..., int], evaluation: Evaluation
) -> None:
    case_id = make_case()
    with pytest.raises(StoreError, match=f"Decision 999 does not belong to case {case_id}"):
        save_letter(store, case_id, 999, "# Vedtak")
    with pytest.raises(NotFoundError, match="Case 998 does not exist"):
        save_letter(store, 998, 999, "# Vedtak")
    decision = store.save_decision(
        case_id, evaluation, inputs_hash="x", template_id=None, template_hash=None
    )
    assert save_letter(store, case_id, decision, "# Vedtak").version == 1  # nothing was taken
    assert [letter.version for letter in store.letters(case_id)] == [1]


def test_a_hand_edited_version_names_the_robots_draft_it_was_made_on(
    store: Store, make_case: Callable[..., int], evaluation: Evaluation
) -> None:
    one, two = make_case(), make_case()
    decisions = {
        case_id: store.save_decision(
            case_id, evaluation, inputs_hash="x", template_id=None, template_hash=None
        )
        for case_id in (one, two)
    }

    def draft(case_id: int) -> LetterRecord:
        return store.save_letter(
            case_id=case_id, decision_id=decisions[case_id], malform="nb", markdown="# Vedtak",
            pdf_path=None, sha256=None, created_by="robot", template_id="byggesak/innvilget",
            template_hash="e" * 64,
        )  # fmt: skip

    def edit(case_id: int, based_on: int) -> LetterRecord:
        return store.save_letter(
            case_id=case_id, decision_id=decisions[case_id], malform="nb",
            markdown="# Vedtak\n\nMed et tillegg.", pdf_path=None, sha256=None,
            created_by="kari", based_on=based_on,
        )  # fmt: skip

    first, other = draft(one), draft(two)
    edited = edit(one, first.id)
    assert first.based_on is None and edited.based_on == first.id
    assert store.letter(edited.id) == edited and store.latest_letter(one) == edited
    # The base is a robot's draft of the same case, never another case's or a hand edit.
    for wrong in (other.id, edited.id):
        with pytest.raises(StoreError, match=f"is not a robot's draft of case {one}"):
            edit(one, wrong)
    assert store.latest_letter(one) == edited
