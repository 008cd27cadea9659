"""Search results as a numbered list with a button per product."""

from __future__ import annotations

from html import escape

from conversation import callbacks
from conversation.reply import Button, Reply
from i18n import Translator
from money.formatting import format_money
from storefront.offers import Offer
from storefront.search import SearchOutcome

BUTTONS_PER_ROW = 5


def price_text(t: Translator, offer: Offer) -> str:
    """The buyer's price, with the merchant's own beside it when the currencies differ."""
    shown = format_money(offer.price, t.locale, approx=offer.approx)
    if offer.merchant_price.currency == offer.price.currency:
        return shown
    return f"{shown} ({format_money(offer.merchant_price, t.locale)})"


def search_results(t: Translator, outcome: SearchOutcome) -> Reply:
    _ = t.gettext
    query = escape(outcome.query)
    if outcome.rejected:
        return Reply(_("Type a few words about what you are looking for, like <i>red mug</i>."))
    if not outcome.offers:
        text = _("Nothing found for <b>{query}</b>.").format(query=query)
        if outcome.suggestion:
            text += "\n" + _("Did you mean <b>{suggestion}</b>?").format(
                suggestion=escape(outcome.suggestion)
            )
        else:
            text += "\n" + _("Try other words, or fewer of them.")
        return Reply(text)
    count = len(outcome.offers)
    lines = [
        t.ngettext(
            "I found {count} product for <b>{query}</b>:",
            "I found {count} products for <b>{query}</b>:",
            count,
        ).format(count=count, query=query)
    ]
    for number, offer in enumerate(outcome.offers, start=1):
        line = f"{number}. {escape(offer.title)} — {price_text(t, offer)}"
        if not offer.in_stock:
            line += " · " + _("sold out")
        lines.append(line)
    if any(offer.approx for offer in outcome.offers):
        lines.append("")
        lines.append(_("≈ converted at older exchange rates; the price is confirmed at checkout."))
    buttons = [
        Button(str(number), action=callbacks.encode("prod", offer.product_id))
        for number, offer in enumerate(outcome.offers, start=1)
    ]
    rows = tuple(
        tuple(buttons[i : i + BUTTONS_PER_ROW]) for i in range(0, len(buttons), BUTTONS_PER_ROW)
    )
    return Reply("\n".join(lines), buttons=rows)
