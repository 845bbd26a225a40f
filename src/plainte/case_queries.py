"""Reading the case store: a case's status and next date, show, list, and what is due now."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Sequence
from typing import Any, Optional

from plainte.case_records import DEADLINE, LEVEL_ORDER, REMINDER, CaseDetail, CaseSummary, Due, StepInfo, _day, _load_answers
from plainte.case_store import CaseStore, UnknownCaseError
from plainte.i18n import _

# A case that is answered is shown as due this many days before the time limit of its next step.
LIMIT_NOTICE_DAYS = 60


def _step_status(row: sqlite3.Row, has_later: bool) -> str:
    if has_later:
        return "escalated"
    if row["answered"]:
        return "answered"
    if row["acknowledged"]:
        return "acknowledged"
    if row["sent"]:
        return "sent"
    return "draft"


def _step_info(row: sqlite3.Row, has_later: bool) -> StepInfo:
    try:
        files = tuple(str(f) for f in json.loads(row["files"]))
    except (ValueError, TypeError):
        files = ()
    return StepInfo(
        id=row["id"], level=row["level"], dispute=row["dispute"], recipient=row["recipient"],
        letter_date=dt.date.fromisoformat(row["letter_date"]), sending=row["sending"], sent=_day(row["sent"]),
        acknowledged=_day(row["acknowledged"]), answered=_day(row["answered"]), outcome=row["outcome"],
        reference=row["reference"], acknowledge_due=_day(row["acknowledge_due"]),
        answer_due=dt.date.fromisoformat(row["answer_due"]), files=files, status=_step_status(row, has_later),
        recorded=row["recorded"], answers=_load_answers(row["answers"]),
        answer_due_kind=DEADLINE if row["answer_due_kind"] == DEADLINE else REMINDER,
    )


def _ladder(row: sqlite3.Row) -> tuple[tuple[str, str], ...]:
    try:
        raw = json.loads(row["ladder"] or "[]")
        return tuple((str(level), str(body or "")) for level, body in raw)
    except (ValueError, TypeError):
        return ()


def next_level(ladder: Sequence[tuple[str, str]], level: str) -> Optional[tuple[str, str]]:
    """The first rung of the ladder above level."""
    here = LEVEL_ORDER.index(level) if level in LEVEL_ORDER else -1
    for rung in ladder:
        if rung[0] in LEVEL_ORDER and LEVEL_ORDER.index(rung[0]) > here:
            return rung
    return None


def _complaint_sent(steps: Sequence[StepInfo]) -> dt.date:
    first = steps[0]
    return first.sent or first.letter_date


def _next(case_row: sqlite3.Row, steps: Sequence[StepInfo], ladder: Sequence[tuple[str, str]]) -> tuple[Optional[dt.date], Optional[str]]:
    """The next date of a case and what it is, from its latest step."""
    from plainte.escalation import next_step_limit

    if case_row["closed"]:
        return None, None
    last = steps[-1]
    if last.sent is None:
        return last.letter_date, "send"
    if last.answered is None:
        if last.acknowledged is None and last.acknowledge_due is not None:
            return last.acknowledge_due, "acknowledgement"
        return last.answer_due, "answer" if last.answer_deadline else "answer-reminder"
    limit = next_step_limit(ladder, last.level, case_row["country"], _complaint_sent(steps))
    return (limit, "next-step-limit") if limit is not None else (None, None)


def _case_status(case_row: sqlite3.Row, steps: Sequence[StepInfo]) -> str:
    if case_row["closed"]:
        return "closed"
    last = steps[-1]
    if last.status == "sent" and len(steps) > 1 and LEVEL_ORDER.index(last.level) > LEVEL_ORDER.index(steps[0].level):
        return "escalated"  # the escalation letter is sent, no reaction yet
    return last.status


def _detail(case_row: sqlite3.Row, step_rows: Sequence[sqlite3.Row]) -> CaseDetail:
    steps = tuple(_step_info(r, i < len(step_rows) - 1) for i, r in enumerate(step_rows))
    ladder = _ladder(case_row)
    next_date, next_kind = _next(case_row, steps, ladder)
    first_facts = steps[0].facts
    summary = CaseSummary(
        id=case_row["id"], who=case_row["who"], institution=case_row["institution"],
        institution_name=case_row["institution_name"], country=case_row["country"], dispute=steps[-1].dispute,
        level=steps[-1].level, status=_case_status(case_row, steps), next_date=next_date, next_kind=next_kind,
        subject=str(first_facts.get("subject") or ""), steps=len(steps), created=case_row["created"],
        closed=_day(case_row["closed"]),
    )
    return CaseDetail(summary=summary, steps=steps, ladder=ladder)


def _all_details(store: CaseStore, where: str = "", params: Sequence[Any] = ()) -> list[CaseDetail]:
    case_rows = store.query(f"SELECT * FROM cases {where} ORDER BY id", params)
    if not case_rows:
        return []
    ids = [r["id"] for r in case_rows]
    marks = ",".join("?" * len(ids))
    by_case: dict[int, list[sqlite3.Row]] = {}
    for r in store.query(f"SELECT * FROM steps WHERE case_id IN ({marks}) ORDER BY case_id, id", ids):
        by_case.setdefault(r["case_id"], []).append(r)
    return [_detail(c, by_case[c["id"]]) for c in case_rows if by_case.get(c["id"])]


def show_case(store: CaseStore, case_id: int) -> CaseDetail:
    """A case with all its steps, dates and files."""
    found = _all_details(store, "WHERE id = ?", (int(case_id),))
    if not found:
        raise UnknownCaseError(_("there is no case {id}; see plainte cases").format(id=case_id))
    return found[0]


def list_cases(store: CaseStore, *, include_closed: bool = True) -> list[CaseSummary]:
    """Every case: open ones first, by next date, then closed ones."""
    rows = [d.summary for d in _all_details(store) if include_closed or d.summary.closed is None]
    far = dt.date.max
    return sorted(rows, key=lambda s: (s.closed is not None, s.next_date or far, s.id))


def _format_day(day: dt.date) -> str:
    from plainte.i18n import ui_language
    from plainte.letters import format_day

    return format_day(day, ui_language())


def shown_recipient(detail: CaseDetail, step: StepInfo, cat: Any = None) -> str:
    """Whom a step's letter went to, for a screen: a body of the ladder (Ombudsfin ...) by its name in the UI
    language when the catalogue names it per language, else the name the letter was addressed to."""
    from plainte.i18n import ui_language
    from plainte.plan import step_recipient_label

    return step_recipient_label(cat, dict(detail.ladder).get(step.level), step.recipient, ui_language())


def due_cases(store: CaseStore, today: dt.date, cat: Any = None) -> list[Due]:
    """Open cases whose next date has passed, each with a translated sentence saying what to do now (with the
    catalogue, the bodies are named in the UI language)."""
    out: list[Due] = []
    for detail in _all_details(store, "WHERE closed IS NULL"):
        item = _due(detail, today, shown_recipient(detail, detail.last, cat))
        if item is not None:
            out.append(item)
    return sorted(out, key=lambda d: (d.date, d.case.id))


def _check_answer(detail: CaseDetail, recipient: str) -> Due:
    """plainte's reminder date has passed without an answer recorded. No answer period is known for the body, so
    nothing is late: the person asks where things stand; escalating is suggested only for a letter to the
    institution itself (an ombudsman's file is not hurried up the ladder on plainte's own default)."""
    s, last = detail.summary, detail.last
    cid = s.id
    args = {"date": _format_day(last.answer_due), "letter": _format_day(last.sent or last.letter_date),
            "recipient": recipient, "id": cid, "DATE": _("DATE")}
    head = _("No answer recorded yet to your letter of {letter}. {recipient} has no answer period that plainte knows of: {date} was only the day plainte set to remind you to check.").format(**args)
    rung = next_level(detail.ladder, last.level)
    if last.level in ("complaint", "complaint-review") and rung is not None:
        tail = _("Ask {recipient} where your letter stands. If no answer comes, or it does not solve the problem, you can escalate with plainte cases escalate {id}; when an answer comes, record it with plainte cases update {id} --answered {DATE}.").format(**args)
        return Due(s, "check-answer", last.answer_due, f"{head} {tail}", f"plainte cases escalate {cid}")
    tail = _("Ask {recipient} where your file stands; when an answer comes, record it with plainte cases update {id} --answered {DATE}.").format(**args)
    return Due(s, "check-answer", last.answer_due, f"{head} {tail}", f"plainte cases update {cid} --answered DATE")


def _due(detail: CaseDetail, today: dt.date, recipient: str) -> Optional[Due]:
    s, last = detail.summary, detail.last
    cid = s.id
    if s.next_date is None:
        return None
    if s.next_kind == "send":
        if today <= last.letter_date:
            return None
        return Due(s, "not-sent", last.letter_date,
                   _("The letter of {date} is not marked as sent: send it, then record the day you sent it with plainte cases update {id} --sent {DATE}.").format(
                       date=_format_day(last.letter_date), id=cid, DATE=_("DATE")),
                   f"plainte cases update {cid} --sent DATE")
    if s.next_kind in ("acknowledgement", "answer", "answer-reminder"):
        if today > last.answer_due and not last.answer_deadline:
            return _check_answer(detail, recipient)
        if today > last.answer_due:
            rung = next_level(detail.ladder, last.level)
            if rung is None:
                return Due(s, "no-answer", last.answer_due,
                           _("No answer by the deadline of {date}, and plainte knows no further step: ask a legal aid service or a consumer organisation for advice.").format(
                               date=_format_day(last.answer_due)), "")
            return Due(s, "no-answer", last.answer_due,
                       _("No answer by the deadline of {date}: escalate with plainte cases escalate {id}.").format(
                           date=_format_day(last.answer_due), id=cid),
                       f"plainte cases escalate {cid}")
        if s.next_kind == "acknowledgement" and last.acknowledge_due is not None and today > last.acknowledge_due:
            if last.answer_deadline:
                text = _("No acknowledgement yet (it was due on {date}): call or write to {recipient} to check that your letter arrived; the answer is due by {answer}. When it comes, run plainte cases update {id} --acknowledged {DATE}.")
            else:
                text = _("No acknowledgement yet (it was due on {date}): call or write to {recipient} to check that your letter arrived; plainte will remind you to check for the answer on {answer}. When it comes, run plainte cases update {id} --acknowledged {DATE}.")
            return Due(s, "no-acknowledgement", last.acknowledge_due,
                       text.format(date=_format_day(last.acknowledge_due), recipient=recipient, answer=_format_day(last.answer_due), id=cid,
                                   DATE=_("DATE")),
                       f"plainte cases update {cid} --acknowledged DATE")
        return None
    if s.next_kind == "next-step-limit":
        limit = s.next_date
        if today > limit:
            return Due(s, "limit-passed", limit,
                       _("The time limit for the next step passed on {date}: the ombudsman may refuse the request. If the answer solved the problem, close the case with plainte cases update {id} --closed; otherwise ask a legal aid service.").format(
                           date=_format_day(limit), id=cid),
                       f"plainte cases update {cid} --closed")
        if today >= limit - dt.timedelta(days=LIMIT_NOTICE_DAYS):
            return Due(s, "decide", limit,
                       _("Answered on {answered}. If the answer does not solve the problem, escalate before {date} with plainte cases escalate {id}; otherwise close the case with plainte cases update {id} --closed.").format(
                           answered=_format_day(last.answered or today), date=_format_day(limit), id=cid),
                       f"plainte cases escalate {cid}")
    return None
