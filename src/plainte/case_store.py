"""The case store's SQLite file: opened 0600 in WAL mode, its versioned schema migrated in place, locked writes."""

# The file is 0600, in WAL mode; every write is one BEGIN IMMEDIATE transaction, so two plainte processes
# writing at once lose nothing. The schema is versioned (PRAGMA user_version) and migrated in place.

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Optional

from plainte.errors import ExitCode, PlainteError
from plainte.i18n import _

ENV_DB = "PLAINTE_DB"
DB_NAME = "cases.sqlite3"
BUSY_TIMEOUT_MS = 5000

# -- schema ----------------------------------------------------------------------------------------------------

# Version 1: cases and their steps, with the dates a letter states.
V1_DDL = """
CREATE TABLE cases (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    who TEXT NOT NULL,
    institution TEXT NOT NULL,
    institution_name TEXT NOT NULL,
    country TEXT NOT NULL,
    created TEXT NOT NULL,
    closed TEXT
);
CREATE TABLE steps (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    level TEXT NOT NULL,
    dispute TEXT NOT NULL,
    recipient TEXT NOT NULL,
    letter_date TEXT NOT NULL,
    sending TEXT NOT NULL,
    answers TEXT NOT NULL,
    files TEXT NOT NULL,
    acknowledge_due TEXT,
    answer_due TEXT NOT NULL,
    sent TEXT,
    recorded TEXT NOT NULL
);
CREATE INDEX steps_case ON steps(case_id);
"""

# Version 2: what the institution did (acknowledged, answered, its reference, the outcome), the ladder the
# case follows (so the time limit of the next step is known without the catalogue) and the last change.
V2_STEPS = (
    "ALTER TABLE steps ADD COLUMN acknowledged TEXT",
    "ALTER TABLE steps ADD COLUMN answered TEXT",
    "ALTER TABLE steps ADD COLUMN outcome TEXT",
    "ALTER TABLE steps ADD COLUMN reference TEXT",
    "ALTER TABLE cases ADD COLUMN ladder TEXT",
    "ALTER TABLE cases ADD COLUMN updated TEXT",
    "UPDATE cases SET updated = created",
    "CREATE INDEX cases_closed ON cases(closed)",
)

# Version 3: what the answer date is. "deadline": a period the catalogue gives (the law, or the institution's own
# commitment); "reminder": plainte's follow-up default, the day to check on the letter, never the body's deadline.
# Rows written before version 3 do not say which: they are read as reminders (plainte never claims a deadline it
# cannot source).
V3_STEPS = ("ALTER TABLE steps ADD COLUMN answer_due_kind TEXT",)

MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: tuple(s.strip() for s in V1_DDL.split(";") if s.strip()),
    2: V2_STEPS,
    3: V3_STEPS,
}

# Indexes added without a new schema version: an older plainte opens the file as before and ignores them.
# cases_who: the open cases of one person with one institution. An escalation letter looks for the case it belongs
# to; without it SQLite walked every open case for every such letter (a batch of thousands slowed as the store grew).
INDEXES = {"cases_who": "CREATE INDEX IF NOT EXISTS cases_who ON cases(who, institution)"}
SCHEMA_VERSION = max(MIGRATIONS)


class StoreError(PlainteError):
    """The case store cannot be opened, read or written."""

    exit_code = ExitCode.FAILURE


class UnknownCaseError(PlainteError):
    """No case has this number."""

    exit_code = ExitCode.INVALID_INPUT


# -- opening -----------------------------------------------------------------------------------------------------


def default_path() -> Path:
    """PLAINTE_DB, else cases.sqlite3 in the user's data folder."""
    override = os.environ.get(ENV_DB)
    if override:
        return Path(override).expanduser()
    from plainte.drafts import data_folder

    return data_folder() / DB_NAME


class CaseStore:
    """An open case store: one SQLite connection in autocommit mode; writes go through `write()`."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self.conn = conn

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> CaseStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taking the write lock at once (BEGIN IMMEDIATE): no lost update, no deadlock."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise _store_error(self.path, exc) from None
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        try:
            self.conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self.conn.execute("ROLLBACK")
            raise _store_error(self.path, exc) from None

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        try:
            return self.conn.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise _store_error(self.path, exc) from None

    def user_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])


def _store_error(path: Path, exc: BaseException) -> StoreError:
    # sqlite messages name the problem ("database is locked", "file is not a database"), never row content
    return StoreError(_("the case store {path} cannot be used: {error}").format(path=path, error=exc))


def _restrict(path: Path) -> None:
    """0600 on the database and its -wal and -shm files."""
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        try:
            os.chmod(p, 0o600)
        except FileNotFoundError:
            pass


def open_store(path: Optional[Path] = None) -> CaseStore:
    """Open (creating and migrating if needed) the case store at path, PLAINTE_DB or the data folder."""
    path = Path(path).expanduser() if path is not None else default_path()
    try:
        if not path.parent.exists():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)  # 0600 before sqlite ever opens it
        os.close(fd)
        os.chmod(path, 0o600)
    except OSError as exc:
        raise StoreError(_("the case store {path} cannot be used: {error}").format(path=path, error=exc.strerror)) from None
    try:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    except sqlite3.Error as exc:
        raise _store_error(path, exc) from None
    conn.row_factory = sqlite3.Row
    store = CaseStore(path, conn)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        _set_wal(conn)
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA secure_delete = ON")  # deleted personal data is overwritten, not left in free pages
        _migrate(store)
        _add_indexes(store)
    except sqlite3.Error as exc:
        conn.close()
        raise _store_error(path, exc) from None
    except BaseException:
        conn.close()
        raise
    _restrict(path)
    return store


def _set_wal(conn: sqlite3.Connection) -> None:
    """WAL mode (it stays in the file). Switching can meet a lock the busy handler does not wait on: retry a
    little. A file system without shared memory keeps the rollback journal: still safe, only less concurrent."""
    import time

    for attempt in range(20):
        try:
            conn.execute("PRAGMA journal_mode = WAL").fetchone()
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
        time.sleep(0.01 * (attempt + 1))
    conn.execute("PRAGMA journal_mode = WAL").fetchone()


def _add_indexes(store: CaseStore) -> None:
    """Create the INDEXES this file lacks (a write only the first time)."""
    present = {row[0] for row in store.conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    missing = [sql for name, sql in INDEXES.items() if name not in present]
    if missing:
        with store.write() as db:
            for sql in missing:
                db.execute(sql)


def _migrate(store: CaseStore) -> None:
    """Bring the schema to SCHEMA_VERSION, one version per transaction; refuse a newer file."""
    version = store.user_version()
    if version > SCHEMA_VERSION:
        raise StoreError(_("the case store {path} was made by a newer plainte (schema {found}, this one knows {known}): update plainte").format(
            path=store.path, found=version, known=SCHEMA_VERSION))
    while version < SCHEMA_VERSION:
        with store.write() as db:
            version = int(db.execute("PRAGMA user_version").fetchone()[0])  # another process may have migrated
            if version >= SCHEMA_VERSION:
                break
            for statement in MIGRATIONS[version + 1]:
                db.execute(statement)
            version += 1
            db.execute(f"PRAGMA user_version = {version}")

