"""Builds a letter's template context from a Case and its Plan: plain values, user text never a template."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from plainte.catalog import Catalogue
from plainte.countries import country_name
from plainte.i18n import pick
from plainte.letters import md_escape
from plainte.models import Address, Case, Person
from plainte.plan import Plan

BOX = {"fr": "boîte", "nl": "bus", "en": "box"}


def _escape_for(fmt: str) -> Callable[[Any], Any]:
    if fmt == "md":
        return lambda v: md_escape(v) if isinstance(v, str) else v
    return lambda v: v


def address_lines(address: Address | None, lang: str, home_country: str) -> list[str]:
    """Street (with box), postal code and city, and the country when it differs from the sender's."""
    if address is None:
        return []
    street = address.street + (f" {BOX[lang]} {address.box}" if address.box else "")
    return _place_lines(street, address.postal_code, address.city, address.country, lang, home_country)


def _place_lines(street: str, postal_code: str, city: str, country: str, lang: str, home_country: str) -> list[str]:
    lines = [street, f"{postal_code} {city}"]
    if country != home_country:
        lines.append(country_name(country, lang).upper())
    return lines


def person_lines(person: Person, lang: str, home_country: str) -> list[str]:
    """A person's name and address lines (a person's address has no box of its own)."""
    if not person.street:
        return [person.name]
    return [person.name] + _place_lines(person.street, person.postal_code, person.city, person.country, lang, home_country)


def enclosures(case: Case, plan: Plan, cat: Catalogue) -> list[str]:
    """The documents the person has and encloses, in the letter's language: only those (a document they do
    not have is never listed; the letter says it will follow). When the earlier letters are known (history),
    the template lists a copy of each instead of the generic copy of the complaint."""
    ids = [e for e in plan.enclosed if not (case.history and e == "complaint-copy")]
    return [pick(cat.evidence[e].label, case.language) for e in ids]


def cost_check(case: Case) -> dict[str, Any] | None:
    """For the excessive-costs letter: each cost claimed against its legal maximum (Book XIX)."""
    if case.dispute.id != "excessive-costs":
        return None
    from decimal import Decimal

    from plainte.costs import Claim, check_costs

    f = case.facts
    zero = Decimal("0")
    since = f.get("interest-since")
    claim = Claim(
        balance=f["balance"], damages=f.get("damages-claimed", zero), reminders=f.get("reminders", 0),
        reminder_fees=f.get("reminder-fees-claimed", zero), interest=f.get("interest-claimed", zero),
        since=since, until=(f.get("demand-date") or case.date) if since else None,
        collection_fees=f.get("collection-fees-claimed", zero), debt_type=f.get("debt-type", "consumer-goods-services"),
    )
    result = check_costs(claim)
    return {
        "applies": result.applies,
        "reason": result.reason,
        "lines": [{"item": ln.item, "claimed": ln.claimed, "allowed": ln.allowed, "excess": ln.excess, "note": ln.note or ""}
                  for ln in result.lines],
        "total_claimed": result.total_claimed,
        "total_excess": result.total_excess,
        "asserted": result.total_allowed is not None,
    }


def build_context(case: Case, plan: Plan, cat: Catalogue, fmt: str) -> dict[str, Any]:
    """Everything the templates read, already typed; strings escaped for Markdown where needed."""
    lang = case.language
    esc = _escape_for(fmt)
    home = case.sender.country
    recipient = case.recipient
    recipient_lines = [recipient.name]
    if recipient.service and not recipient.attention and recipient.service.lower() not in recipient.name.lower():
        # the "Attn." line names the service more precisely; a service that repeats the name is left out
        recipient_lines.append(recipient.service)
    if recipient.attention:
        recipient_lines.append(recipient.attention)
    recipient_lines += address_lines(recipient.address, lang, home)
    sender_lines = person_lines(case.sender, lang, home)
    if case.organisation:
        sender_lines = [case.organisation] + sender_lines
    contact = [x for x in (case.sender.phone, case.sender.email) if x]
    facts = {k: esc(v) for k, v in case.facts.items()}
    creditor = case.facts.get("creditor") or ""
    evidence_label = lambda eid: pick(cat.evidence[eid].label, lang)  # noqa: E731
    return {
        "case": {"dispute": case.dispute.id, "level": case.level, "sending": case.sending, "segment": case.segment,
                 "writer_role": case.writer_role},
        "institution": {"id": case.institution.id, "name": esc(case.institution.label(lang)), "kind": case.institution.kind,
                        "country": case.institution.country},
        "sender": {"name": esc(case.sender.name), "city": esc(case.sender.city), "email": esc(case.sender.email),
                   "phone": esc(case.sender.phone)},
        "sender_lines": [esc(x) for x in sender_lines],
        "sender_contact": [esc(x) for x in contact],
        "organisation": esc(case.organisation),
        "client": {"name": esc(case.client.name)} if case.client else None,
        "client_lines": [esc(x) for x in person_lines(case.client, lang, home)] if case.client else [],
        "recipient_lines": [esc(x) for x in recipient_lines],
        "to_body": recipient.name != case.institution.label(lang),
        "answer_from_catalogue": plan.answer_from_catalogue,
        "recipient_email": recipient.email,
        "date": case.date,
        "place": esc(case.sender.city),
        "references": {k: esc(case.references.get(k, "")) for k in ("file_number", "contract_number", "customer_number")},
        "facts": facts,
        "creditor": esc(creditor),
        "enclosures": enclosures(case, plan, cat),
        "enclosed_ids": list(plan.enclosed),
        "history": [{"level": h.level, "date": h.date, "sent": h.sent if h.sent != h.date else None, "reference": esc(h.reference), "answered": h.answered}
                    for h in case.history],
        "missing": [evidence_label(e) for e in plan.missing],
        "answer_due": plan.answer_due,
        "acknowledge_due": plan.acknowledge_due,
        "copy_to_creditor": plan.copy_to_creditor,
        "signature": esc(case.sender.name),
        "costs": cost_check(case),
    }
