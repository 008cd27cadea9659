"""Shipping in words: the shop's zones for its staff (/shipping), and delivery for the buyer
(the cart's delivery lines, the country question, the summary's delivery dates).

Staff read the shop's language and currency; buyers read theirs. Country names come from CLDR
(`orders.countries.country_name`), days and dates from babel.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from html import escape

from babel.dates import format_skeleton

from conversation import callbacks
from conversation.reply import Button, Reply
from conversation.views.weight import weight_text
from i18n import N_, Translator
from merchants.shipping import Problem, ShippingRefused
from money import Money
from money.formatting import format_money
from orders.countries import country_name
from orders.shipping import ANY_COUNTRY, ShopDelivery, Zone, delivery_dates

COUNTRY_BUTTONS = 8

_PROBLEMS = {
    Problem.NO_COUNTRIES: N_(
        "Name at least one country: ISO codes like DE,FR, or * for the rest of the world."
    ),
    Problem.BAD_COUNTRY: N_(
        "“{value}” is not a country code. Use two letters like DE, FR, US, "
        "or * for the rest of the world."
    ),
    Problem.NO_PRICE: N_("Give the delivery price in {currency}, e.g. 4.90."),
    Problem.BAD_PRICE: N_("“{value}” is not a price in {currency}, e.g. 4.90."),
    Problem.BAD_DAYS: N_("“{value}” is not a number of delivery days, e.g. 3-5."),
    Problem.BAD_TIER: N_(
        "“{value}” is not an item tier. Write items:price from 2 items, e.g. 3:6.90."
    ),
    Problem.BAD_WEIGHT_TIER: N_(
        "“{value}” is not a weight tier. Write weight:price, e.g. 2kg:4.90 (kg, g, lb or oz), "
        "each weight once."
    ),
    Problem.MIXED_TIERS: N_(
        "Weight tiers are the zone's whole price list: give them without a separate price "
        "and without item tiers, e.g. DE,FR 2kg:4.90 5kg:9.90."
    ),
    Problem.UNKNOWN_WORD: N_("I don't understand “{value}” here."),
    Problem.NOT_SET: N_("There is no delivery rule for {value}."),
}


def _country(t: Translator, code: str) -> str:
    if code == ANY_COUNTRY:
        return t.gettext("the rest of the world")
    return country_name(code, t.code)


def countries_text(t: Translator, codes: tuple[str, ...]) -> str:
    return ", ".join(escape(_country(t, code)) for code in codes)


def days_text(t: Translator, days: tuple[int, int]) -> str:
    low, high = days
    if low == high:
        return t.ngettext("{count} day", "{count} days", high).format(count=high)
    return t.ngettext("{low}–{high} day", "{low}–{high} days", high).format(low=low, high=high)


# --- the shop's side ----------------------------------------------------------------------------


def usage_lines(t: Translator) -> list[str]:
    _ = t.gettext
    return [
        _("Add a zone: <code>/shipping add DE,FR,AT 4.90 free 60 days 3-5</code>"),
        _("Everywhere else: <code>/shipping add * 14.90 days 7-14</code>"),
        _("By number of items: add <code>items 3:6.90</code> (from 3 items, 6.90)."),
        _(
            "By weight, instead of a price: <code>/shipping add DE,FR 2kg:4.90 5kg:9.90</code> "
            "(up to 2 kg 4.90, up to 5 kg 9.90; heavier orders are not delivered there)."
        ),
        _("Remove: <code>/shipping remove DE,FR</code> or <code>/shipping remove all</code>"),
    ]


def no_delivery_lines(t: Translator) -> list[str]:
    """For a shop that delivers nowhere yet: why buyers cannot order, and how to fix it."""
    return [
        t.gettext("⚠️ No delivery is set up, so buyers cannot order from this shop yet."),
        *usage_lines(t)[:2],
    ]


def zone_text(t: Translator, zone: Zone, currency: str) -> str:
    _ = t.gettext

    def money(minor: int) -> str:
        return format_money(Money.from_minor(minor, currency), t.code)

    terms = zone.terms
    parts = [] if terms.weight_tiers else [money(terms.rate_minor)]
    for weight in terms.weight_tiers:
        parts.append(
            _("up to {weight}: {amount}").format(
                weight=weight_text(weight.max_grams, t.code), amount=money(weight.rate_minor)
            )
        )
    if terms.free_above_minor is not None:
        parts.append(_("free from {amount}").format(amount=money(terms.free_above_minor)))
    if terms.days is not None:
        parts.append(days_text(t, terms.days))
    for tier in terms.item_tiers:
        parts.append(
            _("from {count} items: {amount}").format(
                count=tier.min_items, amount=money(tier.rate_minor)
            )
        )
    return (
        f"• <b>{countries_text(t, zone.countries)}</b> ({' '.join(zone.countries)}): "
        + ", ".join(parts)
    )


def zones_view(t: Translator, shop_name: str, currency: str, found: list[Zone]) -> Reply:
    """/shipping: the shop's zones, or why buyers cannot order yet, and how to set them."""
    _ = t.gettext
    title = "🚚 " + _("Delivery for {shop}").format(shop=f"<b>{escape(shop_name)}</b>")
    if not found:
        body = [
            _("⚠️ No delivery is set up, so buyers cannot order from this shop yet."),
        ]
    else:
        body = [zone_text(t, zone, currency) for zone in found]
        if not any(ANY_COUNTRY in zone.countries for zone in found):
            body.append(_("Buyers in other countries are told you do not deliver there."))
    return Reply("\n".join([title, "", *body, "", *usage_lines(t)]))


def zone_saved(t: Translator, zone: Zone, currency: str, all_zones: list[Zone]) -> Reply:
    _ = t.gettext
    lines = ["✅ " + _("Saved."), zone_text(t, zone, currency)]
    if len(all_zones) > 1:
        lines += ["", _("All zones:"), *(zone_text(t, each, currency) for each in all_zones)]
    return Reply("\n".join(lines))


def zones_removed(
    t: Translator, removed: tuple[str, ...], shop_name: str, currency: str, left: list[Zone]
) -> Reply:
    _ = t.gettext
    text = _("Removed delivery to {countries}.").format(countries=countries_text(t, removed))
    rest = zones_view(t, shop_name, currency, left)
    return Reply(f"{text}\n\n{rest.text}")


def problem_text(t: Translator, error: ShippingRefused, currency: str) -> str:
    """What is wrong with the zone typed, naming what was typed."""
    return "⚠️ " + t.gettext(_PROBLEMS[error.problem]).format(
        value=escape(error.value[:60]), currency=currency
    )


def refused(t: Translator, error: ShippingRefused, currency: str) -> Reply:
    """Bad input, named, with the usage below it."""
    return Reply("\n".join([problem_text(t, error, currency), "", *usage_lines(t)]))


# --- the buyer's side ---------------------------------------------------------------------------


def cart_delivery_line(
    t: Translator, shop_name: str, country: str, delivery: ShopDelivery
) -> list[str]:
    """The lines under one shop's subtotal in the cart."""
    _ = t.gettext
    where = escape(_country(t, country))
    if not delivery.has_rules:
        return ["⚠️ " + _("{shop} is not taking orders yet: it has not set up delivery.").format(
            shop=escape(shop_name))]  # fmt: skip
    if delivery.max_grams is not None and delivery.order_grams is not None:
        return ["⚠️ " + _(
            "{shop} delivers parcels up to {limit} to {country}; this order weighs {weight}."
        ).format(
            shop=escape(shop_name), country=where, limit=weight_text(delivery.max_grams, t.code),
            weight=weight_text(delivery.order_grams, t.code),
        )]  # fmt: skip
    if not delivery.delivers or delivery.cost is None:
        return ["⚠️ " + _("{shop} does not deliver to {country}.").format(
            shop=escape(shop_name), country=where)]  # fmt: skip
    cost = (
        _("free")
        if not delivery.cost
        else format_money(delivery.cost, t.code, approx=delivery.approx)
    )
    text = "🚚 " + _("Delivery to {country}: {amount}").format(country=where, amount=cost)
    if delivery.days is not None:
        text += " · " + days_text(t, delivery.days)
    lines = [text]
    if delivery.missing_for_free is not None:
        lines.append(
            _("Add {amount} more for free delivery.").format(
                amount=format_money(delivery.missing_for_free, t.code, approx=delivery.approx)
            )
        )
    return lines


def ask_country(
    t: Translator, candidates: tuple[str, ...], *, edit: bool = True, unknown: str | None = None
) -> Reply:
    """Which country the cart should go to: likely ones as buttons, or typed."""
    _ = t.gettext
    lines = []
    if unknown is not None:
        lines.append(_("I don't know the country “{value}”.").format(value=escape(unknown[:60])))
    lines.append(_("Which country should your order go to? Choose it or type its name."))
    buttons = [
        (Button(_country(t, code), action=callbacks.encode("ctryset", code)),)
        for code in candidates[:COUNTRY_BUTTONS]
    ]
    buttons.append((Button("« " + _("Back to cart"), action=callbacks.encode("cart")),))
    return Reply("\n".join(lines), buttons=tuple(buttons), edit=edit)


def country_button(t: Translator, country: str | None) -> Button:
    if country is None:
        return Button("📍 " + t.gettext("Choose your country"), action=callbacks.encode("ctry"))
    return Button(
        "📍 " + t.gettext("Not in {country}?").format(country=_country(t, country)),
        action=callbacks.encode("ctry"),
    )


def delivery_dates_line(t: Translator, days: tuple[int, int], *, today: date | None = None) -> str:
    """ "Arrives: 12 Dec – 15 Dec" for the checkout summary."""
    first, last = delivery_dates(days, today=today or datetime.now(UTC).date())
    start = format_skeleton("MMMd", first, locale=t.code)
    if first == last:
        return t.gettext("Arrives: {date}").format(date=start)
    end = format_skeleton("MMMd", last, locale=t.code)
    return t.gettext("Arrives: {start} – {end}").format(start=start, end=end)
