"""Shared fixtures: the catalogue, an isolated config/data folder, and the English UI by default."""

from __future__ import annotations

import datetime as dt

import pytest

from plainte.catalog import load
from plainte.i18n import set_ui_language

TODAY = dt.date(2026, 11, 21)


@pytest.fixture(autouse=True)
def _isolated(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("PLAINTE_CONFIG_DIR", str(home / "config"))
    monkeypatch.setenv("PLAINTE_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "xdg-data"))
    monkeypatch.setenv("PLAINTE_CACHE_DIR", str(home / "cache"))
    monkeypatch.delenv("LANGUAGE", raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    set_ui_language("en")
    yield
    set_ui_language("en")


@pytest.fixture(scope="session")
def cat():
    return load()
