"""The outbox: one row per key, and only the moves that keep a letter from going out twice."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from runner.errors import IllegalTransitionError, NotFoundError, StoreError
from runner.models.results import Evaluation
from runner.store import Store


@pytest.fixture
def letter_of(store: Store, evaluation: Evaluation) -> Callable[[int], int]:
    """Give a case a decision and a letter; return the letter id."""

    def make(case_id: int) -> int:
        decision = store.save_decision(
            case_id, evaluation, inputs_hash="x", template_id=None, template_hash=None
        )
        return store.save_letter(
            case_id=case_id,
            decision_id=decision,
            malform="nb",
            markdown="# Vedtak",
            pdf_path=None,
            sha256=None,
            created_by="robot",
        ).id

    return make


def test_enqueue_is_idempotent_on_the_key(
    store: Store, make_case: Callable[..., int], letter_of: Callable[[int], int]
) -> None:
    case_id = make_case()
    letter_id = letter_of(case_id)
    row = store.enqueue(
        case_id=case_id, letter_id=letter_id, key="byggesak-1-v1", channel="folder", target=""
    )
    assert (row.state, row.attempts, row.sent_at, row.last_error) == ("pending", 0, None, None)
    again = store.enqueue(
        case_id=case_id,
        letter_id=letter_id,
        key="byggesak-1-v1",
        channel="smtp",
        target="kari@example.no",
    )
    assert again == row
    assert store.outbox() == [row] and store.outbox_for_case(case_id) == [row]


def test_a_key_used_by_another_letter_is_refused(
    store: Store, make_case: Callable[..., int], letter_of: Callable[[int], int]
) -> None:
    one, two = make_case(), make_case()
    letter_one, letter_two = letter_of(one), letter_of(two)
    store.enqueue(case_id=one, letter_id=letter_one, key="k", channel="folder", target="")
    with pytest.raises(StoreError, match="already used by case"):
        store.enqueue(case_id=two, letter_id=letter_two, key="k", channel="folder", target="")
    with pytest.raises(StoreError, match=f"Letter {letter_one} does not belong to case {two}"):
        store.enqueue(case_id=two, letter_id=letter_one, key="k2", channel="folder", target="")


def test_a_letter_goes_pending_sending_sent(
    store: Store, make_case: Callable[..., int], letter_of: Callable[[int], int]
) -> None:
    case_id = make_case()
    store.enqueue(
        case_id=case_id, letter_id=letter_of(case_id), key="k", channel="folder", target=""
    )
    sending = store.mark_sending("k")
    assert (sending.state, sending.attempts) == ("sending", 1)
    with pytest.raises(IllegalTransitionError, match="from 'sending' to 'sending'"):
        store.mark_sending("k")  # sending again could deliver twice
    sent = store.mark_sent("k")
    assert sent.state == "sent" and sent.sent_at is not None and sent.sent_at.tzinfo is not None
    assert store.mark_sent("k") == sent  # a second confirmation changes nothing
    for move in (
        store.mark_sending,
        lambda key: store.mark_needs_human(key, "?"),
        lambda key: store.mark_pending(key, "?"),
    ):
        with pytest.raises(IllegalTransitionError, match="outbox 'k'"):
            move("k")
    assert store.outbox("sent") == [sent] and store.outbox("pending") == []


def test_an_unprovable_delivery_waits_for_a_human(
    store: Store, make_case: Callable[..., int], letter_of: Callable[[int], int]
) -> None:
    case_id = make_case()
    store.enqueue(
        case_id=case_id,
        letter_id=letter_of(case_id),
        key="k",
        channel="smtp",
        target="kari@example.no",
    )
    store.mark_sending("k")
    flagged = store.mark_needs_human("k", "leveranse kan ikke bekreftes etter krasj")
    assert (flagged.state, flagged.last_error) == (
        "needs_human",
        "leveranse kan ikke bekreftes etter krasj",
    )
    assert store.outbox("needs_human") == [flagged]
    with pytest.raises(IllegalTransitionError):
        store.mark_sending("k")
    retry = store.mark_pending("k", "saksbehandler: send på nytt")
    assert (retry.state, retry.attempts) == ("pending", 1)
    assert store.mark_sending("k").attempts == 2
    assert store.mark_sent("k").last_error is None


def test_a_human_may_confirm_a_flagged_letter_as_sent(
    store: Store, make_case: Callable[..., int], letter_of: Callable[[int], int]
) -> None:
    case_id = make_case()
    store.enqueue(case_id=case_id, letter_id=letter_of(case_id), key="k", channel="smtp", target="")
    store.mark_needs_human("k", "SMTP avviste mottakeren")
    assert store.mark_sent("k").state == "sent"


def test_unknown_keys_and_states_are_refused(store: Store) -> None:
    with pytest.raises(NotFoundError, match="No outbox row has key 'nope'"):
        store.mark_sending("nope")
    with pytest.raises(NotFoundError):
        store.mark_sent("nope")
    with pytest.raises(StoreError, match="no outbox state 'lost'"):
        store.outbox("lost")


def test_outbox_lists_oldest_first(
    store: Store, make_case: Callable[..., int], letter_of: Callable[[int], int]
) -> None:
    rows = []
    for _ in range(3):
        case_id = make_case()
        rows.append(
            store.enqueue(
                case_id=case_id,
                letter_id=letter_of(case_id),
                key=f"k{case_id}",
                channel="folder",
                target="",
            )
        )
    assert store.outbox() == rows
    assert store.outbox("pending", limit=2) == rows[:2]
    assert store.outbox_for_case(rows[1].case_id) == [rows[1]]


def test_a_letter_of_another_case_is_refused_before_its_key_is_looked_at(
    store: Store, make_case: Callable[..., int], letter_of: Callable[[int], int]
) -> None:
    one, two = make_case(), make_case()
    letter_one = letter_of(one)
    store.enqueue(case_id=one, letter_id=letter_one, key="k", channel="folder", target="")
    for key in ("k", "k2"):  # taken or free, the letter is checked first
        with pytest.raises(StoreError, match=f"Letter {letter_one} does not belong to case {two}"):
            store.enqueue(case_id=two, letter_id=letter_one, key=key, channel="folder", target="")
    with pytest.raises(StoreError, match=f"Letter 999 does not belong to case {two}"):
        store.enqueue(case_id=two, letter_id=999, key="k3", channel="folder", target="")
    assert store.outbox_for_case(two) == []
