"""A social worker's case walked through the CLI with Dutch screens and French letters: only the Belgian advice,
the answer phrased against the letter it followed, and after the regulator what remains (court, lawyer, legal aid)."""

from __future__ import annotations

from pathlib import Path

import pytest

from plainte.answers import dump_answers, load_answers
from plainte.errors import ExitCode

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture
def invoke(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from plainte.cli import build_app, setup_language

    monkeypatch.setenv("PLAINTE_DB", str(tmp_path / "cases.sqlite3"))

    def run(*args: str):
        argv = ["--ui-lang", "nl", *args]
        setup_language(argv)
        return CliRunner().invoke(build_app(), argv)

    return run


def flat(text: str) -> str:
    return " ".join(text.split())


def test_stellantis_case_in_dutch_screens_and_french_letters(tmp_path, invoke):
    out = tmp_path / "out"
    answers = load_answers(EXAMPLES / "complaint.yaml")
    answers["language"] = "fr"
    complaint = tmp_path / "complaint.yaml"
    dump_answers(answers, complaint)
    assert invoke("render", str(complaint), "-o", str(out)).exit_code == 0
    assert invoke("cases", "update", "1", "--sent", "2026-11-23").exit_code == 0
    assert "niets te doen" in invoke("cases", "due", "--today", "2026-12-03").output
    assert "ontvangstbevestiging" in flat(invoke("cases", "due", "--today", "2026-12-04").output)
    assert invoke("cases", "escalate", "1", "--today", "2026-12-28", "-o", str(out)).exit_code == ExitCode.NOT_YET
    more = tmp_path / "more.yaml"
    dump_answers({"facts": {"why-unsatisfied": "Aucune réponse à ce jour."}}, more)
    review = invoke("cases", "escalate", "1", "--today", "2026-12-29", "-o", str(out), "--answers", str(more))
    assert review.exit_code == 0, review.output
    assert "Ombudsfin" in review.output and "Frankrijk" not in review.output
    assert invoke("cases", "update", "1", "--sent", "2026-12-30").exit_code == 0
    assert invoke("cases", "update", "1", "--answered", "2027-01-12", "--outcome", "Vous refusez le remboursement.").exit_code == 0
    shown = flat(invoke("cases", "show", "1").output)
    assert "1. Klacht: " in shown and "(Verzoek tot heronderzoek)" in shown and "(complaint)" not in shown
    mediation = invoke("cases", "escalate", "1", "--today", "2027-01-19", "-o", str(out))
    assert mediation.exit_code == 0, mediation.output
    said = flat(mediation.output)
    assert "Ombudsfin een verzoek weigeren dat meer dan een jaar" in said
    assert "Frankrijk" not in said and "médiateur" not in said
    [letter] = out.glob("*mediation-request_fr.txt")
    text = flat(letter.read_text(encoding="utf-8"))
    assert "Stellantis Financial Services Belux SA n'a pas répondu à cette plainte." in text
    assert ("Stellantis Financial Services Belux SA a répondu le 12 janvier 2027 à la demande de réexamen interne du "
            "29 décembre 2026.") in text
    assert "a répondu à cette plainte" not in text
    assert invoke("cases", "update", "1", "--sent", "2027-01-20").exit_code == 0
    regulator = invoke("cases", "escalate", "1", "--today", "2027-03-25")
    assert regulator.exit_code == ExitCode.OK
    said = flat(regulator.output)
    assert "consumerconnect.be" in said and "Economische Inspectie" in said
    assert "juridische bijstand" in said and "pro deo" in said and "advocaat" in said and "rechter" in said
    court = invoke("cases", "escalate", "1", "--today", "2027-03-25", "--to", "court")
    assert court.exit_code == ExitCode.OK and "juridische bijstand" in court.output
    assert "court" not in court.output.replace("--to court", "")  # no English on a Dutch screen
