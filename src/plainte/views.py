"""Plain, JSON-ready views of the catalogue and of a Plan, in a chosen language: what commands print."""

from __future__ import annotations

from typing import Any

from plainte.catalog import Catalogue, applies
from plainte.i18n import _, ngettext, pick
from plainte.models import Channel, Dispute, Institution, Step

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _day_label(day: str) -> str:
    return {"mon": _("Mon"), "tue": _("Tue"), "wed": _("Wed"), "thu": _("Thu"), "fri": _("Fri"),
            "sat": _("Sat"), "sun": _("Sun")}[day]


def channel_view(ch: Channel, lang: str) -> dict[str, Any]:
    out: dict[str, Any] = {"type": ch.type}
    if ch.segment:
        out["segment"] = ch.segment
    if ch.value:
        out["value"] = ch.value
    if ch.attention:
        out["attention"] = ch.attention
    if ch.type == "postal":
        out["address"] = (
            {"street": ch.address.street, "box": ch.address.box, "postal_code": ch.address.postal_code,
             "city": ch.address.city, "country": ch.address.country}
            if ch.address else None
        )
    if ch.hours:
        out["hours"] = [{"days": list(h.days), "start": h.start, "end": h.end} for h in ch.hours]
        out["hours_text"] = "; ".join(
            f"{', '.join(_day_label(d) for d in h.days)} {h.start}–{h.end}" for h in ch.hours)
    if ch.note:
        out["note"] = pick(ch.note, lang)
    return out


def _period(p: Any) -> dict[str, int] | None:
    if p is None:
        return None
    return {k: v for k, v in (("business_days", p.business_days), ("months", p.months), ("days", p.days)) if v}


def period_text(p: Any) -> str:
    """"5 business days", "1 month" in the UI language."""
    if p is None:
        return ""
    parts = []
    if p.months:
        parts.append(ngettext("{n} month", "{n} months", p.months).format(n=p.months))
    if p.days:
        parts.append(ngettext("{n} day", "{n} days", p.days).format(n=p.days))
    if p.business_days:
        parts.append(ngettext("{n} business day", "{n} business days", p.business_days).format(n=p.business_days))
    return " + ".join(parts)


def step_view(step: Step, cat: Catalogue, lang: str) -> dict[str, Any]:
    out: dict[str, Any] = {"level": step.level}
    if step.service:
        out["service"] = pick(step.service, lang)
    if step.body:
        body = cat.institutions[step.body]
        out["body"] = step.body
        out["body_name"] = body.label(lang)
        handler = body.step("complaint")
        out["channels"] = [channel_view(c, lang) for c in (handler.channels if handler else ())]
    else:
        out["channels"] = [channel_view(c, lang) for c in step.channels]
    if step.only_for:
        out["only_for"] = step.only_for
    out["acknowledge"] = _period(step.acknowledge)
    out["answer"] = _period(step.answer)
    if step.note:
        out["note"] = pick(step.note, lang)
    if step.source:
        out["source"] = {"ref": step.source.ref, "checked": step.source.checked.isoformat()}
    return out


def institution_summary(inst: Institution, lang: str) -> dict[str, Any]:
    return {"id": inst.id, "name": inst.label(lang), "kind": inst.kind, "country": inst.country,
            "description": pick(inst.description, lang) if inst.description else "", "origin": inst.origin}


def institution_view(inst: Institution, cat: Catalogue, lang: str) -> dict[str, Any]:
    out = institution_summary(inst, lang)
    out.update({
        "languages": list(inst.languages),
        "segments": list(inst.segments),
        "asks_for": [pick(a, lang) for a in inst.asks_for],
        "user_supplies": list(inst.user_supplies),
        "notes": [pick(n, lang) for n in inst.notes],
        "ladder": [step_view(s, cat, lang) for s in inst.steps],
        "source": {"ref": inst.source.ref, "checked": inst.source.checked.isoformat()} if inst.source else None,
        "disputes": [d.id for d in cat.disputes_for(inst)],
    })
    return out


def dispute_summary(d: Dispute, lang: str) -> dict[str, Any]:
    return {"id": d.id, "label": pick(d.label, lang), "summary": pick(d.summary, lang), "level": d.level, "kinds": list(d.kinds)}


def dispute_view(d: Dispute, cat: Catalogue, lang: str) -> dict[str, Any]:
    out = dispute_summary(d, lang)
    out["letter"] = d.letter
    out["questions"] = [
        {"id": q.id, "type": q.type, "required": q.required, "label": pick(q.label, lang),
         **({"help": pick(q.help, lang)} if q.help else {}),
         **({"choices": [c.id for c in q.choices], "choice_labels": {c.id: pick(c.label, lang) for c in q.choices}} if q.choices else {}),
         **({"when": dict(q.when)} if q.when else {}),
         **({"default": q.default} if q.default is not None else {})}
        for q in d.questions
    ]
    out["evidence"] = [
        {"id": r.evidence, "required": r.required, "label": pick(cat.evidence[r.evidence].label, lang), **({"when": dict(r.when)} if r.when else {})}
        for r in d.evidence
    ]
    out["waiting"] = [{"after": w.after, "business_days": w.business_days, "when": dict(w.when), "reason": pick(w.reason, lang)} for w in d.waiting]
    out["warnings"] = [{"id": w.id, "text": pick(w.text, lang), **({"when": dict(w.when)} if w.when else {}),
                        **{k: list(getattr(w, k)) for k in ("countries", "bodies", "except_bodies") if getattr(w, k)}}
                       for w in d.warnings]
    out["source"] = {"ref": d.source.ref, "checked": d.source.checked.isoformat()} if d.source else None
    return out


def checklist(d: Dispute, cat: Catalogue, lang: str, facts: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The evidence checklist: required then recommended, with what counts, what does not, how to get it."""
    rows = []
    for r in sorted(d.evidence, key=lambda r: not r.required):
        if facts is not None and not applies(r.when, facts):
            continue
        e = cat.evidence[r.evidence]
        rows.append({
            "id": e.id,
            "required": r.required,
            "conditional": bool(r.when),
            "label": pick(e.label, lang),
            "valid": pick(e.valid, lang),
            "invalid": pick(e.invalid, lang) if e.invalid else "",
            "obtain": pick(e.obtain, lang),
            "source": {"ref": e.source.ref, "checked": e.source.checked.isoformat()} if e.source else None,
        })
    return rows
