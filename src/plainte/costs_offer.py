"""Offers the Belgian cost check (Book XIX) inside the wizard when a demand concerns a Belgian debt."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Optional

from plainte import fields
from plainte.errors import FieldError
from plainte.i18n import _, ui_language

# Disputes where a demand with costs is on the table and a cost check can help.
OFFERED_FOR = ("already-paid", "payment-plan", "unrecognised-claim", "no-contract", "service-disputed",
               "item-returned", "item-not-received", "contract-cancelled", "invoice-after-cancellation",
               "invoice-not-received", "debt-mediation")


def applies_to(answers: dict[str, Any], institution: Any) -> bool:
    """A Belgian institution, and a dispute about a demand for payment."""
    return institution is not None and institution.country == "BE" and answers.get("dispute") in OFFERED_FOR


def _money(asker: Any, label: str, required: bool = False) -> Optional[Decimal]:
    def check(raw: str) -> Optional[str]:
        if not raw.strip():
            return None if not required else _("This answer is required.")
        try:
            fields.parse_money(raw, field=label)
        except FieldError as exc:
            return exc.message
        return None

    raw = asker.text(label, "", check, "", False)
    return fields.parse_money(raw, field=label) if raw and raw.strip() else None


def offer(asker: Any) -> None:
    """Ask the claimed amounts and show what the law allows; nothing is written in the letter."""
    from plainte.costs import Claim, check_costs
    from plainte.letters import format_money

    if asker.confirm(_("Does the demand add costs (damages, reminder fees, collection fees)? Check them against Belgian law?"), False, False) is not True:
        return
    debt = asker.choose(_("What is the debt for?"), [
        ("consumer-goods-services", _("Goods or services I bought as a consumer (shop, telephone, energy…)")),
        ("consumer-credit", _("A loan or credit (car loan, personal loan, credit card)")),
        ("business", _("My business")),
    ], "consumer-goods-services", False)
    balance = _money(asker, _("Outstanding balance, without the costs"), required=True) or Decimal("0")
    damages = _money(asker, _("Damages or penalty clause claimed (optional)")) or Decimal("0")
    reminders_raw = asker.text(_("Number of reminders charged (optional)"), "0",
                               lambda raw: None if raw.strip().isdigit() or not raw.strip() else _("expected a whole number such as 2"), "", False)
    reminders = int(reminders_raw) if reminders_raw and reminders_raw.strip().isdigit() else 0
    reminder_fees = _money(asker, _("Total claimed for the reminders (optional)")) or Decimal("0")
    agency = _money(asker, _("Collection agency fees claimed (optional)")) or Decimal("0")
    result = check_costs(Claim(balance=balance, damages=damages, reminders=reminders, reminder_fees=reminder_fees,
                               collection_fees=agency, debt_type=debt))
    lang = ui_language()
    names = {"damages": _("Damages (penalty clause)"), "reminder-fees": _("Reminder fees"), "interest": _("Interest"),
             "collection-fees": _("Collection agency fees")}
    if debt == "business":
        asker.say(_("Book XIX protects consumers: it does not apply to a business debt. Ask the collector for the detail and the basis of each cost."), "warning")
        return
    if not result.applies:
        asker.say(_("For this kind of debt the Book XIX caps are not established: ask the collector for the detail and the basis of each cost."), "warning")
        return
    for line in result.lines:
        asker.say(_("{item}: claimed {claimed}, legal maximum {allowed}, excess {excess}").format(
            item=names[line.item], claimed=format_money(line.claimed, lang), allowed=format_money(line.allowed, lang),
            excess=format_money(line.excess, lang)))
    if result.total_excess > 0:
        asker.say(_("The demand exceeds the legal maximum by {amount} (Code of Economic Law, Book XIX). The dispute \"Excessive costs\" writes the letter that contests it.").format(
            amount=format_money(result.total_excess, lang)), "warning")
    else:
        asker.say(_("The costs claimed stay within the legal maximum."))
