"""Country names in each language, for addresses and for the choices on screen."""

from __future__ import annotations

COUNTRY_NAMES = {
    "fr": {"BE": "Belgique", "FR": "France", "NL": "Pays-Bas", "LU": "Luxembourg", "DE": "Allemagne", "CN": "Chine"},
    "nl": {"BE": "België", "FR": "Frankrijk", "NL": "Nederland", "LU": "Luxemburg", "DE": "Duitsland", "CN": "China"},
    "en": {"BE": "Belgium", "FR": "France", "NL": "Netherlands", "LU": "Luxembourg", "DE": "Germany", "CN": "China"},
}


def country_name(code: str, lang: str) -> str:
    """The name of a country (ISO code) in a language; the code itself when unknown."""
    return COUNTRY_NAMES.get(lang, COUNTRY_NAMES["en"]).get(code, code)


def country_label(code: str) -> dict[str, str]:
    """The {fr, nl, en} label of a country, for a choice shown on screen."""
    return {lang: names.get(code, code) for lang, names in COUNTRY_NAMES.items()}
