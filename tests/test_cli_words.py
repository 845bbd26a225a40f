"""Typer's own words (help headings, placeholders, usage errors) in the UI language, through the real entry point."""

from __future__ import annotations

import pytest

from plainte.cli import run
from plainte.errors import ExitCode

ENGLISH_HELP = ("Usage:", "Options:", "Arguments:", "Commands:", "Show this message", "[required]", "[default",
                "COMMAND [ARGS]", "<str>", "<path>", "<int>", "<text>", "ANSWERS", "FILE ")
HELP_WORDS = {"fr": ("Utilisation : plainte", "Options :", "Afficher cette aide"),
              "nl": ("Gebruik: plainte", "Opties:", "Toon deze hulp")}


@pytest.fixture(autouse=True)
def _restore_language(monkeypatch):
    # run() points gettext's default domain at the UI language through LANGUAGE: keep that inside each test
    monkeypatch.setenv("LANGUAGE", "en")
    yield
    run(["--ui-lang", "en", "--version"])


@pytest.mark.parametrize("lang", ["fr", "nl"])
@pytest.mark.parametrize("command", [[], ["render"], ["deadline"], ["cases"], ["cases", "escalate"], ["batch"]])
def test_help_has_no_english_words(lang, command, capsys):
    assert run(["--ui-lang", lang, *command, "--help"]) == ExitCode.OK
    out = capsys.readouterr().out
    assert not [word for word in ENGLISH_HELP if word in out], out
    if not command:
        for word in HELP_WORDS[lang]:
            assert word in out


def test_help_in_english_keeps_typer_words(capsys):
    assert run(["--ui-lang", "en", "render", "--help"]) == ExitCode.OK
    out = capsys.readouterr().out
    assert out.startswith("Usage: plainte render [OPTIONS] {ANSWERS}")
    assert "Options:" in out and "--format <text>" in out and "[required]" in out


def test_help_follows_lang_environment(monkeypatch, capsys):
    monkeypatch.setenv("LANG", "fr_BE.UTF-8")
    for key in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "PLAINTE_LANG"):
        monkeypatch.delenv(key, raising=False)
    assert run(["disputes", "--help"]) == ExitCode.OK
    assert capsys.readouterr().out.startswith("Utilisation : plainte disputes [OPTIONS] [ID]")


@pytest.mark.parametrize(("args", "expected"), [
    (["evidence"], "il manque LITIGE"),
    (["deadline", "--from"], "--from demande une valeur"),
    (["deadline", "--from", "2026-01-01", "--business-days", "x"], "--business-days : un nombre entier"),
    (["cases", "show", "abc"], "valeur non valide pour ID"),
    (["disputes", "a", "b"], "trop d'arguments (b)"),
    (["disputes", "--json=yes"], "--json ne prend pas de valeur"),
    (["deadline", "--busines-days", "3"], "Vouliez-vous dire --business-days ?"),
    (["nope"], "commande inconnue"),
])
def test_usage_errors_in_french(args, expected, capsys):
    assert run(["--ui-lang", "fr", *args]) == ExitCode.USAGE
    err = " ".join(capsys.readouterr().err.split())
    assert err.startswith("Erreur : ") and expected in err, err
    for english in ("requires", "not a valid", "Got unexpected", "No such", "Missing", "Possible options", "dispute_id"):
        assert english not in err, err


def test_usage_error_in_dutch_names_the_option(capsys):
    assert run(["--ui-lang", "nl", "deadline", "--from", "2026-01-01", "--months", "twee"]) == ExitCode.USAGE
    err = " ".join(capsys.readouterr().err.split())
    assert err.startswith("Fout: ongeldige waarde voor --months") and "not a valid" not in err, err


@pytest.mark.parametrize(("lang", "word"), [("fr", "DATE"), ("nl", "DATUM"), ("en", "DATE")])
def test_advice_after_a_letter_shows_the_placeholder_of_the_help(lang, word, tmp_path, monkeypatch, capsys):
    """The command to run once the letter is sent reads as `plainte cases update --help` shows it in that language."""
    from plainte.resources import PACKAGE_DIR

    monkeypatch.setenv("PLAINTE_DB", str(tmp_path / "cases.sqlite3"))
    example = PACKAGE_DIR.parent.parent / "examples" / "complaint.yaml"
    assert run(["--ui-lang", lang, "render", str(example), "-o", str(tmp_path / "out")]) == ExitCode.OK
    advice = capsys.readouterr().err
    assert f"plainte cases update 1 --sent {word}" in " ".join(advice.split())
    assert run(["--ui-lang", lang, "cases", "update", "--help"]) == ExitCode.OK
    assert f"--sent {word}" in capsys.readouterr().out
    if lang == "nl":
        assert "--sent DATE" not in advice
