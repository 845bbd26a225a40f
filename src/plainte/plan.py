"""The plan for a Case: evidence needed and missing, waiting periods, deadlines, warnings, the next step."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Optional

from plainte import fields
from plainte.catalog import Catalogue, applies
from plainte.deadlines import Period, add_business_days, is_business_day
from plainte.errors import FieldError
from plainte.models import LEVELS as LEVEL_ORDER
from plainte.models import Case, Dispute, EvidenceRule, Institution, Step, Warning

# Without a deadline in the catalogue, the letter asks for an answer within 14 calendar days: a request,
# never stated as law (the same span Book XIX gives a consumer after a reminder, facts.md section 2).
DEFAULT_ANSWER = Period(days=14)
# A paper letter is taken as received on the 3rd business day after sending (the rule Book XIX applies
# to paper reminders, facts.md section 2); an e-mail the same day.
POSTAL_DELIVERY_DAYS = 3
MANDATE = "mandate"  # the evidence id of the client's signed mandate: every social-worker letter needs it


@dataclass(frozen=True)
class Wait:
    """Do not send before `until`: the reason is shown to the person."""

    until: dt.date
    business_days: int
    reason: dict


@dataclass(frozen=True)
class Plan:
    """What the person must know before sending, and the dates the letter states."""

    required: tuple[str, ...]
    recommended: tuple[str, ...]
    enclosed: tuple[str, ...]
    missing: tuple[str, ...]
    waits: tuple[Wait, ...]
    warnings: tuple[Warning, ...]
    received_on: dt.date
    acknowledge_due: Optional[dt.date]
    answer_due: dt.date
    answer_from_catalogue: bool
    next_step: Optional[Step]
    next_body: Optional[Institution]
    copy_to_creditor: bool

    @property
    def wait_until(self) -> Optional[dt.date]:
        return max((w.until for w in self.waits), default=None)


def business_country(case: Case) -> str:
    """The calendar used for business days: the institution's country when it is BE or FR, else the sender's."""
    return calendar_country(case.institution.country, case.sender.country)


def calendar_country(institution_country: Any, sender_country: Any) -> str:
    """business_country from the two countries (the wizard has answers, not yet a Case): BE when neither is BE or FR."""
    for country in (institution_country, sender_country):
        if country in ("BE", "FR"):
            return country
    return "BE"


def waits_for(dispute: Dispute, facts: Mapping[str, Any], country: str, day: dt.date) -> tuple[Wait, ...]:
    """The dispute's waiting periods still running on `day`, counted in business days of `country` from the date
    answer each starts from (a date, or, before the answers are checked, a text that reads as one)."""
    out = []
    for w in dispute.waiting:
        start = facts.get(w.after)
        if not applies(w.when, facts) or start in (None, ""):
            continue
        if not isinstance(start, dt.date):
            try:
                start = fields.parse_date(start, field=w.after)
            except FieldError:
                continue
        until = add_business_days(start, w.business_days, country)
        if day < until:
            out.append(Wait(until=until, business_days=w.business_days, reason=dict(w.reason)))
    return tuple(out)


def current_step(case: Case) -> Optional[Step]:
    """The ladder step the letter goes to."""
    return step_for(case.institution, case.level, case.facts.get("product"))


def next_step(case: Case) -> Optional[Step]:
    """The first step of the ladder above the letter's level."""
    here = LEVEL_ORDER.index(case.level)
    for s in case.institution.steps:
        if s.only_for is None and LEVEL_ORDER.index(s.level) > here:
            return s
    return None


# bodies_ahead by (institution, level, product): the ladder is catalogue data, the same for every row of an
# institution. Keyed by the institution object's id and checked by identity (another catalogue's entry of the
# same id never gets this one's answer); cleared when full, so it stays bounded.
_AHEAD: dict[tuple[int, str, Optional[str]], tuple[Institution, frozenset[str]]] = {}
AHEAD_MAX = 1024


def bodies_ahead(institution: Institution, level: str, product: object = None) -> frozenset[str]:
    """The bodies on the case's way ahead: the one the letter goes to and those above it, on the route the
    product takes (an insurance policy goes to the Insurance Ombudsman, not to Ombudsfin)."""
    if product is not None and not isinstance(product, str):  # an answer not yet checked: not cached
        return _bodies_ahead(institution, level, product)
    key = (id(institution), level, product)
    hit = _AHEAD.get(key)
    if hit is not None and hit[0] is institution:
        return hit[1]
    if len(_AHEAD) >= AHEAD_MAX:
        _AHEAD.clear()
    ahead = _bodies_ahead(institution, level, product)
    _AHEAD[key] = (institution, ahead)
    return ahead


def _bodies_ahead(institution: Institution, level: str, product: object) -> frozenset[str]:
    return frozenset(step.body for _level, step in ladder_from(institution, level, product) if step.body)


def ladder_from(institution: Institution, level: str, product: object = None, above: bool = False) -> list[tuple[str, Step]]:
    """(level, step) for every rung from level (or above it) on the product's route, in ladder order."""
    here = LEVEL_ORDER.index(level) if level in LEVEL_ORDER else 0
    rungs = ((lvl, step_for(institution, lvl, product)) for lvl in LEVEL_ORDER[here + 1 if above else here:])
    return [(lvl, step) for lvl, step in rungs if step is not None]


def step_for(institution: Institution, level: str, product: object = None) -> Optional[Step]:
    """The ladder step a letter of this level goes to: the insurance route for insurance products."""
    if level == "mediation" and product == "insurance":
        for s in institution.steps:
            if s.level == "mediation" and s.only_for == "insurance":
                return s
    return institution.step(level)


def step_recipient_label(cat: Any, body: Optional[str], otherwise: str, lang: str) -> str:
    """Whom a ladder step's letter goes to, named on a screen: the body that handles the step (Ombudsfin ...)
    by its name in lang, when the catalogue has it; else `otherwise` (the institution, or the name the letter
    was addressed to)."""
    entry = cat.institutions.get(body) if cat is not None and body else None
    return entry.label(lang) if entry is not None else otherwise


def warning_applies(warning: Warning, facts: Mapping[str, Any], country: str, ahead: frozenset[str]) -> bool:
    """A warning applies when its answers condition holds, the institution is of one of its countries, and
    the bodies on the way ahead are those it speaks of (the Ombudsfin year only where Ombudsfin comes next)."""
    if not applies(warning.when, facts):
        return False
    if warning.countries and country not in warning.countries:
        return False
    if warning.bodies and not ahead & set(warning.bodies):
        return False
    return not ahead & set(warning.except_bodies)


def warnings_for(dispute: Dispute, institution: Institution, facts: Mapping[str, Any]) -> tuple[Warning, ...]:
    """The dispute's warnings that apply to this institution's country and ladder, and to these answers."""
    ahead = bodies_ahead(institution, dispute.level, facts.get("product"))
    return tuple(w for w in dispute.warnings if warning_applies(w, facts, institution.country, ahead))


def documents_for(dispute: Dispute, facts: Mapping[str, Any], writer_role: Any, cat: Catalogue) -> tuple[EvidenceRule, ...]:
    """The evidence rules that apply to these answers, in the dispute's order. Named rule: a mandate only when a
    social worker writes for a client, and then always, whatever the dispute (first, required: the letter
    encloses it, or says it will follow, and the person is told how to get it)."""
    social = writer_role == "social-worker"
    rules = [r for r in dispute.evidence if applies(r.when, facts) and (r.evidence != MANDATE or social)]
    if social and MANDATE in cat.evidence and MANDATE not in [r.evidence for r in rules]:
        rules.insert(0, EvidenceRule(MANDATE))
    return tuple(rules)


@lru_cache(maxsize=4096)  # a pure function of (date, country), asked for the same few dates by every letter
def next_business_day(day: dt.date, country: str) -> dt.date:
    """The day itself when it is a business day, else the next one: a deadline falling on a weekend or a
    legal holiday moves to the next working day (the reading art. 1.7 of the Belgian Civil Code gives)."""
    while not is_business_day(day, country):
        day += dt.timedelta(days=1)
    return day


def _copy_to_creditor(case: Case) -> bool:
    """Writing to a Belgian collector, the letter goes in copy to the creditor, when there is a known one."""
    if case.institution.kind != "collector" or case.institution.country != "BE":
        return False
    return bool(case.facts.get("creditor")) or case.dispute.id != "unrecognised-claim"


def make_plan(case: Case, cat: Catalogue) -> Plan:
    """Pure function of the Case and the catalogue."""
    facts = case.facts
    rules = documents_for(case.dispute, facts, case.writer_role, cat)
    required = tuple(r.evidence for r in rules if r.required)
    recommended = tuple(r.evidence for r in rules if not r.required)
    country = business_country(case)
    waits = waits_for(case.dispute, facts, country, case.date)
    received = case.date if case.sending == "email" else add_business_days(case.date, POSTAL_DELIVERY_DAYS, country)
    step = current_step(case)
    handler = step
    if step is not None and step.body:
        handler = cat.institutions[step.body].step("complaint")
    ack = handler.acknowledge.after(received, country) if handler is not None and handler.acknowledge else None
    period = handler.answer if handler is not None and handler.answer else None
    answer_due = next_business_day((period or DEFAULT_ANSWER).after(received, country), country)
    nxt = next_step(case)
    return Plan(
        required=required,
        recommended=recommended,
        enclosed=tuple(case.evidence),
        missing=tuple(e for e in required if e not in case.evidence),
        waits=waits,
        warnings=warnings_for(case.dispute, case.institution, facts),
        received_on=received,
        acknowledge_due=ack,
        answer_due=answer_due,
        answer_from_catalogue=period is not None,
        next_step=nxt,
        next_body=cat.institutions.get(nxt.body) if nxt is not None and nxt.body else None,
        copy_to_creditor=_copy_to_creditor(case),
    )
