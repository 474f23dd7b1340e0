"""Deadlines from data, the facts summary, passwords."""

from __future__ import annotations

from datetime import date

import pytest

from runner.deadlines import DeadlinePolicy, DeadlineTerm, add_term, case_deadline
from runner.errors import ConfigurationError
from runner.web.passwords import hash_password, verify_password
from runner.web.summary import summarise

POLICY = DeadlinePolicy(
    urgent=DeadlineTerm(parameter="hast_dager", unit="days"),
    normal=DeadlineTerm(parameter="frist_maaneder", unit="months"),
)


def test_add_term_clamps_to_month_end() -> None:
    assert add_term(date(2026, 1, 31), 1, "months") == date(2026, 2, 28)
    assert add_term(date(2026, 12, 15), 1, "months") == date(2027, 1, 15)
    assert add_term(date(2026, 3, 2), 3, "weeks") == date(2026, 3, 23)
    assert add_term(date(2026, 3, 2), 0, "days") == date(2026, 3, 2)


def test_deadline_counts_from_the_norwegian_day_of_receipt() -> None:
    case = {"received_at": "2026-03-01T23:30:00+00:00"}  # 00:30 on 2 March in Norway
    params = {"hast_dager": 0, "frist_maaneder": 1}
    assert case_deadline(POLICY, case=case, parameters=params, urgent=True, robot_id="r") == date(
        2026, 3, 2
    )
    assert case_deadline(POLICY, case=case, parameters=params, urgent=False, robot_id="r") == date(
        2026, 4, 2
    )
    assert case_deadline(None, case=case, parameters=params, urgent=False, robot_id="r") is None


def test_a_missing_parameter_names_the_fix() -> None:
    with pytest.raises(ConfigurationError, match="frist_maaneder") as raised:
        case_deadline(
            POLICY,
            case={"received_at": "2026-03-01T10:00:00+01:00"},
            parameters={},
            urgent=False,
            robot_id="r",
        )
    assert raised.value.fix is not None and "parameters.yaml" in raised.value.fix


def test_unknown_case_types_are_summarised_generically() -> None:
    data = {
        "case_type": "sosialhjelp",
        "applicant": {"name": "Jonas", "national_id": "12059012345"},
        "household": {"adults": 1, "shared_housing": False},
        "income": [{"kind": "dagpenger", "amount": 9800.5}],
    }
    facts = summarise("sosialhjelp", data, "nb")
    labels = {f.label: f for f in facts}
    applicant = {f.label: f.text for f in labels["Applicant"].children}
    assert applicant == {"Name": "Jonas", "National id": "120590 *****"}
    household = {f.label: f.text for f in labels["Household"].children}
    assert household == {"Adults": "1", "Shared housing": "nei"}
    assert labels["Income"].children[0].children[1].text == "9800,5"


def test_passwords_are_argon2_and_verified() -> None:
    hashed = hash_password("riktig-hest")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "riktig-hest")
    assert not verify_password(hashed, "feil")
    assert not verify_password(None, "riktig-hest")
    assert not verify_password("not a hash", "x")
