"""Frozen domain objects: the catalogue (institutions, disputes, evidence) and a person's Case."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Optional

from plainte.i18n import pick

Label = Mapping[str, str]  # {"fr": ..., "nl": ..., "en": ...}
EMPTY: Mapping[str, Any] = MappingProxyType({})


def _empty() -> Mapping[str, Any]:
    return EMPTY


INSTITUTION_KINDS = ("bank", "lender", "leasing", "collector", "platform", "ombudsman", "regulator", "mediator", "court")
LEVELS = ("complaint", "complaint-review", "mediation", "regulator", "court")
SEGMENTS = ("private", "business")
SENDING_MODES = ("registered", "post", "email")
WRITER_ROLES = ("consumer", "social-worker")


@dataclass(frozen=True)
class Source:
    """Where a fact comes from and when it was last checked."""

    ref: str
    checked: date


@dataclass(frozen=True)
class Address:
    """A postal address; `box` is the Belgian 'boîte/bus'."""

    street: str
    postal_code: str
    city: str
    country: str
    box: str = ""


@dataclass(frozen=True)
class Hours:
    """Opening hours for some weekdays (mon..sun)."""

    days: tuple[str, ...]
    start: str
    end: str


@dataclass(frozen=True)
class Channel:
    """One way to reach a service: e-mail, postal letter, portal, form or phone."""

    type: str  # email | postal | portal | form | phone
    segment: Optional[str] = None  # private | business | None for everyone
    value: str = ""  # e-mail address, URL or phone number
    attention: str = ""  # "Attn." line of a postal channel
    address: Optional[Address] = None
    hours: tuple[Hours, ...] = ()
    note: Label = field(default_factory=_empty)

    def serves(self, segment: str) -> bool:
        return self.segment is None or self.segment == segment


@dataclass(frozen=True)
class Step:
    """One rung of an escalation ladder: a service of the institution, or another body."""

    level: str
    service: Label = field(default_factory=_empty)
    body: Optional[str] = None  # id of another catalogue entry (Ombudsfin, ...) that handles this step
    channels: tuple[Channel, ...] = ()
    acknowledge: Optional[Any] = None  # deadlines.Period
    answer: Optional[Any] = None  # deadlines.Period
    only_for: Optional[str] = None  # e.g. "insurance": a step reserved to some products
    note: Label = field(default_factory=_empty)
    source: Optional[Source] = None

    def channel(self, type_: str, segment: str) -> Optional[Channel]:
        """The first channel of a type serving the segment."""
        for ch in self.channels:
            if ch.type == type_ and ch.serves(segment):
                return ch
        return None


@dataclass(frozen=True)
class Institution:
    """A bank, lender, leasing company, collector, platform, or a body on a ladder (ombudsman, regulator)."""

    id: str
    name: str
    kind: str
    country: str
    languages: tuple[str, ...]
    steps: tuple[Step, ...] = ()
    segments: tuple[str, ...] = ()
    asks_for: tuple[Label, ...] = ()
    user_supplies: tuple[str, ...] = ()  # recipient fields the person must give (name, address, email)
    description: Label = field(default_factory=_empty)
    notes: tuple[Label, ...] = ()
    source: Optional[Source] = None
    origin: str = "catalogue"  # catalogue | user file path
    names: Label = field(default_factory=_empty)  # the official name per language, for bodies named in each language

    def step(self, level: str) -> Optional[Step]:
        for s in self.steps:
            if s.level == level and s.only_for is None:
                return s
        return None

    def label(self, lang: str | None = None) -> str:
        """The name in lang: the official name in that language when the catalogue gives one, else `name`."""
        return pick(self.names, lang) if self.names else self.name


@dataclass(frozen=True)
class Choice:
    """One allowed answer of a choice question."""

    id: str
    label: Label


@dataclass(frozen=True)
class Question:
    """One question of a dispute, typed, with its condition."""

    id: str
    type: str
    label: Label
    help: Label = field(default_factory=_empty)
    required: bool = True
    choices: tuple[Choice, ...] = ()
    when: Mapping[str, Any] = field(default_factory=_empty)  # asked only when every answer named equals its value
    default: Any = None

    def choice_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.choices)


@dataclass(frozen=True)
class Evidence:
    """A kind of proof: what it is, what makes it valid, what is not enough, and how to get it."""

    id: str
    label: Label
    valid: Label = field(default_factory=_empty)
    invalid: Label = field(default_factory=_empty)
    obtain: Label = field(default_factory=_empty)
    source: Optional[Source] = None


@dataclass(frozen=True)
class EvidenceRule:
    """A dispute's need for one evidence item, possibly only under a condition."""

    evidence: str
    required: bool = True
    when: Mapping[str, Any] = field(default_factory=_empty)


@dataclass(frozen=True)
class Waiting:
    """A waiting period: do not send before N business days after the date answered in `after`."""

    after: str  # question id of a date
    business_days: int
    when: Mapping[str, Any] = field(default_factory=_empty)
    reason: Label = field(default_factory=_empty)
    source: Optional[Source] = None


@dataclass(frozen=True)
class Warning:
    """Advice shown to the person (never written in the letter) under a condition."""

    id: str
    text: Label
    when: Mapping[str, Any] = field(default_factory=_empty)
    source: Optional[Source] = None
    countries: tuple[str, ...] = ()  # only for an institution of these countries (empty: any)
    bodies: tuple[str, ...] = ()  # only when one of these bodies is on the case's way ahead (empty: any)
    except_bodies: tuple[str, ...] = ()  # never when one of these bodies is on the way ahead


@dataclass(frozen=True)
class Dispute:
    """A kind of dispute, its questions, evidence rules, waiting periods, warnings and letter."""

    id: str
    label: Label
    summary: Label
    kinds: tuple[str, ...]
    level: str
    letter: str
    questions: tuple[Question, ...]
    evidence: tuple[EvidenceRule, ...]
    waiting: tuple[Waiting, ...] = ()
    warnings: tuple[Warning, ...] = ()
    source: Optional[Source] = None
    countries: tuple[str, ...] = ()  # empty: every country

    def question(self, qid: str) -> Optional[Question]:
        for q in self.questions:
            if q.id == qid:
                return q
        return None


@dataclass(frozen=True)
class Person:
    """A sender or a client."""

    name: str
    street: str = ""
    postal_code: str = ""
    city: str = ""
    country: str = "BE"
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class Recipient:
    """Where the letter goes: name, service, attention line, address and e-mail."""

    name: str
    service: str = ""
    attention: str = ""
    address: Optional[Address] = None
    email: str = ""


@dataclass(frozen=True)
class EarlierLetter:
    """A letter sent earlier in the same case, as an escalation letter names it and encloses a copy."""

    level: str  # complaint, complaint-review, mediation, ...
    date: date  # the letter's own date
    sent: Optional[date] = None  # the day it was sent, when known
    reference: str = ""  # the institution's reference for it, when known
    answered: Optional[date] = None  # the day the institution answered it; None: no answer


@dataclass(frozen=True)
class Case:
    """Everything a letter needs, typed and validated: nothing after this parses strings again."""

    institution: Institution
    dispute: Dispute
    language: str
    date: date
    sending: str
    writer_role: str
    segment: str
    sender: Person
    recipient: Recipient
    level: str
    organisation: str = ""
    client: Optional[Person] = None
    references: Mapping[str, str] = field(default_factory=_empty)
    facts: Mapping[str, Any] = field(default_factory=_empty)
    evidence: tuple[str, ...] = ()
    history: tuple[EarlierLetter, ...] = ()  # the case's earlier letters (escalation letters only)
    answers: Mapping[str, Any] = field(default_factory=_empty, compare=False)

    def fact(self, qid: str, default: Any = None) -> Any:
        return self.facts.get(qid, default)


def amount(value: Any) -> Decimal:
    """Coerce a Decimal-able value (used by rules that compare amounts)."""
    return value if isinstance(value, Decimal) else Decimal(str(value))


def label_text(label: Label, lang: str | None = None) -> str:
    """The text of a label in lang."""
    return pick(label, lang)
