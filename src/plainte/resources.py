"""Finds letters/, locales/ and data/ in an installed wheel or, in a checkout, at the project root."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


@lru_cache(maxsize=None)
def resource_dir(name: str) -> Path:
    """Return the folder `name` (letters or locales) shipped in the wheel, else the checkout's."""
    inside = PACKAGE_DIR / name
    if inside.is_dir():
        return inside
    checkout = PACKAGE_DIR.parent.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"plainte resource folder not found: {name}")


def letters_dir() -> Path:
    """The Jinja letter templates."""
    return resource_dir("letters")


def locales_dir() -> Path:
    """The gettext catalogs."""
    return resource_dir("locales")


def data_dir() -> Path:
    """The catalogue of institutions, disputes and evidence."""
    return PACKAGE_DIR / "data"
