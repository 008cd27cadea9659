"""What /newshop asks and answers, and the buyer's greeting from a shop's link.

Questions are asked as replies the admin answers by replying (a bot in a group with privacy
mode on sees only replies to its own messages). Until the shop exists they are in the admin's
language; the closing message is in the language chosen for the shop.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from babel import Locale

from conversation.reply import Reply
from conversation.views.search import category_list
from conversation.views.shipping import problem_text, zone_text
from i18n import SHIPPED_LOCALES, Translator
from merchants.onboarding import Problem, Step
from merchants.shipping import ShippingRefused
from merchants.signup import OpenRefused
from orders.shipping import Zone
from payments import ProviderKind
from storefront.categories import Category


def shop_link(bot_username: str, slug: str) -> str:
    """The link buyers open the shop with (Telegram's `start` parameter: `shop-<slug>`)."""
    return f"https://t.me/{bot_username}?start=shop-{slug}"


def not_group(t: Translator) -> Reply:
    return Reply(t.gettext("Add me to your shop's Telegram group and send /newshop there."))


def not_admin(t: Translator) -> Reply:
    return Reply(t.gettext("Only an administrator of this group can open a shop here."))


def refused(t: Translator, reason: OpenRefused) -> Reply:
    if reason is OpenRefused.CLOSED:
        return Reply(t.gettext("New shops are not being opened here at the moment."))
    if reason is OpenRefused.NEEDS_INVITE:
        return Reply(
            t.gettext(
                "Opening a shop needs an invite code: send <code>/newshop CODE</code>. "
                "This code is wrong or has been used."
            )
        )
    return Reply(t.gettext("This group already receives the orders of a shop."))


def ask(
    t: Translator, step: Step, problem: Problem | None = None, *, currency: str = "",
    refusal: ShippingRefused | None = None,
) -> Reply:  # fmt: skip
    """The question of `step`, after what was wrong with the last answer (if anything)."""
    if refusal is not None:
        lines = [problem_text(t, refusal, currency)]
    else:
        lines = [_problem(t, problem)] if problem is not None else []
    if step is Step.NAME:
        lines.append(t.gettext("Let's open your shop. What is its name? Reply to this message."))
    elif step is Step.CURRENCY:
        lines.append(
            t.gettext(
                "In which currency are your prices? Reply with its code, e.g. EUR, USD or CNY."
            )
        )
    elif step is Step.LANGUAGE:
        lines.append(t.gettext("In which language should I write order notices here?"))
        lines.extend(f"{number}. {name}" for number, name in enumerate(_language_names(), 1))
        lines.append(t.gettext("Reply with the number."))
    elif step is Step.PAYMENT:
        lines.append(t.gettext("How will buyers pay?"))
        lines.extend(f"{number}. {label}" for number, label in enumerate(_payments(t), 1))
        lines.append(t.gettext("Reply with the number."))
    else:
        lines.extend(_shipping_question(t, currency))
    return Reply("\n".join(lines), force_reply=True)


def _shipping_question(t: Translator, currency: str) -> list[str]:
    example = "<code>DE,FR,AT 4.90 free 60 days 3-5</code>"
    return [
        t.gettext(
            "Where do you deliver, and at what cost? Buyers can order only once you deliver "
            "somewhere."
        ),
        t.gettext(
            "Reply with the countries (two-letter codes, * for the rest of the world), the "
            "price in {currency}, and if you like free delivery from an amount and the days, "
            "e.g. {example}"
        ).format(currency=escape(currency), example=example),
        t.gettext("Add more zones later with /shipping."),
    ]


def _problem(t: Translator, problem: Problem) -> str:
    if problem is Problem.NAME:
        return t.gettext("The name must be 1 to 80 characters.")
    if problem is Problem.CURRENCY:
        return t.gettext("That is not a currency code I know.")
    return t.gettext("Please answer with one of the numbers.")


def _language_names() -> list[str]:
    """Each shipped language in its own words ("Deutsch", "中文 (简体)"), capitalised."""
    names = (Locale.parse(locale).get_display_name(locale) or locale for locale in SHIPPED_LOCALES)
    return [name[:1].upper() + name[1:] for name in names]


def _payments(t: Translator) -> list[str]:
    return [
        t.gettext("A payment link of your own (your payment page)"),
        "Stripe",
        t.gettext("Sandbox: test payments, no money moves"),
    ]


def keys_link(bot_username: str, slug: str) -> str:
    """Where staff type the shop's payment keys: a private chat with the bot, never the group."""
    return f"https://t.me/{bot_username}?start=keys-{slug}"


def opened(
    t: Translator, *, name: str, link: str, payment: ProviderKind, keys: str, zone: Zone,
    currency: str,
) -> Reply:  # fmt: skip
    """The closing message, in the shop's language: its delivery, what is left, and the buyers'
    link."""
    lines = [t.gettext("<b>{shop}</b> is open, and its orders will arrive in this group.")
             .format(shop=escape(name))]  # fmt: skip
    if payment is not ProviderKind.SANDBOX:
        lines.append(
            t.gettext(
                "Never post payment keys in this group. Send them to me in a private chat, "
                "through this link: {link}"
            ).format(link=escape(keys))
        )
    lines.append(
        "🚚 "
        + zone_text(t, zone, currency).removeprefix("• ")
        + "\n"
        + t.gettext("Add more zones later with /shipping.")
    )
    lines.append(
        t.gettext(
            "Now send your catalog file (a CSV or a Shopify product export) as a reply to this "
            "message."
        )
    )
    lines.append(t.gettext("Your customers open the shop with this link:"))
    lines.append(escape(link))
    return Reply("\n\n".join(lines))


def shop_welcome(
    t: Translator, name: str, categories: Sequence[Category], *, delivers: bool = True
) -> Reply:
    """The buyer's first message from a shop's link: its name, then its categories; first, for a
    shop that has set no delivery yet, that it cannot take orders."""
    welcome = t.gettext("Welcome to <b>{shop}</b>!").format(shop=escape(name))
    if not delivers:
        closed = t.gettext("{shop} is not taking orders yet: it has not set up delivery.")
        welcome += "\n⚠️ " + closed.format(shop=escape(name))
    listing = category_list(t, categories)
    return Reply(f"{welcome}\n{listing.text}", buttons=listing.buttons)


def no_such_shop(t: Translator) -> Reply:
    return Reply(t.gettext("That shop link does not lead to a shop any more."))


def ask_key(t: Translator, field: str, *, webhook_url: str) -> Reply:
    """The next payment setting asked in the private chat (`field` of `PAYMENT_FIELDS`)."""
    if field == "stripe_api_key":
        text = t.gettext(
            "Send your Stripe secret key (it starts with sk_live_ or sk_test_). I delete your "
            "message as soon as it is stored."
        )
    elif field == "stripe_webhook_secret":
        text = t.gettext(
            "In Stripe, add a webhook endpoint at {url} for the checkout.session events, then "
            "send me its signing secret (whsec_...)."
        ).format(url=escape(webhook_url))
    elif field == "url_template":
        text = t.gettext(
            "Send the address of your payment page with its placeholders, e.g. {example}"
        ).format(example="<code>https://pay.example.com/?order={order}&amp;sum={amount}</code>")
    else:
        text = t.gettext(
            "Your payment page must send its signed callbacks to {url}. Now send me the secret "
            "it signs them with (at least 16 characters)."
        ).format(url=escape(webhook_url))
    return Reply(text)


def keys_saved(t: Translator) -> Reply:
    return Reply(t.gettext("Saved. Buyers can pay now."))


def keys_refused(t: Translator) -> Reply:
    return Reply(t.gettext("Only the shop's staff can set its payment keys, through its link."))


def keys_cannot_be_stored(t: Translator) -> Reply:
    return Reply(
        t.gettext(
            "I cannot store secrets yet: the operator of this bot must set CHATSHOP_SECRET_KEY "
            "first. Your message was not kept."
        )
    )
