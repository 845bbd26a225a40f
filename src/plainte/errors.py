"""The one error hierarchy of plainte, each kind mapped to a process exit code."""

from __future__ import annotations

from dataclasses import dataclass


class ExitCode:
    """Exit codes, documented in the README."""

    OK = 0
    FAILURE = 1
    USAGE = 2  # also: no terminal for the wizard
    INVALID_INPUT = 3
    CATALOGUE = 4
    OUTPUT = 5
    NOT_YET = 6  # an escalation or a letter asked for before its time
    BATCH_PARTIAL = 7
    INTERRUPTED = 130


class PlainteError(Exception):
    """Base of every error plainte reports to a person; its str() is already translated."""

    exit_code = ExitCode.FAILURE


class UsageError(PlainteError):
    """A command was called in a way that cannot work (missing terminal, conflicting flags)."""

    exit_code = ExitCode.USAGE


class FieldError(PlainteError):
    """One value is invalid; the message names the field and says what is expected."""

    exit_code = ExitCode.INVALID_INPUT

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Problem:
    """One invalid or missing answer: where it is and what is expected."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class AnswersError(PlainteError):
    """Several answers are missing or invalid; all of them are listed at once."""

    exit_code = ExitCode.INVALID_INPUT

    def __init__(self, problems: list[Problem], heading: str = "") -> None:
        self.problems = list(problems)
        lines = [heading] if heading else []
        lines += [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))


class CatalogueError(PlainteError):
    """A data file of the catalogue (shipped or user-supplied) is malformed or names an unknown id."""

    exit_code = ExitCode.CATALOGUE


class OutputError(PlainteError):
    """A letter or report could not be written."""

    exit_code = ExitCode.OUTPUT


class NotYetError(PlainteError):
    """A step is asked for before the date it becomes possible."""

    exit_code = ExitCode.NOT_YET
