"""The letter as an e-mail ready to send (.eml, RFC 5322): to the institution's complaint address, the
letter as plain text and HTML, its PDF and the evidence files attached. Standard library only.

The .eml opens in a mail program (Thunderbird: open the file, then "Edit As New Message"; Outlook opens
it as a draft thanks to the X-Unsent header), so the person checks it and sends it from their own mailbox.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import mimetypes
from collections.abc import Iterable, Mapping, Sequence
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any, Optional, Union

from plainte.catalog import Catalogue
from plainte.context import build_context
from plainte.errors import AnswersError, Problem, UsageError
from plainte.i18n import _
from plainte.letters import environment
from plainte.models import Case
from plainte.outputs import letter_stem
from plainte.plan import Plan, make_plan

MSGID_DOMAIN = "plainte.invalid"  # make_msgid() without a domain would put the computer's name in the header


class AttachmentError(UsageError):
    """One or more evidence files cannot be attached; the message lists every one of them."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)  # one "PATH: why" per file
        super().__init__("\n".join([_("These files cannot be attached:")] + [f"  - {p}" for p in self.problems]))


class NoEmailError(UsageError):
    """The letter's recipient takes no e-mail at this step for the person's segment."""


def letter_subject(case: Case, cat: Catalogue, plan: Optional[Plan] = None) -> str:
    """The letter's subject line as the template writes it (the `subject` block), on one line."""
    plan = plan or make_plan(case, cat)
    template = environment("txt", case.language).get_template(f"disputes/{case.dispute.letter}.j2")
    context = build_context(case, plan, cat, "txt")
    module = template.make_module(context)  # runs the template's top-level {% set %} the block may read
    names = {k: v for k, v in vars(module).items() if not k.startswith("_")}
    block = template.blocks["subject"](template.new_context({**context, **names}))
    return " ".join("".join(block).split())


def recipient_address(case: Case) -> str:
    """The e-mail address the letter goes to: the one the person gave, else the catalogue's complaint
    address of the step the letter goes to, for the person's segment (the body's, when a body such as
    Ombudsfin handles the step; interview.make_recipient resolves it). Raises NoEmailError without one."""
    if case.recipient.email:
        return case.recipient.email
    raise NoEmailError(
        _("{name} takes no letters by e-mail at this step: send the letter by post, or give its e-mail "
          "address as recipient.email in the answers if you have one.").format(name=case.recipient.name))


def sender_address(case: Case) -> str:
    """The sender's e-mail address: an e-mail must say who sends it (RFC 5322 requires From, and mail
    programs will not open a draft without it)."""
    if case.sender.email:
        return case.sender.email
    raise AnswersError(
        [Problem("sender.email", _("missing — an e-mail needs your e-mail address as its sender"))],
        _("The answers are incomplete or invalid:"))


def attachment_paths(answers: Mapping[str, Any], base: Path, given: Sequence[Union[str, Path]] = ()) -> list[Path]:
    """The evidence files to attach: the answers file's `attachments` (a list of paths, relative to the
    folder of the answers file) then the --attach options (relative to the current folder), each once.
    Only the shape is checked here; read_attachments() checks that every file can be read."""
    raw = answers.get("attachments")
    if raw is None:
        raw = []
    if not isinstance(raw, list) or not all(isinstance(x, str) and x.strip() for x in raw):
        raise AnswersError([Problem("attachments", _("expected a list of file paths"))],
                           _("The answers are incomplete or invalid:"))
    paths = [base / Path(x.strip()).expanduser() for x in raw] + [Path(p).expanduser() for p in given]
    return list(dict.fromkeys(Path(p).absolute() for p in paths))


def read_attachments(paths: Iterable[Union[str, Path]]) -> list[tuple[str, bytes]]:
    """Read every evidence file, or raise one AttachmentError naming each file that is missing or
    unreadable. Call it before writing anything."""
    loaded: list[tuple[str, bytes]] = []
    problems: list[str] = []
    for raw in paths:
        path = Path(raw).expanduser()
        try:
            if not path.exists():
                problems.append(_("{path}: no such file").format(path=path))
            elif not path.is_file():
                problems.append(_("{path}: not a file").format(path=path))
            else:
                loaded.append((path.name, path.read_bytes()))
        except OSError as exc:
            problems.append(_("{path}: cannot be read ({error})").format(path=path, error=exc.strerror or exc))
    if problems:
        raise AttachmentError(problems)
    return loaded


def _mime_type(filename: str) -> tuple[str, str]:
    kind, encoding = mimetypes.guess_type(filename, strict=False)
    if kind is None or encoding is not None:  # unknown, or compressed (.gz): plain bytes
        return "application", "octet-stream"
    maintype, _sep, subtype = kind.partition("/")
    return maintype, subtype


def build_eml(case: Case, cat: Catalogue, *, text: str, html: str, pdf: bytes,
              attachments: Sequence[Union[str, Path]] = (), plan: Optional[Plan] = None,
              pdf_name: str = "", now: Optional[dt.datetime] = None) -> bytes:
    """The letter as an RFC 5322 message: From the sender, To the institution's complaint address,
    the letter's subject, text and HTML alternatives, the letter's PDF and the evidence files attached.
    Every check (recipient address, sender address, attachments) runs before the message is built."""
    to_addr = recipient_address(case)
    from_addr = sender_address(case)
    files = read_attachments(attachments)
    plan = plan or make_plan(case, cat)
    msg = EmailMessage()
    msg["From"] = Address(display_name=case.sender.name, addr_spec=from_addr)
    msg["To"] = Address(display_name=case.recipient.name, addr_spec=to_addr)
    msg["Subject"] = letter_subject(case, cat, plan)
    msg["Date"] = format_datetime(now or dt.datetime.now().astimezone())
    msg["Message-ID"] = make_msgid(domain=MSGID_DOMAIN)
    msg["X-Unsent"] = "1"  # Outlook opens the file as a draft to send
    msg.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    name = pdf_name or letter_stem(case.date, case.institution.id, case.dispute.id, case.language) + ".pdf"
    msg.add_attachment(pdf, maintype="application", subtype="pdf", filename=name)
    for filename, data in files:
        maintype, subtype = _mime_type(filename)
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg.as_bytes(policy=SMTP)


def render_eml(case: Case, cat: Catalogue, *, attachments: Sequence[Union[str, Path]] = (), pdf_name: str = "",
               now: Optional[dt.datetime] = None) -> bytes:
    """The letter as it is sent by e-mail, with its PDF and the evidence files attached.

    A letter answered with another sending mode (registered, post) is written here as an e-mail
    letter: it must not say "REGISTERED MAIL", and its answer date counts from the day it is sent."""
    from plainte.compose import render_letter
    from plainte.pdf import render_pdf

    recipient_address(case)  # the cheap checks first: nothing is rendered for nothing
    sender_address(case)
    mail = case if case.sending == "email" else dataclasses.replace(case, sending="email")
    plan = make_plan(mail, cat)
    return build_eml(mail, cat, text=render_letter(mail, cat, "txt", plan), html=render_letter(mail, cat, "html", plan),
                     pdf=render_pdf(mail, cat, plan), attachments=attachments, plan=plan, pdf_name=pdf_name, now=now)
