"""Typer's own words (Usage, Options, placeholders, the help option) shown in the UI language."""

from typing import Any, Optional

import typer
from typer._click import exceptions as click_errors  # typer vendors click
from typer._click.formatting import HelpFormatter
from typer.core import TyperCommand, TyperGroup, TyperOption

from plainte.i18n import N_, _

# typer.core passes these through gettext's default domain, which cli.setup_language binds to
# plainte's "messages" catalog: they are listed here so that extraction puts them in it.
TYPER_MESSAGES = (N_("Arguments"), N_("Options"), N_("Commands"), N_("default: {default}"), N_("required"),
                  N_("env var: {var}"), N_("(dynamic)"), N_("Aborted!"))

# The placeholders cli.py gives its options and arguments (metavar=...), translated when shown.
METAVARS = (N_("ID"), N_("DISPUTE"), N_("ANSWERS"), N_("INPUT"), N_("FILE"), N_("DATE"), N_("TEXT"), N_("LEVEL"),
            N_("KEY=VALUE"))


def _type_metavar(type_name: str) -> str:
    """The placeholder of an option without one, from its type (typer would show <str>, <int>, <path>)."""
    names = {"int": _("<number>"), "integer": _("<number>"), "float": _("<number>"), "path": _("<path>"),
             "filename": _("<path>")}
    return names.get(type_name, _("<text>"))


def localise_params(params: list[Any]) -> None:
    """Give every option and argument a placeholder in the UI language."""
    for param in params:
        if getattr(param, "is_flag", False) or getattr(param, "count", False):
            continue
        if param.metavar is not None:
            param.metavar = _(param.metavar)
        elif isinstance(param, TyperOption):
            param.metavar = _type_metavar(getattr(param.type, "name", ""))


class _Formatter(HelpFormatter):
    def write_usage(self, prog: str, args: str = "", prefix: Optional[str] = None) -> None:
        super().write_usage(prog, args, _("Usage: ") if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        line = _("{heading}:").format(heading=heading)
        self.write(" " * self.current_indent + line + "\n")


class _Context(typer.Context):
    formatter_class = _Formatter


def _help_option(option: Any) -> Any:
    if option is not None:
        option.help = _("Show this message and exit.")
    return option


class Command(TyperCommand):
    """A typer command whose help speaks the UI language."""

    context_class = _Context

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.options_metavar = _("[OPTIONS]")
        localise_params(self.params)

    def get_help_option(self, ctx: Any) -> Any:
        return _help_option(super().get_help_option(ctx))


class Group(TyperGroup):
    """A typer group whose help speaks the UI language."""

    context_class = _Context

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.options_metavar = _("[OPTIONS]")
        self.subcommand_metavar = _("COMMAND [ARGS]...")
        localise_params(self.params)

    def get_help_option(self, ctx: Any) -> Any:
        return _help_option(super().get_help_option(ctx))


def use_translated_classes(app: typer.Typer) -> typer.Typer:
    """Make every command of app (and of its sub-apps) a Command, every group a Group."""
    if not app.info.cls or app.info.cls is TyperGroup:
        app.info.cls = Group
    for command in app.registered_commands:
        if command.cls is None or command.cls is TyperCommand:  # typer fills in TyperCommand when none is given
            command.cls = Command
    for group in app.registered_groups:
        if group.typer_instance is not None:
            use_translated_classes(group.typer_instance)
    return app


def _param_name(exc: Any) -> str:
    """How the person typed or sees the parameter: --option, or an argument's placeholder."""
    param = getattr(exc, "param", None)
    if isinstance(param, TyperOption) and param.opts:
        return param.opts[0]
    if param is not None:
        return param.metavar or (param.name or "").upper() or "?"
    return getattr(exc, "option_name", "") or "?"


def _expected(param: Any) -> str:
    kind = getattr(getattr(param, "type", None), "name", "")
    if kind in ("int", "integer"):
        return _("a whole number")
    if kind == "float":
        return _("a number")
    return ""


def usage_message(exc: Any) -> str:
    """click's own messages are English only: say the same in the UI language."""
    message = getattr(exc, "message", "") or ""
    if isinstance(exc, click_errors.MissingParameter):
        return _("Error: {name} is missing. Run with --help to see what is expected.").format(name=_param_name(exc))
    if isinstance(exc, click_errors.NoSuchOption):
        text = _("Error: there is no option {name}. Run with --help to see the options.").format(name=exc.option_name)
        if exc.possibilities:
            text += " " + _("Did you mean {options}?").format(options=", ".join(sorted(exc.possibilities)))
        return text
    if isinstance(exc, click_errors.BadOptionUsage) and "requires" in message:
        return _("Error: {name} needs a value. Run with --help to see what is expected.").format(name=exc.option_name)
    if isinstance(exc, click_errors.BadOptionUsage) and "does not take a value" in message:
        return _("Error: {name} takes no value. Run with --help to see what is expected.").format(name=exc.option_name)
    if isinstance(exc, click_errors.BadParameter):
        expected = _expected(getattr(exc, "param", None))
        if expected:
            return _("Error: invalid value for {name}: expected {expected}.").format(name=_param_name(exc), expected=expected)
        return _("Error: invalid value for {name}: {message}").format(name=_param_name(exc), message=message)
    if isinstance(exc, click_errors.UsageError) and message.startswith("Got unexpected extra argument"):
        extra = message[message.rfind("(") + 1:message.rfind(")")] if message.endswith(")") else ""
        return _("Error: too many arguments ({arguments}). Run with --help to see what is expected.").format(arguments=extra)
    if isinstance(exc, click_errors.UsageError) and "No such command" in message:
        return _("Error: unknown command. Run plainte --help to see the commands.")
    return _("Error: {message}. Run with --help to see what is expected.").format(message=exc.format_message().rstrip("."))
