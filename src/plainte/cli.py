"""The Typer app: parses flags, calls the core, prints for people or as JSON, maps errors to exit codes."""


import os
from pathlib import Path
from typing import Any, Optional

import typer
from typer._click import exceptions as click_errors  # typer vendors click

from plainte import __version__, commands
from plainte.cli_words import usage_message, use_translated_classes
from plainte.commands import _console, _text
from plainte.errors import ExitCode, PlainteError
from plainte.i18n import LANGUAGES, _, detect_language, set_ui_language

def _cmd(module: str, name: str) -> Any:
    """A command body from a module imported only when that command runs (start-up stays fast)."""
    import importlib

    return getattr(importlib.import_module(f"plainte.{module}"), name)


def _call(fn: Any, *args: Any) -> Any:
    """Run a command; a PlainteError becomes its translated message on stderr and its exit code."""
    try:
        return fn(*args)
    except PlainteError as exc:
        _console(stderr=True).print(_text(_("Error: {message}").format(message=exc), "red"))
        raise typer.Exit(exc.exit_code) from None


def build_app() -> typer.Typer:
    """The command tree; built after the UI language is known so help texts are translated."""
    app = typer.Typer(
        name="plainte",
        help=_("Write the letter that gets your problem with a bank, lender, leasing company or debt collector solved."),
        rich_markup_mode=None,
        pretty_exceptions_enable=False,
        add_completion=False,
        no_args_is_help=False,
        invoke_without_command=True,
        context_settings={"help_option_names": ["-h", "--help"]},
    )

    @app.callback()
    def main(
        ctx: typer.Context,
        ui_lang: Optional[str] = typer.Option(None, "--ui-lang", help=_("Language of the screens: fr, nl or en.")),
        institutions: list[Path] = typer.Option([], "--institutions", help=_("An extra file of institutions (YAML); may be repeated.")),
        version: bool = typer.Option(False, "--version", "-V", help=_("Show the version and exit.")),
    ) -> None:
        if version:
            typer.echo(f"plainte {__version__}")
            raise typer.Exit(0)
        commands.STATE["institutions"] = list(institutions)
        commands.STATE["ui_lang_given"] = ui_lang is not None
        if ctx.invoked_subcommand is None:
            raise typer.Exit(_call(_cmd("new_command", "cmd_new"), False, False, None, None, None, None, ui_lang is not None))

    @app.command("new", help=_("Answer a few questions and get your letter (the wizard)."))
    def new_cmd(
        plain: bool = typer.Option(False, "--plain", help=_("Line-by-line questions with numbered choices, no colour (screen readers).")),
        resume: bool = typer.Option(False, "--resume", help=_("Continue the saved draft.")),
        answers: Optional[Path] = typer.Option(None, "--answers", help=_("Pre-fill from an answers file; only what is missing is asked.")),
        save_answers: Optional[Path] = typer.Option(None, "--save-answers", help=_("Also save the answers in this file, to reuse them.")),
        out_dir: Optional[Path] = typer.Option(None, "--output", "-o", help=_("The folder to write the letter in.")),
        formats: Optional[str] = typer.Option(None, "--format", help=_("Formats, separated by commas: txt, md, html, pdf, eml.")),
        no_record: bool = typer.Option(False, "--no-record", help=_("Do not record the letter in your cases.")),
        db: Optional[Path] = typer.Option(None, "--db", help=_("The case store (default: PLAINTE_DB, else cases.sqlite3 in plainte's data folder).")),
    ) -> None:
        raise typer.Exit(_call(_cmd("new_command", "cmd_new"), plain, resume, answers, save_answers, out_dir, formats, bool(commands.STATE.get("ui_lang_given")),
                               not no_record, db))

    @app.command("institutions", help=_("List the institutions, or show one's channels, deadlines and escalation ladder."))
    def institutions_cmd(
        institution_id: Optional[str] = typer.Argument(None, metavar="ID", help=_("An institution id.")),
        as_json: bool = typer.Option(False, "--json", help=_("Print JSON for scripts.")),
    ) -> None:
        _call(commands.cmd_institutions, institution_id, as_json)

    @app.command("disputes", help=_("List the disputes (for one institution), or show one dispute's questions and evidence."))
    def disputes_cmd(
        dispute_id: Optional[str] = typer.Argument(None, metavar="ID", help=_("A dispute id.")),
        institution: Optional[str] = typer.Option(None, "--institution", help=_("Only the disputes that apply to this institution.")),
        as_json: bool = typer.Option(False, "--json", help=_("Print JSON for scripts.")),
    ) -> None:
        _call(commands.cmd_disputes, dispute_id, institution, as_json)

    @app.command("evidence", help=_("The checklist of proof a dispute needs: what counts, what does not, how to get it."))
    def evidence_cmd(
        dispute_id: str = typer.Argument(..., metavar="DISPUTE", help=_("A dispute id.")),
        institution: Optional[str] = typer.Option(None, "--institution", help=_("The institution you write to.")),
        as_json: bool = typer.Option(False, "--json", help=_("Print JSON for scripts.")),
    ) -> None:
        _call(commands.cmd_evidence, dispute_id, institution, as_json)

    @app.command("render", help=_("Write the letter described by an answers file (YAML or JSON)."))
    def render_cmd(
        answers: Path = typer.Argument(..., metavar="ANSWERS", help=_("The answers file.")),
        out_dir: Path = typer.Option(Path("."), "--output", "-o", help=_("The folder to write the letter in.")),
        formats: str = typer.Option("txt", "--format", help=_("Formats, separated by commas: txt, md, html, pdf, eml.")),
        lang: Optional[str] = typer.Option(None, "--lang", help=_("Language of the letter: fr, nl or en (overrides the answers file).")),
        to_stdout: bool = typer.Option(False, "--stdout", help=_("Print the letter instead of writing a file.")),
        force: bool = typer.Option(False, "--force", help=_("Replace a letter of the same name instead of writing a new one.")),
        quiet: bool = typer.Option(False, "--quiet", "-q", help=_("Do not print the advice.")),
        no_record: bool = typer.Option(False, "--no-record", help=_("Do not record the letter in your cases.")),
        db: Optional[Path] = typer.Option(None, "--db", help=_("The case store (default: PLAINTE_DB, else cases.sqlite3 in plainte's data folder).")),
        attach: Optional[list[Path]] = typer.Option(None, "--attach", metavar="FILE", help=_("A file to attach to the e-mail (eml format); repeat the option for several.")),
    ) -> None:
        _call(commands.cmd_render, answers, out_dir, formats, lang, to_stdout, force, quiet, not no_record, db, attach or [])

    @app.command("batch", help=_("Letters for many clients at once: a spreadsheet (CSV), JSON Lines or a YAML/JSON list of answers."))
    def batch_cmd(
        input_path: Optional[Path] = typer.Argument(None, metavar="INPUT", help=_("The rows: .csv, .jsonl, .yaml or .json.")),
        out_dir: Path = typer.Option(Path("."), "--output", "-o", help=_("The folder to write the letters in.")),
        formats: str = typer.Option("txt", "--format", help=_("Formats, separated by commas: txt, md, html, pdf, eml.")),
        jobs: Optional[int] = typer.Option(None, "--jobs", help=_("Worker processes (default: one per core for a sheet of 500 rows or more; 1: this process only).")),
        force: bool = typer.Option(False, "--force", help=_("Write the letters again, even those already there.")),
        as_json: bool = typer.Option(False, "--json", help=_("Print JSON for scripts.")),
        settings: list[str] = typer.Option([], "--set", metavar="KEY=VALUE", help=_("A value for every row that leaves this column empty; may be repeated.")),
        template: Optional[str] = typer.Option(None, "--template", metavar="DISPUTE", help=_("Print an empty sheet with the columns this dispute needs, and one example row.")),
        institution: Optional[str] = typer.Option(None, "--institution", help=_("With --template: the institution the letters go to.")),
        country: Optional[str] = typer.Option(None, "--country", help=_("With --template and --institution other: the institution's country, BE, FR or CN (its ladder: in France, the médiateur's columns).")),
        combine: bool = typer.Option(False, "--combine", help=_("With --format pdf: also one PDF of all the letters, in order, to print at once.")),
        no_record: bool = typer.Option(False, "--no-record", help=_("Do not record the letters in your cases.")),
        db: Optional[Path] = typer.Option(None, "--db", help=_("The case store (default: PLAINTE_DB, else cases.sqlite3 in plainte's data folder).")),
    ) -> None:
        raise typer.Exit(_call(commands.cmd_batch, input_path, out_dir, formats, jobs, force, as_json, settings, template,
                               institution, combine, not no_record, db, country))

    @app.command("deadline", help=_("Compute a date: a number of business days or months after a date."))
    def deadline_cmd(
        start: str = typer.Option(..., "--from", help=_("The start date (31/12/2026 or 2026-12-31).")),
        business_days: Optional[int] = typer.Option(None, "--business-days", help=_("Business days to add.")),
        months: Optional[int] = typer.Option(None, "--months", help=_("Months to add.")),
        country: str = typer.Option("BE", "--country", help=_("Holidays of this country: BE or FR.")),
        as_json: bool = typer.Option(False, "--json", help=_("Print JSON for scripts.")),
    ) -> None:
        _call(commands.cmd_deadline, start, business_days, months, country, as_json)

    @app.command("costs", help=_("Check the costs a collector claims against Belgian law (Code of Economic Law, Book XIX)."))
    def costs_cmd(
        balance: str = typer.Option(..., "--balance", help=_("The outstanding balance (principal).")),
        damages: str = typer.Option("0", "--damages", help=_("Damages or penalty clause claimed.")),
        reminders: int = typer.Option(0, "--reminders", help=_("Number of reminders sent, the first (free) one included.")),
        reminder_fee: str = typer.Option("0", "--reminder-fee", help=_("Fee claimed per reminder.")),
        postage: str = typer.Option("0", "--postage", help=_("Postage per reminder.")),
        interest: str = typer.Option("0", "--interest", help=_("Interest amount claimed.")),
        interest_rate: Optional[str] = typer.Option(None, "--interest-rate", help=_("Interest rate claimed, in percent.")),
        since: Optional[str] = typer.Option(None, "--since", help=_("Date interest runs from.")),
        until: Optional[str] = typer.Option(None, "--until", help=_("Date interest runs to (today by default).")),
        collection_fees: str = typer.Option("0", "--collection-fees", help=_("Collection agency fees claimed.")),
        debt_type: str = typer.Option("consumer-goods-services", "--debt-type", help=_("consumer-goods-services, consumer-credit or business.")),
        as_json: bool = typer.Option(False, "--json", help=_("Print JSON for scripts.")),
    ) -> None:
        _call(commands.cmd_costs, balance, damages, reminders, reminder_fee, postage, interest, interest_rate, since, until, collection_fees, debt_type, as_json)

    app.add_typer(_cases_app(), name="cases")
    return use_translated_classes(app)


def _cases_app() -> typer.Typer:
    """plainte cases: the letters written, grouped by case, what is due, and the next step."""
    db_help = _("The case store (default: PLAINTE_DB, else cases.sqlite3 in plainte's data folder).")
    json_help = _("Print JSON for scripts.")
    cases = typer.Typer(help=_("Follow your cases: the letters written, the dates that follow, and the next step."),
                        invoke_without_command=True, no_args_is_help=False, rich_markup_mode=None)

    @cases.callback()
    def cases_main(
        ctx: typer.Context,
        open_only: bool = typer.Option(False, "--open", help=_("Only the cases that are not closed.")),
        db: Optional[Path] = typer.Option(None, "--db", help=db_help),
        as_json: bool = typer.Option(False, "--json", help=json_help),
    ) -> None:
        commands.STATE["db"] = db  # `plainte cases --db X show 3` as well as `plainte cases show 3 --db X`
        if ctx.invoked_subcommand is None:
            _call(_cmd("case_commands", "cmd_cases_list"), db, open_only, as_json)

    @cases.command("show", help=_("Show a case: every letter, its dates and files."))
    def show_cmd(
        case_id: int = typer.Argument(..., metavar="ID", help=_("A case number.")),
        with_answers: bool = typer.Option(False, "--answers", help=_("With --json: include the answers of each letter.")),
        db: Optional[Path] = typer.Option(None, "--db", help=db_help),
        as_json: bool = typer.Option(False, "--json", help=json_help),
    ) -> None:
        _call(_cmd("case_commands", "cmd_cases_show"), case_id, db or commands.STATE.get("db"), with_answers, as_json)

    @cases.command("update", help=_("Record what happened to the case's latest letter, or close the case."))
    def update_cmd(
        case_id: int = typer.Argument(..., metavar="ID", help=_("A case number.")),
        sent: Optional[str] = typer.Option(None, "--sent", metavar="DATE", help=_("The day you sent the letter.")),
        acknowledged: Optional[str] = typer.Option(None, "--acknowledged", metavar="DATE", help=_("The day its receipt was acknowledged.")),
        answered: Optional[str] = typer.Option(None, "--answered", metavar="DATE", help=_("The day the answer came.")),
        outcome: Optional[str] = typer.Option(None, "--outcome", metavar="TEXT", help=_("What the answer says, in short, in the language of your letters: the next letter quotes it.")),
        reference: Optional[str] = typer.Option(None, "--reference", metavar="TEXT", help=_("The reference the institution gave your complaint.")),
        closed: bool = typer.Option(False, "--closed", help=_("Close the case (today).")),
        reopen: bool = typer.Option(False, "--reopen", help=_("Open a closed case again.")),
        db: Optional[Path] = typer.Option(None, "--db", help=db_help),
        as_json: bool = typer.Option(False, "--json", help=json_help),
    ) -> None:
        _call(_cmd("case_commands", "cmd_cases_update"), case_id, db or commands.STATE.get("db"), sent, acknowledged, answered, outcome, reference, closed, reopen, as_json)

    @cases.command("due", help=_("The cases whose next date has passed, and what to do now."))
    def due_cmd(
        today: Optional[str] = typer.Option(None, "--today", metavar="DATE", hidden=True),
        db: Optional[Path] = typer.Option(None, "--db", help=db_help),
        as_json: bool = typer.Option(False, "--json", help=json_help),
    ) -> None:
        _call(_cmd("case_commands", "cmd_cases_due"), db or commands.STATE.get("db"), today, as_json)

    @cases.command("escalate", help=_("Write the next letter of a case (internal review, ombudsman), or say where to go next."))
    def escalate_cmd(
        case_id: int = typer.Argument(..., metavar="ID", help=_("A case number.")),
        now: bool = typer.Option(False, "--now", help=_("Escalate before the answer deadline has passed.")),
        to: Optional[str] = typer.Option(None, "--to", metavar="LEVEL", help=_("Skip to a higher step: complaint-review, mediation, regulator or court.")),
        out_dir: Path = typer.Option(Path("."), "--output", "-o", help=_("The folder to write the letter in.")),
        formats: str = typer.Option("txt", "--format", help=_("Formats, separated by commas: txt, md, html.")),
        answers: Optional[Path] = typer.Option(None, "--answers", help=_("Answers to add or change in the next letter (YAML or JSON).")),
        save_answers: Optional[Path] = typer.Option(None, "--save-answers", help=_("Save the next letter's answers in this file instead of writing it.")),
        plain: bool = typer.Option(False, "--plain", help=_("Line-by-line questions with numbered choices, no colour (screen readers).")),
        force: bool = typer.Option(False, "--force", help=_("Replace a letter of the same name instead of writing a new one.")),
        quiet: bool = typer.Option(False, "--quiet", "-q", help=_("Do not print the advice.")),
        no_record: bool = typer.Option(False, "--no-record", help=_("Do not record the letter in your cases.")),
        today: Optional[str] = typer.Option(None, "--today", metavar="DATE", hidden=True),
        db: Optional[Path] = typer.Option(None, "--db", help=db_help),
        as_json: bool = typer.Option(False, "--json", help=json_help),
    ) -> None:
        raise typer.Exit(_call(_cmd("case_commands", "cmd_cases_escalate"), case_id, db or commands.STATE.get("db"), now, to, out_dir, formats, answers, save_answers, plain,
                               force, quiet, not no_record, today, as_json))

    @cases.command("purge", help=_("Delete cases for good: one case, the cases closed before a date, or all."))
    def purge_cmd(
        case_id: Optional[int] = typer.Argument(None, metavar="ID", help=_("A case number.")),
        closed_before: Optional[str] = typer.Option(None, "--closed-before", metavar="DATE", help=_("The cases closed before this day.")),
        everything: bool = typer.Option(False, "--all", help=_("Every case.")),
        yes: bool = typer.Option(False, "--yes", help=_("Do not ask for confirmation.")),
        db: Optional[Path] = typer.Option(None, "--db", help=db_help),
        as_json: bool = typer.Option(False, "--json", help=json_help),
    ) -> None:
        raise typer.Exit(_call(_cmd("case_commands", "cmd_cases_purge"), case_id, closed_before, everything, yes, db or commands.STATE.get("db"), as_json))

    return cases


def _given_ui_lang(args: list[str]) -> Optional[str]:
    """The value given to --ui-lang, or None."""
    for i, a in enumerate(args):
        if a == "--ui-lang" and i + 1 < len(args):
            return args[i + 1]
        if a.startswith("--ui-lang="):
            return a.split("=", 1)[1]
    return None


def setup_language(args: list[str]) -> str:
    """Choose the UI language before the app is built; click's own messages follow it too."""
    import gettext

    from plainte.resources import locales_dir

    lang = _given_ui_lang(args) or ""
    if lang not in LANGUAGES:  # run() then reports a value given but not supported, in the detected language
        lang = detect_language()
    set_ui_language(lang)
    os.environ["LANGUAGE"] = lang  # click translates its messages through the default gettext domain
    gettext.bindtextdomain("messages", str(locales_dir()))
    gettext.textdomain("messages")
    return lang


class _LazyConsole:
    """A stderr console created only when there is something to say (rich costs ~15 ms to import)."""

    def print(self, *args: Any, **kwargs: Any) -> None:
        _console(stderr=True).print(*args, **kwargs)


def ui_lang_first(args: list[str]) -> list[str]:
    """--ui-lang is accepted anywhere (`plainte new --ui-lang fr`): move it before the command."""
    out, lang = [], []
    i = 0
    while i < len(args):
        if args[i] == "--ui-lang" and i + 1 < len(args):
            lang = [args[i], args[i + 1]]
            i += 2
            continue
        if args[i].startswith("--ui-lang="):
            lang = [args[i]]
        else:
            out.append(args[i])
        i += 1
    return lang + out


_GLOBAL_WITH_VALUE = ("--ui-lang", "--institutions")


def _only_invoked(app: typer.Typer, args: list[str]) -> typer.Typer:
    """Keep only the command being run: typer then converts one command, not all (start-up stays fast).

    Top-level help, no command, or an unknown name keep the whole tree, so listings and errors are unchanged.
    """
    i = 0
    while i < len(args) and args[i].startswith("-"):
        i += 2 if args[i] in _GLOBAL_WITH_VALUE else 1
    name = args[i] if i < len(args) else None
    commands_ = [c for c in app.registered_commands if c.name == name]
    groups = [g for g in app.registered_groups if g.name == name]
    if commands_ or groups:
        app.registered_commands, app.registered_groups = commands_, groups
    else:
        _listed_only(app)
    return app


def _no_parameters() -> None:
    """The body of a command that is only listed, never run."""


def _listed_only(app: typer.Typer) -> None:
    """No command below the top level runs (top-level help, the wizard, an unknown name): typer converts each
    one only to list its name and help, so it gets them without their parameters (converting them all is
    the slowest part of `plainte --help`). Every command's help is given explicitly, never taken from a
    docstring, so the listing is unchanged."""
    for command in app.registered_commands:
        command.callback = _no_parameters
    for group in app.registered_groups:
        if group.typer_instance is not None:
            _listed_only(group.typer_instance)
            if group.typer_instance.registered_callback is not None:
                group.typer_instance.registered_callback.callback = _no_parameters


def run(args: list[str]) -> int:
    """Run the CLI; every PlainteError becomes a translated message and its exit code, never a traceback."""
    setup_language(args)
    err = _LazyConsole()
    given = _given_ui_lang(args)
    if given is not None and given not in LANGUAGES:
        err.print(_text(_("Error: invalid value for {name}: {value}; expected one of {choices}.").format(
            name="--ui-lang", value=given, choices=", ".join(LANGUAGES)), "red"))
        return ExitCode.USAGE
    args = ui_lang_first(args)
    app = _only_invoked(build_app(), args)
    try:
        result = typer.main.get_command(app).main(args=args, prog_name="plainte", standalone_mode=False)
        return result if isinstance(result, int) else ExitCode.OK
    except PlainteError as exc:
        err.print(_text(_("Error: {message}").format(message=exc), "red"))
        return exc.exit_code
    except (KeyboardInterrupt, typer.Abort):
        err.print(_text(_("Interrupted.")))
        return ExitCode.INTERRUPTED
    except typer.Exit as exc:
        return exc.exit_code
    except click_errors.ClickException as exc:
        err.print(_text(usage_message(exc), "red"))
        return ExitCode.USAGE
    except Exception as exc:  # noqa: BLE001 - never show answers in a traceback
        if os.environ.get("PLAINTE_DEBUG"):
            raise
        err.print(_text(_("Unexpected error ({kind}). Nothing was written. Set PLAINTE_DEBUG=1 to see the details.").format(kind=type(exc).__name__), "red"))
        return ExitCode.FAILURE
