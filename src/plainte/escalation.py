"""What comes after a letter, and when: the next rung of a case's ladder and the answers of its letter.

complaint -> complaint-review (only where the institution has that step) -> mediation-request (Ombudsfin,
the Insurance Ombudsman, the French médiateur) -> the regulator (Belgium: a report through ConsumerConnect,
no letter) -> court (no letter). The next letter reuses the case's answers; what the case does not know is
returned as missing answers, for the CLI to ask or to list.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Optional

from plainte.cases import LEVEL_ORDER, REMINDER, CaseDetail, CaseStore, StepInfo, show_case
from plainte.deadlines import add_months
from plainte.errors import CatalogueError, NotYetError, Problem, UsageError
from plainte.i18n import _, pick, ui_language
from plainte.models import Step
from plainte.no_letter import no_letter

# Ombudsfin may refuse a request filed more than one year after the written complaint (facts.md section 3);
# the French médiateur is seized at the latest one year after it, and after 2 months without an answer
# (Consumer Code L612-2, facts.md section 4).
MEDIATION_LIMIT_MONTHS = 12
FR_NO_ANSWER_MONTHS = 2
LIMIT_WARNING_DAYS = 60
LETTER_FOR_LEVEL = {"complaint-review": "complaint-review", "mediation": "mediation-request"}
# Answers a letter shares with the one before it.
KEPT_KEYS = ("institution", "institution_kind", "institution_country", "language", "sending", "writer_role", "segment",
             "organisation", "sender", "client")


@dataclass(frozen=True)
class Escalation:
    """The next rung of a case: the answers of its letter, or a message when plainte writes no letter for it."""

    case_id: int
    from_level: str
    level: str
    dispute: Optional[str]
    body: Optional[str]  # catalogue id of the body that handles the step (ombudsfin ...), None for the institution
    recipient: str  # who the next letter (or report) goes to
    answers: Optional[dict[str, Any]]
    missing: tuple[Problem, ...]
    warnings: tuple[str, ...]
    message: str
    possible_from: dt.date
    answer_due: Optional[dt.date] = None  # the answer date of the case's latest letter
    answer_due_kind: str = REMINDER  # DEADLINE (from the catalogue) or REMINDER (plainte's follow-up default)

    @property
    def has_letter(self) -> bool:
        return self.answers is not None

    def to_dict(self) -> dict[str, Any]:
        from plainte.answers import _plain

        return {
            "case": self.case_id, "from_level": self.from_level, "level": self.level, "dispute": self.dispute,
            "body": self.body, "recipient": self.recipient,
            "answers": _plain(self.answers) if self.answers is not None else None,
            "missing": [{"field": p.field, "message": p.message} for p in self.missing],
            "warnings": list(self.warnings), "message": self.message, "possible_from": self.possible_from.isoformat(),
            "answer_due": self.answer_due.isoformat() if self.answer_due else None, "answer_due_kind": self.answer_due_kind,
        }


def _format_day(day: dt.date) -> str:
    from plainte.letters import format_day

    return format_day(day, ui_language())


def _has_limit(country: str, body: str) -> bool:
    """A one-year time limit is known for Ombudsfin and for the French médiateur."""
    return body == "ombudsfin" or country == "FR"


def next_step_limit(ladder: Sequence[Sequence[str]], level: str, country: str, complaint_sent: dt.date) -> Optional[dt.date]:
    """The last day to ask the ombudsman or médiateur, when one is on the ladder above level: one year after
    the written complaint (the internal review does not stop that clock)."""
    here = LEVEL_ORDER.index(level) if level in LEVEL_ORDER else 0
    for rung_level, body in ladder:
        if rung_level == "mediation" and LEVEL_ORDER.index(rung_level) > here and _has_limit(country, body):
            return add_months(complaint_sent, MEDIATION_LIMIT_MONTHS)
    return None


def limit_warnings(limit: Optional[dt.date], complaint_sent: dt.date, country: str, today: dt.date) -> list[str]:
    """Warnings when the one-year limit is within LIMIT_WARNING_DAYS or passed."""
    if limit is None or today < limit - dt.timedelta(days=LIMIT_WARNING_DAYS):
        return []
    args = {"complaint": _format_day(complaint_sent), "limit": _format_day(limit)}
    if country == "FR":
        if today > limit:
            return [_("More than one year has passed since your written complaint of {complaint}: the mediator (médiateur) may refuse the request, as it is seized at the latest one year after that complaint ({limit}).").format(**args)]
        return [_("The mediator (médiateur) is seized at the latest one year after your written complaint of {complaint}: send your request by {limit}.").format(**args)]
    if today > limit:
        return [_("More than one year has passed since your written complaint of {complaint}: Ombudsfin may refuse a request filed after {limit}. You can still send it; explain why it comes late.").format(**args)]
    return [_("Ombudsfin may refuse a request filed more than one year after your written complaint of {complaint}: send your request by {limit} at the latest.").format(**args)]


# -- facts -------------------------------------------------------------------------------------------------------


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _first(steps: Sequence[StepInfo], *keys: str) -> Any:
    for s in steps:
        for key in keys:
            if not _blank(s.facts.get(key)):
                return s.facts[key]
    return None


def _last(steps: Sequence[StepInfo], *keys: str) -> Any:
    return _first(list(reversed(steps)), *keys)


def _answered_step(steps: Sequence[StepInfo]) -> Optional[StepInfo]:
    """The latest step the institution answered."""
    for s in reversed(steps):
        if s.answered is not None:
            return s
    return None


def _facts(level: str, detail: CaseDetail, cat: Any, lang: str) -> dict[str, Any]:
    steps = detail.steps
    complaint_sent = detail.first.sent or detail.first.letter_date
    answered = _answered_step(steps)
    subject = _first(steps, "subject")
    if subject is None:  # a first letter of another kind: its dispute's name says what it was about
        first_dispute = cat.disputes.get(detail.first.dispute)
        subject = pick(first_dispute.label, lang) if first_dispute is not None else None
    facts: dict[str, Any] = {"subject": subject, "complaint-date": complaint_sent.isoformat(),
                             "answer-received": answered is not None}
    if answered is not None:
        facts["answer-date"] = answered.answered.isoformat()
    facts["expectation"] = _last(steps, "expectation")
    if answered is not None and not _blank(answered.outcome):
        facts["answer-summary"] = answered.outcome  # the institution's answer, quoted as its answer
    if level != "complaint-review":  # a review asks the person why the answer does not do (a missing answer)
        facts["product"] = _first(steps, "product")
        facts["description"] = _first(steps, "description")
        facts["amount"] = _first(steps, "amount", "claimed-amount")
        facts["court-case"] = False
    return {k: v for k, v in facts.items() if not _blank(v)}


def _evidence(detail: CaseDetail, dispute: Any, facts: Mapping[str, Any]) -> list[str]:
    from plainte.catalog import applies

    wanted = ["complaint-copy"]
    if facts.get("answer-received"):
        wanted.append("institution-answer")
    if detail.first.sending != "post":  # a registered letter's receipt, or the e-mail sent, proves the sending
        wanted.append("proof-of-sending")
    given = {e for s in detail.steps for e in (s.answers.get("evidence") or []) if isinstance(e, str)}
    wanted += [e for e in ("contract",) if e in given]
    allowed = [r.evidence for r in dispute.evidence if applies(r.when, facts)]  # the dispute's order
    return [e for e in allowed if e in wanted]


def _recipient(base: Mapping[str, Any], step: Any, named: bool) -> Optional[dict[str, Any]]:
    """What the person gave for the recipient, when it still applies to the next letter (named: the person gives
    the institution's name, as for one outside the catalogue or a generic profile)."""
    given = base.get("recipient")
    if not isinstance(given, Mapping):
        return None
    if step.body is None:
        return dict(given)  # the same institution: the address given for it still holds
    if named and given.get("name"):
        return {"name": given["name"]}  # the name is the institution's; the address was its own, not the body's
    return None


def _answers(detail: CaseDetail, dispute: Any, step: Any, cat: Any, today: dt.date, named: bool) -> dict[str, Any]:
    base = detail.last.answers
    answers: dict[str, Any] = {k: copy.deepcopy(base[k]) for k in KEPT_KEYS if k in base}
    answers["dispute"] = dispute.id
    answers["date"] = today.isoformat()
    refs = {k: v for k, v in dict(base.get("references") or {}).items() if not _blank(v)}
    reference = next((s.reference for s in reversed(detail.steps) if s.reference), None)
    if reference and not refs.get("file_number"):
        refs["file_number"] = reference  # the institution's reference for the complaint
    if refs:
        answers["references"] = refs
    recipient = _recipient(base, step, named)
    if recipient:
        answers["recipient"] = recipient
    facts = _facts(dispute.level, detail, cat, str(base.get("language") or "en"))
    answers["facts"] = facts
    answers["evidence"] = _evidence(detail, dispute, facts)
    from plainte.history import from_steps

    answers["history"] = from_steps(detail.steps)  # the letter names each earlier letter and encloses a copy
    return answers


# -- the next rung -----------------------------------------------------------------------------------------------


def _ladder_above(inst: Any, level: str, product: Any) -> list[tuple[str, Any]]:
    """(level, step) for every rung above level, in ladder order."""
    from plainte.plan import ladder_from

    return ladder_from(inst, level, product, above=True)


def step_recipient(inst: Any, step: Step, cat: Any, answers: Mapping[str, Any]) -> str:
    """Whom a rung's letter (or report) goes to, named in the UI language: the body that handles the step; for a
    mediation step without a body (France: the institution's own médiateur), the mediator the person named, else
    that institution's mediator; otherwise the institution itself."""
    from plainte.interview import get, needs_mediator
    from plainte.plan import step_recipient_label

    lang = ui_language()
    if needs_mediator(step):
        named = get(answers, "mediator.name")
        if isinstance(named, str) and named.strip():
            return named.strip()
        return _("the mediator (médiateur) of {institution}").format(institution=inst.label(lang))
    return step_recipient_label(cat, step.body, inst.label(lang), lang)


def _dispute_for(cat: Any, inst: Any, level: str) -> Any:
    did = LETTER_FOR_LEVEL.get(level)
    if did is None or did not in cat.disputes:
        return None
    if did not in {d.id for d in cat.disputes_for(inst)}:
        return None
    return cat.disputes[did]


def next_letter(store: CaseStore, case_id: int, cat: Any, today: dt.date, now: bool = False, to: Optional[str] = None) -> Escalation:
    """The next rung of a case and the answers of its letter, built from the case's answers.

    Refuses (NotYetError) before the answer deadline of the case's latest letter has passed, unless `now`
    or the answer was already received. Letters are not rendered nor recorded here: the caller renders the
    answers (when nothing is missing) and records the letter with record_letter(..., case_id=...)."""
    from plainte.interview import missing, needs_mediator, resolve_institution

    detail = show_case(store, case_id)
    if detail.closed is not None:
        raise UsageError(_("case {id} is closed: nothing to escalate").format(id=case_id))
    last, first = detail.last, detail.first
    base = last.answers
    inst = resolve_institution(base, cat)
    if inst is None:
        raise CatalogueError(_("the institution {institution} of case {id} is not in the catalogue any more").format(
            institution=detail.summary.institution, id=case_id))
    product = _first(detail.steps, "product")
    above = _ladder_above(inst, last.level, product)
    rungs = above
    if to is not None:
        rungs = [r for r in above if r[0] == to]
        if not rungs and to != "court":  # court remains when the catalogue names none
            raise UsageError(_("{level} is not a step above {current} on the ladder of {institution}").format(
                level=to, current=last.level, institution=inst.label(ui_language())))
    # past every rung plainte knows, court remains (no letter)
    level, step = rungs[0] if rungs else ("court", Step(level="court"))
    body = cat.institutions.get(step.body) if step.body else None
    from plainte.case_queries import shown_recipient

    inst_name = inst.label(ui_language())
    recipient = step_recipient(inst, step, cat, base)
    possible_from = last.answer_due + dt.timedelta(days=1)
    dispute = _dispute_for(cat, inst, level)
    warnings: list[str] = []
    answered = last.answered is not None
    if not answered and today < possible_from:
        args = {"recipient": shown_recipient(detail, last, cat), "due": _format_day(last.answer_due), "date": _format_day(last.sent or last.letter_date),
                "start": _format_day(possible_from), "id": case_id, "body": recipient, "DATE": _("DATE")}
        if not now:
            if last.answer_deadline:
                raise NotYetError(_("{recipient} has until {due} to answer your letter of {date}: you can escalate from {start} on. If the answer has come, record it with plainte cases update {id} --answered {DATE}; to escalate now anyway, add --now.").format(**args))
            raise NotYetError(_("No answer period is known for {recipient}, so plainte gives it time: it will remind you on {due} to check whether your letter of {date} has been answered, and you can escalate from {start} on. If the answer has come, record it with plainte cases update {id} --answered {DATE}; to escalate now anyway, add --now.").format(**args))
        if last.answer_deadline:
            warnings.append(_("You escalate before the answer deadline of {date}: {body} may ask you to wait for that answer first.").format(
                date=args["due"], body=recipient))
        else:
            warnings.append(_("You escalate before {due}, the day plainte set to check for an answer from {recipient}: {body} may ask you to wait for that answer first.").format(**args))
    if dispute is None:
        return Escalation(case_id=case_id, from_level=last.level, level=level, dispute=None, body=step.body,
                          recipient=recipient, answers=None, missing=(), warnings=tuple(warnings),
                          message=no_letter(level, body, recipient, inst_name, inst.country, past_every_step=not above,
                                            step_note=step.note),
                          possible_from=possible_from, answer_due=last.answer_due, answer_due_kind=last.answer_due_kind)
    if last.sent is None:
        warnings.append(_("Your letter of {date} is not marked as sent: its date is taken as the sending date. Record the real day with plainte cases update {id} --sent {DATE}.").format(
            date=_format_day(last.letter_date), id=case_id, DATE=_("DATE")))
    complaint_sent = first.sent or first.letter_date
    country = inst.country
    ladder = [(lvl, s.body or "") for lvl, s in rungs]
    warnings += limit_warnings(next_step_limit(ladder, last.level, country, complaint_sent), complaint_sent, country, today)
    if level == "mediation" and country == "FR" and _answered_step(detail.steps) is None:
        after = add_months(complaint_sent, FR_NO_ANSWER_MONTHS)
        if today < after:
            warnings.append(_("In France, the mediator (médiateur) is seized after a refusal, or after 2 months without an answer to your written complaint: here from {date}.").format(
                date=_format_day(after)))
    answers = _answers(detail, dispute, step, cat, today, "name" in inst.user_supplies)
    if (step.body or needs_mediator(step)) and answers["facts"].get("description"):  # facts written to the institution now go to a body or mediator
        warnings.append(_("This request repeats the facts as your first letter told them to {institution}; it now goes to {body}. Read them again: where they speak to {institution} directly, name it instead. To change them: plainte cases escalate {id} --save-answers {FILE}, edit the file, then plainte cases escalate {id} --answers {FILE}.").format(
            institution=inst_name, body=recipient, id=case_id, FILE=_("FILE")))
    problems = tuple(missing(answers, cat, today=today))
    return Escalation(case_id=case_id, from_level=last.level, level=level, dispute=dispute.id, body=step.body,
                      recipient=recipient, answers=answers, missing=problems, warnings=tuple(warnings), message="",
                      possible_from=possible_from, answer_due=last.answer_due, answer_due_kind=last.answer_due_kind)


def fill(escalation: Escalation, given: Mapping[str, Any]) -> dict[str, Any]:
    """The escalation's answers completed with what the person gave (e.g. {"facts": {"why-unsatisfied": ...}})."""
    if escalation.answers is None:
        raise UsageError(escalation.message)
    from plainte.interview import merge_answers

    return merge_answers(copy.deepcopy(escalation.answers), given)
