"""The `plainte new` command: the wizard in a terminal, then the letter and what happens next."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any, Optional

from plainte.commands import _catalogue, _level, _split_formats, answer_line, next_who
from plainte.errors import ExitCode, UsageError
from plainte.i18n import LANGUAGES, _, set_ui_language, ui_language

def _written(case: Any, plan: Any, cat: Any, formats: list[str], out_dir: Path, force: bool) -> list[Path]:
    from plainte.compose import render_formats
    from plainte.outputs import letter_stem, write_letter

    files = render_formats(case, cat, formats)
    stem = letter_stem(case.date, case.institution.id, case.dispute.id, case.language)
    return write_letter(out_dir, stem, files, force=force)


def _no_terminal(given: dict[str, Any], cat: Any) -> UsageError:
    from plainte.errors import Problem
    from plainte.interview import missing

    problems = missing(given, cat, today=dt.date.today())
    if any(p.field == "institution" for p in problems) and given.get("dispute") in (None, ""):
        # the dispute's question appears once the institution is known: name it now, not on a second try
        problems.insert(1, Problem("dispute", _("missing — {question}").format(question=_("What is the problem?"))))
    lines = [_("plainte new needs a terminal to ask its questions, and there is none here.")]
    if problems:
        lines.append(_("Missing or invalid answers:"))
        lines += [f"  - {p}" for p in problems]
    lines.append(_("Write the answers in a file and run: plainte render {ANSWERS} (see examples/), or run plainte new --answers {FILE} in a terminal.").format(
        ANSWERS=_("ANSWERS"), FILE=_("FILE")))
    return UsageError("\n".join(lines))


def _load() -> Any:
    """The catalogue and the modules the wizard needs, read while the first screen waits for the person."""
    import plainte.interview  # noqa: F401
    import plainte.wizard  # noqa: F401

    return _catalogue()


class _Background:
    """The catalogue, read in a thread that starts once the first screen is on the terminal (not before: it would
    slow the first screen down)."""

    def __init__(self, pool: Any) -> None:
        self.pool = pool
        self.future: Any = None

    def start(self) -> None:
        if self.future is None:
            self.future = self.pool.submit(_load)

    def result(self) -> Any:
        self.start()
        return self.future.result()


def _offer_draft(asker: Any, draft: dict[str, Any], cat: Any) -> bool:
    """Ask whether to continue the saved draft, saying when it was saved and what it is about."""
    from plainte.i18n import pick
    from plainte.interview import resolve_institution
    from plainte.letters import format_day

    try:
        saved = dt.datetime.fromisoformat(str(draft.get("saved")))
        when = _("{day} at {time}").format(day=format_day(saved.date(), ui_language()), time=saved.strftime("%H:%M"))
    except ValueError:
        when = str(draft.get("saved"))
    answers = draft["answers"]
    names = []
    inst = resolve_institution(answers, cat)  # the name the person gave, for a profile such as a Chinese platform
    if inst is not None:
        names.append(inst.label(ui_language()))
    dispute = cat.disputes.get(answers.get("dispute")) if isinstance(answers.get("dispute"), str) else None
    if dispute is not None:
        names.append(pick(dispute.label))
    about = ", ".join(names)
    question = _("You have a draft from {date}. Do you want to continue it?").format(date=when + (f" ({about})" if about else ""))
    return asker.confirm(question, True, False) is True


def cmd_new(plain: bool, resume: bool, answers_file: Optional[Path], save_answers: Optional[Path],
            out_dir: Optional[Path], formats: Optional[str], lang_given: bool, record: bool = True, db: Optional[Path] = None) -> int:
    from plainte.drafts import DraftStore

    given: dict[str, Any] = {}
    if answers_file:
        from plainte.answers import load_answers

        given = load_answers(answers_file)
    fmts = _split_formats(formats) if formats else None
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise _no_terminal(given, _catalogue())
    from concurrent.futures import ThreadPoolExecutor

    from plainte.asking import Stop, choose_language
    from plainte.prompts import make_asker

    store = DraftStore()
    done: list[str] = []
    draft = store.load()
    if resume and draft is None:
        raise UsageError(_("there is no draft to resume; run plainte new"))
    asker = make_asker(plain)
    with ThreadPoolExecutor(max_workers=1) as pool:
        loading = _Background(pool)
        asker.on_shown = loading.start  # the first screen does not wait for the catalogue
        try:
            if resume:  # straight back into the draft, in the language it was written in unless --ui-lang says
                if not lang_given and draft.get("ui_lang") in LANGUAGES:
                    set_ui_language(draft["ui_lang"])
            else:
                choose_language(asker)
                if draft is not None and not answers_file:
                    resume = _offer_draft(asker, draft, loading.result())
            if resume and draft is not None:
                given = {**draft["answers"], **given}
                done = list(draft.get("done", []))
            cat = loading.result()
            from plainte.wizard import Wizard

            wizard = Wizard(cat, asker, answers=given, done=done, draft=store, language_screen=True)
            result = wizard.run(ask_language=False, ask_output=out_dir is None and fmts is None, from_file=answers_file is not None)
        except (KeyboardInterrupt, EOFError):  # Ctrl-C, or Ctrl-D in a menu
            asker.say(_("Interrupted. Your answers are kept: run plainte new to continue."))
            return ExitCode.INTERRUPTED
        except Stop as stop:
            asker.say(str(stop))
            return ExitCode.OK
    from plainte.interview import build_case
    from plainte.plan import make_plan

    case = build_case(result.answers, cat)
    plan = make_plan(case, cat)
    paths = _written(case, plan, cat, fmts or result.formats, out_dir or Path(result.out_dir).expanduser(), False)
    if save_answers:
        from plainte.answers import dump_answers

        saved = dump_answers(result.answers, save_answers)
        asker.say(_("Answers saved in {path}").format(path=saved))
    store.delete()
    asker.say(_("Your letter is ready:"), "title")
    for p in paths:
        asker.say(f"  {p}")
    if record:
        from plainte.case_commands import _record

        _record(case, plan, paths, result.answers, db)
    _next_steps(asker, case, plan, cat)
    return ExitCode.OK


def _next_steps(asker: Any, case: Any, plan: Any, cat: Any) -> None:
    from plainte.i18n import pick
    from plainte.letters import format_day

    lang = ui_language()
    asker.say(_("What happens next:"), "title")
    if case.sending == "registered":
        asker.say("  " + _("Send it by registered post and keep the receipt: it proves the date you sent it."))
    until = plan.wait_until
    if until is not None and until > dt.date.today():
        asker.say("  " + _("Do not send it before {date}: the waiting period explained above runs until then.").format(date=format_day(until, lang)))
    elif case.date > dt.date.today():
        asker.say("  " + _("The letter is dated {date}: send it that day, not before.").format(date=format_day(case.date, lang)))
    if plan.copy_to_creditor:
        asker.say("  " + _("Send a copy of this letter to the creditor too: the letter says so."))
    for eid in plan.missing:
        asker.say("  " + _("Send the missing document as soon as you have it: {label}.").format(label=pick(cat.evidence[eid].label, lang)))
    asker.say("  " + answer_line(case, plan, cat, lang))
    if plan.next_step is not None:
        asker.say("  " + _("If no answer comes by then, or it does not solve the problem, the next step is: {step} ({who}).").format(
            step=_level(plan.next_step.level), who=next_who(plan, lang)))
    asker.say("  " + _("plainte is not a lawyer: it helps you write; check the letter before you send it."))
