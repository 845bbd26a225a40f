"""The records a case store read gives: a step, a case's summary, a case with its steps, a due case."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Optional

from plainte.models import LEVELS as LEVEL_ORDER  # noqa: F401 - the ladder, lowest first (re-exported for the cases modules)

STATUSES = ("draft", "sent", "escalated", "acknowledged", "answered", "closed")
# What an answer date is: a period the catalogue gives (law, or the institution's stated commitment), or plainte's
# own follow-up default (the day to check on the letter: never stated as the body's deadline).
DEADLINE, REMINDER = "deadline", "reminder"
ANSWER_DUE_KINDS = (DEADLINE, REMINDER)


def _iso(value: Optional[dt.date]) -> Optional[str]:
    return value.isoformat() if value is not None else None


def _day(value: Optional[str]) -> Optional[dt.date]:
    return dt.date.fromisoformat(value) if value else None


def _plain(value: Any) -> Any:
    from plainte.answers import _plain as plain

    return plain(value)


def _load_answers(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


@dataclass(frozen=True)
class StepInfo:
    """One letter of a case, with the dates that follow it."""

    id: int
    level: str
    dispute: str
    recipient: str
    letter_date: dt.date
    sending: str
    sent: Optional[dt.date]
    acknowledged: Optional[dt.date]
    answered: Optional[dt.date]
    outcome: Optional[str]
    reference: Optional[str]
    acknowledge_due: Optional[dt.date]
    answer_due: dt.date
    files: tuple[str, ...]
    status: str
    recorded: str
    answers: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)
    answer_due_kind: str = REMINDER  # DEADLINE (from the catalogue) or REMINDER (plainte's follow-up default)

    @property
    def answer_deadline(self) -> bool:
        """True when answer_due is the body's deadline (from the catalogue), not plainte's reminder date."""
        return self.answer_due_kind == DEADLINE

    @property
    def facts(self) -> Mapping[str, Any]:
        facts = self.answers.get("facts")
        return facts if isinstance(facts, Mapping) else {}

    def to_dict(self, with_answers: bool = False) -> dict[str, Any]:
        out = {
            "id": self.id, "level": self.level, "dispute": self.dispute, "recipient": self.recipient,
            "letter_date": _iso(self.letter_date), "sending": self.sending, "sent": _iso(self.sent),
            "acknowledged": _iso(self.acknowledged), "answered": _iso(self.answered), "outcome": self.outcome,
            "reference": self.reference, "acknowledge_due": _iso(self.acknowledge_due),
            "answer_due": _iso(self.answer_due), "answer_due_kind": self.answer_due_kind, "files": list(self.files), "status": self.status,
            "recorded": self.recorded,
        }
        if with_answers:
            out["answers"] = _plain(self.answers)
        return out


@dataclass(frozen=True)
class CaseSummary:
    """One line of `plainte cases`: who, institution, dispute, level, status and the next date."""

    id: int
    who: str
    institution: str
    institution_name: str
    country: str
    dispute: str
    level: str
    status: str
    next_date: Optional[dt.date]
    next_kind: Optional[str]  # send | acknowledgement | answer | answer-reminder | next-step-limit
    subject: str
    steps: int
    created: str
    closed: Optional[dt.date]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "who": self.who, "institution": self.institution, "institution_name": self.institution_name,
            "country": self.country, "dispute": self.dispute, "level": self.level, "status": self.status,
            "next_date": _iso(self.next_date), "next_kind": self.next_kind, "subject": self.subject,
            "steps": self.steps, "created": self.created, "closed": _iso(self.closed),
        }


@dataclass(frozen=True)
class CaseDetail:
    """A case and all its steps, oldest first."""

    summary: CaseSummary
    steps: tuple[StepInfo, ...]
    ladder: tuple[tuple[str, str], ...]

    @property
    def id(self) -> int:
        return self.summary.id

    @property
    def closed(self) -> Optional[dt.date]:
        return self.summary.closed

    @property
    def last(self) -> StepInfo:
        return self.steps[-1]

    @property
    def first(self) -> StepInfo:
        return self.steps[0]

    def to_dict(self, with_answers: bool = False) -> dict[str, Any]:
        out = self.summary.to_dict()
        out["ladder"] = [{"level": level, "body": body or None} for level, body in self.ladder]
        out["steps"] = [s.to_dict(with_answers) for s in self.steps]
        return out


@dataclass(frozen=True)
class Due:
    """A case whose next date has passed, and what to do now (a translated sentence)."""

    case: CaseSummary
    situation: str  # not-sent | no-acknowledgement | no-answer | check-answer | decide | limit-passed
    date: dt.date
    message: str
    command: str

    def to_dict(self) -> dict[str, Any]:
        return {"case": self.case.to_dict(), "situation": self.situation, "date": _iso(self.date),
                "message": self.message, "command": self.command}
