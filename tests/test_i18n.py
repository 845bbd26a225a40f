"""Translations: complete, never fuzzy, compiled, placeholders intact; the UI language from the environment."""

from __future__ import annotations

import re

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from plainte.i18n import detect_language
from plainte.resources import locales_dir

PLACEHOLDER = re.compile(r"\{[a-z_]+\}|%\([a-z_]+\)s")


def catalog(lang, domain):
    with open(locales_dir() / lang / "LC_MESSAGES" / f"{domain}.po", "rb") as fh:
        return read_po(fh)


def template(domain):
    with open(locales_dir() / f"{domain}.pot", "rb") as fh:
        return read_po(fh)


@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
@pytest.mark.parametrize("domain", ["messages", "letters"])
def test_every_message_is_translated_and_not_fuzzy(lang, domain):
    cat = catalog(lang, domain)
    expected = {m.id for m in template(domain) if m.id}
    present = {m.id for m in cat if m.id}
    assert expected <= present, sorted(expected - present)[:5]
    bad = [m.id for m in cat if m.id and (m.fuzzy or not m.string or (isinstance(m.string, tuple) and not all(m.string)))]
    assert not bad, bad[:5]


@pytest.mark.parametrize("lang", ["fr", "nl"])
@pytest.mark.parametrize("domain", ["messages", "letters"])
def test_placeholders_survive_translation(lang, domain):
    for m in catalog(lang, domain):
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for s in strings:
            assert set(PLACEHOLDER.findall(s)) == wanted, (m.id, s)


@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
@pytest.mark.parametrize("domain", ["messages", "letters"])
def test_compiled_catalog_matches_po(lang, domain):
    def key(m):
        return tuple(m.id) if isinstance(m.id, (list, tuple)) else m.id

    def value(m):
        return tuple(m.string) if isinstance(m.string, (list, tuple)) else m.string

    po = {key(m): value(m) for m in catalog(lang, domain) if m.id}
    with open(locales_dir() / lang / "LC_MESSAGES" / f"{domain}.mo", "rb") as fh:
        mo = {key(m): value(m) for m in read_mo(fh) if m.id}
    assert po == mo, "run: python scripts/i18n.py compile"


def test_template_is_up_to_date():
    """Every message used in the code and letters is in the template (run scripts/i18n.py all)."""
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    root = locales_dir().parent
    if not (root / "babel.cfg").exists():
        pytest.skip("not a checkout")
    for domain, source in (("messages", root / "src" / "plainte"), ("letters", root / "letters")):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "x.pot"
            subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", str(root / "babel.cfg"), "--no-location",
                            "-k", "_", "-k", "N_", "-k", "ngettext:1,2", "-o", str(out), str(source)],
                           check=True, capture_output=True, cwd=root)
            with open(out, "rb") as fh:
                fresh = {m.id for m in read_po(fh) if m.id}
        assert fresh == {m.id for m in template(domain) if m.id}, domain


@pytest.mark.parametrize("env,lang", [
    ({"LANG": "fr_BE.UTF-8"}, "fr"), ({"LC_ALL": "nl_BE.UTF-8"}, "nl"), ({"LANGUAGE": "de:nl"}, "nl"),
    ({"LANG": "C"}, "en"), ({}, "en"), ({"PLAINTE_LANG": "nl", "LANG": "fr_BE"}, "nl"),
])
def test_ui_language_from_environment(env, lang):
    assert detect_language(env) == lang
