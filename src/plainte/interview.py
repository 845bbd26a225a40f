"""The one ask loop: which answers a letter needs (slots), and turning an answers dict into a valid Case."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from types import MappingProxyType
from typing import Any, Optional

from plainte import fields, identifiers
from plainte.catalog import OTHER, Catalogue, applies
from plainte.countries import country_label
from plainte.errors import AnswersError, FieldError, Problem
from plainte.i18n import LANGUAGES, _, ngettext, pick, ui_language
from plainte.models import (
    INSTITUTION_KINDS,
    Address,
    Case,
    Institution,
    Person,
    Recipient,
    Step,
)
from plainte.plan import documents_for, step_for

TOP_KEYS = (
    "institution", "dispute", "language", "date", "sending", "writer_role", "segment", "organisation",
    "sender", "client", "recipient", "references", "facts", "evidence", "institution_kind",
    "institution_country", "attachments", "history", "mediator",
)
PERSON_KEYS = ("name", "street", "postal_code", "city", "country", "email", "phone")
RECIPIENT_KEYS = ("name", "street", "postal_code", "city", "country", "email")
REFERENCE_KEYS = ("file_number", "contract_number", "customer_number")
COUNTRIES = ("BE", "FR", "NL", "LU", "DE", "CN")
WRITABLE_KINDS = tuple(k for k in INSTITUTION_KINDS if k not in ("ombudsman", "regulator", "mediator", "court"))


@dataclass(frozen=True)
class Slot:
    """One answer the letter needs: its dotted key, its type and how to ask for it."""

    key: str
    type: str
    label: Mapping[str, str] | str
    required: bool = True
    choices: tuple[tuple[str, Any], ...] = ()  # (id, label) pairs
    help: Mapping[str, str] | str = ""
    default: Any = None
    country_key: str = ""  # for postal codes: the key holding the country
    multiline: bool = False

    @cached_property
    def choice_ids(self) -> tuple[Any, ...]:
        """The ids of the choices (made once per slot: a batch parses the same slots 10,000 times)."""
        return tuple(c[0] for c in self.choices)

    @cached_property
    def reader(self) -> Callable[[Any], Any]:
        """The parser of an answer to this slot, but for a postal code (parse_slot reads its country too): chosen
        once per slot, as a batch parses the same slots 10,000 times."""
        return _reader(self)

    @cached_property
    def path(self) -> tuple[str, str]:
        """The key's top-level entry and the key inside it ("" for a top-level answer)."""
        head, _sep, rest = self.key.partition(".")
        return head, rest

    def text(self, lang: str | None = None) -> str:
        return self.label if isinstance(self.label, str) else pick(self.label, lang)

    def help_text(self, lang: str | None = None) -> str:
        if not self.help:
            return ""
        return self.help if isinstance(self.help, str) else pick(self.help, lang)


def get(answers: Mapping[str, Any], key: str) -> Any:
    """The value at a dotted key (facts keys may hold dashes), or None."""
    head, _sep, rest = key.partition(".")
    value = answers.get(head) if type(answers) is dict or isinstance(answers, Mapping) else None  # dict first: fast
    if not rest:
        return value
    return value.get(rest) if type(value) is dict or isinstance(value, Mapping) else None


def put(answers: dict[str, Any], key: str, value: Any) -> None:
    """Set the value at a dotted key, creating the nested mapping."""
    head, _sep, rest = key.partition(".")
    if not rest:
        answers[head] = value
        return
    inner = answers.get(head)
    if not isinstance(inner, dict):
        inner = {}
        answers[head] = inner
    inner[rest] = value


def _blank(value: Any) -> bool:
    if type(value) is str:  # the usual answer: one test
        return not value.strip()
    return value is None or (isinstance(value, str) and value.strip() == "") or value == [] or value == {}


def _person_slots(prefix: str, who: str, contact: bool) -> list[Slot]:
    return list(_person_slots_in(prefix, who, contact, ui_language()))


@lru_cache(maxsize=None)
def _person_slots_in(prefix: str, who: str, contact: bool, lang: str) -> tuple[Slot, ...]:  # lang: the labels' language
    names = {
        "sender": {"name": _("Your full name"), "street": _("Your street and number"), "postal_code": _("Your postal code"),
                   "city": _("Your town or city"), "country": _("Your country"), "email": _("Your e-mail address"),
                   "phone": _("Your phone number (daytime)")},
        "client": {"name": _("The client's full name"), "street": _("The client's street and number"),
                   "postal_code": _("The client's postal code"), "city": _("The client's town or city"),
                   "country": _("The client's country")},
        "recipient": {"name": _("The institution's name"), "street": _("The institution's street and number"),
                      "postal_code": _("The institution's postal code"), "city": _("The institution's town or city"),
                      "country": _("The institution's country"), "email": _("The institution's e-mail address")},
        "mediator": {"name": _("The mediator's name (as the institution's answer gives it)"),
                     "street": _("The mediator's street and number (or postal box)"), "postal_code": _("The mediator's postal code"),
                     "city": _("The mediator's town or city"), "country": _("The mediator's country"),
                     "email": _("The mediator's e-mail address")},
    }[who]
    slots = [
        Slot(f"{prefix}.name", "text", names["name"]),
        Slot(f"{prefix}.street", "text", names["street"]),
        Slot(f"{prefix}.country", "choice", names["country"], choices=tuple((c, country_label(c)) for c in COUNTRIES), default="BE"),
        Slot(f"{prefix}.postal_code", "postal-code", names["postal_code"], country_key=f"{prefix}.country"),
        Slot(f"{prefix}.city", "text", names["city"]),
    ]
    if contact and "email" in names:
        slots.append(Slot(f"{prefix}.email", "email", names["email"], required=False))
    if contact and "phone" in names:
        slots.append(Slot(f"{prefix}.phone", "phone", names["phone"], required=False))
    return tuple(slots)


def resolve_institution(answers: Mapping[str, Any], cat: Catalogue) -> Optional[Institution]:
    """The catalogue institution, or one built for "other" from the kind and country given."""
    iid = answers.get("institution")
    if iid == OTHER:
        kind, country = answers.get("institution_kind"), answers.get("institution_country")
        if kind not in WRITABLE_KINDS or country not in COUNTRIES:
            return None
        name = get(answers, "recipient.name") or _("the institution")
        langs = {"BE": ("fr", "nl"), "FR": ("fr",), "NL": ("nl",), "LU": ("fr",), "DE": ("de",), "CN": ("zh",)}[country]
        return Institution(id=OTHER, name=str(name), kind=kind, country=country, languages=langs,
                           steps=cat.ladder(country, kind), user_supplies=("name", "address", "email"), origin="answers")
    if isinstance(iid, str) and iid in cat.institutions:
        return named_profile(cat.institutions[iid], get(answers, "recipient.name"))
    return None


def named_profile(inst: Institution, name: Any) -> Institution:
    """A generic profile whose name the person gives (a Chinese car-loan platform) under that name, so the letter,
    its subject and the case name the platform itself; the catalogue's generic name only until it is given."""
    if "name" not in inst.user_supplies or _blank(name) or not isinstance(name, str):
        return inst
    return replace(inst, name=name.strip(), names=MappingProxyType({}))


def target_step(inst: Institution, level: str, cat: Catalogue, product: Any = None) -> Optional[Step]:
    """The ladder step a letter of this level goes to (plan.step_for), or a plain complaint to an institution
    without a ladder."""
    if level == "complaint" and not inst.steps:
        return Step(level="complaint")
    return step_for(inst, level, product)


def recipient_entry(inst: Institution, step: Step, cat: Catalogue) -> tuple[Institution, Step]:
    """Who receives the letter: the institution itself, or the body that handles the step."""
    if step.body:
        body = cat.institutions[step.body]
        return body, (body.step("complaint") or Step(level="complaint"))
    return inst, step


def needs_mediator(step: Step) -> bool:
    """True for a mediation step that names no catalogue body (France: each bank has its own médiateur, whom
    its refusal must name): the person gives the mediator as `mediator`, the institution stays `recipient`."""
    return step.level == "mediation" and step.body is None


def needs_address(entry: Institution, step: Step, segment: str) -> bool:
    """True when the catalogue does not know the postal address: the person gives it."""
    if entry.id == OTHER or "address" in entry.user_supplies:
        return True
    postal = step.channel("postal", segment)
    return postal is None or postal.address is None


def _institution_choice(inst: Institution) -> Any:
    """How an institution is listed: its name, or for a generic profile (the person gives the name) its kind and country."""
    if "name" in inst.user_supplies:
        return f"{kind_label(inst.kind)} ({country_label(inst.country)[ui_language()]})"
    return inst.label(ui_language())


_CHOICES: dict[int, tuple[Catalogue, dict[str, dict[Any, Any]]]] = {}  # per catalogue (kept alive, so its id stays its own)


def _store(cat: Catalogue) -> dict[Any, Any]:
    """The cache of slots and choice lists of one catalogue in the current UI language: they depend on nothing
    else, so they are built once (batch asks 10,000 times); keys are catalogue ids and flags, never answers, but
    for "shapes" (validate's walks, keyed by the answers that choose the slots: ids, choices, a few facts, the name
    typed for an institution plainte does not know; in memory only, at most SHAPES_KEPT)."""
    entry = _CHOICES.get(id(cat))
    if entry is None or entry[0] is not cat:
        entry = _CHOICES[id(cat)] = (cat, {})
    lang = ui_language()
    store = entry[1].get(lang)
    if store is None:
        store = entry[1][lang] = {}
    return store


def _memo(store: dict[Any, Any], key: Any, make: Callable[[], Any]) -> Any:
    """store[key], made on first use."""
    value = store.get(key, _MISSING)
    if value is _MISSING:
        value = store[key] = make()
    return value


_MISSING = object()


def _cached(cat: Catalogue, key: Any, make: Any) -> Any:
    """What make() builds from the catalogue in the UI language, built once."""
    return _memo(_store(cat), key, make)


def _institution_choices(cat: Catalogue) -> tuple[tuple[str, Any], ...]:
    writable = sorted(cat.writable(), key=lambda i: i.label("en").lower())  # one order in every UI language
    return tuple((i.id, _institution_choice(i)) for i in writable) + ((OTHER, _("Another institution")),)


def _dispute_slot(cat: Catalogue, inst: Institution) -> tuple[Slot, frozenset[str]]:
    """The dispute question for an institution, and the ids it accepts."""
    ds = cat.disputes_for(inst)
    labels = tuple((d.id, {lang: f"{d.label[lang]} — {d.summary[lang]}" for lang in d.label}) for d in ds)
    return Slot("dispute", "choice", _("What is the problem?"), choices=labels), frozenset(d.id for d in ds)


def _other_slots() -> tuple[Slot, ...]:
    """The kind and country of an institution the catalogue does not list."""
    return (Slot("institution_kind", "choice", _("What kind of institution is it?"),
                 choices=tuple((k, kind_label(k)) for k in WRITABLE_KINDS)),
            Slot("institution_country", "choice", _("In which country is it?"), choices=tuple((c, country_label(c)) for c in ("BE", "FR", "CN"))))


def _evidence_slot(cat: Catalogue, documents: tuple[str, ...]) -> Slot:
    return Slot("evidence", "evidence", _("Which of these documents do you have and will enclose?"), required=False,
                choices=tuple((e, cat.evidence[e].label) for e in documents))


def _fixed_slots(cat: Catalogue) -> dict[str, Slot]:
    """The slots that depend only on the catalogue and the UI language, by key (made once: validate asks for
    the slots twice a row, and a batch validates 10,000 rows)."""
    choices = _cached(cat, "institutions", lambda: _institution_choices(cat))
    return {
        "institution": Slot("institution", "choice", _("Which institution are you writing to?"), choices=choices),
        "segment": Slot("segment", "choice", _("Are you a private customer or a business customer?"),
                        choices=(("private", _("Private customer")), ("business", _("Business customer"))), default="private"),
        "writer_role": Slot("writer_role", "choice", _("Who is writing?"),
                            choices=(("consumer", _("I am writing for myself")), ("social-worker", _("I am a social worker writing for a client"))),
                            default="consumer"),
        "organisation": Slot("organisation", "text", _("Your organisation (e.g. CPAS de Saint-Gilles)")),
        "references.file_number": Slot("references.file_number", "text", _("File number (on the letter you received)"), required=False),
        "references.contract_number": Slot("references.contract_number", "text", _("Contract or account number"), required=False),
        "references.customer_number": Slot("references.customer_number", "text", _("Customer number"), required=False),
        "sending": Slot("sending", "choice", _("How will you send it?"),
                        choices=(("registered", _("Registered letter (recommended)")), ("post", _("Ordinary letter")), ("email", _("E-mail"))),
                        default="registered"),
        "date": Slot("date", "date", _("Date of the letter"), required=False),
    }


def _question_slots(dispute: Any) -> tuple[tuple[Any, Slot], ...]:
    """(question, its slot) for every question of a dispute, in order (made once per dispute)."""
    return tuple((q, Slot(f"facts.{q.id}", q.type, q.label, required=q.required, help=q.help,
                          choices=tuple((c.id, c.label) for c in q.choices), default=q.default,
                          multiline=q.type == "text" and q.id in ("description", "reason", "why-unsatisfied", "answer-summary")))
                 for q in dispute.questions)


def _language_slot(default_lang: str) -> Slot:
    return Slot("language", "choice", _("In which language should the letter be written?"),
                choices=(("fr", "Français"), ("nl", "Nederlands"), ("en", "English")), default=default_lang)


SEGMENTS = ("private", "business")


def slots(answers: Mapping[str, Any], cat: Catalogue) -> list[Slot]:
    """The ordered answers a letter needs, given what is already answered (later slots depend on earlier ones).
    Reads only the answers in SHAPING_KEYS and the facts named by the dispute's conditions (shaping_facts)."""
    store = _store(cat)
    fixed = _memo(store, "fixed-slots", lambda: _fixed_slots(cat))
    out: list[Slot] = [fixed["institution"]]
    if answers.get("institution") == OTHER:
        out += _memo(store, "other-slots", _other_slots)
    inst = resolve_institution(answers, cat)
    dispute = None
    if inst is not None:
        key = ("disputes", inst.id, inst.kind, inst.country)  # "other" takes its ladder from kind and country
        dispute_slot, dispute_ids = _memo(store, key, lambda: _dispute_slot(cat, inst))
        out.append(dispute_slot)
        chosen = answers.get("dispute")
        if isinstance(chosen, str) and chosen in dispute_ids:  # a list or a mapping is reported by the choice slot
            dispute = cat.disputes[chosen]
        if inst.segments:
            out.append(fixed["segment"])
    out.append(fixed["writer_role"])
    if dispute is not None:
        facts = answers.get("facts") or {}
        if type(facts) is not dict and not isinstance(facts, Mapping):  # a text or a list: reported by validate
            facts = {}
        for q, slot in _memo(store, ("questions", dispute.id), lambda: _question_slots(dispute)):
            if not q.when or applies(q.when, facts):
                out.append(slot)
        documents = tuple(r.evidence for r in documents_for(dispute, facts, answers.get("writer_role"), cat))
        out.append(_memo(store, ("evidence", documents), lambda: _evidence_slot(cat, documents)))
        if inst is not None:
            out += _recipient_slots(answers, cat, store, inst, dispute)
    role = answers.get("writer_role") or "consumer"
    default_lang = _default_language(inst.languages if inst else ())
    out += _memo(store, ("tail", role == "social-worker", default_lang), lambda: _tail_slots(cat, role == "social-worker", default_lang))
    return out


def _recipient_slots(answers: Mapping[str, Any], cat: Catalogue, store: dict[Any, Any], inst: Institution, dispute: Any) -> tuple[Slot, ...]:
    """The slots about who receives the letter; cached, except when they hold the name of a generic profile as the
    person typed it (the address hint names it) or a segment that is not one of SEGMENTS (typed by the person)."""
    product = get(answers, "facts.product")
    segment = answers.get("segment") or "private"
    by_email = answers.get("sending") == "email"
    if type(segment) is not str or segment not in SEGMENTS:
        return _recipient_slots_of(cat, inst, dispute.level, product, segment, by_email)
    if inst.id != OTHER and inst is not cat.institutions[inst.id]:  # named_profile's copy, under the name typed
        step = target_step(inst, dispute.level, cat, product)
        if step is None or not step.body:  # the address hint names the institution as the person typed it
            return _recipient_slots_of(cat, inst, dispute.level, product, segment, by_email)
        inst = cat.institutions[inst.id]  # a body's address slots name only the body: the catalogue's entry gives the same
    # the step depends on the institution (for "other", on its kind and country), the level, and for a mediation
    # on whether the product is insurance (plan.step_for)
    insurance = dispute.level == "mediation" and product == "insurance"
    key = ("recipient", inst.id, inst.kind, inst.country, dispute.level, insurance, segment, by_email)
    return _memo(store, key, lambda: _recipient_slots_of(cat, inst, dispute.level, product, segment, by_email))


def _recipient_slots_of(cat: Catalogue, inst: Institution, level: str, product: Any, segment: Any, by_email: bool) -> tuple[Slot, ...]:
    out: list[Slot] = []
    step = target_step(inst, level, cat, product)
    if step is not None:
        entry, entry_step = recipient_entry(inst, step, cat)
        if "name" in inst.user_supplies:  # the institution in dispute, named in every letter, whoever receives it
            out.append(_institution_name_slot(to_body=entry.id != inst.id))
        if needs_mediator(entry_step):  # the letter goes to the mediator; the institution only needs its name
            out += _mediator_slots(by_email, inst.country)
        else:
            if needs_address(entry, entry_step, segment):
                out += _address_slots(inst, entry, entry_step, segment)
            if (entry.id == OTHER or "email" in entry.user_supplies) and by_email:
                out.append(Slot("recipient.email", "email", _("The institution's e-mail address")))
    return tuple(out)


def _tail_slots(cat: Catalogue, social_worker: bool, default_lang: str) -> tuple[Slot, ...]:
    """Who writes, the references, the letter's language, how it is sent and its date."""
    fixed = _cached(cat, "fixed-slots", lambda: _fixed_slots(cat))
    out: list[Slot] = []
    if social_worker:
        out.append(fixed["organisation"])
    out += _person_slots("sender", "sender", True)
    if social_worker:
        out += _person_slots("client", "client", False)
    out += (fixed["references.file_number"], fixed["references.contract_number"], fixed["references.customer_number"])
    out.append(_language_slot(default_lang))
    out += (fixed["sending"], fixed["date"])
    return tuple(out)


@lru_cache(maxsize=None)
def _default_language(languages: tuple[str, ...]) -> str:
    """The first of an institution's languages that a letter can be written in (by catalogue languages: few)."""
    return next((lang for lang in languages if lang in LANGUAGES), "en")


def _institution_name_slot(to_body: bool) -> Slot:
    """The name of the institution the person names; when the letter goes to a body (Ombudsfin, an industry
    association), asked as the one the dispute is with, so that it is not taken for the body's."""
    slot = _person_slots("recipient", "recipient", False)[0]
    return replace(slot, label=_("The name of the institution your dispute is with")) if to_body else slot


def _address_slots(inst: Institution, entry: Institution, step: Step, segment: str) -> list[Slot]:
    """The postal address the catalogue lacks, in the country of whoever receives the letter: the institution's,
    or that of the body the letter goes to (a Chinese industry association), named in each question so that it is
    not taken for the institution's; for a body, the catalogue's note says where to find it."""
    person = _person_slots("recipient", "recipient", False)[1:]
    if entry.id == inst.id:
        hint = _("plainte does not know this address: copy it from the letter you received, the contract or the website of {name}.").format(
            name=entry.label(ui_language()) if entry.id != OTHER else _("the institution"))
    else:
        name = entry.label(ui_language())
        postal = step.channel("postal", segment)
        note = pick(postal.note, ui_language()) if postal is not None and postal.note else ""
        hint = " ".join(x for x in (_("plainte does not know the address of {name}.").format(name=name), note) if x)
        labels = {"recipient.street": _("Street and number of {name}"), "recipient.postal_code": _("Postal code of {name}"),
                  "recipient.city": _("Town or city of {name}"), "recipient.country": _("Country of {name}")}
        person = [replace(s, label=labels[s.key].format(name=name)) for s in person]
    return _hinted(person, hint, entry.country if entry.country in COUNTRIES else "BE")


def _hinted(person: Any, hint: str, country: str) -> list[Slot]:
    """Address slots with a hint on where to find the address, the country asked first being `country`."""
    return [replace(s, help=hint, default=country if s.key.endswith(".country") else s.default) for s in person]


def _mediator_slots(by_email: bool, country: str) -> list[Slot]:
    """The mediator's name and address (and e-mail when the letter goes by e-mail), from the institution's answer."""
    hint = _("The institution's answer to your complaint must name its mediator (médiateur) and give the address; without an answer, ask the institution for them or look on its website.")
    out = _hinted(_person_slots("mediator", "mediator", False), hint, country)
    if by_email:
        out.append(Slot("mediator.email", "email", _("The mediator's e-mail address"), help=hint))
    return out


def kind_label(kind: str) -> str:
    """The translated name of an institution kind."""
    return {
        "bank": _("Bank"), "lender": _("Lender (credit company)"), "leasing": _("Leasing company"),
        "collector": _("Debt collector"), "platform": _("Online loan platform"), "ombudsman": _("Ombudsman"),
        "regulator": _("Regulator"), "mediator": _("Mediator"), "court": _("Court"),
    }.get(kind, kind)


def parse_slot(slot: Slot, raw: Any, answers: Mapping[str, Any]) -> Any:
    """Validate one raw answer for a slot; raises FieldError naming the key."""
    if slot.type == "postal-code":
        return _parse_postal_code(slot, raw, get(answers, slot.country_key))
    return slot.reader(raw)


def _parse_postal_code(slot: Slot, raw: Any, country: Any) -> str:
    return identifiers.parse_postal_code(raw, field=slot.key, country=str(country or "BE"))


def _reader(slot: Slot) -> Callable[[Any], Any]:
    """The parser of a slot's answers, given its type (fields.parse for the types that need nothing more).
    Closures rather than functools.partial: a partial holding keywords merges them into a new dict on every
    call, which cost more than most parsers themselves (a batch parses some 30 answers a row)."""
    key = slot.key
    if slot.type == "evidence":
        allowed = slot.choice_ids
        return lambda raw: _parse_evidence(raw, field=key, allowed=allowed)
    if slot.type == "choice":
        return _choice_reader(key, slot.choice_ids)
    if slot.type == "text":
        multiline = slot.multiline
        return lambda raw: fields.parse_text(raw, field=key, multiline=multiline)
    if slot.type == "phone":
        return lambda raw: _parse_phone(raw, field=key)
    plain = _PLAIN_PARSERS.get(slot.type)
    if plain is not None:
        return lambda raw: plain(raw, field=key)
    kind = slot.type
    return lambda raw: fields.parse(kind, raw, field=key)  # an unknown type: its ValueError


def _choice_reader(key: str, choices: tuple[Any, ...]) -> Callable[[Any], Any]:
    """fields.parse_choice for one slot, answering at once an answer that is one of the ids as listed: parse_choice
    returns that very id when no two ids differ only by case and none is blank or has white space around it
    (checked here; else every answer goes to parse_choice)."""
    texts = [c for c in choices if type(c) is str]
    distinct = len(texts) == len(choices) and len({c.casefold() for c in texts}) == len(texts)
    exact = frozenset(c for c in texts if c and c == c.strip()) if distinct else frozenset()
    if len(exact) != len(choices):
        exact = frozenset()

    def read(raw: Any) -> Any:
        if type(raw) is str and raw in exact:
            return raw
        return fields.parse_choice(raw, field=key, choices=choices)

    return read


def _parse_evidence(raw: Any, *, field: str, allowed: tuple[str, ...]) -> list[str]:
    values = raw if isinstance(raw, list) else [x for x in str(raw).replace(",", "|").split("|") if x.strip()]
    out = list(dict.fromkeys(str(v).strip() for v in values))
    unknown = [v for v in out if v not in allowed]
    if unknown:  # every unknown id at once, not only the first
        raise FieldError(field, ngettext("unknown document {ids}; expected some of: {allowed}",
                                         "unknown documents {ids}; expected some of: {allowed}", len(unknown)).format(
            ids=", ".join(unknown), allowed=", ".join(allowed) or "-"))
    return out


def _parse_phone(raw: Any, *, field: str) -> str:
    """Validated, then kept as the person wrote it (spaces help the reader)."""
    identifiers.parse_phone(raw, field=field)
    return fields.parse_text(raw, field=field, max_length=40)


# The types parsed as fields.parse does (each of these parsers tells a blank answer "is required" as it does).
_PLAIN_PARSERS: dict[str, Callable[..., Any]] = {
    "date": fields.parse_date, "money": fields.parse_money, "integer": fields.parse_integer, "bool": fields.parse_bool,
    "iban": identifiers.parse_iban, "structured-communication": identifiers.parse_structured_communication,
    "email": identifiers.parse_email, "national-number": identifiers.parse_national_number,
    "enterprise-number": identifiers.parse_enterprise_number,
}


_KNOWN_KEYS = frozenset(TOP_KEYS)
_NESTED_KEYS = tuple((key, allowed, frozenset(allowed)) for key, allowed in (
    ("sender", PERSON_KEYS), ("client", PERSON_KEYS), ("recipient", RECIPIENT_KEYS), ("mediator", RECIPIENT_KEYS), ("references", REFERENCE_KEYS)))


def _check_keys(answers: Mapping[str, Any], problems: list[Problem]) -> None:
    if not _KNOWN_KEYS.issuperset(answers):  # the usual answers pass this one test
        for key in answers:
            if key not in _KNOWN_KEYS:
                problems.append(Problem(str(key), _unknown_key(TOP_KEYS)))
    for key, allowed, known in _NESTED_KEYS:
        value = answers.get(key)
        if value is None:
            continue
        if type(value) is not dict and not isinstance(value, Mapping):  # the type test first: isinstance(_, Mapping) is slow
            problems.append(Problem(key, _("expected a mapping of {keys}").format(keys=", ".join(allowed))))
            continue
        if not known.issuperset(value):
            for sub in value:
                if sub not in known:
                    problems.append(Problem(f"{key}.{sub}", _unknown_key(allowed)))
    for key in ("facts",):
        if answers.get(key) is not None and not isinstance(answers.get(key), Mapping):
            problems.append(Problem(key, _("expected a mapping of question ids to answers")))


def _unknown_key(allowed: tuple[str, ...]) -> str:
    return _("unknown key; expected {expected}").format(expected=_("one of {keys}").format(keys=", ".join(allowed)))


def validate(answers: Mapping[str, Any], cat: Catalogue, *, today: dt.date) -> tuple[dict[str, Any], list[Problem]]:
    """Walk the slots in order, parse every given answer, apply defaults; return typed values and all problems."""
    problems: list[Problem] = []
    _check_keys(answers, problems)
    if not isinstance(answers.get("facts", {}), (Mapping, type(None))):  # reported by _check_keys; read as no facts
        answers = {**answers, "facts": {}}
    typed: dict[str, Any] = {}
    shape = _shape(answers, cat)
    shapes = _cached(cat, "shapes", dict)
    known = shapes.get(shape) if shape is not None else None
    if known is None:
        known = _walk_slots(answers, cat, typed, problems)
        if shape is not None:
            if len(shapes) >= SHAPES_KEPT:
                shapes.clear()
            shapes[shape] = known
    else:  # answers of the same shape as earlier ones: the same slots, in the same order (see _shape)
        for slot in known.order:
            _parse_into(slot, answers, typed, problems)
    if known.evidence is not None:
        _parse_into(known.evidence, answers, typed, problems)
    if "date" not in typed:
        typed["date"] = today
    if answers.get("history") not in (None, "", []):
        from plainte.history import parse_history

        try:
            typed["history"] = parse_history(answers["history"])
        except FieldError as exc:
            problems.append(Problem(exc.field, exc.message))
    _check_unknown_ids(answers, cat, typed, problems)
    _cross_checks(typed, problems, answers)
    _check_mediator(answers, typed, known.asks_mediator, problems)
    return typed, problems


@dataclass(frozen=True)
class _Walk:
    """The slots validate parsed for answers of one shape, in order; the evidence slot, parsed last."""

    order: tuple[Slot, ...]
    evidence: Optional[Slot]
    asks_mediator: bool


SHAPES_KEPT = 512  # walks kept per catalogue and UI language (a sheet has a few shapes; a bound all the same)


def _walk_slots(answers: Mapping[str, Any], cat: Catalogue, typed: dict[str, Any], problems: list[Problem]) -> _Walk:
    """Parse every slot but the evidence, finding them as it goes, and say which it parsed.

    Slots depend on earlier answers: iterate until no new slot appears, asking slots() again only when a value
    just typed is one it reads and differs from what it read. The evidence slot is parsed last, once the facts
    are typed: its choices depend on them (a "yes" in a CSV is True only once parsed)."""
    seen: set[str] = set()
    order: list[Slot] = []
    merged: Mapping[str, Any] = answers  # nothing typed yet: slots() reads the answers as given
    current = slots(merged, cat)
    for _round in range(4):
        todo = [s for s in current if s.key not in seen and s.type != "evidence"]
        if not todo:
            break
        seen.update([s.key for s in todo])
        order += todo
        reshaped = False
        shaping = _shaping_keys(merged, cat)
        for slot in todo:
            if _parse_into(slot, answers, typed, problems) and slot.key in shaping and not reshaped:
                reshaped = _changed(_get_at(merged, slot.path), _get_at(typed, slot.path))
        if not reshaped:  # slots() would read the same answers and give the same slots, all of them parsed
            break
        merged = _slot_inputs(answers, typed)
        current = slots(merged, cat)
    evidence = next((s for s in current if s.type == "evidence"), None)
    return _Walk(tuple(order), evidence, "mediator.name" in seen)


def _shape(answers: Mapping[str, Any], cat: Catalogue) -> Optional[tuple[Any, ...]]:
    """What decides which slots validate parses, in which order: the answers slots() reads (_shaping_keys: the
    ids, the choices, the facts the dispute's conditions name, the name typed for an institution plainte does
    not know), each with its type. Answers of one shape are walked alike, since every step of the walk is a pure
    function of these. None when it cannot be a key: the dispute is not given as one of the catalogue's ids
    (which facts count then depends on how it is typed), or a value is a list or a mapping."""
    chosen = answers.get("dispute")
    if type(chosen) is not str or chosen not in cat.disputes:
        return None
    paths = _cached(cat, ("shaping-paths", chosen), lambda: tuple(
        _split_key(key) for key in sorted(_shaping_keys({"dispute": chosen}, cat))))
    values: list[Any] = [chosen]
    for path in paths:
        value = _get_at(answers, path)
        values += (type(value), value)
    shape = tuple(values)
    try:
        hash(shape)
    except TypeError:
        return None
    return shape


def _split_key(key: str) -> tuple[str, str]:
    head, _sep, rest = key.partition(".")
    return head, rest


# The answers slots() reads, besides facts (_shaping_keys).
SHAPING_KEYS = frozenset({"institution", "institution_kind", "institution_country", "recipient.name", "dispute", "segment",
                          "writer_role", "sending"})


_SHAPING_ENTRIES = frozenset({key.partition(".")[0] for key in SHAPING_KEYS} | {"facts"})


def _slot_inputs(answers: Mapping[str, Any], typed: Mapping[str, Any]) -> dict[str, Any]:
    """merge_answers(answers, typed) for the entries slots() and _shaping_keys read only (SHAPING_KEYS and the
    facts): the sender, client and references need no copy to choose the slots."""
    return merge_answers({k: v for k, v in answers.items() if k in _SHAPING_ENTRIES},
                         {k: v for k, v in typed.items() if k in _SHAPING_ENTRIES})


def _shaping_keys(answers: Mapping[str, Any], cat: Catalogue) -> frozenset[str]:
    """The keys whose answers slots() reads: SHAPING_KEYS, and for the dispute answered the facts its questions' and
    documents' conditions name, and the product (plan.step_for). A dispute that slots() does not take reads no fact:
    the set is then larger than needed, which costs only a needless slots() call."""
    chosen = answers.get("dispute")
    dispute = cat.disputes.get(chosen) if isinstance(chosen, str) else None
    if dispute is None:
        return SHAPING_KEYS
    return _cached(cat, ("shaping-keys", dispute.id), lambda: SHAPING_KEYS | {"facts.product"} | {
        f"facts.{qid}" for when in [q.when for q in dispute.questions] + [r.when for r in dispute.evidence] for qid in when})


def _changed(before: Any, after: Any) -> bool:
    """False when slots() reads after as it read before: the same type and equal ("ing-belgium" typed as itself;
    not a CSV's "yes" typed as True)."""
    return type(before) is not type(after) or before != after


def _check_mediator(answers: Mapping[str, Any], typed: Mapping[str, Any], asked: bool, problems: list[Problem]) -> None:
    """A mediator is given only where the letter goes to one the catalogue does not know, and is not the institution."""
    given = answers.get("mediator")
    if not asked:
        if "dispute" in typed and isinstance(given, Mapping) and any(not _blank(v) for v in given.values()):
            problems.append(Problem("mediator", _("not used for this letter: only a mediation request to a mediator that plainte does not know (another institution in France) takes one; leave it out")))
        return
    name, institution = get(typed, "mediator.name"), get(typed, "recipient.name")
    if name and institution and str(name).casefold() == str(institution).casefold():
        problems.append(Problem("mediator.name", _("expected the mediator's name, not the institution's ({name}): the institution's answer to your complaint names its mediator").format(name=institution)))


def _parse_into(slot: Slot, answers: Mapping[str, Any], typed: dict[str, Any], problems: list[Problem]) -> bool:
    """Parse one slot's answer (or its default) into typed; a missing required answer is a problem. True when
    a value was put in typed. (get, _blank and put, unrolled: this runs for every answer of every row.)"""
    head, rest = slot.path
    raw = answers.get(head)
    if rest:
        raw = raw.get(rest) if type(raw) is dict or isinstance(raw, Mapping) else None
    if raw is None or ((not raw or raw.isspace()) if type(raw) is str else _blank(raw)):  # isspace: blank, no copy
        if slot.default is None:
            if slot.required:
                problems.append(Problem(slot.key, _("missing — {question}").format(question=slot.text())))
            return False
        raw = slot.default  # defaults come from data files: typed like any answer
    try:
        if slot.type == "postal-code":  # the only slot that reads another answer: its country, typed or as given
            value = _parse_postal_code(slot, raw, _merged_get(answers, typed, slot.country_key))
        else:
            value = slot.reader(raw)
    except FieldError as exc:
        problems.append(Problem(exc.field, exc.message))
        return False
    if not rest:
        typed[head] = value
    elif isinstance(inner := typed.get(head), dict):
        inner[rest] = value
    else:
        typed[head] = {rest: value}
    return True


# Facts dated in the future on purpose (a notice period that ends, a delivery expected, a first instalment
# offered); every other date in the facts is of something that has already happened.
FUTURE_FACTS = frozenset({"notice-period-end", "expected-delivery-date", "first-payment-date"})


def fact_date_problem(key: str, value: Any, letter_date: dt.date) -> Optional[str]:
    """A fact that has already happened cannot be dated after the letter (31/01 typed for 13/01): the message, or None."""
    qid = key.partition(".")[2] if key.startswith("facts.") else ""
    if not qid or qid in FUTURE_FACTS or not isinstance(value, dt.date) or value <= letter_date:
        return None
    return _("{date} is after the date of the letter ({letter}): check the day and the month").format(
        date=value.strftime("%d/%m/%Y"), letter=letter_date.strftime("%d/%m/%Y"))


def _merged_get(answers: Mapping[str, Any], typed: Mapping[str, Any], key: str) -> Any:
    """get(merge_answers(answers, typed), key) for a key inside a top-level entry, without copying every answer
    for it (a postal code reads its country so)."""
    head, _sep, rest = key.partition(".")
    holder = answers.get(head)
    if head in typed:
        own = typed[head]
        if _is_mapping(own) and _is_mapping(holder):  # merged entry by entry: the typed value wins
            return own[rest] if rest in own else holder.get(rest)
        holder = own  # replaces what was given
    return holder.get(rest) if _is_mapping(holder) else None


def _get_at(answers: Mapping[str, Any], path: tuple[str, str]) -> Any:
    """get(answers, key) for a slot's key already split (Slot.path)."""
    head, rest = path
    value = answers.get(head)
    if not rest:
        return value
    return value.get(rest) if _is_mapping(value) else None


def _is_mapping(value: Any) -> bool:
    return type(value) is dict or (type(value) is not str and isinstance(value, Mapping))  # the type tests first: fast


def _cross_checks(typed: Mapping[str, Any], problems: list[Problem], answers: Mapping[str, Any]) -> None:
    """Named rules across answers, too rich for a `when` condition in the data files."""
    facts = typed.get("facts") or {}
    letter_date = typed.get("date")
    if isinstance(letter_date, dt.date):
        for qid, value in facts.items():
            if not isinstance(value, dt.date):  # fact_date_problem reads only dates
                continue
            message = fact_date_problem(f"facts.{qid}", value, letter_date)
            if message and not any(p.field == f"facts.{qid}" for p in problems):
                problems.append(Problem(f"facts.{qid}", message))
    segment = answers.get("segment")
    if segment not in (None, "", "private", "business") and not any(p.field == "segment" for p in problems):
        problems.append(Problem("segment", _("expected private or business")))
    if typed.get("dispute") == "excessive-costs":
        claimed = facts.get("interest-claimed")
        since, demand = facts.get("interest-since"), facts.get("demand-date")
        if claimed and claimed > 0 and since is None and not any(p.field == "facts.interest-since" for p in problems):
            problems.append(Problem("facts.interest-since", _("needed when interest is claimed: the date from which the interest is counted")))
        if since is not None and demand is not None and since > demand:
            problems.append(Problem("facts.interest-since", _("must not be after the date of the demand ({date})").format(date=demand.strftime("%d/%m/%Y"))))


def merge_answers(answers: Mapping[str, Any], typed: Mapping[str, Any]) -> dict[str, Any]:
    """answers updated with typed, one level deep (nested mappings such as facts are merged, not replaced)."""
    merged: dict[str, Any] = {k: (dict(v) if type(v) is dict or (type(v) is not str and isinstance(v, Mapping)) else v)
                              for k, v in answers.items()}  # the type tests first: isinstance(_, Mapping) is slow
    for k, v in typed.items():
        if (type(v) is dict or (type(v) is not str and isinstance(v, Mapping))) and isinstance(merged.get(k), dict):
            merged[k].update(v)
        else:
            merged[k] = v
    return merged


def _check_unknown_ids(answers: Mapping[str, Any], cat: Catalogue, typed: Mapping[str, Any], problems: list[Problem]) -> None:
    dispute = cat.disputes.get(str(typed.get("dispute")))
    facts = answers.get("facts")
    if dispute is not None and isinstance(facts, Mapping):
        known = _cached(cat, ("question-ids", dispute.id), lambda: frozenset(q.id for q in dispute.questions))
        for qid in facts:
            if qid not in known:
                problems.append(Problem(f"facts.{qid}", _("unknown question for {dispute}; expected one of {ids}").format(dispute=dispute.id, ids=", ".join(sorted(known)))))


def build_case(answers: Mapping[str, Any], cat: Catalogue, *, today: dt.date | None = None) -> Case:
    """Validate an answers mapping and return the Case, or raise AnswersError listing every problem at once."""
    today = today or dt.date.today()
    typed, problems = validate(answers, cat, today=today)
    if problems:
        raise AnswersError(problems, _("The answers are incomplete or invalid:"))
    inst = resolve_institution(typed, cat)
    dispute = cat.disputes[typed["dispute"]]
    facts = MappingProxyType(dict(typed.get("facts") or {}))
    step = target_step(inst, dispute.level, cat, facts.get("product"))
    if step is None:
        raise AnswersError([Problem("dispute", _("{institution} has no such step on its ladder").format(institution=inst.label(ui_language())))])
    segment = typed.get("segment") or "private"
    entry, entry_step = recipient_entry(inst, step, cat)
    recipient = mediator_recipient(typed) if needs_mediator(entry_step) else make_recipient(entry, entry_step, typed, segment)
    role = typed["writer_role"]
    return Case(
        institution=inst,
        dispute=dispute,
        language=typed["language"],
        date=typed["date"],
        sending=typed["sending"],
        writer_role=role,
        segment=segment,
        sender=Person(**typed["sender"]),
        client=Person(**typed["client"]) if role == "social-worker" else None,
        organisation=typed.get("organisation", "") if role == "social-worker" else "",
        recipient=recipient,
        level=step.level,
        references=MappingProxyType({k: v for k, v in (typed.get("references") or {}).items() if v}),
        facts=facts,
        evidence=tuple(typed.get("evidence") or ()),
        history=tuple(typed.get("history") or ()),
        answers=MappingProxyType(dict(answers)),
    )


def make_recipient(entry: Institution, step: Step, typed: Mapping[str, Any], segment: str) -> Recipient:
    """The recipient block: catalogue address for the segment and step, or what the person gave."""
    given = typed.get("recipient") or {}
    supplied = entry.id == OTHER or bool(entry.user_supplies)  # else the catalogue knows who this is
    name = given.get("name") if supplied and given.get("name") else entry.label(typed.get("language"))
    postal = step.channel("postal", segment)
    email_ch = step.channel("email", segment)
    if given.get("street") and needs_address(entry, step, segment):
        address = _given_address(given)
    else:
        address = postal.address if postal else None
    return Recipient(
        name=name,
        service=pick(step.service, typed.get("language")) if step.service else "",
        attention=postal.attention if postal else "",
        address=address,
        email=(given.get("email") if supplied else "") or (email_ch.value if email_ch else ""),
    )


def mediator_recipient(typed: Mapping[str, Any]) -> Recipient:
    """The recipient block of a letter to the mediator the person named (the institution stays the one in dispute)."""
    given = typed["mediator"]
    return Recipient(name=given["name"], address=_given_address(given), email=given.get("email") or "")


def _given_address(given: Mapping[str, Any]) -> Address:
    """The postal address the person gave (a recipient's or a mediator's)."""
    return Address(street=given["street"], postal_code=given["postal_code"], city=given["city"], country=given.get("country", "BE"))


def missing(answers: Mapping[str, Any], cat: Catalogue, *, today: dt.date) -> list[Problem]:
    """Every problem with an answers mapping, without raising (for the no-terminal message and batch)."""
    return validate(answers, cat, today=today)[1]


AskFn = Callable[[Slot, Any, Optional[str]], Any]
