"""Reads and writes answers files (YAML or JSON): the shape the wizard, render and batch share."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from plainte.errors import FieldError, UsageError
from plainte.i18n import _


@lru_cache(maxsize=None)
def yaml_loader() -> Any:
    """The safe YAML loader (the C one when there is one) that keeps an impossible date such as 2026-13-01
    as text: the date field then names the key and says what is expected, instead of the loader failing."""
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    def timestamp(loader: Any, node: Any) -> Any:
        try:
            return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
        except (ValueError, OverflowError):
            return loader.construct_scalar(node)

    loader = type("AnswersLoader", (base,), {})
    loader.add_constructor("tag:yaml.org,2002:timestamp", timestamp)
    return loader


def load_answers(path: Path) -> dict[str, Any]:
    """Parse an answers file; YAML is a superset of JSON, so one loader reads both."""
    import yaml

    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UsageError(_("{path}: no such answers file").format(path=path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(_("{path}: cannot be read ({error})").format(path=path, error=exc)) from None
    try:
        data = yaml.load(text, Loader=yaml_loader())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = _("line {line}").format(line=mark.line + 1) if mark else ""
        raise FieldError(str(path), _("not valid YAML or JSON {where}").format(where=where).strip()) from None
    if not isinstance(data, Mapping):
        raise FieldError(str(path), _("expected a mapping of answers (institution, dispute, sender, facts ...)"))
    return dict(data)


def _plain(value: Any) -> Any:
    """Answers as YAML/JSON can hold them: mappings, lists, text, numbers; amounts and dates as text."""
    kind = type(value)
    if kind is str:  # most answers: returned at once (a batch records thousands)
        return value
    if kind is dict:
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def dump_answers(answers: Mapping[str, Any], path: Path) -> Path:
    """Write answers as YAML (or JSON for a .json path), 0600; an existing file is kept and the answers go to
    name-2.yaml (-3 ...) instead. Returns the path written."""
    import yaml

    data = _plain(answers)
    if path.suffix.lower() == ".json":
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    else:
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    from plainte.outputs import write_letter

    suffix = path.suffix.lstrip(".") or "yaml"
    stem = path.name[: -len(path.suffix)] if path.suffix else path.name
    return write_letter(path.parent, stem, {suffix: text.encode("utf-8")})[0]
