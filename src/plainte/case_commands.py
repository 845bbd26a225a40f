"""The `plainte cases` commands: the case store, what is due, escalation, purge."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any, Optional

from plainte.commands import _advice, _catalogue, _console, _level, _print_json, _split_formats, _text
from plainte.errors import ExitCode, UsageError
from plainte.i18n import _, label_value, ui_language

def _day_option(value: Optional[str], option: str) -> Optional[dt.date]:
    from plainte.fields import parse_date

    return parse_date(value, field=option) if value is not None else None


def _status(status: str) -> str:
    return {"draft": _("not sent yet"), "sent": _("sent"), "escalated": _("escalated"), "acknowledged": _("acknowledged"),
            "answered": _("answered"), "closed": _("closed")}.get(status, status)


def _next_kind(kind: Optional[str]) -> str:
    return {"send": _("to send"), "acknowledgement": _("acknowledgement due"), "answer": _("answer due"),
            "answer-reminder": _("day to check for an answer"),
            "next-step-limit": _("last day for the next step")}.get(kind or "", "")


def _catalogue_or_none() -> Any:
    """The catalogue, or None when it cannot be loaded (an invalid institutions file must not hide the cases)."""
    from plainte.errors import PlainteError

    try:
        return _catalogue()
    except PlainteError:
        return None


def _dispute_names(cat: Any) -> Any:
    """A function giving a dispute's name in the UI language (its id when the catalogue, from
    _catalogue_or_none, is missing or does not know it)."""
    from plainte.i18n import pick

    disputes = cat.disputes if cat is not None else {}
    return lambda did: pick(disputes[did].label, ui_language()) if did in disputes else did


def _record(case: Any, plan: Any, paths: list[Path], answers: dict[str, Any], db: Optional[Path], *,
            case_id: Optional[int] = None, quiet: bool = False) -> Optional[int]:
    """Record a written letter as a step of a case; a store that cannot be used does not undo the letter."""
    from plainte.cases import open_store, record_letter
    from plainte.errors import PlainteError

    err = _console(stderr=True)
    try:
        with open_store(db) as store:
            cid, _step = record_letter(store, case, plan, paths, answers, case_id=case_id)
    except PlainteError as exc:
        err.print(_text(_("The letter is written, but it could not be recorded in your cases: {error}").format(error=exc), "yellow"))
        return None
    if not quiet:
        err.print(_text(_("Recorded in case {id}. When you have sent it, run: plainte cases update {id} --sent {DATE}").format(id=cid, DATE=_("DATE")), "dim"))
    return cid


def cmd_cases_list(db: Optional[Path], open_only: bool, as_json: bool) -> None:
    from plainte.cases import list_cases, open_store
    from plainte.letters import format_day

    with open_store(db) as store:
        rows = list_cases(store, include_closed=not open_only)
    if as_json:
        return _print_json([r.to_dict() for r in rows])
    if not rows:
        print(_("No cases yet: every letter plainte writes is recorded here."))
        return None
    from rich.table import Table

    lang = ui_language()
    name = _dispute_names(_catalogue_or_none())
    table = Table(title=_("Cases"))
    for head in (_("id"), _("who"), _("institution"), _("dispute"), _("step"), _("status"), _("next date")):
        table.add_column(head)
    for r in rows:
        nxt = f"{format_day(r.next_date, lang)} ({_next_kind(r.next_kind)})" if r.next_date else "—"
        table.add_row(_text(r.id), _text(r.who), _text(r.institution_name), _text(name(r.dispute)), _text(_level(r.level)),
                      _text(_status(r.status)), _text(nxt))
    _console().print(table)
    return None


def _show_case(detail: Any) -> None:
    from plainte.case_queries import shown_recipient
    from plainte.letters import format_day

    lang = ui_language()
    day = lambda d: format_day(d, lang) if d else "—"  # noqa: E731
    con = _console()
    s = detail.summary
    con.print(_text(_("Case {id}: {who}, {institution}").format(id=s.id, who=s.who, institution=s.institution_name), "bold"))
    if s.subject:
        con.print(_text(s.subject))
    line = _("Status: {status}").format(status=_status(s.status))
    if s.next_date:
        line += " · " + _("next date: {date} ({what})").format(date=day(s.next_date), what=_next_kind(s.next_kind))
    con.print(_text(line))
    sending = {"registered": _("registered letter"), "post": _("ordinary letter"), "email": _("e-mail")}
    cat = _catalogue_or_none()  # read once: a broken institutions file is not parsed twice
    name = _dispute_names(cat)
    for n, st in enumerate(detail.steps, 1):
        what = _level(st.level) if name(st.dispute) == _level(st.level) else f"{_level(st.level)} ({name(st.dispute)})"
        con.print(_text(f"{n}. {what}: {shown_recipient(detail, st, cat)} · {_status(st.status)}", "bold"))
        con.print(_text("   " + _("letter of {date}, {sending}").format(date=day(st.letter_date), sending=sending.get(st.sending, st.sending))))
        answer_label = _("answer due") if st.answer_deadline else _("day to check for an answer (a reminder, not a deadline)")
        for label, value in ((_("sent"), st.sent), (_("acknowledgement due"), st.acknowledge_due), (_("acknowledged"), st.acknowledged),
                             (answer_label, st.answer_due), (_("answered"), st.answered)):
            if value is not None:
                con.print(_text("   " + label_value(label, day(value))))
        if st.reference:
            con.print(_text("   " + _("their reference: {reference}").format(reference=st.reference)))
        if st.outcome:
            con.print(_text("   " + _("outcome: {text}").format(text=st.outcome)))
        for f in st.files:
            con.print(_text(f"   {f}", "dim"))


def cmd_cases_show(case_id: int, db: Optional[Path], with_answers: bool, as_json: bool) -> None:
    from plainte.cases import open_store, show_case

    with open_store(db) as store:
        detail = show_case(store, case_id)
    if as_json:
        return _print_json(detail.to_dict(with_answers=with_answers))
    _show_case(detail)
    return None


def cmd_cases_update(case_id: int, db: Optional[Path], sent: Optional[str], acknowledged: Optional[str], answered: Optional[str],
                     outcome: Optional[str], reference: Optional[str], closed: bool, reopen: bool, as_json: bool) -> None:
    from plainte.cases import open_store, update_case
    from plainte.fields import parse_text

    if closed and reopen:
        raise UsageError(_("give --closed or --reopen, not both"))
    with open_store(db) as store:
        detail = update_case(
            store, case_id, sent=_day_option(sent, "--sent"), acknowledged=_day_option(acknowledged, "--acknowledged"),
            answered=_day_option(answered, "--answered"),
            outcome=parse_text(outcome, field="--outcome", multiline=True) if outcome is not None else None,
            reference=parse_text(reference, field="--reference", max_length=80) if reference is not None else None,
            closed=dt.date.today() if closed else None, reopen=reopen, cat=_catalogue())
    if as_json:
        return _print_json(detail.to_dict())
    _show_case(detail)
    return None


def cmd_cases_due(db: Optional[Path], today: Optional[str], as_json: bool) -> None:
    from plainte.cases import due_cases, open_store

    day = _day_option(today, "--today") or dt.date.today()
    with open_store(db) as store:
        items = due_cases(store, day, _catalogue_or_none())
    if as_json:
        return _print_json([i.to_dict() for i in items])
    if not items:
        print(_("Nothing to do today."))
        return None
    con = _console()
    for i in items:
        con.print(_text(f"{i.case.id}. {i.case.who}, {i.case.institution_name} ({_level(i.case.level)})", "bold"))
        con.print(_text(f"   {i.message}"))
    return None


def _ask_missing(answers: dict[str, Any], cat: Any, plain: bool, today: dt.date, case_id: int) -> Optional[dict[str, Any]]:
    """In a terminal: the wizard asks only what the next letter still needs, then shows the review.
    None when the person stops (no draft is kept: the case keeps everything but the new answers)."""
    from plainte.prompts import make_asker
    from plainte.wizard import Stop, Wizard

    asker = make_asker(plain)
    try:
        return Wizard(cat, asker, answers=answers, today=today).run(ask_language=False, ask_output=False, from_file=True).answers
    except (Stop, KeyboardInterrupt):
        asker.say(_("Stopped: nothing was written. Run plainte cases escalate {id} again when you are ready.").format(id=case_id))
        return None


def cmd_cases_escalate(case_id: int, db: Optional[Path], now: bool, to: Optional[str], out_dir: Path, formats: str,
                       answers_file: Optional[Path], save_answers: Optional[Path], plain: bool, force: bool, quiet: bool,
                       record: bool, today: Optional[str], as_json: bool) -> int:
    from plainte.answers import dump_answers, load_answers
    from plainte.cases import open_store
    from plainte.compose import render_formats
    from plainte.errors import AnswersError
    from plainte.escalation import fill, next_letter
    from plainte.interview import build_case, missing
    from plainte.outputs import letter_stem, write_letter
    from plainte.plan import make_plan

    fmts = _split_formats(formats)
    day = _day_option(today, "--today") or dt.date.today()
    cat = _catalogue()
    with open_store(db) as store:
        esc = next_letter(store, case_id, cat, day, now=now, to=to)
    err = _console(stderr=True)
    if not esc.has_letter:  # the regulator, a court: plainte writes no letter, it says what to do
        if as_json:
            _print_json(esc.to_dict())
        else:
            print(esc.message)
        return ExitCode.OK
    for w in esc.warnings:
        err.print(_text("! " + w, "yellow"))
    answers = fill(esc, load_answers(answers_file)) if answers_file else dict(esc.answers or {})
    if save_answers:
        dump_answers(answers, save_answers)
        err.print(_text(_("The answers of the next letter are saved in {path}. Complete them, then run: plainte cases escalate {id} --answers {path}").format(
            path=save_answers, id=case_id)))
        return ExitCode.OK
    problems = missing(answers, cat, today=day)
    if problems:
        if not as_json and sys.stdin.isatty() and sys.stdout.isatty():
            asked = _ask_missing(answers, cat, plain, day, case_id)
            if asked is None:
                return ExitCode.OK
            answers = asked
        else:
            raise AnswersError(problems, _("The next letter needs answers that case {id} does not have; give them with --answers {FILE}, or save the prepared answers with --save-answers {FILE} and complete them:").format(id=case_id, FILE=_("FILE")))
    case = build_case(answers, cat, today=day)
    plan = make_plan(case, cat)
    if not quiet and not as_json:
        _advice(case, plan, cat)
    files = render_formats(case, cat, fmts)
    paths = write_letter(out_dir, letter_stem(case.date, case.institution.id, case.dispute.id, case.language), files, force=force)
    recorded = _record(case, plan, paths, answers, db, case_id=case_id, quiet=quiet or as_json) if record else None
    if as_json:
        _print_json({**esc.to_dict(), "answers": None, "files": [str(p) for p in paths], "recorded_in": recorded})
    else:
        for p in paths:
            print(str(p))
    return ExitCode.OK


def cmd_cases_purge(case_id: Optional[int], closed_before: Optional[str], everything: bool, yes: bool, db: Optional[Path], as_json: bool) -> int:
    from plainte.cases import open_store, purge

    given = sum((case_id is not None, closed_before is not None, everything))
    if given != 1:
        raise UsageError(_("give one of: a case number, --closed-before {DATE}, or --all").format(DATE=_("DATE")))
    before = _day_option(closed_before, "--closed-before")
    if everything and not yes:
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            raise UsageError(_("--all deletes every case for good: add --yes to confirm"))
        import typer

        if not typer.confirm(_("Delete every case for good?"), default=False):
            return ExitCode.OK
    with open_store(db) as store:
        count = purge(store, case_id, before)
    if as_json:
        _print_json({"purged": count})
    else:
        from plainte.i18n import ngettext

        print(ngettext("{count} case deleted for good.", "{count} cases deleted for good.", count).format(count=count))
    return ExitCode.OK
