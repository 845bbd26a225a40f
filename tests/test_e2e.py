"""The real `plainte` wizard in a pseudo-terminal (pexpect), each step with a timeout."""

from __future__ import annotations

import io
import os
import re
import stat
import sys

import pexpect

from plainte.catalog import load
from plainte.i18n import translations

TIMEOUT = 20  # seconds per step: generous for a busy 2-core machine, still ends a hung run
# (question text, answer) in the order the wizard asks them, for Intrum / already paid
PLAIN_SCRIPT = [
    ("Langue · Taal · Language", "3"),
    ("Who is writing?", ""),
    ("Which institution are you writing to?", "4"),
    ("What is the problem?", "1"),
    ("Who did you pay?", "1"),
    ("Date of payment", "03/11/2026"),
    ("Amount paid", "245,80"),
    ("Account you paid from", ""),
    ("Account you paid to", ""),
    ("Structured communication used", ""),
    ("Did you pay only", "2"),
    ("Original creditor", "Proximus SA"),
    ("Amount still claimed", "245,80"),
    ("Date of the letter (or reminder)", ""),
    ("Anything else to explain", ""),
    ("Do you have this document: Proof of payment", "1"),
    ("Do you have this document: Demand", "2"),
    ("The institution's street and number", "Avenue de la Liberté 12"),
    ("The institution's country", ""),
    ("The institution's postal code", "1080"),
    ("The institution's town or city", "Molenbeek-Saint-Jean"),
    ("Your full name", "Marie Dubois"),
    ("Your street and number", "Rue de la Victoire 112"),
    ("Your country", ""),
    ("Your postal code", "1060"),
    ("Your town or city", "Saint-Gilles"),
    ("Your e-mail address", ""),
    ("Your phone number", ""),
    ("File number", "INT-2026-448812"),
    ("Contract or account number", ""),
    ("Customer number", ""),
    ("In which language should the letter be written?", ""),
    ("How will you send it?", ""),
    ("Date of the letter", "21/11/2026"),
    ("Does the demand add costs", ""),
    ("Is everything right?", "1"),
]


def spawn(args, tmp_path, term="dumb", lang="C.UTF-8"):
    env = dict(os.environ, PLAINTE_DATA_DIR=str(tmp_path / "data"), PLAINTE_CONFIG_DIR=str(tmp_path / "config"),
               TERM=term, LANG=lang, NO_COLOR="1", COLUMNS="100", LINES="40")
    env.pop("LANGUAGE", None)
    env.pop("LC_ALL", None)
    return pexpect.spawn(sys.executable, ["-m", "plainte", *args], env=env, encoding="utf-8", timeout=TIMEOUT,
                         dimensions=(40, 100), cwd=str(tmp_path))


def answer_plain(child, script):
    for question, answer in script:
        child.expect_exact(question)
        child.expect_exact("? ")
        child.sendline(answer)


def test_plain_mode_full_path_writes_the_letter(tmp_path):
    out = tmp_path / "out"
    child = spawn(["new", "--plain", "-o", str(out), "--format", "txt"], tmp_path)
    answer_plain(child, PLAIN_SCRIPT)
    child.expect_exact("Your letter is ready")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    letter = out / "2026-11-21_intrum-be_already-paid_fr.txt"
    assert stat.S_IMODE(letter.stat().st_mode) == 0o600
    text = letter.read_text(encoding="utf-8")
    assert "Marie Dubois" in text and "245,80" in text and "RECOMMANDÉ" in text
    assert not (tmp_path / "data" / "draft.json").exists()


def test_plain_back_changes_an_earlier_answer(tmp_path):
    out = tmp_path / "out"
    child = spawn(["new", "--plain", "-o", str(out), "--format", "txt"], tmp_path)
    script = list(PLAIN_SCRIPT)
    # at the amount, go back to the date and change it, then go on
    i = next(n for n, (q, _a) in enumerate(script) if q == "Amount paid")
    answer_plain(child, script[:i])
    child.expect_exact("Amount paid")
    child.expect_exact("? ")
    child.sendline("<")
    child.expect_exact("Date of payment")
    child.expect_exact("03/11/2026")  # the earlier answer is kept as the default
    child.expect_exact("? ")
    child.sendline("04/11/2026")
    answer_plain(child, script[i:])
    child.expect(pexpect.EOF)
    text = (out / "2026-11-21_intrum-be_already-paid_fr.txt").read_text(encoding="utf-8")
    assert "4 novembre 2026" in text and "3 novembre 2026" not in text


def test_ctrl_c_then_resume_restores_every_answer(tmp_path):
    out = tmp_path / "out"
    child = spawn(["new", "--plain", "-o", str(out), "--format", "txt"], tmp_path)
    half = next(n for n, (q, _a) in enumerate(PLAIN_SCRIPT) if q == "Your full name")
    answer_plain(child, PLAIN_SCRIPT[:half])
    child.expect_exact("Your full name")
    child.expect_exact("? ")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130 or child.signalstatus is None and child.exitstatus == 130
    assert "Traceback" not in (child.before or "")
    draft = tmp_path / "data" / "draft.json"
    assert stat.S_IMODE(draft.stat().st_mode) == 0o600
    child = spawn(["new", "--plain", "--resume", "-o", str(out), "--format", "txt"], tmp_path)
    answer_plain(child, PLAIN_SCRIPT[half:-1])
    child.expect_exact("Please check your answers")
    child.expect_exact("Is everything right?")
    review = child.before
    for expected in ("Intrum", "Already paid", "03/11/2026", "€245.80", "Proximus SA", "Molenbeek-Saint-Jean", "Marie Dubois"):  # the amount as the English screen writes it
        assert expected in review
    child.expect_exact("? ")
    child.sendline("1")
    child.expect(pexpect.EOF)
    assert (out / "2026-11-21_intrum-be_already-paid_fr.txt").exists()


def test_no_terminal_exits_at_once_with_code_2(tmp_path):
    import subprocess

    env = dict(os.environ, PLAINTE_DATA_DIR=str(tmp_path / "data"), LANG="C.UTF-8")
    done = subprocess.run([sys.executable, "-m", "plainte", "new"], stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, env=env, timeout=TIMEOUT)
    assert done.returncode == 2
    assert "plainte render" in done.stderr and "--answers" in done.stderr and "Traceback" not in done.stderr
    missing = [line.split(":")[0].strip(" -") for line in done.stderr.splitlines() if line.startswith("  - ")]
    assert missing[:2] == ["institution", "dispute"] and "sender.name" in missing  # every answer to write, at once


def test_french_happy_path_with_the_full_terminal_ui(tmp_path):
    """questionary in a real pseudo-terminal, in French, from the first screen to the written letter."""
    fr = translations("fr", "messages").gettext
    paid = load().disputes["already-paid"]

    def data_label(qid):
        return paid.question(qid).label["fr"]
    out = tmp_path / "out"
    child = spawn(["new"], tmp_path, term="xterm-256color", lang="fr_BE.UTF-8")
    screen = io.StringIO()
    child.logfile_read = screen
    down, enter, space = "\x1b[B", "\r", " "

    def step(question, keys, ctrl_u=False):
        child.expect(re.escape(question[:28]))  # long questions wrap on the terminal
        if ctrl_u:
            child.send("\x15")  # clear a pre-filled default
        child.send(keys)

    step("Langue · Taal · Language", enter)  # French, from LANG
    step(fr("Who is writing?"), enter)
    step(fr("Which institution are you writing to?"), down * 3 + enter)  # Intrum
    step(fr("What is the problem?"), enter)  # already paid (first)
    step(data_label("paid-to"), enter)  # the collector
    step(data_label("payment-date"), "03/11/2026" + enter)
    step(data_label("amount-paid"), "245,80" + enter)
    for qid in ("from-iban", "to-iban", "payment-reference"):  # optional: Enter skips
        step(data_label(qid), enter)
    step(data_label("only-principal"), enter)  # No (the default)
    step(data_label("creditor"), "Proximus SA" + enter)
    step(data_label("claimed-amount"), "245,80" + enter)
    for qid in ("demand-date", "description"):
        step(data_label(qid), enter)
    child.expect(re.escape(fr("Do you have this document: {label}?").split("{")[0]))
    child.send(enter)  # yes
    child.expect(re.escape(fr("Do you have this document: {label}?").split("{")[0]))
    child.send(down + enter)  # no (recommended only)
    step(fr("The institution's street and number"), "Avenue de la Liberté 12" + enter)
    step(fr("The institution's country"), enter)
    step(fr("The institution's postal code"), "1080" + enter)
    step(fr("The institution's town or city"), "Molenbeek-Saint-Jean" + enter)
    step(fr("Your full name"), "Marie Dubois" + enter)
    step(fr("Your street and number"), "Rue de la Victoire 112" + enter)
    step(fr("Your country"), enter)
    step(fr("Your postal code"), "1060" + enter)
    step(fr("Your town or city"), "Saint-Gilles" + enter)
    for label in ("Your e-mail address", "Your phone number (daytime)", "File number (on the letter you received)",
                  "Contract or account number", "Customer number"):
        step(fr(label), enter)
    step(fr("In which language should the letter be written?"), enter)
    step(fr("How will you send it?"), enter)
    step(fr("Date of the letter"), "21/11/2026" + enter, ctrl_u=True)
    step(fr("Does the demand add costs (damages, reminder fees, collection fees)? Check them against Belgian law?")[:30], enter)  # no
    step(fr("Is everything right?"), enter)
    step(fr("In which formats do you want the letter?"), down + space + enter)  # PDF and text (ticked), + web page
    step(fr("In which folder should the letter be saved?"), str(out) + enter, ctrl_u=True)
    child.expect(re.escape(fr("Your letter is ready:")))
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    text = (out / "2026-11-21_intrum-be_already-paid_fr.txt").read_text(encoding="utf-8")
    assert "Madame, Monsieur," in text and "245,80" in text
    assert (out / "2026-11-21_intrum-be_already-paid_fr.html").exists()
    assert (out / "2026-11-21_intrum-be_already-paid_fr.pdf").exists()
    shown = screen.getvalue()
    assert fr("Web page to print (.html)") in shown  # the formats chosen, said in French
    for english in ("done (", "selections", "Description:", "Use arrow keys", "Back", "Type to", "(Y/n)"):
        at = shown.find(english)
        assert at < 0, (english, shown[max(0, at - 300):at + 100])


def test_after_ctrl_c_plainte_new_offers_the_draft_and_back_still_works(tmp_path):
    child = spawn(["new", "--plain"], tmp_path)
    half = next(n for n, (q, _a) in enumerate(PLAIN_SCRIPT) if q == "Your full name")
    answer_plain(child, PLAIN_SCRIPT[:half])
    child.expect_exact("Your full name")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    child = spawn(["new", "--plain"], tmp_path)
    answer_plain(child, [("Langue · Taal · Language", "3")])
    child.expect_exact("You have a draft from")
    child.expect_exact("(Intrum, Already paid)")  # what the draft is about, in words
    child.expect_exact("? ")
    child.sendline("1")
    child.expect_exact("Your full name")  # straight back where it stopped
    child.expect_exact("Type < to go back.")
    child.expect_exact("? ")
    child.sendline("<")
    child.expect_exact("The institution's town or city")
    child.expect_exact("Molenbeek-Saint-Jean")  # the answer before the interruption, kept
    child.sendintr()
    child.expect(pexpect.EOF)


def english_fragments(lang):
    """Pieces of English messages (12 characters or more) that the language's translation does not contain."""
    from babel.messages.pofile import read_po

    from plainte.resources import locales_dir

    with open(locales_dir() / lang / "LC_MESSAGES" / "messages.po", encoding="utf-8") as f:
        catalog = read_po(f)
    out = set()
    for m in catalog:
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        for piece in (p.strip() for i in ids for p in re.split(r"\{[^}]*\}", i)):
            if len(piece) >= 12 and not any(piece in s for s in strings):
                out.add(piece)
    return out


def test_plain_mode_in_dutch_shows_no_english(tmp_path):
    out = tmp_path / "out"
    child = spawn(["new", "--plain", "-o", str(out), "--format", "txt"], tmp_path, lang="nl_BE.UTF-8")
    screen = io.StringIO()
    child.logfile_read = screen
    for question, answer in PLAIN_SCRIPT:  # the same questions in the same order: answered by position
        child.expect_exact("\n? ")
        child.sendline("2" if question.startswith("Langue") else answer)
    child.expect(pexpect.EOF)
    assert (out / "2026-11-21_intrum-be_already-paid_nl.txt").exists()  # Intrum reads Dutch: the UI language first
    shown = screen.getvalue()
    assert "Klopt alles?" in shown and "Hoe gaat het verder" in shown
    leaks = sorted(piece for piece in english_fragments("nl") if piece in shown)
    assert not leaks, leaks


def test_an_option_without_its_value_is_said_in_french(tmp_path):
    import subprocess

    env = dict(os.environ, PLAINTE_DATA_DIR=str(tmp_path / "data"), LANG="fr_BE.UTF-8")
    env.pop("LANGUAGE", None)
    done = subprocess.run([sys.executable, "-m", "plainte", "new", "--answers"], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, env=env, timeout=TIMEOUT)
    assert done.returncode == 2
    assert "--answers demande une valeur" in done.stderr and "requires" not in done.stderr


def test_terminal_messages_follow_no_color_and_show_markup_as_text(tmp_path):
    code = ("from plainte.prompts import TerminalAsker; "
            "TerminalAsker().say('Wait [bold]x[/bold] <b>y</b> \\x1b[31mred', 'warning')")
    shown = {}
    for no_color in (False, True):
        env = dict(os.environ, TERM="xterm-256color")
        env.pop("NO_COLOR", None)
        if no_color:
            env["NO_COLOR"] = "1"
        child = pexpect.spawn(sys.executable, ["-c", code], env=env, encoding="utf-8", timeout=TIMEOUT)
        child.expect(pexpect.EOF)
        shown[no_color] = child.before
    assert "\x1b[0;33m" in shown[False]  # yellow for a warning on a colour terminal
    assert not re.search(r"\x1b\[[0-9;]*3[0-7]m", shown[True])  # no colour at all with NO_COLOR
    for text in shown.values():
        assert "Wait [bold]x[/bold] <b>y</b> [31mred" in text  # markup and the escape sequence stay inert


def test_batch_on_a_terminal_shows_progress_then_the_summary(tmp_path):
    from pathlib import Path

    sheet = Path(__file__).parent / "data" / "batch" / "sheet.csv"
    out = tmp_path / "out"
    child = spawn(["batch", str(sheet), "-o", str(out), "--no-record"], tmp_path, term="xterm")
    child.expect_exact("Letters")  # the progress bar, on a terminal only
    child.expect_exact("3 written")
    child.expect_exact("plainte-report.csv")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 7  # some rows failed: documented in the README
    assert len([p for p in out.iterdir() if p.suffix == ".txt"]) == 3
