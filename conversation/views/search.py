"""Result lists: search results and category pages as a numbered list with a button per product,
Prev/Next below; the list of categories."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from conversation import callbacks
from conversation.reply import Button, Reply
from i18n import Translator
from money import Money
from money.formatting import format_money
from storefront.categories import Category, CategoryPage
from storefront.offers import Offer
from storefront.search import SearchOutcome

BUTTONS_PER_ROW = 4
TEXT_LIMIT = 4096
TITLE_IN_LIST = 80  # characters of a title in a list line


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def money_text(t: Translator, money: Money, *, approx: bool = False) -> str:
    return escape(format_money(money, t.locale, approx=approx))


def price_text(t: Translator, offer: Offer) -> str:
    """The buyer's price, with the merchant's own beside it when the currencies differ."""
    shown = money_text(t, offer.price, approx=offer.approx)
    if offer.from_price:
        shown = t.gettext("from {price}").format(price=shown)
    if offer.merchant_price.currency == offer.price.currency:
        return shown
    return f"{shown} <i>({money_text(t, offer.merchant_price)})</i>"


def currency_note(t: Translator, shown: str, wanted: str) -> str | None:
    if not shown or not wanted or shown == wanted:
        return None
    return t.gettext("Prices are in {shown}: I have no exchange rate for {wanted}.").format(
        shown=shown, wanted=wanted
    )


def _offer_list(
    t: Translator,
    heading: str,
    offers: Sequence[Offer],
    first_number: int,
    notes: Sequence[str | None],
) -> list[str]:
    lines = [heading]
    shops = len({offer.merchant_id for offer in offers}) > 1  # then say whose each one is
    for number, offer in enumerate(offers, start=first_number):
        line = f"{number}. {escape(clip(offer.title, TITLE_IN_LIST))} — {price_text(t, offer)}"
        if shops:
            line += " · " + escape(clip(offer.merchant_name, 40))
        if not offer.in_stock:
            line += " · " + t.gettext("sold out")
        lines.append(line)
    extra = [note for note in notes if note]
    if any(offer.approx for offer in offers):
        extra.append(
            t.gettext("≈ converted at older exchange rates; the price is confirmed at checkout.")
        )
    if extra:
        lines += ["", *extra]
    return lines


def _buttons(
    t: Translator,
    offers: Sequence[Offer],
    first_number: int,
    key: str | None,
    page: int,
    more: bool,
) -> tuple[tuple[Button, ...], ...]:
    numbered = [
        Button(str(number), action=callbacks.encode("prod", offer.product_id))
        for number, offer in enumerate(offers, start=first_number)
    ]
    rows = [
        tuple(numbered[i : i + BUTTONS_PER_ROW]) for i in range(0, len(numbered), BUTTONS_PER_ROW)
    ]
    paging = []
    if key and page > 0:
        paging.append(
            Button("« " + t.gettext("Prev"), action=callbacks.encode("page", key, page - 1))
        )
    if key and more:
        paging.append(
            Button(t.gettext("Next") + " »", action=callbacks.encode("page", key, page + 1))
        )
    if paging:
        rows.append(tuple(paging))
    return tuple(rows)


def search_results(t: Translator, outcome: SearchOutcome, *, edit: bool = False) -> Reply:
    _ = t.gettext
    # "Nothing found for <b>red mug?</b>." would end in two marks: the buyer's goes.
    query = escape(clip(outcome.query.rstrip("?!.。？！؟ ") or outcome.query, TITLE_IN_LIST))
    if outcome.rejected == "too_long":
        return Reply(
            _("That is too long for a search: a few words are enough, like <i>red mug</i>.")
        )
    if outcome.rejected:
        return Reply(_("Type a few words about what you are looking for, like <i>red mug</i>."))
    if not outcome.offers:
        if outcome.page > 0:
            return Reply(
                _("There are no more results for <b>{query}</b>.").format(query=query), edit=edit
            )
        text = _("Nothing found for <b>{query}</b>.").format(query=query)
        if outcome.suggestion:
            text += "\n" + _("Did you mean <b>{suggestion}</b>?").format(
                suggestion=escape(clip(outcome.suggestion, TITLE_IN_LIST))
            )
        else:
            text += "\n" + _("Try other words, or fewer of them.")
        return Reply(text)
    if outcome.relaxed and outcome.page == 0:
        heading = _relaxed_heading(t, outcome, query)
    elif outcome.page == 0 and not outcome.has_more:
        count = len(outcome.offers)
        heading = t.ngettext(
            "I found {count} product for <b>{query}</b>:",
            "I found {count} products for <b>{query}</b>:",
            count,
        ).format(count=count, query=query)
    else:
        heading = _("Results for <b>{query}</b>, page {page}:").format(
            query=query, page=outcome.page + 1
        )
    note = currency_note(t, outcome.currency, outcome.wanted_currency)
    lines = _offer_list(t, heading, outcome.offers, outcome.first_number, [note])
    buttons = _buttons(
        t, outcome.offers, outcome.first_number, outcome.key, outcome.page, outcome.has_more
    )
    return Reply(clip("\n".join(lines), TEXT_LIMIT), buttons=buttons, edit=edit)


def _relaxed_heading(t: Translator, outcome: SearchOutcome, query: str) -> str:
    """Why the list is not exactly what was asked."""
    _ = t.gettext
    if outcome.relaxed == "budget":
        text = _("Nothing matches <b>{query}</b> within that price. The closest, cheapest first:")
    elif outcome.relaxed == "colour":
        text = _("Nothing matches <b>{query}</b> in that colour. The same in other colours:")
    else:
        text = _("No product is called <b>{query}</b>. These mention it:")
    return text.format(query=query)


def category_list(t: Translator, categories: Sequence[Category], *, edit: bool = False) -> Reply:
    if not categories:
        return Reply(t.gettext("There is nothing in the shop yet. Please come back soon."))
    buttons = tuple(
        (Button(f"{clip(c.name, 40)} ({c.count})", action=callbacks.encode("cat", c.key)),)
        for c in categories
    )
    return Reply(t.gettext("Choose a category:"), buttons=buttons, edit=edit)


def category_page(t: Translator, page: CategoryPage, *, edit: bool = False) -> Reply:
    name = escape(clip(page.category.name, TITLE_IN_LIST))
    back = (Button("« " + t.gettext("All categories"), action=callbacks.encode("cats")),)
    if not page.offers:
        return Reply(
            t.gettext("There is nothing more in <b>{category}</b>.").format(category=name),
            buttons=(back,),
            edit=edit,
        )
    heading = t.gettext("<b>{category}</b>, page {page}:").format(category=name, page=page.page + 1)
    note = currency_note(t, page.currency, page.wanted_currency)
    lines = _offer_list(t, heading, page.offers, page.first_number, [note])
    buttons = _buttons(t, page.offers, page.first_number, page.key, page.page, page.has_more)
    return Reply(clip("\n".join(lines), TEXT_LIMIT), buttons=(*buttons, back), edit=edit)
