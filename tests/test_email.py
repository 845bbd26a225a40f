"""The letter as an .eml, parsed back: addresses, subject, both bodies, the PDF and the evidence attached;
clear errors for missing files, a missing sender address and an institution without e-mail."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import email.utils

import pytest
import yaml

from plainte.compose import render_letter
from plainte.email_message import (
    AttachmentError, NoEmailError, attachment_paths, build_eml, letter_subject, read_attachments, render_eml,
)
from plainte.errors import AnswersError, UsageError
from plainte.interview import build_case
from plainte.outputs import letter_stem
from plainte.resources import PACKAGE_DIR

EXAMPLES = PACKAGE_DIR.parent.parent / "examples"
TODAY = dt.date(2026, 11, 21)
NOW = dt.datetime(2026, 11, 21, 14, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))
PDF = b"%PDF-1.4\n% a stand-in for the letter\n%%EOF\n"


def answers(example="complaint", **changes):
    data = yaml.safe_load((EXAMPLES / f"{example}.yaml").read_text(encoding="utf-8"))
    data.update(changes)
    return data


def eml(cat, case, attachments=(), **kw):
    data = build_eml(case, cat, text=render_letter(case, cat, "txt"), html=render_letter(case, cat, "html"),
                     pdf=PDF, attachments=attachments, now=NOW, **kw)
    return data, email.message_from_bytes(data, policy=email.policy.default)


def test_headers(cat):
    case = build_case(answers(), cat, today=TODAY)
    data, msg = eml(cat, case)
    assert msg["From"].addresses[0].addr_spec == case.sender.email
    assert msg["From"].addresses[0].display_name == case.sender.name
    assert msg["To"].addresses[0].addr_spec == "services4you@stellantis-finance.com"
    assert msg["Subject"] == "Complaint: September car-loan instalment taken twice"
    assert msg["Subject"] == letter_subject(case, cat)
    assert email.utils.parsedate_to_datetime(msg["Date"]) == NOW
    assert msg["Message-ID"].endswith("@plainte.invalid>")
    assert msg["X-Unsent"] == "1"
    assert b"\r\n" in data and all(len(line) <= 998 for line in data.split(b"\r\n"))


def test_both_bodies_and_the_pdf(cat):
    case = build_case(answers(), cat, today=TODAY)
    _data, msg = eml(cat, case)
    text = render_letter(case, cat, "txt")
    html = render_letter(case, cat, "html")
    assert msg.get_body(("plain",)).get_content().replace("\r\n", "\n") == text
    assert msg.get_body(("html",)).get_content().replace("\r\n", "\n") == html
    (pdf,) = [p for p in msg.iter_attachments() if p.get_content_type() == "application/pdf"]
    assert pdf.get_filename() == letter_stem(case.date, case.institution.id, case.dispute.id, case.language) + ".pdf"
    assert pdf.get_content() == PDF


def test_evidence_files_are_attached_with_their_names_and_types(cat, tmp_path):
    scan = tmp_path / "relevé de compte.pdf"
    photo = tmp_path / "receipt.JPG"
    other = tmp_path / "notes.unknownext"
    scan.write_bytes(b"%PDF-1.4 statement")
    photo.write_bytes(b"\xff\xd8\xff\xe0 jpeg")
    other.write_bytes(b"\x00\x01")
    case = build_case(answers(), cat, today=TODAY)
    _data, msg = eml(cat, case, [scan, photo, other], pdf_name="letter.pdf")
    found = [(p.get_filename(), p.get_content_type(), p.get_content()) for p in msg.iter_attachments()]
    assert found == [
        ("letter.pdf", "application/pdf", PDF),
        ("relevé de compte.pdf", "application/pdf", b"%PDF-1.4 statement"),
        ("receipt.JPG", "image/jpeg", b"\xff\xd8\xff\xe0 jpeg"),
        ("notes.unknownext", "application/octet-stream", b"\x00\x01"),
    ]


def test_every_missing_or_unreadable_file_is_named_at_once(cat, tmp_path):
    good = tmp_path / "ok.png"
    good.write_bytes(b"png")
    missing = [tmp_path / "gone.pdf", tmp_path / "also-gone.jpg"]
    folder = tmp_path / "a-folder"
    folder.mkdir()
    case = build_case(answers(), cat, today=TODAY)
    with pytest.raises(AttachmentError) as err:
        eml(cat, case, [good, *missing, folder])
    message = str(err.value)
    for path in (*missing, folder):
        assert str(path) in message
    assert str(good) not in message
    assert isinstance(err.value, UsageError)


def test_unreadable_file(tmp_path):
    import os

    secret = tmp_path / "secret.pdf"
    secret.write_bytes(b"x")
    secret.chmod(0)
    try:
        if os.access(secret, os.R_OK):
            pytest.skip("running as a user who can read any file")
        with pytest.raises(AttachmentError, match="secret.pdf"):
            read_attachments([secret])
    finally:
        secret.chmod(0o600)


def test_institution_without_email_for_the_step(cat):
    case = build_case(answers("already-paid"), cat, today=TODAY)  # Intrum takes complaints by post
    assert case.recipient.email == ""
    with pytest.raises(NoEmailError, match="Intrum"):
        eml(cat, case)


def test_a_body_handling_the_step_gets_the_mail(cat):
    case = build_case(answers("mediation-request"), cat, today=TODAY)
    _data, msg = eml(cat, case)
    assert msg["To"].addresses[0].addr_spec == "ombudsman@ombudsfin.be"


def test_sender_email_is_required(cat):
    data = answers()
    del data["sender"]["email"]
    case = build_case(data, cat, today=TODAY)
    with pytest.raises(AnswersError) as err:
        eml(cat, case)
    assert "sender.email" in str(err.value)


def test_names_outside_ascii_survive(cat):
    data = answers()
    data["sender"]["name"] = "Zoë Lefèvre-Çelik"
    case = build_case(data, cat, today=TODAY)
    raw, msg = eml(cat, case)
    assert msg["From"].addresses[0].display_name == "Zoë Lefèvre-Çelik"
    assert all(b < 128 for b in raw.split(b"\r\n\r\n", 1)[0])  # headers are 7-bit (RFC 2047)


def test_render_eml_writes_an_email_letter_with_its_pdf(cat, tmp_path):
    pytest.importorskip("reportlab")
    case = build_case(answers(sending="registered"), cat, today=TODAY)
    evidence = tmp_path / "proof.png"
    evidence.write_bytes(b"\x89PNG")
    msg = email.message_from_bytes(render_eml(case, cat, attachments=[evidence], now=NOW), policy=email.policy.default)
    text = msg.get_body(("plain",)).get_content()
    assert "REGISTERED MAIL" not in text  # the e-mail is the letter as sent by e-mail
    names = [p.get_filename() for p in msg.iter_attachments()]
    assert names[0].endswith(".pdf") and names[1:] == ["proof.png"]
    assert next(msg.iter_attachments()).get_content().startswith(b"%PDF-")


def test_attachment_paths_from_answers_and_options(tmp_path):
    base = tmp_path / "answers"
    paths = attachment_paths({"attachments": ["scan.pdf", "../photo.jpg"]}, base, [tmp_path / "extra.png"])
    assert paths == [base / "scan.pdf", base / "../photo.jpg", tmp_path / "extra.png"]
    assert attachment_paths({}, base) == []
    for bad in ("scan.pdf", [""], [3], {"a": 1}):
        with pytest.raises(AnswersError, match="attachments"):
            attachment_paths({"attachments": bad}, base)
