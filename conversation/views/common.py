"""Greeting, help and the polite answers to things the bot cannot use."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from html import escape
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.core import get_global
from babel.dates import format_datetime, get_timezone_name

from conversation import callbacks
from conversation.reply import Button, Reply
from i18n import Translator


def greeting(
    t: Translator,
    *,
    first_name: str,
    currency: str,
    missing: str | None = None,
    offers: tuple[str, ...] = (),
) -> Reply:
    """`currency` is the one prices are shown in; `missing` the buyer's own when the bot has no
    rate for it (then the greeting says so and `offers` are buttons to pick another)."""
    _ = t.gettext
    text = _(
        "Hi {name}! I help you shop here in the chat.\n\n"
        "Just type what you are looking for, with typos if you like: "
        "<i>wireless headphones under 50</i>, <i>red mug</i>, <i>running shoes 42</i>.\n"
        "Prices are shown in {currency}.\n\n"
        "/help shows everything I can do."
    ).format(name=escape(first_name), currency=currency)
    if not missing or missing == currency:
        return Reply(text)
    text += "\n\n" + _("Prices are in {shown}: I have no exchange rate for {wanted}.").format(
        shown=currency, wanted=missing
    )
    buttons = tuple(
        (Button(("✓ " if code == currency else "") + code, callbacks.encode("cur", code)),)
        for code in offers
    )
    return Reply(text, buttons=buttons)


def help_text(t: Translator) -> Reply:
    _ = t.gettext
    text = "\n".join(
        [
            _("<b>How to shop</b>"),
            _("Type what you want to buy, in any words: I find it even with typos."),
            _("Add a price limit like <i>under 50</i> or <i>50-100</i>."),
            "",
            _("Tap a product to see it, pick a size or colour and add it to your cart."),
            _("You can also edit the cart in words: <i>make it 3</i>, <i>remove the mug</i>."),
            "",
            _("/cart: your cart"),
            _("/checkout: order what is in your cart"),
            _("/orders: your orders and their status"),
            _("/language: change the language"),
            _("/currency: change the currency of prices"),
            _("/start: start over"),
            _("/help: this help"),
        ]
    )
    return Reply(text)


def unknown_command(t: Translator, command: str) -> Reply:
    text = t.gettext("I don't know the command {command}. /help lists the ones I know.").format(
        command=escape(command[:64])
    )
    return Reply(text)


def not_understood(t: Translator) -> Reply:
    return Reply(
        t.gettext(
            "I can only read text here. "
            "Type what you are looking for, or /help to see what I can do."
        )
    )


def button_expired(t: Translator) -> Reply:
    return Reply(
        t.gettext("This button has expired. Please search again."),
        notice=t.gettext("This button has expired."),
    )


def something_went_wrong(t: Translator, *, nothing_changed: bool = False) -> Reply:
    """`nothing_changed` only when the failed work was rolled back: otherwise it may have
    happened, and the buyer is told where to look before trying again."""
    if nothing_changed:
        return Reply(
            t.gettext(
                "Sorry, something went wrong on our side. Nothing was changed; please try again."
            )
        )
    return Reply(
        t.gettext(
            "Sorry, something went wrong on our side, and I can't tell whether your last step "
            "went through. Please look at /orders and /cart before trying again."
        )
    )


# --- times in the buyer's zone ----------------------------------------------------------------
@cache
def _zones(country: str) -> tuple[ZoneInfo, ...]:
    names: Mapping[str, list[str]] = get_global("territory_zones")
    found = []
    for name in names.get(country, []):
        try:
            found.append(ZoneInfo(name))
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return tuple(found)


def country_zone(country: str | None, moment: datetime) -> ZoneInfo | None:
    """The country's time zone when all its zones read the same clock at `moment` (Germany's
    Berlin and Büsingen); None for a country spread over several (the US, Russia, Brazil)."""
    zones = _zones(country or "")
    if not zones or len({moment.astimezone(zone).utcoffset() for zone in zones}) != 1:
        return None
    return zones[0]


def local_time(t: Translator, moment: datetime, country: str | None = None) -> str:
    """A moment in the time zone of `country` (the delivery address's) where it has one,
    else in UTC; either way with the zone named ("07.12.26, 15:00 Mitteleuropäische Normalzeit")."""
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    zone = country_zone(country, moment)
    if zone is None:
        return (
            format_datetime(moment.astimezone(UTC), "short", tzinfo=UTC, locale=t.locale) + " UTC"
        )
    local = moment.astimezone(zone)
    when = format_datetime(local, "short", tzinfo=zone, locale=t.locale)
    return f"{when} ({get_timezone_name(local, 'long', locale=t.locale)})"
