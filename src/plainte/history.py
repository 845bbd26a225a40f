"""The earlier letters of a case (answers key `history`): parsed from answers, built from the case store's steps."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from plainte import fields
from plainte.errors import FieldError
from plainte.i18n import _
from plainte.models import LEVELS, EarlierLetter

KEYS = ("level", "date", "sent", "reference", "answered")
MAX_LETTERS = 20


def parse_history(raw: Any, *, field: str = "history") -> tuple[EarlierLetter, ...]:
    """A list of {level, date, sent?, reference?, answered?} as EarlierLetter values; FieldError naming the entry."""
    if raw is None or raw == "":
        return ()
    if not isinstance(raw, Sequence) or isinstance(raw, (str, bytes)):
        raise FieldError(field, _("expected a list of earlier letters, each with level and date (sent, reference and answered are optional)"))
    if len(raw) > MAX_LETTERS:
        raise FieldError(field, _("at most {count} earlier letters").format(count=MAX_LETTERS))
    out: list[EarlierLetter] = []
    for i, entry in enumerate(raw):
        where = f"{field}[{i}]"
        if not isinstance(entry, Mapping):
            raise FieldError(where, _("expected a mapping of {keys}").format(keys=", ".join(KEYS)))
        for key in entry:
            if key not in KEYS:
                raise FieldError(f"{where}.{key}", _("unknown key; expected {expected}").format(expected=", ".join(KEYS)))
        level = entry.get("level")
        if level not in LEVELS:
            raise FieldError(f"{where}.level", _("expected one of {values}").format(values=", ".join(LEVELS)))
        day = fields.parse_date(entry.get("date"), field=f"{where}.date")
        sent = entry.get("sent")
        sent_day = fields.parse_date(sent, field=f"{where}.sent") if sent not in (None, "") else None
        if sent_day is not None and sent_day < day:
            raise FieldError(f"{where}.sent", _("must not be before the letter's date ({date})").format(date=day.strftime("%d/%m/%Y")))
        reference = entry.get("reference")
        ref = fields.parse_text(reference, field=f"{where}.reference", max_length=80) if reference not in (None, "") else ""
        answered = entry.get("answered")
        answered_day = fields.parse_date(answered, field=f"{where}.answered") if answered not in (None, "") else None
        if answered_day is not None and sent_day is not None and answered_day < sent_day:
            raise FieldError(f"{where}.answered", _("must not be before the day the letter was sent ({date})").format(date=sent_day.strftime("%d/%m/%Y")))
        if answered_day is not None and answered_day < day:
            raise FieldError(f"{where}.answered", _("must not be before the letter's date ({date})").format(date=day.strftime("%d/%m/%Y")))
        out.append(EarlierLetter(level=str(level), date=day, sent=sent_day, reference=ref, answered=answered_day))
    return tuple(out)


def from_steps(steps: Sequence[Any]) -> list[dict[str, Any]]:
    """The answers value of `history` for a case's recorded steps (StepInfo): dates, reference, answer day."""
    return [
        {"level": s.level, "date": s.letter_date.isoformat(), "sent": s.sent.isoformat() if s.sent else None,
         "reference": s.reference or "",
         "answered": s.answered.isoformat() if s.answered else None}
        for s in steps
    ]
