"""Maintains the gettext catalogs: extract messages, merge them into each language, compile .mo files.

Usage: python scripts/i18n.py extract | update | compile | all
The .mo files are committed so that plainte needs no build step and reads them with the standard library.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "locales"
LANGS = ("fr", "nl", "en")
DOMAINS = {"messages": ROOT / "src" / "plainte", "letters": ROOT / "letters"}


def pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True, cwd=ROOT)


def extract() -> None:
    for domain, source in DOMAINS.items():
        pybabel("extract", "-F", "babel.cfg", "--no-location", "--sort-output", "-k", "_", "-k", "N_", "-k", "ngettext:1,2",
                "--project", "plainte", "--copyright-holder", "plainte", "-o", str(LOCALES / f"{domain}.pot"), str(source))


def update() -> None:
    for domain in DOMAINS:
        for lang in LANGS:
            po = LOCALES / lang / "LC_MESSAGES" / f"{domain}.po"
            if po.exists():
                pybabel("update", "--no-fuzzy-matching", "--ignore-obsolete", "-D", domain, "-i", str(LOCALES / f"{domain}.pot"), "-d", str(LOCALES), "-l", lang)
            else:
                pybabel("init", "-D", domain, "-i", str(LOCALES / f"{domain}.pot"), "-d", str(LOCALES), "-l", lang)


def fill_english() -> None:
    """English is the source language: its catalogs translate every message to itself."""
    from babel.messages.pofile import read_po, write_po

    for domain in DOMAINS:
        po = LOCALES / "en" / "LC_MESSAGES" / f"{domain}.po"
        with open(po, "rb") as fh:
            catalog = read_po(fh, locale="en")
        for message in catalog:
            if message.id:
                message.string = message.id
                message.flags.discard("fuzzy")
        with open(po, "wb") as fh:
            write_po(fh, catalog, omit_header=False, sort_output=True)


def compile_all() -> None:
    for domain in DOMAINS:
        for lang in LANGS:
            pybabel("compile", "-D", domain, "-d", str(LOCALES), "-l", lang)


if __name__ == "__main__":
    step = sys.argv[1] if len(sys.argv) > 1 else "all"
    if step in ("extract", "all"):
        extract()
    if step in ("update", "all"):
        update()
        fill_english()
    if step in ("compile", "all"):
        compile_all()
