"""The empty batch sheet of a dispute (template_csv): every column it can use and one example row that renders."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Mapping
from typing import Any, Optional

from plainte.batch_columns import _blank
from plainte.batch_report import DELIMITER, safe_cell
from plainte.errors import UsageError
from plainte.i18n import _, ui_language

EVIDENCE_SEPARATOR = "|"  # between evidence ids in one cell (the validator also accepts commas)
OTHER_COUNTRIES = ("BE", "FR", "CN")  # the countries of another institution, whose ladder plainte knows


def template_csv(dispute_id: str, institution_id: Optional[str] = None, catalogue: Any = None, *,
                 today: Optional[dt.date] = None, country: Optional[str] = None, kind: Optional[str] = None) -> str:
    """An empty sheet for a dispute: the header names every column the dispute can use, one example row follows.

    The columns come from the interview's slots (optional ones included, the client's and the organisation's
    for a social worker, every question of the dispute, the evidence ids separated by |). For another institution
    ("other"), country and kind choose its ladder (a French mediation request names the médiateur: mediator.*
    columns); without them, the first that fits. The example row is taken from the dispute's example file for that
    institution (examples/<dispute>.yaml, examples/<dispute>-*.yaml) when there is one, otherwise made up; it
    renders as it is.
    The text is semicolon-separated with a byte-order mark and CRLF line ends: Excel in Belgium and France
    opens it in columns without an import step. Write it as UTF-8 (text.encode("utf-8")).
    """
    from plainte.catalog import OTHER
    from plainte.interview import WRITABLE_KINDS, get, put, resolve_institution, slots

    cat = catalogue
    if cat is None:
        from plainte.catalog import load

        cat = load()
    dispute = cat.dispute(dispute_id)
    if (country or kind) and institution_id != OTHER:
        raise UsageError(_("{option}: only with --institution other (a catalogue institution has its own country and kind)").format(
            option="--country" if country else "institution_kind"))
    if country is not None and country not in OTHER_COUNTRIES:
        raise UsageError(_("{option}: expected one of {values}").format(option="--country", values=", ".join(OTHER_COUNTRIES)))
    if kind is not None and kind not in WRITABLE_KINDS:
        raise UsageError(_("{option}: expected one of {values}").format(option="institution_kind", values=", ".join(WRITABLE_KINDS)))
    base: dict[str, Any] = {"dispute": dispute.id}
    if institution_id == OTHER:
        kinds = [kind] if kind else [k for k in dispute.kinds if k in WRITABLE_KINDS]
        countries = [country] if country else list(dispute.countries or OTHER_COUNTRIES)
        written = _example_for(dispute.id, {"institution": OTHER, "institution_country": countries[0]})
        if not kind and written is not None and written.get("institution") == OTHER and written.get("institution_kind") in kinds:
            kinds.remove(written["institution_kind"])  # the kind its example is written for first
            kinds.insert(0, written["institution_kind"])
        for k, c in ((k, c) for k in kinds for c in countries):
            trial = {"institution": OTHER, "institution_kind": k, "institution_country": c}
            inst = resolve_institution(trial, cat)
            if inst is not None and dispute.id in {d.id for d in cat.disputes_for(inst)}:
                base.update(trial)
                break
        else:
            raise UsageError(_("the dispute {dispute} does not apply to {institution}").format(dispute=dispute.id, institution=_("another institution")))
    elif institution_id:
        inst = cat.institution(institution_id)
        if dispute.id not in {d.id for d in cat.disputes_for(inst)}:
            raise UsageError(_("the dispute {dispute} does not apply to {institution}").format(dispute=dispute.id, institution=inst.label(ui_language())))
        base["institution"] = inst.id
    else:
        base["institution"] = _default_institution(dispute, _example_answers(dispute.id), cat)
    example = _example_for(dispute.id, base)
    if example is not None and example.get("institution") != base["institution"]:
        example = {k: v for k, v in example.items() if k not in ("institution", "recipient", "mediator", "segment", "references")}

    wide = dict(base, writer_role="social-worker", sending="email")  # every column a row may need
    columns: list[str] = []
    types: dict[str, Any] = {}
    for slot in slots(wide, cat):
        types[slot.key] = slot
        if slot.key.startswith("facts."):
            if not any(c.startswith("facts.") for c in columns):
                columns += [f"facts.{q.id}" for q in dispute.questions]
            continue
        columns.append(slot.key)
    if not any(c.startswith("facts.") for c in columns):  # no question applies before any answer: list them all anyway
        at = columns.index("evidence") if "evidence" in columns else len(columns)
        columns[at:at] = [f"facts.{q.id}" for q in dispute.questions]

    row: dict[str, Any] = dict(base)
    if example is not None:
        for key in columns:
            value = get(example, key)
            if key not in ("date",) and not _blank(value) and key not in base:
                put(row, key, value)
    _fill_required(row, cat, today or dt.date.today())
    cells = [_template_cell(key, get(row, key), types.get(key), dispute) for key in columns]

    import io

    out = io.StringIO()
    writer = csv.writer(out, delimiter=DELIMITER, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerow(cells)
    return "\ufeff" + out.getvalue()


def _example_for(dispute_id: str, base: Mapping[str, Any]) -> Optional[dict[str, Any]]:
    """The dispute's example written for this institution (for "other": of its country), else its main example."""
    from plainte.resources import resource_dir

    try:
        variants = sorted(p.stem for p in resource_dir("examples").glob(f"{dispute_id}-*.yaml"))
    except FileNotFoundError:
        variants = []
    examples = [e for e in (_example_answers(name) for name in [dispute_id, *variants]) if e is not None and e.get("dispute") == dispute_id]
    keys = ("institution", "institution_country")
    fitting = next((e for e in examples if all(e.get(k) == base.get(k) for k in keys)), None)
    return fitting or next(iter(examples), None)


def _example_answers(name: str) -> Optional[dict[str, Any]]:
    from plainte.resources import resource_dir

    try:
        path = resource_dir("examples") / f"{name}.yaml"
    except FileNotFoundError:
        return None
    if not path.is_file():
        return None
    from plainte.answers import load_answers

    try:
        return load_answers(path)
    except Exception:  # noqa: BLE001 - an example that does not load only costs the example values
        return None


def _default_institution(dispute: Any, example: Optional[Mapping[str, Any]], cat: Any) -> str:
    from plainte.catalog import OTHER

    fits = {i.id for i in cat.writable() if dispute.id in {d.id for d in cat.disputes_for(i)}}
    if example is not None and example.get("institution") in fits:
        return str(example["institution"])
    return sorted(fits)[0] if fits else OTHER


_MADE_UP_TEXT = {
    "sender.name": "Marie Dubois", "client.name": "Karim El Amrani", "organisation": "CPAS de Saint-Gilles",
    "recipient.name": "Exemple SA", "street": "Rue de la Loi 16", "city": "Bruxelles",
}


def _fill_required(row: dict[str, Any], cat: Any, today: dt.date) -> None:
    """Give every required answer still empty a made-up valid value (slots depend on answers: a few rounds)."""
    from plainte.interview import get, put, slots

    for _round in range(4):
        changed = False
        for slot in slots(row, cat):
            if not _blank(get(row, slot.key)):
                continue
            if slot.default is not None:
                value: Any = slot.default
                if not slot.required:
                    continue
            elif not slot.required:
                continue
            else:
                value = _made_up(slot, row, today)
            put(row, slot.key, value)
            changed = True
        if not changed:
            return


def _made_up(slot: Any, row: Mapping[str, Any], today: dt.date) -> Any:
    from plainte.interview import get

    kind = slot.type
    if kind == "choice":
        return slot.choices[0][0] if slot.choices else ""
    if kind == "evidence":
        return []
    if kind == "postal-code":
        return {"FR": "75001", "NL": "1011 AB", "LU": "1009", "DE": "10115", "CN": "100000"}.get(str(get(row, slot.country_key) or "BE"), "1000")
    made = {
        "date": (today - dt.timedelta(days=30)).isoformat(), "money": "100,00", "integer": "1", "bool": "no",
        "iban": "BE68 5390 0754 7034", "structured-communication": "***090/9337/55493***", "email": "name@example.be",
        "phone": "0470 12 34 56", "national-number": "85.07.30-033.28", "enterprise-number": "0403.170.701",
    }
    if kind in made:
        return made[kind]
    tail = slot.key.rpartition(".")[2]
    return _MADE_UP_TEXT.get(slot.key) or _MADE_UP_TEXT.get(tail) or "[" + slot.text() + "]"


def _template_cell(key: str, value: Any, slot: Any, dispute: Any) -> str:
    """A value as a spreadsheet cell that Excel keeps as typed: no leading +, dates as YYYY-MM-DD, yes/no."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return EVIDENCE_SEPARATOR.join(str(v) for v in value)
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    qtype = slot.type if slot is not None else None
    if key.startswith("facts.") and qtype is None:
        q = dispute.question(key.partition(".")[2])
        qtype = q.type if q is not None else None
    if qtype == "phone" and text.startswith("+"):
        text = "00" + text[1:]  # +32 ... would be a formula in a spreadsheet; 0032 ... means the same
    elif qtype == "structured-communication":
        text = "***" + text.strip().strip("+*") + "***"
    return safe_cell(text)
