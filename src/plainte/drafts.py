"""The wizard's draft: saved after every answer (0600, in the user's data folder), resumed later."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any, Optional

from plainte.answers import _plain
from plainte.outputs import write_atomic


def data_folder() -> Path:
    """plainte's data folder: PLAINTE_DATA_DIR, else the platform's user data folder."""
    override = os.environ.get("PLAINTE_DATA_DIR")
    if override:
        return Path(override)
    from platformdirs import user_data_dir

    return Path(user_data_dir("plainte", appauthor=False))


class DraftStore:
    """One draft file holding the answers so far and which questions were answered."""

    def __init__(self, path: Optional[Path] = None) -> None:
        self.path = path or data_folder() / "draft.json"

    def save(self, answers: dict[str, Any], done: list[str], ui_lang: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        payload = {"saved": dt.datetime.now().isoformat(timespec="seconds"), "ui_lang": ui_lang,
                   "answers": _plain(answers), "done": list(done)}
        write_atomic(self.path, json.dumps(payload, ensure_ascii=False).encode("utf-8"), force=True)

    def load(self) -> Optional[dict[str, Any]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or not isinstance(data.get("answers"), dict):
            return None
        return data

    def exists(self) -> bool:
        return self.path.is_file()

    def delete(self) -> None:
        self.path.unlink(missing_ok=True)
