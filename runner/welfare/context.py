"""What a sosialhjelp letter needs besides the decision: period, payment account, deadlines."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Any

from runner.kommuner.settings import KommuneSettings
from runner.norwegian import MONTHS

#: Fallbacks when the kommune has no [kommune.sosialhjelp] section (days).
_DEFAULT_ANSWER_DAYS = 14
_DEFAULT_DOCUMENT_DAYS = 14


def mask_account(number: str) -> str:
    """An account number with all but the last four digits hidden: `•••• •• •6620`."""
    digits = "".join(ch for ch in str(number) if ch.isdigit())
    if len(digits) != 11:
        return "•••• •• •••••"
    return f"•••• •• •{digits[-4:]}"


def _period(text: str) -> tuple[date, date]:
    year, month = (int(part) for part in text.split("-"))
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def welfare_context(
    case: dict[str, Any], kommune: KommuneSettings, letter_date: date, malform: str
) -> dict[str, Any]:
    """The `sosialhjelp` part of a letter's context (templates/sosialhjelp/*)."""
    start, end = _period(str(case.get("period", "")))
    settings = kommune.sosialhjelp
    answer_days = settings.forelopig_svar_days if settings else _DEFAULT_ANSWER_DAYS
    document_days = settings.document_deadline_days if settings else _DEFAULT_DOCUMENT_DAYS
    account = str(case.get("applicant", {}).get("account_number", ""))
    basis = kommune.automation_basis.get("sosialhjelp")
    return {
        "automation_rule": None
        if basis is None
        else (basis.national_rule.nn if malform == "nn" else basis.national_rule.nb),
        "automation_url": None if basis is None else basis.url,
        "period_start": start,
        "period_end": end,
        "period_text": f"{MONTHS[start.month - 1]} {start.year}",
        "account_masked": mask_account(account),
        "expected_answer": letter_date + timedelta(days=answer_days),
        "document_deadline": letter_date + timedelta(days=document_days),
        "norm_reference": settings.reference if settings else None,
    }
