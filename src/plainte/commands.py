"""What each command does: calls the core, then prints for people (rich) or as JSON for scripts."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Optional

from plainte.errors import FieldError, UsageError
from plainte.i18n import LANGUAGES, _, label_value, ngettext, pick, ui_language

STATE: dict[str, Any] = {"institutions": []}


def _console(stderr: bool = False) -> Any:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=False, emoji=False)


def _text(value: Any, style: str = "") -> Any:
    from rich.text import Text

    return Text(str(value), style=style)  # user text is shown as text: markup stays inert


def _print_json(data: Any) -> None:
    import json

    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def _catalogue() -> Any:
    from plainte.catalog import load

    return load(STATE["institutions"])


def _split_formats(value: str) -> list[str]:
    from plainte.letters import OUTPUT_FORMATS as FORMATS

    formats = [f.strip().lower() for f in value.split(",") if f.strip()]
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise UsageError(_("--format: unknown format {format}; expected some of {formats}").format(
            format=", ".join(bad) or "-", formats=", ".join(FORMATS)))
    return list(dict.fromkeys(formats))


def _lang_option(value: Optional[str], name: str) -> Optional[str]:
    if value is not None and value not in LANGUAGES:
        raise UsageError(_("{option}: expected one of {values}").format(option=name, values=", ".join(LANGUAGES)))
    return value


def cmd_institutions(institution_id: Optional[str], as_json: bool) -> None:
    from plainte.views import institution_summary, institution_view

    cat = _catalogue()
    lang = ui_language()
    if institution_id:
        view = institution_view(cat.institution(institution_id), cat, lang)
        if as_json:
            return _print_json(view)
        return _show_institution(view)
    rows = [institution_summary(i, lang) for i in sorted(cat.institutions.values(), key=lambda i: (i.kind in ("ombudsman", "regulator", "mediator", "court"), i.name.lower()))]
    if as_json:
        return _print_json(rows)
    from rich.table import Table

    table = Table(title=_("Institutions"), show_lines=False)
    for head in (_("id"), _("name"), _("kind"), _("country")):
        table.add_column(head)
    for r in rows:
        table.add_row(_text(r["id"]), _text(r["name"]), _text(_kind(r["kind"])), _text(r["country"]))
    _console().print(table)


def _kind(kind: str) -> str:
    from plainte.interview import kind_label

    return kind_label(kind)


def next_who(plan: Any, lang: str) -> str:
    """Who handles the next step, to be shown in brackets: a name that has its own ("Klachtendienst (Service des
    plaintes)") gets a dash instead, so that brackets are never nested."""
    who = plan.next_body.label(lang) if plan.next_body else pick(plan.next_step.service, lang)
    return who.replace(" (", " – ").replace("(", "").replace(")", "") if "(" in who else who


def _level(level: str) -> str:
    return {"complaint": _("Complaint"), "complaint-review": _("Internal review"), "mediation": _("Mediation"),
            "regulator": _("Regulator"), "court": _("Court")}.get(level, level)


def _channel_line(ch: dict[str, Any]) -> str:
    kind = {"email": _("E-mail"), "postal": _("Letter"), "portal": _("Portal"), "form": _("Form"), "phone": _("Phone")}[ch["type"]]
    seg = {"private": _("private customers"), "business": _("business customers")}.get(ch.get("segment", ""), "")
    label = kind + (f" ({seg})" if seg else "")
    parts: list[str] = []
    if ch.get("value"):
        parts.append(ch["value"])
    if ch["type"] == "postal":
        if ch.get("attention"):
            parts.append(_("Attn.") + " " + ch["attention"] + ",")
        a = ch.get("address")
        box = " " + _("box {number}").format(number=a["box"]) if a and a["box"] else ""
        parts.append(f"{a['street']}{box}, {a['postal_code']} {a['city']} ({a['country']})" if a
                     else _("address not known: you will be asked for it"))
    if ch.get("hours_text"):
        parts.append(f"[{ch['hours_text']}]")
    if ch.get("note"):
        parts.append(f"— {ch['note']}")
    return label_value(label, " ".join(parts))


def _show_institution(view: dict[str, Any]) -> None:
    from plainte.views import period_text
    from plainte.deadlines import Period

    con = _console()
    con.print(_text(f"{view['name']} ({view['id']})", "bold"))
    con.print(_text(f"{_kind(view['kind'])} · {view['country']} · " + _("answers in: {languages}").format(languages=", ".join(view["languages"]))))
    if view["description"]:
        con.print(_text(view["description"]))
    if view["asks_for"]:
        con.print(_text(_("What to give in your letter:"), "bold"))
        for a in view["asks_for"]:
            con.print(_text(f"  • {a}"))
    con.print(_text(_("Escalation ladder:"), "bold"))
    for n, step in enumerate(view["ladder"], 1):
        who = step.get("body_name") or step.get("service") or ""
        products = {"insurance": _("insurance products"), "over-indebtedness": _("people who cannot repay their debts")}
        extra = " " + _("(only for {products})").format(products=products.get(step["only_for"], step["only_for"])) if step.get("only_for") else ""
        con.print(_text(f"  {n}. " + label_value(_level(step["level"]), who + extra)))
        for ch in step["channels"]:
            con.print(_text(f"       {_channel_line(ch)}"))
        for key, title in (("acknowledge", _("acknowledges within")), ("answer", _("answers within"))):
            if step.get(key):
                con.print(_text(f"       {title} {period_text(Period(**step[key]))}"))
        if step.get("note"):
            con.print(_text(f"       {step['note']}"))
    for note in view["notes"]:
        con.print(_text(f"! {note}"))
    if view["source"]:
        con.print(_text(_("Source: {ref} (checked {date})").format(ref=view["source"]["ref"], date=view["source"]["checked"]), "dim"))


def cmd_disputes(dispute_id: Optional[str], institution_id: Optional[str], as_json: bool) -> None:
    from plainte.views import dispute_summary, dispute_view

    cat = _catalogue()
    lang = ui_language()
    if dispute_id:
        view = dispute_view(cat.dispute(dispute_id), cat, lang)
        if as_json:
            return _print_json(view)
        con = _console()
        con.print(_text(f"{view['label']} ({view['id']})", "bold"))
        con.print(_text(view["summary"]))
        con.print(_text(_("Questions:"), "bold"))
        for q in view["questions"]:
            req = "" if q["required"] else " " + _("(optional)")
            choices = f" [{', '.join(q['choices'])}]" if q.get("choices") else ""
            con.print(_text("  " + label_value(f"{q['id']} ({q['type']}){choices}{req}", q["label"])))
        con.print(_text(_("Evidence:"), "bold"))
        for e in view["evidence"]:
            con.print(_text(f"  {'*' if e['required'] else '-'} {e['label']} ({e['id']})"))
        for w in view["warnings"]:
            con.print(_text(f"! {w['text']}"))
        return None
    disputes = list(cat.disputes.values())
    if institution_id:
        disputes = cat.disputes_for(cat.institution(institution_id))
    rows = [dispute_summary(d, lang) for d in disputes]
    if as_json:
        return _print_json(rows)
    from rich.table import Table

    table = Table(title=_("Disputes"))
    for head in (_("id"), _("dispute"), _("when to choose it")):
        table.add_column(head)
    for r in rows:
        table.add_row(_text(r["id"]), _text(r["label"]), _text(r["summary"]))
    _console().print(table)
    return None


def cmd_evidence(dispute_id: str, institution_id: Optional[str], as_json: bool) -> None:
    from plainte.views import checklist

    cat = _catalogue()
    lang = ui_language()
    dispute = cat.dispute(dispute_id)
    if institution_id:
        inst = cat.institution(institution_id)
        if dispute.id not in {d.id for d in cat.disputes_for(inst)}:
            raise UsageError(_("the dispute {dispute} does not apply to {institution}").format(dispute=dispute.id, institution=inst.label(lang)))
    rows = checklist(dispute, cat, lang)
    if as_json:
        return _print_json({"dispute": dispute.id, "items": rows})
    con = _console()
    for r in rows:
        head = _("Required") if r["required"] else _("Recommended")
        cond = " " + _("(in some cases)") if r["conditional"] else ""
        con.print(_text(f"[{head}{cond}] {r['label']}", "bold"))
        con.print(_text("  " + _("Good proof: {text}").format(text=r["valid"])))
        if r["invalid"]:
            con.print(_text("  " + _("Not enough: {text}").format(text=r["invalid"])))
        con.print(_text("  " + _("How to get it: {text}").format(text=r["obtain"])))
    return None


def answer_line(case: Any, plan: Any, cat: Any, lang: str) -> str:
    """When the answer is due (a period from the catalogue), or, when plainte only uses its own follow-up
    default, the day to check for an answer: never stated as the body's deadline."""
    from plainte.letters import format_day
    from plainte.plan import current_step, step_recipient_label

    day = format_day(plan.answer_due, lang)
    if plan.answer_from_catalogue:
        return _("An answer is due by {date}.").format(date=day)
    step = current_step(case)
    who = step_recipient_label(cat, step.body if step is not None else None, case.recipient.name, lang)
    return _("No answer period is known for {who}: check on {date} whether an answer has come (a reminder date, not a deadline).").format(
        who=who, date=day)


def _advice(case: Any, plan: Any, cat: Any, after_letter: bool = False) -> None:
    """Tell the person (not the letter) what is missing, what to wait for, and what to watch."""
    from plainte.i18n import pick
    from plainte.letters import format_day

    con = _console(stderr=True)
    lang = ui_language()
    if after_letter:
        con.print()
    for w in plan.waits:
        con.print(_text(_("Wait: {reason} Send it on {date} at the earliest.").format(reason=pick(w.reason, lang), date=format_day(w.until, lang)), "yellow"))
    for eid in plan.missing:
        e = cat.evidence[eid]
        con.print(_text(_("Missing proof: {label}. Good proof: {valid} How to get it: {obtain}").format(
            label=pick(e.label, lang), valid=pick(e.valid, lang), obtain=pick(e.obtain, lang)), "yellow"))
    for w in plan.warnings:
        con.print(_text("! " + pick(w.text, lang)))
    if plan.copy_to_creditor:
        con.print(_text(_("Send a copy of this letter to the creditor too: the letter says so.")))
    con.print(_text(answer_line(case, plan, cat, lang)))
    if plan.next_step is not None:
        con.print(_text(_("Without a satisfying answer, the next step is: {step} ({who}).").format(step=_level(plan.next_step.level), who=next_who(plan, lang))))
    con.print(_text(_("plainte is not a lawyer: it helps you write; check the letter before you send it."), "dim"))


def cmd_render(answers_path: Path, out_dir: Path, formats: str, lang: Optional[str], to_stdout: bool, force: bool, quiet: bool,
               record: bool = True, db: Optional[Path] = None, attach: Sequence[Path] = ()) -> None:
    from plainte.answers import load_answers
    from plainte.compose import render_formats, render_letter
    from plainte.email_message import attachment_paths
    from plainte.interview import build_case
    from plainte.outputs import letter_stem, write_letter
    from plainte.plan import make_plan

    fmts = _split_formats(formats)
    _lang_option(lang, "--lang")
    if to_stdout and fmts[0] in ("pdf", "eml"):
        raise UsageError(_("--stdout prints a text format: txt, md or html"))
    if attach and "eml" not in fmts:
        raise UsageError(_("--attach adds files to the e-mail: add eml to --format"))
    answers = load_answers(answers_path)
    if lang:
        answers["language"] = lang
    cat = _catalogue()
    case = build_case(answers, cat)
    attachments = attachment_paths(answers, answers_path.parent, attach)  # also checks the shape of `attachments:`
    plan = make_plan(case, cat)
    if to_stdout:
        # the letter first, ended by a newline and flushed, then the advice after a blank line: on a terminal,
        # or with both streams in one file, the advice never runs on from the letter's last line
        text = render_letter(case, cat, fmts[0], plan)
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.flush()
        if not quiet:
            _advice(case, plan, cat, after_letter=True)
        return
    if not quiet:
        _advice(case, plan, cat)
    files = render_formats(case, cat, fmts, attachments=attachments if "eml" in fmts else ())
    stem = letter_stem(case.date, case.institution.id, case.dispute.id, case.language)
    paths = write_letter(out_dir, stem, files, force=force)
    for path in paths:
        print(str(path))
    if record:
        from plainte.case_commands import _record

        _record(case, plan, paths, answers, db, quiet=quiet)


def cmd_deadline(start: str, business_days: Optional[int], months: Optional[int], country: str, as_json: bool) -> None:
    from plainte.deadlines import COUNTRIES, add_business_days, add_months
    from plainte.fields import parse_date

    day = parse_date(start, field="--from")
    if (business_days is None) == (months is None):
        raise UsageError(_("give exactly one of --business-days or --months"))
    if country not in COUNTRIES:
        raise UsageError(_("{option}: expected one of {values}").format(option="--country", values=", ".join(COUNTRIES)))
    if business_days is not None and business_days < 0 or months is not None and months < 0:
        raise UsageError(_("the number of days or months must not be negative"))
    if (business_days or 0) > 10_000 or (months or 0) > 1_200:
        raise UsageError(_("at most 10000 business days or 1200 months"))
    result = add_business_days(day, business_days, country) if business_days is not None else add_months(day, months or 0)
    if as_json:
        return _print_json({"from": day.isoformat(), "business_days": business_days, "months": months, "country": country, "date": result.isoformat()})
    print(result.isoformat())
    return None


def cmd_costs(balance: str, damages: str, reminders: int, reminder_fee: str, postage: str, interest: str,
              interest_rate: Optional[str], since: Optional[str], until: Optional[str], collection_fees: str, debt_type: str, as_json: bool) -> None:
    from plainte.costs import DEBT_TYPES, LAW_BOOK_XIX, LAW_INTEREST, Claim, check_costs
    from plainte.fields import parse_date, parse_money
    from plainte.letters import format_money

    if debt_type not in DEBT_TYPES:
        raise UsageError(_("{option}: expected one of {values}").format(option="--debt-type", values=", ".join(DEBT_TYPES)))
    money = lambda v, f: parse_money(v, field=f)  # noqa: E731
    rate = None
    if interest_rate:
        rate = parse_money(interest_rate.rstrip("% "), field="--interest-rate")
    start = parse_date(since, field="--since") if since else None
    end = parse_date(until, field="--until") if until else (dt.date.today() if start else None)
    per_reminder = money(reminder_fee, "--reminder-fee")
    if per_reminder > 0 and reminders == 0:
        raise FieldError("--reminders", _("is needed with --reminder-fee: the number of reminders sent, the first one included"))
    if start is None and (rate is not None or money(interest, "--interest") > 0):
        raise FieldError("--since", _("is needed to check the interest (the date interest started)"))
    claim = Claim(balance=money(balance, "--balance"), damages=money(damages, "--damages"), reminders=reminders,
                  reminder_fees=per_reminder * reminders, reminder_postage=money(postage, "--postage"),
                  interest=money(interest, "--interest"), interest_rate=rate, since=start, until=end,
                  collection_fees=money(collection_fees, "--collection-fees"), debt_type=debt_type)
    result = check_costs(claim)
    lines = [{"item": ln.item, "claimed": str(ln.claimed), "allowed": None if ln.allowed is None else str(ln.allowed),
              "excess": None if ln.excess is None else str(ln.excess), "law": ln.law, "note": ln.note} for ln in result.lines]
    if as_json:
        return _print_json({"applies": result.applies, "reason": result.reason, "lines": lines,
                            "total_claimed": str(result.total_claimed),
                            "total_allowed": None if result.total_allowed is None else str(result.total_allowed),
                            "total_excess": str(result.total_excess)})
    from rich.table import Table

    lang = ui_language()
    fm = lambda v: "—" if v is None else format_money(v, lang)  # noqa: E731
    names = {"damages": _("Damages (penalty clause)"), "reminder-fees": _("Reminder fees"), "interest": _("Interest"),
             "collection-fees": _("Collection agency fees")}
    laws = {LAW_BOOK_XIX: _("Code of Economic Law, Book XIX (Law of 4 May 2023)"), LAW_INTEREST: _("Law of 2 August 2002, art. 5")}
    notes = {"rate-unverified": _("rate not verified: no cap asserted"), "consumer-credit": _("consumer credit: caps not established"),
             "not-applicable": _("Book XIX does not apply")}
    table = Table(title=_("Costs claimed and legal maximum"))
    for head in (_("item"), _("claimed"), _("allowed"), _("excess"), _("law")):
        table.add_column(head)
    for ln in result.lines:
        law = laws.get(ln.law, ln.law)
        table.add_row(_text(names[ln.item]), _text(fm(ln.claimed)), _text(fm(ln.allowed)), _text(fm(ln.excess)),
                      _text(f"{law} ({notes[ln.note]})" if ln.note in notes else law))
    con = _console()
    if result.lines:
        con.print(table)
    if not result.lines:
        con.print(_text(_("No cost claimed: give --damages, --reminders with --reminder-fee, --interest-rate or --interest with --since, or --collection-fees.")))
    elif result.reason == "consumer-credit":
        con.print(_text(_("Consumer credit (Book VII): whether the Book XIX caps apply to it is not established, so no legal maximum is asserted. Ask the collector for the detail and the basis of each cost."), "bold"))
    elif not result.applies:
        con.print(_text(_("Book XIX protects consumers: it does not apply to a business debt, so no legal maximum is asserted. Ask the collector for the detail and the basis of each cost."), "bold"))
    else:
        con.print(_text(_("Total excess: {amount}").format(amount=fm(result.total_excess)), "bold"))
        if result.total_allowed is None:
            con.print(_text(_("Not counted: the interest, whose legal rate is not verified for the whole period.")))
    return None


def cmd_batch(input_path: Optional[Path], out_dir: Path, formats: str, jobs: Optional[int], force: bool, as_json: bool,
              settings: Sequence[str], template: Optional[str], institution: Optional[str], combine: bool,
              record: bool = True, db: Optional[Path] = None, country: Optional[str] = None) -> int:
    """Letters for every row of a spreadsheet (or JSON Lines, or a YAML/JSON list), or the template of a sheet
    (for another institution, of the country given by --country or --set institution_country=...)."""
    from plainte.batch import run_batch, template_csv

    cat = _catalogue()
    defaults: dict[str, str] = {}
    for item in settings:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(_("--set {item}: expected key=value, such as sender.city=Gent").format(item=item))
        defaults[key.strip()] = value
    if template:
        if input_path is not None:
            raise UsageError(_("--template writes a sheet to fill: give no INPUT with it"))
        country = (country or defaults.get("institution_country") or "").strip().upper() or None
        kind = (defaults.get("institution_kind") or "").strip() or None
        text = template_csv(template, institution, cat, country=country, kind=kind)
        sys.stdout.buffer.write(text.encode("utf-8"))
        return 0
    if country is not None:
        raise UsageError(_("{option}: only with --template (each row gives its own institution_country)").format(option="--country"))
    if input_path is None:
        raise UsageError(_("INPUT is missing: a .csv, .jsonl, .yaml or .json file (or --template DISPUTE for an empty sheet)"))
    from contextlib import nullcontext

    from plainte.cases import open_store

    progress = _progress_bar() if not as_json else None
    try:
        with (open_store(db) if record else nullcontext()) as store:
            summary = run_batch(input_path, out_dir, formats=_split_formats(formats), jobs=jobs, force=force, defaults=defaults,
                                catalogue=cat, combine=combine, store=store, progress=progress)
    finally:
        if progress is not None:  # also on Ctrl-C or an error: the terminal gets its cursor back
            progress.stop()  # type: ignore[attr-defined]
    if as_json:
        _print_json(summary.as_dict())
        return summary.exit_code
    con = _console(stderr=True)
    con.print(_text(ngettext("{rows} row: {written} written, {skipped} already there, {duplicates} duplicates, {errors} with errors.",
                             "{rows} rows: {written} written, {skipped} already there, {duplicates} duplicates, {errors} with errors.",
                             summary.total).format(
        rows=summary.total, written=summary.written, skipped=summary.skipped, duplicates=summary.duplicates, errors=summary.errors),
        "bold" if not summary.errors else "yellow"))
    if summary.written == 0 and summary.skipped:  # a second run: say so, even when some rows still fail
        con.print(_text(_("Nothing new to write: every letter is already there (use --force to write them again).")))
    if summary.combined:
        con.print(_text(_("All the letters in one PDF: {path}").format(path=summary.combined)))
    con.print(_text(_("Report: {path}").format(path=summary.report_path)))
    return summary.exit_code


def _progress_bar() -> Any:
    """A rich progress bar on a terminal; nothing otherwise (scripts, CI)."""
    if not sys.stderr.isatty():
        return None
    from rich.progress import Progress

    bar = Progress(console=_console(stderr=True), auto_refresh=False, transient=True)
    task = bar.add_task(_("Letters"), total=None)
    bar.start()

    def advance(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total or None)
        bar.refresh()
        if total and done >= total:
            bar.stop()

    advance.stop = bar.stop  # type: ignore[attr-defined]
    return advance
