"""Batch input from a YAML or JSON list of answers mappings; each row's line is where its item starts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Optional

from plainte.batch_rows import _mapping_row, _read_error, _Row, _Unreadable
from plainte.errors import UsageError
from plainte.i18n import _


class _ListSource:
    """A YAML or JSON file holding a list of answers mappings; each row's line is where its item starts."""

    unknown_columns: tuple[str, ...] = ()

    def __init__(self, path: Path, defaults: list[tuple[str, Optional[str], Any]]) -> None:
        self.path = path
        self.defaults = defaults
        try:
            self.text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise _read_error(path, exc) from None
        self.items = _json_items(self.text, path) if path.suffix.lower() == ".json" else _yaml_items(self.text, path)

    def count(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[_Row]:
        for line, data in self.items.rows():
            yield _mapping_row(line, data, self.defaults)


class _YamlItems:
    def __init__(self, loader: Any, nodes: list[Any]) -> None:
        self.loader, self.nodes = loader, nodes

    def __len__(self) -> int:
        return len(self.nodes)

    def rows(self) -> Iterator[tuple[int, Any]]:
        import yaml

        for node in self.nodes:
            try:
                data = self.loader.construct_object(node, deep=True)
            except yaml.YAMLError as exc:  # e.g. an unknown !tag: this item only
                data = _Unreadable(str(getattr(exc, "problem", "") or exc))
            yield node.start_mark.line + 1, data


def _yaml_items(text: str, path: Path) -> _YamlItems:
    import yaml

    from plainte.answers import yaml_loader

    loader = yaml_loader()(text)
    try:
        node = loader.get_single_node()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = _("line {line}").format(line=mark.line + 1) if mark else ""
        raise UsageError(f"{path}: " + _("not valid YAML or JSON {where}").format(where=where).strip()) from None
    if node is None:
        return _YamlItems(loader, [])
    if not isinstance(node, yaml.SequenceNode):
        raise UsageError(_("{path}: expected a list of answers, one mapping per letter (for a single letter, use plainte render)").format(path=path))
    return _YamlItems(loader, list(node.value))


class _JsonItems:
    def __init__(self, items: list[tuple[int, int, int]], text: str) -> None:
        self.spans, self.text = items, text  # (line, start, end) of each item

    def __len__(self) -> int:
        return len(self.spans)

    def rows(self) -> Iterator[tuple[int, Any]]:
        decoder = json.JSONDecoder()
        for line, start, _end in self.spans:
            yield line, decoder.raw_decode(self.text, start)[0]


def _json_items(text: str, path: Path) -> _JsonItems:
    """Where each item of a top-level JSON list starts (checked once; decoded again item by item when read)."""
    decoder = json.JSONDecoder()
    ws = " \t\r\n"
    n = len(text)

    def skip(i: int) -> int:
        while i < n and text[i] in ws:
            i += 1
        return i

    def fail(i: int, why: str) -> UsageError:
        return UsageError(_("{path}: not valid JSON, line {line} ({error})").format(path=path, line=text.count("\n", 0, i) + 1, error=why))

    i = skip(0)
    if i == n:
        return _JsonItems([], text)
    if text[i] != "[":
        raise UsageError(_("{path}: expected a list of answers, one mapping per letter (for a single letter, use plainte render)").format(path=path))
    spans = []
    line, counted = 1, 0
    i = skip(i + 1)
    if i < n and text[i] == "]":
        return _JsonItems([], text)
    while True:
        line += text.count("\n", counted, i)
        counted = i
        try:
            _obj, end = decoder.raw_decode(text, i)
        except json.JSONDecodeError as exc:
            raise fail(exc.pos, exc.msg) from None
        spans.append((line, i, end))
        i = skip(end)
        if i < n and text[i] == ",":
            i = skip(i + 1)
            continue
        if i < n and text[i] == "]":
            if skip(i + 1) != n:
                raise fail(i + 1, "extra data")
            return _JsonItems(spans, text)
        raise fail(i, "expected , or ]")
