"""Loads and checks the catalogue (src/plainte/data and user files) into frozen models; unknown ids fail loudly."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from plainte.errors import CatalogueError
from plainte.i18n import LANGUAGES, _
from plainte.models import (
    INSTITUTION_KINDS,
    LEVELS,
    SEGMENTS,
    Address,
    Channel,
    Choice,
    Dispute,
    Evidence,
    EvidenceRule,
    Hours,
    Institution,
    Question,
    Source,
    Step,
    Waiting,
    Warning,
)
from plainte.resources import data_dir

try:  # the C loader is ~8x faster (reference/measured.md)
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader

QUESTION_TYPES = (
    "text", "date", "money", "integer", "bool", "choice", "iban", "structured-communication",
    "email", "phone", "national-number", "enterprise-number", "postal-code",
)
CHANNEL_TYPES = ("email", "postal", "portal", "form", "phone")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
OTHER = "other"


def read_yaml(path: Path) -> Any:
    """Parse one YAML file, reporting syntax errors with the file name."""
    try:
        with open(path, encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_Loader)
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise CatalogueError(_("{path}: cannot be read as YAML ({error})").format(path=path, error=exc)) from None


class _Reader:
    """Checks one mapping from a data file, with the file and key path in every error."""

    def __init__(self, where: str) -> None:
        self.where = where

    def fail(self, key: str, expected: str) -> CatalogueError:
        return CatalogueError(_("{where}: {key}: expected {expected}").format(where=self.where, key=key, expected=expected))

    def mapping(self, raw: Any, key: str, allowed: Iterable[str], required: Iterable[str] = ()) -> Mapping[str, Any]:
        if not isinstance(raw, Mapping):
            raise self.fail(key, _("a mapping"))
        unknown = sorted(set(raw) - set(allowed))
        if unknown:
            raise self.fail(f"{key}.{unknown[0]}" if key else unknown[0], _("one of {keys}").format(keys=", ".join(sorted(allowed))))
        for name in required:
            if raw.get(name) in (None, "", [], {}):
                raise self.fail(f"{key}.{name}" if key else name, _("a value"))
        return raw

    def text(self, raw: Any, key: str) -> str:
        if not isinstance(raw, (str, int)) or isinstance(raw, bool) or str(raw).strip() == "":
            raise self.fail(key, _("a text"))
        return str(raw)

    def ident(self, raw: Any, key: str, allowed: Iterable[str] | None = None) -> str:
        value = self.text(raw, key)
        if allowed is not None and value not in allowed:
            raise self.fail(key, _("one of {keys}").format(keys=", ".join(allowed)))
        return value

    def label(self, raw: Any, key: str) -> Mapping[str, str]:
        data = self.mapping(raw, key, LANGUAGES + ("de",), LANGUAGES)
        return MappingProxyType({lang: self.text(v, f"{key}.{lang}") for lang, v in data.items()})

    def labels(self, raw: Any, key: str) -> tuple[Mapping[str, str], ...]:
        return tuple(self.label(item, f"{key}[{i}]") for i, item in enumerate(self.seq(raw, key)))

    def seq(self, raw: Any, key: str) -> list[Any]:
        if raw is None:
            return []
        if not isinstance(raw, list):
            raise self.fail(key, _("a list"))
        return raw

    def source(self, raw: Any, key: str) -> Source:
        data = self.mapping(raw, key, ("ref", "checked"), ("ref", "checked"))
        checked = data["checked"]
        if isinstance(checked, str):
            try:
                checked = dt.date.fromisoformat(checked)
            except ValueError:
                raise self.fail(f"{key}.checked", _("a date YYYY-MM-DD")) from None
        if not isinstance(checked, dt.date):
            raise self.fail(f"{key}.checked", _("a date YYYY-MM-DD"))
        return Source(ref=self.text(data["ref"], f"{key}.ref"), checked=checked)

    def period(self, raw: Any, key: str) -> Any:
        from plainte.deadlines import Period

        if raw is None:
            return None
        try:
            return Period.parse(raw)
        except (ValueError, TypeError, AttributeError):
            raise self.fail(key, _("a period such as {{business_days: 5}} or {{months: 1}}")) from None

    def when(self, raw: Any, key: str) -> Mapping[str, Any]:
        if raw is None:
            return MappingProxyType({})
        data = self.mapping(raw, key, raw.keys() if isinstance(raw, Mapping) else ())
        return MappingProxyType(dict(data))


def _address(r: _Reader, raw: Any, key: str) -> Address:
    data = r.mapping(raw, key, ("street", "box", "postal_code", "city", "country"), ("street", "postal_code", "city", "country"))
    return Address(
        street=r.text(data["street"], f"{key}.street"),
        box=str(data.get("box") or ""),
        postal_code=r.text(data["postal_code"], f"{key}.postal_code"),
        city=r.text(data["city"], f"{key}.city"),
        country=r.text(data["country"], f"{key}.country"),
    )


def _channel(r: _Reader, raw: Any, key: str) -> Channel:
    data = r.mapping(raw, key, ("type", "segment", "value", "attention", "address", "hours", "note"), ("type",))
    type_ = r.ident(data["type"], f"{key}.type", CHANNEL_TYPES)
    hours = []
    for i, h in enumerate(r.seq(data.get("hours"), f"{key}.hours")):
        hk = f"{key}.hours[{i}]"
        hd = r.mapping(h, hk, ("days", "start", "end"), ("days", "start", "end"))
        days = tuple(r.ident(d, f"{hk}.days", WEEKDAYS) for d in r.seq(hd["days"], f"{hk}.days"))
        hours.append(Hours(days=days, start=r.text(hd["start"], f"{hk}.start"), end=r.text(hd["end"], f"{hk}.end")))
    if type_ in ("email", "portal", "form", "phone") and not data.get("value"):
        raise r.fail(f"{key}.value", _("a value"))
    return Channel(
        type=type_,
        segment=r.ident(data["segment"], f"{key}.segment", SEGMENTS) if data.get("segment") else None,
        value=str(data.get("value") or ""),
        attention=str(data.get("attention") or ""),
        address=_address(r, data["address"], f"{key}.address") if data.get("address") else None,
        hours=tuple(hours),
        note=r.label(data["note"], f"{key}.note") if data.get("note") else MappingProxyType({}),
    )


def _step(r: _Reader, raw: Any, key: str) -> Step:
    allowed = ("level", "service", "body", "channels", "acknowledge", "answer", "only_for", "note", "source")
    data = r.mapping(raw, key, allowed, ("level",))
    return Step(
        level=r.ident(data["level"], f"{key}.level", LEVELS),
        service=r.label(data["service"], f"{key}.service") if data.get("service") else MappingProxyType({}),
        body=r.text(data["body"], f"{key}.body") if data.get("body") else None,
        channels=tuple(_channel(r, c, f"{key}.channels[{i}]") for i, c in enumerate(r.seq(data.get("channels"), f"{key}.channels"))),
        acknowledge=r.period(data.get("acknowledge"), f"{key}.acknowledge"),
        answer=r.period(data.get("answer"), f"{key}.answer"),
        only_for=str(data["only_for"]) if data.get("only_for") else None,
        note=r.label(data["note"], f"{key}.note") if data.get("note") else MappingProxyType({}),
        source=r.source(data["source"], f"{key}.source") if data.get("source") else None,
    )


INSTITUTION_KEYS = (
    "id", "name", "kind", "country", "languages", "segments", "asks_for", "user_supplies",
    "description", "notes", "steps", "source",
)


def _names(r: _Reader, raw: Any, languages: tuple[str, ...]) -> tuple[str, Mapping[str, str]]:
    """`name`: one text, or the official name per language ({fr, nl, en}); then `name` is the one in the
    institution's first language (as stored with a case and used to sort), or the English one for a body that
    writes in none of them (a Chinese platform: its French name would be no more its own than the English one)."""
    if not isinstance(raw, Mapping):
        return r.text(raw, "name"), MappingProxyType({})
    names = r.label(raw, "name")
    first = next((lang for lang in languages if lang in names), "en")
    return names[first], names


def parse_institution(raw: Any, where: str, origin: str = "catalogue") -> Institution:
    """Build one Institution from its YAML mapping."""
    r = _Reader(where)
    data = r.mapping(raw, "", INSTITUTION_KEYS, ("id", "name", "kind", "country", "languages", "source"))
    languages = tuple(r.ident(x, "languages", LANGUAGES + ("de", "zh")) for x in r.seq(data["languages"], "languages"))
    name, names = _names(r, data["name"], languages)
    return Institution(
        id=r.text(data["id"], "id"),
        name=name,
        names=names,
        kind=r.ident(data["kind"], "kind", INSTITUTION_KINDS),
        country=r.text(data["country"], "country"),
        languages=languages,
        segments=tuple(r.ident(x, "segments", SEGMENTS) for x in r.seq(data.get("segments"), "segments")),
        asks_for=r.labels(data.get("asks_for"), "asks_for"),
        user_supplies=tuple(r.ident(x, "user_supplies", ("name", "address", "email")) for x in r.seq(data.get("user_supplies"), "user_supplies")),
        description=r.label(data["description"], "description") if data.get("description") else MappingProxyType({}),
        notes=r.labels(data.get("notes"), "notes"),
        steps=tuple(_step(r, s, f"steps[{i}]") for i, s in enumerate(r.seq(data.get("steps"), "steps"))),
        source=r.source(data["source"], "source"),
        origin=origin,
    )


def _question(r: _Reader, raw: Any, key: str) -> Question:
    data = r.mapping(raw, key, ("id", "type", "label", "help", "required", "choices", "when", "default"), ("id", "type", "label"))
    type_ = r.ident(data["type"], f"{key}.type", QUESTION_TYPES)
    choices = tuple(
        Choice(id=r.text(r.mapping(c, f"{key}.choices[{i}]", ("id", "label"), ("id", "label"))["id"], f"{key}.choices[{i}].id"),
               label=r.label(c["label"], f"{key}.choices[{i}].label"))
        for i, c in enumerate(r.seq(data.get("choices"), f"{key}.choices"))
    )
    if (type_ == "choice") != bool(choices):
        raise r.fail(f"{key}.choices", _("choices exactly when type is choice"))
    required = data.get("required", True)
    if not isinstance(required, bool):
        raise r.fail(f"{key}.required", _("true or false"))
    return Question(
        id=r.text(data["id"], f"{key}.id"),
        type=type_,
        label=r.label(data["label"], f"{key}.label"),
        help=r.label(data["help"], f"{key}.help") if data.get("help") else MappingProxyType({}),
        required=required,
        choices=choices,
        when=r.when(data.get("when"), f"{key}.when"),
        default=data.get("default"),
    )


DISPUTE_KEYS = ("id", "label", "summary", "kinds", "countries", "level", "letter", "questions", "evidence", "waiting", "warnings", "source")


def parse_dispute(raw: Any, where: str) -> Dispute:
    """Build one Dispute from its YAML mapping."""
    r = _Reader(where)
    data = r.mapping(raw, "", DISPUTE_KEYS, ("id", "label", "summary", "kinds", "level", "letter", "questions", "source"))
    rules = []
    for i, e in enumerate(r.seq(data.get("evidence"), "evidence")):
        ed = r.mapping(e, f"evidence[{i}]", ("evidence", "required", "when"), ("evidence",))
        rules.append(EvidenceRule(evidence=r.text(ed["evidence"], f"evidence[{i}].evidence"),
                                  required=bool(ed.get("required", True)), when=r.when(ed.get("when"), f"evidence[{i}].when")))
    waiting = []
    for i, w in enumerate(r.seq(data.get("waiting"), "waiting")):
        k = f"waiting[{i}]"
        wd = r.mapping(w, k, ("after", "business_days", "when", "reason", "source"), ("after", "business_days", "reason"))
        if not isinstance(wd["business_days"], int) or isinstance(wd["business_days"], bool):
            raise r.fail(f"{k}.business_days", _("a whole number"))
        waiting.append(Waiting(after=r.text(wd["after"], f"{k}.after"), business_days=wd["business_days"],
                               when=r.when(wd.get("when"), f"{k}.when"), reason=r.label(wd["reason"], f"{k}.reason"),
                               source=r.source(wd["source"], f"{k}.source") if wd.get("source") else None))
    warnings = []
    for i, w in enumerate(r.seq(data.get("warnings"), "warnings")):
        k = f"warnings[{i}]"
        wd = r.mapping(w, k, ("id", "text", "when", "countries", "bodies", "except_bodies", "source"), ("id", "text"))
        warnings.append(Warning(id=r.text(wd["id"], f"{k}.id"), text=r.label(wd["text"], f"{k}.text"),
                                when=r.when(wd.get("when"), f"{k}.when"),
                                source=r.source(wd["source"], f"{k}.source") if wd.get("source") else None,
                                **{key: tuple(r.text(v, f"{k}.{key}") for v in r.seq(wd.get(key), f"{k}.{key}"))
                                   for key in ("countries", "bodies", "except_bodies")}))
    return Dispute(
        id=r.text(data["id"], "id"),
        label=r.label(data["label"], "label"),
        summary=r.label(data["summary"], "summary"),
        kinds=tuple(r.ident(k, "kinds", INSTITUTION_KINDS) for k in r.seq(data["kinds"], "kinds")),
        level=r.ident(data["level"], "level", LEVELS),
        letter=r.text(data["letter"], "letter"),
        questions=tuple(_question(r, q, f"questions[{i}]") for i, q in enumerate(r.seq(data["questions"], "questions"))),
        evidence=tuple(rules),
        waiting=tuple(waiting),
        warnings=tuple(warnings),
        source=r.source(data["source"], "source"),
        countries=tuple(r.text(c, "countries") for c in r.seq(data.get("countries"), "countries")),
    )


def parse_evidence(raw: Any, where: str) -> Evidence:
    """Build one Evidence item from its YAML mapping."""
    r = _Reader(where)
    data = r.mapping(raw, "", ("id", "label", "valid", "invalid", "obtain", "source"), ("id", "label", "valid", "obtain", "source"))
    return Evidence(
        id=r.text(data["id"], "id"),
        label=r.label(data["label"], "label"),
        valid=r.label(data["valid"], "valid"),
        invalid=r.label(data["invalid"], "invalid") if data.get("invalid") else MappingProxyType({}),
        obtain=r.label(data["obtain"], "obtain"),
        source=r.source(data["source"], "source"),
    )


@dataclass(frozen=True)
class Ladder:
    """The escalation ladder used for an institution that is not in the catalogue, by country and kind."""

    country: str
    kinds: tuple[str, ...]
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Catalogue:
    """Every institution, dispute, evidence item and generic ladder, by id."""

    institutions: Mapping[str, Institution]
    disputes: Mapping[str, Dispute]
    evidence: Mapping[str, Evidence]
    ladders: tuple[Ladder, ...] = field(default=())

    def institution(self, iid: str) -> Institution:
        try:
            return self.institutions[iid]
        except KeyError:
            raise CatalogueError(_("unknown institution {id}; see `plainte institutions`").format(id=iid)) from None

    def dispute(self, did: str) -> Dispute:
        try:
            return self.disputes[did]
        except KeyError:
            raise CatalogueError(_("unknown dispute {id}; see `plainte disputes`").format(id=did)) from None

    def ladder(self, country: str, kind: str) -> tuple[Step, ...]:
        for ladder in self.ladders:
            if ladder.country == country and kind in ladder.kinds:
                return ladder.steps
        return ()

    def writable(self) -> list[Institution]:
        """Institutions a person writes to first (not the bodies on ladders)."""
        return [i for i in self.institutions.values() if i.kind not in ("ombudsman", "regulator", "mediator", "court")]

    def disputes_for(self, institution: Institution) -> list[Dispute]:
        """Disputes that apply to an institution: its kind, and a ladder step for the dispute's level."""
        out = []
        for d in self.disputes.values():
            if institution.kind not in d.kinds or (d.countries and institution.country not in d.countries):
                continue
            if d.level != "complaint" and institution.step(d.level) is None:
                continue
            out.append(d)
        return out


def _load_folder(folder: Path) -> list[tuple[Path, Any]]:
    return [(p, read_yaml(p)) for p in sorted(folder.glob("*.yaml"))]


def _parse_ladders(raw: Any, where: str) -> tuple[Ladder, ...]:
    r = _Reader(where)
    out = []
    for i, item in enumerate(r.seq(raw, "ladders")):
        d = r.mapping(item, f"[{i}]", ("country", "kinds", "steps"), ("country", "kinds", "steps"))
        out.append(Ladder(country=r.text(d["country"], f"[{i}].country"),
                          kinds=tuple(r.ident(k, f"[{i}].kinds", INSTITUTION_KINDS) for k in r.seq(d["kinds"], f"[{i}].kinds")),
                          steps=tuple(_step(r, s, f"[{i}].steps[{j}]") for j, s in enumerate(r.seq(d["steps"], f"[{i}].steps")))))
    return tuple(out)


def user_institution_dir() -> Path:
    """The folder where a person keeps their own institution files."""
    override = os.environ.get("PLAINTE_CONFIG_DIR")
    if override:
        return Path(override) / "institutions"
    from platformdirs import user_config_dir

    return Path(user_config_dir("plainte", appauthor=False)) / "institutions"


def _user_files(extra: Iterable[Path]) -> list[tuple[Path, Any]]:
    found: list[tuple[Path, Any]] = []
    folder = user_institution_dir()
    if folder.is_dir():
        found += _load_folder(folder)
    for path in extra:
        if not path.is_file():
            raise CatalogueError(_("{path}: no such institutions file").format(path=path))
        found.append((path, read_yaml(path)))
    return found


def load(extra_institutions: Iterable[Path] = ()) -> Catalogue:
    """Load the shipped catalogue plus the user's institution files; check every cross-reference."""
    extra = tuple(Path(p) for p in extra_institutions)
    return _load(extra)


@lru_cache(maxsize=8)
def _load(extra: tuple[Path, ...]) -> Catalogue:
    root = data_dir()
    institutions: dict[str, Institution] = {}
    for path, raw in _load_folder(root / "institutions"):
        inst = parse_institution(raw, path.name)
        institutions[inst.id] = inst
    for path, raw in _user_files(extra):
        for i, item in enumerate(raw if isinstance(raw, list) else [raw]):
            inst = parse_institution(item, f"{path}[{i}]" if isinstance(raw, list) else str(path), origin=str(path))
            if inst.id in institutions and institutions[inst.id].origin == "catalogue":
                raise CatalogueError(_("{path}: id {id} is already used by the catalogue; choose another id").format(path=path, id=inst.id))
            institutions[inst.id] = inst
    disputes = {d.id: d for d in (parse_dispute(raw, p.name) for p, raw in _load_folder(root / "disputes"))}
    evidence_raw = read_yaml(root / "evidence.yaml")
    evidence = {e.id: e for e in (parse_evidence(item, f"evidence.yaml[{i}]") for i, item in enumerate(evidence_raw or []))}
    ladders = _parse_ladders(read_yaml(root / "ladders.yaml"), "ladders.yaml")
    cat = Catalogue(MappingProxyType(institutions), MappingProxyType(disputes), MappingProxyType(evidence), ladders)
    check(cat)
    return cat


def check(cat: Catalogue) -> None:
    """Every id a file names must exist; conditions must name questions and their allowed values."""
    problems: list[str] = []
    for inst in cat.institutions.values():
        for step in inst.steps:
            if step.body and step.body not in cat.institutions:
                problems.append(f"{inst.id}: steps.body {step.body}")
    for ladder in cat.ladders:
        for step in ladder.steps:
            if step.body and step.body not in cat.institutions:
                problems.append(f"ladders.yaml: {ladder.country} body {step.body}")
    for d in cat.disputes.values():
        qids = {q.id for q in d.questions}
        for rule in d.evidence:
            if rule.evidence not in cat.evidence:
                problems.append(f"{d.id}: evidence {rule.evidence}")
        conditions = [q.when for q in d.questions] + [r.when for r in d.evidence] + [w.when for w in d.waiting] + [w.when for w in d.warnings]
        for when in conditions:
            for qid, value in when.items():
                q = d.question(qid)
                if q is None:
                    problems.append(f"{d.id}: condition on unknown question {qid}")
                elif q.type == "choice":
                    values = value if isinstance(value, list) else [value]
                    bad = [v for v in values if v not in q.choice_ids()]
                    if bad:
                        problems.append(f"{d.id}: condition {qid}={bad[0]} is not a choice")
        for w in d.warnings:
            for body in w.bodies + w.except_bodies:
                if body not in cat.institutions:
                    problems.append(f"{d.id}: warnings.{w.id} body {body}")
        for w in d.waiting:
            q = d.question(w.after)
            if q is None or q.type != "date":
                problems.append(f"{d.id}: waiting.after {w.after} is not a date question")
        if len(qids) != len(d.questions):
            problems.append(f"{d.id}: duplicate question ids")
    if problems:
        raise CatalogueError(_("the catalogue names unknown ids:") + "\n  " + "\n  ".join(problems))


def applies(when: Mapping[str, Any], facts: Mapping[str, Any]) -> bool:
    """True when every answer named in `when` equals its value (or one of a list of values)."""
    for qid, expected in when.items():
        actual = facts.get(qid)
        if isinstance(expected, list):
            if actual not in expected:
                return False
        elif actual != expected:
            return False
    return True
