"""The type-to-search menus of the wizard: what is typed finds a choice whatever its accents and case."""

from __future__ import annotations

import pytest

from plainte.prompts import _described_control, fold, search_matches


@pytest.mark.parametrize(("typed", "title"), [
    ("deja", "Déjà payé"), ("DEJA PAYE", "Déjà payé"), ("regle", "Règlement collectif de dettes"),
    ("reglement", "RÈGLEMENT"), ("creance", "Créance non reconnue"), ("oeuvre", "Main-d'œuvre facturée"),
    ("Déjà", "deja paye"), ("ç", "Reçu"), ("straße", "STRASSE"),
])
def test_search_ignores_accents_and_case(typed, title):
    assert search_matches(typed, title)


@pytest.mark.parametrize(("typed", "title"), [("dejx", "Déjà payé"), ("regles", "Règlement"), ("e", "Ä")])
def test_search_still_needs_the_letters(typed, title):
    assert not search_matches(typed, title)


def test_fold_and_formatted_titles():
    assert fold("Écheance Œ") == "echeance oe"
    assert search_matches("regle", [("class:x", "Rè"), ("", "glement")])  # prompt_toolkit formatted text


def test_the_menu_filters_with_it():
    import questionary

    control = _described_control()([questionary.Choice("Déjà payé", "already-paid"),
                                    questionary.Choice("Règlement collectif de dettes", "collective-debt-settlement"),
                                    questionary.Choice("Autre", "other")])
    control.search_filter = "regle"
    assert [c.value for c in control.filtered_choices] == ["collective-debt-settlement"] and control.found_in_search
    control.search_filter = "DEJA"
    assert [c.value for c in control.filtered_choices] == ["already-paid"]
    control.search_filter = "zzz"  # nothing found: questionary's way, the whole list stays
    assert len(control.filtered_choices) == 3 and not control.found_in_search


def test_the_menu_class_is_made_once():
    assert _described_control() is _described_control()  # not a new class for every choice list


def test_a_checkbox_answered_shows_the_ticked_labels_not_an_english_summary():
    from types import SimpleNamespace

    from plainte.prompts import answered_as_labels

    ticked = [SimpleNamespace(title="PDF à imprimer (.pdf)"), SimpleNamespace(title="Page web à imprimer (.html)")]
    ic = SimpleNamespace(is_answered=False, get_selected_values=lambda: ticked)
    line = answered_as_labels(ic, lambda: [("class:qmark", "?"), ("class:question", " Formats ? ")] + (
        [("class:answer", "done (2 selections)")] if ic.is_answered else [("class:instruction", "(Espace pour cocher)")]))
    assert line()[-1] == ("class:instruction", "(Espace pour cocher)")
    ic.is_answered = True
    assert line() == [("class:qmark", "?"), ("class:question", " Formats ? "),
                      ("class:answer", "PDF à imprimer (.pdf), Page web à imprimer (.html)")]


@pytest.mark.parametrize(("keys", "expected"), [
    # a postal code typed into the country list: Enter clears it (typing moved the highlight to the first country),
    # then down, Enter takes the second; before, that Enter took the first country at once
    ("1060\r\x1b[B\r", "FR"),
    ("fra\r", "FR"),  # what matches is chosen as before
    ("\x1b[B\r", "LU"),  # from the default
])
def test_enter_after_typing_what_matches_nothing_chooses_nothing(keys, expected):
    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    from plainte.prompts import TerminalAsker

    countries = [("BE", "Belgique"), ("FR", "France"), ("NL", "Pays-Bas"), ("LU", "Luxembourg"), ("DE", "Allemagne"), ("CN", "Chine")]
    with create_pipe_input() as typed:
        typed.send_text(keys)
        with create_app_session(input=typed, output=DummyOutput()):
            assert TerminalAsker().choose("Votre pays", countries, default="NL", back=True) == expected
