"""Decisions and letters: what the robot decided, and each version of the letter saying so."""

from __future__ import annotations

from sqlalchemy import Connection, bindparam, func, select, update

from runner.errors import NotFoundError, StoreError
from runner.models.results import Evaluation
from runner.store.cases import lock_case
from runner.store.records import DecisionRecord, LetterRecord
from runner.store.schema import decisions, letters, utcnow

_RECORD_DECISION = decisions.insert().returning(*decisions.c)
_LATEST_DECISION = (
    select(decisions)
    .where(decisions.c.case_id == bindparam("case_id"))
    .order_by(decisions.c.id.desc())
    .limit(1)
)
_MAX_VERSION = select(func.max(letters.c.version)).where(letters.c.case_id == bindparam("case_id"))
_NEXT_VERSION = (
    select(func.coalesce(func.max(letters.c.version), 0) + 1)
    .where(letters.c.case_id == bindparam("case_id"))
    .correlate(None)
    .scalar_subquery()
)
_GIVEN = ["malform", "markdown", "template_id", "template_hash", "pdf_path", "sha256"]
_GIVEN += ["created_at", "created_by", "based_on"]
#: The next version of the letter, inserted only if the decision is the case's own: the
#: check, the version and the insert in one statement.
_INSERT_LETTER = (
    letters.insert()
    .from_select(
        ["case_id", "decision_id", "version", *_GIVEN],
        select(
            decisions.c.case_id,
            decisions.c.id,
            _NEXT_VERSION,
            *(bindparam(name, type_=letters.c[name].type) for name in _GIVEN),
        ).where(
            decisions.c.id == bindparam("decision_id"),
            decisions.c.case_id == bindparam("case_id"),
        ),
    )
    .returning(*letters.c)
)
_LETTER = select(letters).where(letters.c.id == bindparam("letter_id"))
_UPDATE_FILE = (
    update(letters)
    .where(letters.c.id == bindparam("letter_id"))
    .values(pdf_path=bindparam("v_pdf_path"), sha256=bindparam("v_sha256"))
    .returning(*letters.c)
)
_APPROVE = (
    update(letters)
    .where(letters.c.id == bindparam("letter_id"))
    .values(approved_by=bindparam("v_approved_by"), approved_at=bindparam("v_approved_at"))
    .returning(*letters.c)
)
_LATEST_LETTER = (
    select(letters)
    .where(letters.c.case_id == bindparam("case_id"))
    .order_by(letters.c.version.desc())
    .limit(1)
)
_LETTERS = (
    select(letters).where(letters.c.case_id == bindparam("case_id")).order_by(letters.c.version)
)


def record_decision(
    conn: Connection,
    case_id: int,
    evaluation: Evaluation,
    *,
    inputs_hash: str,
    template_id: str | None,
    template_hash: str | None,
) -> DecisionRecord:
    """Store an evaluation and the decision drawn from it; the decision as `latest_decision`
    would read it back: the row the database stored (RETURNING), so no step ever works
    from a copy that differs from what a resumed run reads."""
    lock_case(conn, case_id)
    decision = evaluation.decision
    row = {
        "case_id": case_id,
        "created_at": utcnow(),
        "inputs_hash": inputs_hash,
        "rule_set_id": evaluation.rule_set_id,
        "rule_set_version": evaluation.rule_set_version,
        "rule_set_hash": evaluation.rule_set_hash,
        "decision_date": evaluation.decision_date,
        "parameters": evaluation.parameters,
        "results": [result.model_dump(mode="json") for result in evaluation.results],
        "outcome": decision.outcome,
        "route": decision.route.value,
        "reasons": list(decision.reasons),
        "matched": decision.matched,
        "urgent": decision.urgent,
        "amounts": dict(decision.amounts),
        "template_id": template_id,
        "template_hash": template_hash,
        "kommune_parameters": dict(evaluation.kommune_parameters),
    }
    return DecisionRecord(*conn.execute(_RECORD_DECISION, row).one())


def latest_decision(conn: Connection, case_id: int) -> DecisionRecord | None:
    """The case's newest decision, if it has one."""
    row = conn.execute(_LATEST_DECISION, {"case_id": case_id}).first()
    return DecisionRecord(*row) if row is not None else None


def save_letter(
    conn: Connection,
    *,
    case_id: int,
    decision_id: int,
    malform: str,
    markdown: str,
    pdf_path: str | None,
    sha256: str | None,
    created_by: str,
    template_id: str | None,
    template_hash: str | None,
    based_on: int | None = None,
) -> LetterRecord:
    """Store a new version of the case's letter (the first is version 1); `based_on`: for a
    version with hand edits, the robot's draft of the same case they were made on."""
    lock_case(conn, case_id)  # two writers must not both take the same next version
    if based_on is not None:
        base = get_letter(conn, based_on)
        if base.case_id != case_id or base.template_id is None:
            raise StoreError(
                f"Letter {based_on} is not a robot's draft of case {case_id}",
                fix="Pass the id of the robot's draft (a version with a template_id) of this "
                "case that the caseworker edited.",
            )
    row = conn.execute(
        _INSERT_LETTER,
        {
            "case_id": case_id,
            "decision_id": decision_id,
            "malform": str(malform),
            "markdown": markdown,
            "template_id": template_id,
            "template_hash": template_hash,
            "pdf_path": pdf_path,
            "sha256": sha256,
            "created_at": utcnow(),
            "created_by": created_by,
            "based_on": based_on,
        },
    ).first()
    if row is None:  # no such decision of this case
        raise StoreError(
            f"Decision {decision_id} does not belong to case {case_id}",
            fix="Save the letter with the id Store.save_decision returned for this case.",
        )
    return LetterRecord(*row)


def get_letter(conn: Connection, letter_id: int) -> LetterRecord:
    """The letter with this id, or NotFoundError."""
    row = conn.execute(_LETTER, {"letter_id": letter_id}).first()
    if row is None:
        raise NotFoundError(
            f"Letter {letter_id} does not exist",
            fix="Use an id from Store.letters(case_id) or Store.latest_letter(case_id).",
        )
    return LetterRecord(*row)


def update_letter_file(
    conn: Connection, letter_id: int, pdf_path: str, sha256: str
) -> LetterRecord:
    """Record where a letter's PDF was written and its sha256."""
    params = {"letter_id": letter_id, "v_pdf_path": pdf_path, "v_sha256": sha256}
    row = conn.execute(_UPDATE_FILE, params).first()
    if row is None:
        get_letter(conn, letter_id)  # raises NotFoundError
    assert row is not None
    return LetterRecord(*row)


def approve_letter(conn: Connection, letter_id: int, actor: str) -> LetterRecord:
    """Approve the newest version of a case's letter; approving it again changes nothing."""
    lock_case(conn, get_letter(conn, letter_id).case_id)
    letter = get_letter(conn, letter_id)  # again, now that no one else can change it
    if letter.approved_at is not None:
        return letter
    newest = conn.execute(_MAX_VERSION, {"case_id": letter.case_id}).scalar()
    if newest != letter.version:
        raise StoreError(
            f"Letter {letter_id} is version {letter.version} of case {letter.case_id}, "
            f"but version {newest} is newer",
            fix="Approve the newest version (Store.latest_letter) instead.",
        )
    params = {"letter_id": letter_id, "v_approved_by": actor, "v_approved_at": utcnow()}
    return LetterRecord(*conn.execute(_APPROVE, params).one())


def case_letters(conn: Connection, case_id: int) -> list[LetterRecord]:
    """Every version of the case's letter, oldest first."""
    return [LetterRecord(*row) for row in conn.execute(_LETTERS, {"case_id": case_id})]


def latest_letter(conn: Connection, case_id: int) -> LetterRecord | None:
    """The newest version of the case's letter, if any."""
    row = conn.execute(_LATEST_LETTER, {"case_id": case_id}).first()
    return LetterRecord(*row) if row is not None else None
