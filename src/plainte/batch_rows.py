"""One row of batch input, and what every kind of input shares: the read error and a row from a mapping."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from plainte.batch_columns import _apply_defaults
from plainte.errors import Problem, UsageError
from plainte.i18n import _


@dataclass
class _Row:
    line: int  # the physical line of the input where the row starts (1-based)
    answers: Optional[dict[str, Any]]
    problems: list[Problem] = field(default_factory=list)  # found while reading: the row is not validated


class _Unreadable:
    def __init__(self, why: str) -> None:
        self.why = why


def _read_error(path: Path, exc: BaseException) -> UsageError:
    if isinstance(exc, UnicodeDecodeError):
        return UsageError(_("{path}: not UTF-8 text; in your spreadsheet, save as \"CSV UTF-8\"").format(path=path))
    if isinstance(exc, FileNotFoundError):
        return UsageError(_("{path}: no such file").format(path=path))
    return UsageError(_("{path}: cannot be read ({error})").format(path=path, error=getattr(exc, "strerror", None) or exc))


def _mapping_row(line: int, data: Any, defaults: list[tuple[str, Optional[str], Any]]) -> _Row:
    if isinstance(data, _Unreadable):
        return _Row(line, None, [Problem("", _("not valid YAML ({error})").format(error=data.why))])
    if not isinstance(data, Mapping):
        return _Row(line, None, [Problem("", _("expected a mapping of answers (institution, dispute, sender, facts ...)"))])
    answers = {str(k): (dict(v) if isinstance(v, Mapping) else v) for k, v in data.items()}
    _apply_defaults(answers, defaults)
    return _Row(line, answers)
