"""Safe writes: slug names, never overwrite, 0600, atomic, nothing left behind on failure."""

from __future__ import annotations

import datetime
import datetime as dt
import os
import stat

import pytest

from plainte import outputs
from plainte.errors import OutputError
from plainte.outputs import letter_stem, slug, write_letter


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def test_slug_keeps_only_safe_characters():
    assert slug("2026-11-21", "../../etc", "passwd") == "2026-11-21_etc_passwd"
    assert slug("A B/C") == "a-b-c"
    assert letter_stem(dt.date(2026, 11, 21), "intrum-be", "already-paid", "fr") == "2026-11-21_intrum-be_already-paid_fr"


def test_write_is_0600_and_never_overwrites(tmp_path):
    first = write_letter(tmp_path, "letter", {"txt": b"one", "html": b"<p>one</p>"})
    second = write_letter(tmp_path, "letter", {"txt": b"two", "html": b"<p>two</p>"})
    assert [p.name for p in first] == ["letter.txt", "letter.html"]
    assert [p.name for p in second] == ["letter-2.txt", "letter-2.html"]
    assert (tmp_path / "letter.txt").read_bytes() == b"one"
    assert all(mode(p) == 0o600 for p in first + second)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".plainte-")]


def test_force_replaces(tmp_path):
    write_letter(tmp_path, "letter", {"txt": b"one"})
    write_letter(tmp_path, "letter", {"txt": b"two"}, force=True)
    assert (tmp_path / "letter.txt").read_bytes() == b"two"
    assert mode(tmp_path / "letter.txt") == 0o600


def test_existing_file_of_one_format_moves_all_formats(tmp_path):
    (tmp_path / "letter.html").write_text("mine")
    written = write_letter(tmp_path, "letter", {"txt": b"a", "html": b"b"})
    assert [p.name for p in written] == ["letter-2.txt", "letter-2.html"]
    assert (tmp_path / "letter.html").read_text() == "mine"


def test_failure_leaves_no_temporary_file(tmp_path, monkeypatch):
    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(outputs.os, "fsync", boom)
    with pytest.raises(OutputError):
        write_letter(tmp_path, "letter", {"txt": b"x"})
    assert list(tmp_path.iterdir()) == []


def test_unwritable_folder_is_a_clear_error(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    os.chmod(locked, 0o500)
    try:
        if os.access(locked, os.W_OK):  # running as root: permissions do not apply
            pytest.skip("permissions are not enforced for this user")
        with pytest.raises(OutputError):
            write_letter(locked, "letter", {"txt": b"x"})
    finally:
        os.chmod(locked, 0o700)


def test_saved_answers_never_replace_a_file(tmp_path):
    from plainte.answers import dump_answers, load_answers

    keep = tmp_path / "client.yaml"
    keep.write_text("mine\n", encoding="utf-8")
    saved = dump_answers({"institution": "belfius", "date": datetime.date(2026, 11, 21)}, keep)
    assert saved.name == "client-2.yaml" and keep.read_text(encoding="utf-8") == "mine\n"
    assert mode(saved) == 0o600 and str(load_answers(saved)["date"]) == "2026-11-21"


@pytest.mark.parametrize("unnamed", [True, False])
def test_both_ways_of_writing_give_the_same_file_and_never_replace(tmp_path, monkeypatch, unnamed):
    """Linux writes into a file without a name (O_TMPFILE) and names it once complete; elsewhere, or where the
    file system cannot, a hidden named file is linked. Same result: 0600, exclusive, nothing left behind."""
    if unnamed and not outputs._UNNAMED:
        pytest.skip("no O_TMPFILE on this system")
    created = []
    real_temporary = outputs._temporary
    monkeypatch.setattr(outputs, "_temporary", lambda folder: created.append(folder) or real_temporary(folder))
    if not unnamed:
        monkeypatch.setattr(outputs, "_UNNAMED", 0)
    target = tmp_path / "letter.txt"
    outputs.write_atomic(target, b"one", durable=False)
    with pytest.raises(FileExistsError):
        outputs.write_atomic(target, b"two")
    assert target.read_bytes() == b"one" and mode(target) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["letter.txt"]
    assert bool(created) is not unnamed  # the named temporary file only when the unnamed way is not taken


def test_the_unnamed_way_falls_back_where_it_cannot_link(tmp_path, monkeypatch):
    if not outputs._UNNAMED:
        pytest.skip("no O_TMPFILE on this system")
    real_link = os.link

    def no_proc(src, dst, **kwargs):
        if str(src).startswith("/proc/"):
            raise FileNotFoundError(2, "No such file or directory")  # /proc not mounted
        return real_link(src, dst, **kwargs)

    monkeypatch.setattr(outputs.os, "link", no_proc)
    outputs.write_atomic(tmp_path / "letter.txt", b"one")
    assert (tmp_path / "letter.txt").read_bytes() == b"one"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["letter.txt"]
