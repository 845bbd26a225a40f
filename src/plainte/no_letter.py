"""What to do at a rung plainte writes no letter for: a report to the regulator, court, or nothing left on the ladder."""

from __future__ import annotations

from typing import Any, Optional

from plainte.i18n import _

CONSUMERCONNECT = "https://consumerconnect.be"
ACPR_URL = "https://acpr.banque-france.fr"


def court_advice(country: str) -> str:
    """Court is what remains for the dispute itself: advice from a lawyer or legal aid first (in Belgium, a
    legal aid service also says whether a free pro deo lawyer can be had)."""
    if country == "BE":
        return _("Only a court can settle the dispute itself. Before you go to court, ask a lawyer or a legal aid service (aide juridique / juridische bijstand) for advice; the legal aid service can also tell you whether you can get a lawyer free of charge or at a reduced cost (pro deo).")
    return _("Only a court can settle the dispute itself. Before you go to court, ask a lawyer or a legal aid service for advice.")


def _portal(body: Any) -> Optional[str]:
    if body is None:
        return None
    step = body.step("complaint")
    ch = step.channel("portal", "private") if step is not None else None
    return ch.value if ch is not None else None


def _guidance(body: Any, step_note: Any) -> str:
    """What the catalogue says of this rung (when it fits) and of reaching its body (where to find its address)."""
    from plainte.i18n import pick, ui_language

    lang = ui_language()
    parts = [pick(step_note, lang)] if step_note else []
    step = body.step("complaint") if body is not None else None
    note = next((ch.note for ch in (step.channels if step is not None else ()) if ch.note), None)
    if note:
        parts.append(pick(note, lang))
    return "".join(" " + p for p in parts if p)


def regulator_message(body: Any, who: str, country: str, step_note: Any = None) -> str:
    """The report to the regulator (which settles no individual dispute), then court."""
    portal = _portal(body)
    if (body is not None and body.id == "economic-inspection") or (portal and "consumerconnect" in portal):
        text = _("The next step is a report to the regulator, the Economic Inspection of the FPS Economy. plainte writes no letter for it: report the problem at {url} (ConsumerConnect). ConsumerConnect passes your report to the Economic Inspection and tells you which ombudsman can help; the Economic Inspection takes reports but does not settle your own dispute.").format(
            url=portal or CONSUMERCONNECT)
    elif body is not None and body.id == "acpr":
        text = _("The next step is a report to the regulator, the ACPR (Autorité de contrôle prudentiel et de résolution). plainte writes no letter for it: the ACPR does not settle your own dispute, but you can report the institution's breach of the rules and send it a copy of your complaint ({url}).").format(
            url=portal or ACPR_URL)
    else:
        text = _("The next step is {body}. plainte writes no letter for it: contact it directly{channel}.").format(
            body=who, channel=f" ({portal})" if portal else "") + _guidance(body, step_note)
    return text + " " + court_advice(country)


def court_message(court: Optional[str], institution: str, country: str, past_every_step: bool, body: Any = None,
                  step_note: Any = None) -> str:
    """The court rung (named when the catalogue knows the court), or court all the same when it names none."""
    if court:
        head = _("The next step is court ({body}). plainte writes no letter for it.").format(body=court) + _guidance(body, step_note)
    elif past_every_step:
        head = _("Every step plainte knows for {institution} is behind you, and plainte writes no letter for court.").format(
            institution=institution)
    else:
        head = _("plainte writes no letter for court.")
    return head + " " + court_advice(country)


def no_letter(level: str, body: Any, who: str, institution: str, country: str, past_every_step: bool = False,
              step_note: Any = None) -> str:
    """What to do at a rung plainte writes no letter for (step_note: the ladder's note on when that rung fits)."""
    if level == "regulator":
        return regulator_message(body, who, country, step_note)
    if level == "court":
        return court_message(who if body is not None else None, institution, country, past_every_step, body, step_note)
    return _("plainte has no letter for the next step ({body}): contact it directly.").format(body=who)
