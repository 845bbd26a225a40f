"""Batch input columns: the answers key a column (a dotted name) fills, and the --set defaults for empty keys."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Optional

from plainte.errors import UsageError
from plainte.i18n import _

NESTED_KEYS = ("sender", "client", "recipient", "mediator", "references", "facts")


def _known_nested() -> dict[str, tuple[str, ...]]:
    from plainte.interview import PERSON_KEYS, RECIPIENT_KEYS, REFERENCE_KEYS

    return {"sender": PERSON_KEYS, "client": PERSON_KEYS, "recipient": RECIPIENT_KEYS, "mediator": RECIPIENT_KEYS,
            "references": REFERENCE_KEYS}


def _scalar_keys() -> tuple[str, ...]:
    from plainte.interview import TOP_KEYS

    return tuple(k for k in TOP_KEYS if k not in NESTED_KEYS)


def _target(column: str) -> tuple[str, Optional[str]]:
    """Where a column goes in the answers: ("sender", "name") for sender.name; ("date", None) for date.

    A dotted name whose head is not a nested key stays one top-level key ("date.x", "foo.bar"), so the
    validator reports it under the column's own name."""
    head, dot, rest = column.partition(".")
    if dot and rest and head in NESTED_KEYS:
        return head, rest
    return column, None


def known_column(column: str, cat: Any) -> bool:
    """True when a column name is an answers key (facts: a question of some dispute of the catalogue)."""
    head, sub = _target(column)
    if sub is None:
        return head in _scalar_keys()
    if head == "facts":
        return any(q.id == sub for d in cat.disputes.values() for q in d.questions)
    return sub in _known_nested()[head]


def _parse_defaults(defaults: Optional[Mapping[str, str]], cat: Any) -> list[tuple[str, Optional[str], Any]]:
    out = []
    for key, value in (defaults or {}).items():
        key = str(key).strip()
        if not known_column(key, cat):
            raise UsageError(_("--set {key}: unknown key; expected a column such as sender.city or facts.creditor").format(key=key))
        if value is None or str(value).strip() == "":
            continue
        head, sub = _target(key)
        out.append((head, sub, str(value)))
    return out


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "") or value == [] or value == {}


def _apply_defaults(answers: dict[str, Any], defaults: list[tuple[str, Optional[str], Any]]) -> None:
    """A --set value fills a key the row leaves empty; the row's own value wins."""
    for head, sub, value in defaults:
        if sub is None:
            if _blank(answers.get(head)):
                answers[head] = value
            continue
        inner = answers.get(head)
        if inner is None:
            answers[head] = {sub: value}
        elif isinstance(inner, dict) and _blank(inner.get(sub)):
            inner[sub] = value
