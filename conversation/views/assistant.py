"""The assistant's answers to what is not a search: hello, thanks, shipping, payment, returns,
"talk to a person", "what do you sell", "where is my order", "compare the two mugs"; a search or
a cart command is answered by the result list.

Every fact in an answer (rates, orders, shop names) comes from the use case's data; the texts
here only word it. Nothing here answers chit-chat with "did you mean".
"""

from __future__ import annotations

from html import escape

from babel import Locale, UnknownLocaleError

from conversation import callbacks
from conversation.reply import Button, Reply
from conversation.views import common
from conversation.views.orders import orders_list
from conversation.views.questions import ask_shop_button
from conversation.views.search import (
    category_list,
    clip,
    money_text,
    price_text,
    search_results,
)
from i18n import Translator
from orders.shipping import ANY_COUNTRY
from storefront.assistant import Answer, ShippingTerms, ShopToAsk
from storefront.intents import Intent
from storefront.offers import Offer


def assistant_reply(t: Translator, answer: Answer) -> Reply:
    """The reply to a buyer's free text, whatever it turned out to be."""
    _ = t.gettext
    intent = answer.intent
    if intent is Intent.SEARCH or intent is Intent.CART_ADD:
        assert answer.search is not None
        reply = search_results(t, answer.search)
        if intent is Intent.CART_ADD and answer.search.offers:
            head = _("Tap the product you want, choose its options and press Add to cart:")
            return Reply(head + "\n\n" + reply.text, buttons=reply.buttons)
        return reply
    if intent is Intent.GREETING:
        return Reply(
            _(
                "Hello! What are you looking for today? Type it in your own words, "
                "like <i>red mug</i>. /help shows everything I can do."
            )
        )
    if intent is Intent.THANKS:
        return Reply(_("You're welcome! Anything else I can find for you?"))
    if intent is Intent.GOODBYE:
        return Reply(_("Goodbye, and thank you for visiting! Your cart stays here for next time."))
    if intent is Intent.HELP:
        return common.help_text(t)
    if intent is Intent.CATALOG:
        reply = category_list(t, answer.categories)
        if not answer.categories:
            return reply
        return Reply(_("Here is what the shops sell.") + " " + reply.text, buttons=reply.buttons)
    if intent is Intent.ORDER_STATUS:
        if answer.orders is None or not answer.orders.total_count:
            return Reply(_("You have no orders yet. Once you order, /orders shows where it is."))
        return orders_list(t, answer.orders)
    if intent is Intent.SHIPPING:
        return _shipping(t, answer)
    if intent is Intent.PAYMENT:
        text = _(
            "You pay when you check out: I send you a secure payment page, and you see the "
            "total and its currency before you pay. /checkout starts it."
        )
        return Reply(text + _policies(t, answer))
    if intent is Intent.COMPARE:
        return _comparison(t, answer.compared)
    if intent is Intent.RETURNS:
        if answer.policies:
            text = _("The shops' return policies:") + _policies(t, answer, heading=False)
            if answer.shops:
                text += "\n\n" + _("Questions? Ask the shop: their staff answer here.")
            return Reply(text, buttons=_shop_buttons(t, answer.shops))
        text = _(
            "The shops have not published their return policies here yet. "
            "Ask the shop: their staff answer here."
        )
        return _with_shops(t, text, answer.shops)
    text = _("Which shop would you like to ask? Their staff answer here, in this chat.")
    return _with_shops(t, text, answer.shops)


DESCRIPTION_IN_COMPARISON = 160  # characters: enough to tell two products apart


def _comparison(t: Translator, compared: tuple[tuple[int, Offer], ...]) -> Reply:
    """The chosen products of the last list one under another, the same facts for each, with
    the cheapest named when their prices share a currency."""
    _ = t.gettext
    if len(compared) < 2:
        return Reply(
            _(
                "Search first, then ask me to compare the results, "
                "for example <i>compare 1 and 2</i>."
            )
        )
    lines = [_("Side by side:")]
    for number, offer in compared:
        lines += ["", f"<b>{number}. {escape(clip(offer.title, 80))}</b>"]
        lines.append(_("Price: {price}").format(price=price_text(t, offer)))
        lines.append(_("Shop: {shop}").format(shop=escape(clip(offer.merchant_name, 40))))
        lines.append(_("In stock") if offer.in_stock else _("sold out"))
        if offer.description:
            lines.append(f"<i>{escape(clip(offer.description, DESCRIPTION_IN_COMPARISON))}</i>")
    prices = {offer.price.currency for _number, offer in compared}
    if len(prices) == 1:
        number, _cheapest = min(compared, key=lambda pair: pair[1].price.amount)
        lines += ["", _("The cheapest is number {number}.").format(number=number)]
    buttons = tuple(
        Button(str(number), action=callbacks.encode("prod", offer.product_id))
        for number, offer in compared
    )
    return Reply("\n".join(lines), buttons=(buttons,))


def photo_without_words(t: Translator) -> Reply:
    return Reply(
        t.gettext(
            "Nice photo! I cannot recognise products in pictures yet: tell me in words what "
            "you are looking for, like <i>red mug</i>, or add a caption to the photo."
        )
    )


def _policies(t: Translator, answer: Answer, *, heading: bool = True) -> str:
    """The shops' own texts, each under its name, shown as written (escaped)."""
    if not answer.policies:
        return ""
    lines = ["", t.gettext("What the shops say:")] if heading else []
    for policy in answer.policies:
        lines += ["", f"<b>{escape(policy.shop_name)}</b>", escape(policy.text)]
    return "\n".join(lines) if heading else "\n" + "\n".join(lines)


def _shop_buttons(t: Translator, shops: tuple[ShopToAsk, ...]) -> tuple[tuple[Button, ...], ...]:
    return tuple((ask_shop_button(t, shop.merchant_id, shop.name),) for shop in shops)


def _with_shops(t: Translator, text: str, shops: tuple[ShopToAsk, ...]) -> Reply:
    if not shops:
        return Reply(
            t.gettext(
                "The shops cannot receive messages through the bot yet. "
                "For an order you placed, /orders lets you ask its shop."
            )
        )
    return Reply(text, buttons=_shop_buttons(t, shops))


def country_name(t: Translator, code: str) -> str:
    if code == ANY_COUNTRY:
        return t.gettext("everywhere else")
    try:
        return str(Locale.parse(t.locale).territories.get(code, code))
    except (ValueError, TypeError, UnknownLocaleError):
        return code


def _terms_line(t: Translator, terms: ShippingTerms, *, with_country: bool) -> str:
    _ = t.gettext
    shop = escape(terms.merchant_name)
    if with_country:
        shop = f"{shop}, {escape(country_name(t, terms.country))}"
    if terms.rate is None:
        return _("{shop}: does not deliver there").format(shop=shop)
    cost = _("free") if not terms.rate else money_text(t, terms.rate)
    if terms.free_above is not None and terms.rate:
        return _("{shop}: {cost}, free from {threshold}").format(
            shop=shop, cost=cost, threshold=money_text(t, terms.free_above)
        )
    return _("{shop}: {cost}").format(shop=shop, cost=cost)


def _shipping(t: Translator, answer: Answer) -> Reply:
    _ = t.gettext
    country = answer.understood.country
    lines: list[str] = []
    if not answer.shipping:
        lines.append(_("The shops have not set their delivery costs yet: checkout shows the cost."))
    elif country is not None:
        lines.append(_("Delivery to {country}:").format(country=escape(country_name(t, country))))
        lines += [_terms_line(t, terms, with_country=False) for terms in answer.shipping]
    else:
        lines.append(_("Delivery costs per shop:"))
        lines += [_terms_line(t, terms, with_country=True) for terms in answer.shipping]
    if answer.understood.topic == "time":
        lines += [
            "",
            _(
                "How long it takes depends on the shop and the carrier: "
                "the shop sends you a tracking number when it ships."
            ),
        ]
    lines += ["", _("Checkout shows the delivery cost for your address before you pay.")]
    return Reply("\n".join(lines) + _policies(t, answer))
