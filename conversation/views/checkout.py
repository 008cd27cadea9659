"""The checkout conversation: each step's question, the summary to confirm, the orders placed.

`checkout_turn` turns what one update did to the checkout (`orders.checkout_dialog.CheckoutTurn`)
into the reply; `error_text` gives any domain refusal (`orders.errors`) in the buyer's language.
Pure functions: no I/O, no Telegram.
"""

from __future__ import annotations

from dataclasses import replace
from html import escape
from typing import TypeVar

import phonenumbers

from conversation import callbacks
from conversation.reply import Button, Reply
from conversation.views.common import local_time
from conversation.views.shipping import delivery_dates_line
from conversation.views.weight import weight_text
from i18n import N_, Translator
from money import Money
from money.formatting import format_money
from orders.addresses import Part, address_form
from orders.checkout import CheckoutDraft, Step
from orders.checkout_dialog import BACK, CANCEL, NO, SKIP, YES, CheckoutTurn, TurnKind
from orders.countries import country_name
from orders.delivery import DeliveryDetails
from orders.errors import (
    AmbiguousCountry,
    InvalidAddressPart,
    InvalidTransition,
    NoShipping,
    ShopError,
    TooHeavy,
)
from orders.placement import (
    CheckoutSummary,
    MerchantSummary,
    Outcome,
    PlacedOrder,
    PlacementResult,
)

# The buyer-facing text of each domain refusal, by `ShopError.message_id`. The msgids repeat the
# errors' English defaults, so `orders/` stays free of gettext and these get extracted here.
ERROR_TEXTS: dict[str, str] = {
    "error": N_("Sorry, that cannot be done."),
    "input.too_long": N_("That is too long: please keep it under %(maximum)d characters."),
    "input.not_text": N_(
        "Please answer in words: emoji, symbols and control characters can't be used here."
    ),
    "input.choose_button": N_("Please choose one of the buttons."),
    "cart.empty": N_("Your cart is empty."),
    "delivery.invalid_name": N_(
        "Please send the recipient's full name: %(minimum)d to %(maximum)d letters."
    ),
    "delivery.invalid_phone": N_(
        "That does not look like a phone number. Send it with the country code, "
        "like +49 30 1234567, or share your contact with the button."
    ),
    "delivery.invalid_address": N_(
        "Please send the street address with the house number, "
        "%(minimum)d to %(maximum)d characters."
    ),
    "delivery.invalid_city": N_(
        "Please send the city or town, %(minimum)d to %(maximum)d characters."
    ),
    "delivery.invalid_postal_code": N_(
        "That postal code does not look right: use letters, digits, spaces or dashes."
    ),
    "delivery.invalid_part": N_(
        "%(field)s: that is not valid in %(country)s. For example: %(example)s"
    ),
    "delivery.unknown_country": N_(
        "I don't know that country. Send its name or its two-letter code, like DE."
    ),
    "delivery.ambiguous_country": N_("Which country do you mean?"),
    "checkout.no_shipping": N_("%(merchant)s does not deliver to %(country)s."),
    "checkout.too_heavy": N_(
        "%(merchant)s delivers parcels up to %(limit)s to %(country)s; this order weighs %(grams)s."
    ),
    "checkout.shop_not_open": N_(
        "%(merchant)s is not taking orders yet: it has not set up delivery."
    ),
    "checkout.expired": N_("This checkout has expired. Please start it again from your cart."),
    "order.not_found": N_("I can't find that order."),
    "order.invalid_transition": N_(
        "This order is %(current)s and can't be changed to %(requested)s."
    ),
}

# What each country calls the parts of its addresses (Google's address data's types).
PART_LABELS: dict[str, str] = {
    "state": N_("State"),
    "province": N_("Province"),
    "area": N_("Area"),
    "county": N_("County"),
    "department": N_("Department"),
    "district": N_("District"),
    "do_si": N_("Province (do/si)"),
    "emirate": N_("Emirate"),
    "island": N_("Island"),
    "oblast": N_("Region (oblast)"),
    "parish": N_("Parish"),
    "prefecture": N_("Prefecture"),
    "zip": N_("ZIP code"),
    "postal": N_("Postal code"),
    "pin": N_("PIN code"),
    "eircode": N_("Eircode"),
    "neighborhood": N_("Neighbourhood"),
    "suburb": N_("Suburb"),
    "townland": N_("Townland"),
    "village_township": N_("Village or township"),
}

QUESTIONS: dict[Step, str] = {
    Step.NAME: N_("Who receives the parcel? Send the recipient's full name."),
    Step.PHONE: N_(
        "Which phone number can the courier call? Tap <b>Share my phone number</b> below, "
        "or type it as you would dial it at home, like {example}."
    ),
    Step.ADDRESS: N_(
        "The street address with the house number? Put an apartment or building "
        "on a second line if needed."
    ),
    Step.CITY: N_("The city or town?"),
    Step.POSTAL_CODE: N_("The postal code? If there is none, tap <b>No postal code</b>."),
    Step.COUNTRY: N_("The country? Send its name or its two-letter code, like DE."),
}


def error_text(t: Translator, error: ShopError) -> str:
    """A refusal in the buyer's language, HTML-escaped and ready to send."""
    message = t.gettext(ERROR_TEXTS.get(error.message_id, ERROR_TEXTS["error"]))
    params = dict(error.params)
    if isinstance(error, NoShipping):
        params["country"] = country_name(str(params.get("country", "")), t.code)
    if isinstance(error, TooHeavy):
        params["limit"] = weight_text(int(params.get("limit", 0)), t.code)
        params["grams"] = weight_text(int(params.get("grams", 0)), t.code)
    if isinstance(error, InvalidTransition):
        params = {name: status_label(t, str(value)) for name, value in params.items()}
    if isinstance(error, InvalidAddressPart):
        params["country"] = country_name(str(params.get("country", "")), t.code)
        params["field"] = part_label(t, str(params.get("field", "")))
    try:
        text = message % params if params else message
    except (KeyError, ValueError, TypeError):  # a translation with broken placeholders
        text = error.text
    return escape(text, quote=False)


def status_label(t: Translator, status: str) -> str:
    """An order status as the buyer reads it (shared with the orders view)."""
    labels = {
        "awaiting_payment": N_("awaiting payment"),
        "paid": N_("paid"),
        "accepted": N_("accepted by the shop"),
        "shipped": N_("shipped"),
        "delivered": N_("delivered"),
        "cancelled": N_("cancelled"),
        "expired": N_("expired (not paid in time)"),
        "refunded": N_("refunded"),
    }
    return t.gettext(labels[status]) if status in labels else status


# --- buttons -------------------------------------------------------------------------------
def _step_button(text: str, step: Step, answer: str) -> Button:
    return Button(text, callbacks.encode("step", step.value, answer))


def _nav_row(t: Translator, draft: CheckoutDraft) -> tuple[Button, ...]:
    """Back (when there is a step to go back to) and Cancel, under every question."""
    row = []
    if draft.history:
        row.append(_step_button(t.gettext("⬅️ Back"), draft.step, BACK))
    row.append(_step_button(t.gettext("✖️ Cancel"), draft.step, CANCEL))
    return tuple(row)


def part_label(t: Translator, kind: str) -> str:
    """ "state", "zip", "oblast" in the buyer's language."""
    return t.gettext(PART_LABELS[kind]) if kind in PART_LABELS else kind


# --- details -------------------------------------------------------------------------------
def format_phone(phone: str, country: str | None = None) -> str:
    """E.164 as people write it: nationally for a number of `country` ("(202) 555-0143"),
    internationally otherwise ("+49 30 1234567")."""
    try:
        number = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return phone
    national = country and phonenumbers.region_code_for_number(number) == country
    style = phonenumbers.PhoneNumberFormat
    return phonenumbers.format_number(number, style.NATIONAL if national else style.INTERNATIONAL)


def phone_example(country: str | None) -> str:
    """A made-up number as `country` writes it, for the phone question ("030 123456")."""
    number = phonenumbers.example_number(country) if country else None
    if number is None:
        return "+49 30 1234567"
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def delivery_text(t: Translator, details: DeliveryDetails) -> str:
    """The delivery details as the destination's post prints them, escaped.

    The label in the country's order (state and postal code where it puts them), the phone,
    the country in the reader's language, and a Latin-letter copy for the carrier when the
    address is written in another script.
    """
    phone = format_phone(details.phone, details.country)
    international = format_phone(details.phone)
    if phone != international:  # as the courier dials it, and as a shop abroad does
        phone = f"{phone} ({international})"
    lines = [*details.label(), phone, country_name(details.country, t.code)]
    latin = details.label(latin=True)
    if latin != details.label():
        lines += [t.gettext("In Latin letters, for the carrier:"), *latin]
    return "\n".join(escape(line) for line in lines)


def _draft_details(t: Translator, draft: CheckoutDraft) -> str:
    try:
        return delivery_text(t, draft.delivery)
    except ShopError:
        return ""


# --- the questions -------------------------------------------------------------------------
def question(t: Translator, draft: CheckoutDraft, *, error: ShopError | None = None) -> Reply:
    """The reply asking `draft.step`, after `error` (the refused answer) when there is one."""
    _ = t.gettext
    head = error_text(t, error) + "\n\n" if error is not None else ""
    nav = _nav_row(t, draft)
    step = draft.step
    if step == Step.REUSE_SAVED and draft.saved is not None:
        text = _("Use the delivery details you saved last time?") + "\n\n"
        text += delivery_text(t, draft.saved)
        rows: tuple[tuple[Button, ...], ...] = (
            (_step_button(_("✅ Yes, deliver there"), step, YES),),
            (_step_button(_("✏️ No, enter new details"), step, NO),),
            nav,
        )
        return Reply(head + text, buttons=rows)
    if step == Step.CONFIRM_SAVE:
        text = _("Remember these delivery details for your next order?") + "\n\n"
        text += _draft_details(t, draft)
        rows = (
            (
                _step_button(_("Yes, remember"), step, YES),
                _step_button(_("No, thanks"), step, NO),
            ),
            nav,
        )
        return Reply(head + text, buttons=rows)
    numbered = draft.steps
    if step not in numbered:
        return Reply(head + error_text(t, ShopError()), buttons=(nav,))
    progress = _("Checkout, step {number} of {total}").format(
        number=numbered.index(step) + 1, total=len(numbered)
    )
    text = f"{head}<b>{progress}</b>\n{_question(t, draft)}"
    if step == Step.PHONE:
        # The contact keyboard and inline buttons cannot share a message: Back/Cancel follow.
        return Reply(
            text,
            contact_request=_("📱 Share my phone number"),
            extra=(Reply(_("You can also go back or cancel:"), buttons=(nav,)),),
        )
    rows = (nav,)
    if step == Step.POSTAL_CODE and not _postal_code_required(draft):
        rows = ((_step_button(_("No postal code"), step, SKIP),), nav)
    guess = draft.country or draft.region_hint
    if step == Step.COUNTRY and guess:  # one tap for the likely country
        rows = ((_step_button(country_name(guess, t.code), step, guess),), nav)
    if step == Step.COUNTRY and isinstance(error, AmbiguousCountry):
        choices = tuple(
            (_step_button(country_name(code, t.code), step, code),) for code in error.candidates
        )
        rows = (*choices, nav)
    return Reply(text, buttons=rows)


_PART_OF_STEP = {
    Step.AREA: Part.AREA,
    Step.CITY_AREA: Part.CITY_AREA,
    Step.POSTAL_CODE: Part.POSTAL_CODE,
}


def _postal_code_required(draft: CheckoutDraft) -> bool:
    return draft.country is not None and Part.POSTAL_CODE in address_form(draft.country).required


def _question(t: Translator, draft: CheckoutDraft) -> str:
    """The step's question, in the words of the delivery country's post where it has its own."""
    _ = t.gettext
    step = draft.step
    if step == Step.PHONE:
        return _(QUESTIONS[step]).format(example=escape(phone_example(draft.country)))
    part = _PART_OF_STEP.get(step)
    if part is None or draft.country is None:
        return _(QUESTIONS[step]) if step in QUESTIONS else ""
    form = address_form(draft.country)
    kind = {
        Part.AREA: form.area_type,
        Part.CITY_AREA: form.city_area_type,
        Part.POSTAL_CODE: form.postal_type,
    }[part]
    text = _("<b>{field}</b>?").format(field=escape(part_label(t, kind)))
    example = form.example(part)
    if example:
        text += " " + _("For example: {example}").format(example=escape(example))
    if part == Part.POSTAL_CODE and not _postal_code_required(draft):
        text += "\n" + _("If there is none, tap <b>No postal code</b>.")
    return text


# --- the summary ---------------------------------------------------------------------------
TEXT_LIMIT = 4096  # Telegram's longest message; a 50-line cart must still fit
TITLE_LIMIT = 60
COMPACT_LIST = 5
T = TypeVar("T")


def _shorten(text: str, limit: int = TITLE_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def line_title(title: str, options: dict[str, str]) -> str:
    """A product with its chosen options, shortened and escaped: "Ceramic mug (Red)"."""
    values = [value for value in options.values() if value]
    shown = _shorten(title) + (f" ({' / '.join(values)})" if values else "")
    return escape(_shorten(shown, TITLE_LIMIT + 30))


def _merchant_block(t: Translator, merchant: MerchantSummary, *, compact: bool) -> list[str]:
    _ = t.gettext

    def money(amount: Money, approx: bool = False) -> str:
        return format_money(amount, t.code, approx=approx)

    approx = merchant.price.approx
    lines = [f"<b>{escape(merchant.merchant_name)}</b>"]
    if compact:  # too long for one message line by line: the count and the subtotal
        items = sum(line.quantity for line in merchant.lines)
        lines.append(
            t.ngettext("{count} item: {amount}", "{count} items: {amount}", items).format(
                count=items, amount=money(merchant.buyer_subtotal, approx)
            )
        )
    for line in () if compact else merchant.lines:
        lines.append(
            f"{line.quantity} × {line_title(line.title, line.options)} — "
            f"{money(line.buyer_line_total, approx)}"
        )
        if line.price_changed:
            lines.append(
                "   "
                + _("⚠️ price changed since you added it: was {old}, now {new}").format(
                    old=money(line.added_price), new=money(line.unit_price)
                )
            )
    shipping = _("free") if not merchant.buyer_shipping else money(merchant.buyer_shipping, approx)
    lines.append(_("Shipping: {amount}").format(amount=shipping))
    if merchant.delivery_days is not None:
        lines.append(delivery_dates_line(t, merchant.delivery_days))
    total = money(merchant.buyer_total, approx)
    if merchant.total.currency != merchant.buyer_total.currency:
        total += f" ({money(merchant.total)})"
    lines.append("<b>" + _("Total: {amount}").format(amount=total) + "</b>")
    if merchant.charge.currency != merchant.buyer_total.currency:
        lines.append(
            _("You will be charged {amount} in the shop's currency.").format(
                amount=money(merchant.charge)
            )
        )
    return lines


def summary_view(
    t: Translator,
    draft: CheckoutDraft,
    summary: CheckoutSummary,
    *,
    placement: PlacementResult | None = None,
    error: ShopError | None = None,
) -> Reply:
    """Everything the buyer is about to order, per merchant, with Confirm, Back and Cancel.

    `error`: why the summary is shown again (text typed where a button is expected).
    """
    text, can_confirm = _summary_text(t, summary, placement, error, compact=False)
    if len(text) > TEXT_LIMIT:
        text, can_confirm = _summary_text(t, summary, placement, error, compact=True)
    return Reply(text, buttons=_summary_buttons(t, draft, summary, can_confirm))


def _first(items: tuple[T, ...], compact: bool) -> tuple[T, ...]:
    """All of `items`, or in a message too long otherwise only the first few."""
    return items[:COMPACT_LIST] if compact else items


def _summary_text(
    t: Translator,
    summary: CheckoutSummary,
    placement: PlacementResult | None,
    error: ShopError | None,
    *,
    compact: bool,
) -> tuple[str, bool]:
    _ = t.gettext
    parts: list[str] = [error_text(t, error), ""] if error is not None else []
    can_confirm = True
    if placement is not None and placement.outcome == Outcome.CHANGED:
        parts.append(_("⚠️ Something changed since you looked: please check again."))
    if placement is not None and placement.outcome == Outcome.UNAVAILABLE:
        can_confirm = False
        parts.append(_("⚠️ Some items can't be ordered as they are:"))
        for line in _first(placement.unavailable, compact):
            if line.available:
                parts.append(
                    _("• {title}: only {available} left, you asked for {requested}").format(
                        title=escape(_shorten(line.title)),
                        available=line.available,
                        requested=line.requested,
                    )
                )
            else:
                title = escape(_shorten(line.title))
                parts.append(_("• {title}: no longer available").format(title=title))
        parts.append(_("Please change your cart, then check out again."))
        parts.append("")
    unavailable_shown = placement is not None and placement.outcome == Outcome.UNAVAILABLE
    if summary.problems and not unavailable_shown:
        # Placement refuses a cart with such lines: the buyer fixes the cart first.
        can_confirm = False
        parts.append(_("⚠️ These items are no longer available, or not in that quantity:"))
        problems = _first(summary.problems, compact)
        parts.extend(f"• {line_title(line.title, line.options)}" for line in problems)
        parts.append(_("Please change your cart, then check out again."))
        parts.append("")
    parts.append("<b>" + _("Please check your order") + "</b>")
    parts.append("")
    parts.append(_("Delivery to:"))
    parts.append(delivery_text(t, summary.delivery))
    for merchant in summary.merchants:
        parts.append("")
        parts.extend(_merchant_block(t, merchant, compact=compact))
    if len(summary.merchants) > 1:
        parts.append("")
        total = format_money(summary.buyer_total, t.code, approx=summary.approx)
        parts.append("<b>" + _("Altogether: {amount}").format(amount=total) + "</b>")
        parts.append(
            t.ngettext(
                "This becomes {count} order, one per shop.",
                "This becomes {count} orders, one per shop.",
                len(summary.merchants),
            ).format(count=len(summary.merchants))
        )
    if summary.approx:
        parts.append(
            _("≈ converted at older exchange rates; you are charged in the shop's currency.")
        )
    return "\n".join(parts), can_confirm


def _summary_buttons(
    t: Translator, draft: CheckoutDraft, summary: CheckoutSummary, can_confirm: bool
) -> tuple[tuple[Button, ...], ...]:
    _ = t.gettext
    rows: list[tuple[Button, ...]] = []
    if can_confirm:
        label = t.ngettext(
            "✅ Confirm and place the order",
            "✅ Confirm and place {count} orders",
            len(summary.merchants),
        ).format(count=len(summary.merchants))
        rows.append((_step_button(label, Step.SUMMARY, summary.fingerprint),))
    else:
        rows.append((Button(_("🛒 Open the cart"), callbacks.encode("cart")),))
    rows.append(_nav_row(t, draft))
    return tuple(rows)


def no_shipping(t: Translator, draft: CheckoutDraft, error: ShopError) -> Reply:
    _ = t.gettext
    text = (
        error_text(t, error)
        + "\n"
        + _("Go back to change the delivery address, or remove that shop's items from your cart.")
    )
    rows = ((Button(_("🛒 Open the cart"), callbacks.encode("cart")),), _nav_row(t, draft))
    return Reply(text, buttons=rows)


# --- after placing -------------------------------------------------------------------------
def placed_order(t: Translator, order: PlacedOrder, country: str | None = None) -> Reply:
    """One message per order: its number, total and status, and what happens next.

    `country`: the delivery country, whose time zone the reservation's end is given in."""
    _ = t.gettext
    lines = [
        _("Order <b>{number}</b> is placed.").format(number=escape(order.number)),
        _("Total: {amount}").format(amount=format_money(order.buyer_total, t.code)),
    ]
    if order.charge != order.buyer_total:
        lines.append(_("To pay: {amount}").format(amount=format_money(order.charge, t.code)))
    lines.append(_("Status: {status}").format(status=status_label(t, "awaiting_payment")))
    if order.expires_at is not None:
        when = local_time(t, order.expires_at, country)
        lines.append(_("The items are reserved for you until {time}.").format(time=escape(when)))
    lines.append(_("Press Pay to open the secure payment page."))
    buttons = (
        (
            Button("💳 " + _("Pay"), callbacks.encode("pay", order.order_id)),
            Button(_("📄 Order details"), callbacks.encode("order", order.order_id)),
        ),
    )
    return Reply("\n".join(lines), buttons=buttons)


def placed(t: Translator, result: PlacementResult, country: str | None = None) -> Reply:
    """A message per order; after a checkout of several shops, one more listing all to pay."""
    replies = [placed_order(t, order, country) for order in result.orders]
    if not replies:
        return Reply(error_text(t, ShopError()))
    if len(result.orders) > 1:
        replies.append(to_pay(t, result.orders))
    first, *rest = replies
    return replace(first, extra=tuple(rest))


def to_pay(t: Translator, orders: tuple[PlacedOrder, ...]) -> Reply:
    """Every order of one checkout still to pay, each with its Pay button: none forgotten."""
    lines = [
        "<b>"
        + t.ngettext(
            "{count} order to pay, one per shop:",
            "{count} orders to pay, one per shop:",
            len(orders),
        ).format(count=len(orders))
        + "</b>"
    ]
    lines += [
        f"• <b>{escape(order.number)}</b> — {format_money(order.charge, t.code)}"
        for order in orders
    ]
    lines.append(t.gettext("You can also pay later from /orders."))
    buttons = tuple(
        (
            Button(
                t.gettext("💳 Pay {number}").format(number=order.number),
                callbacks.encode("pay", order.order_id),
            ),
        )
        for order in orders
    )
    return Reply("\n".join(lines), buttons=buttons)


# --- one turn ------------------------------------------------------------------------------
def checkout_turn(t: Translator, turn: CheckoutTurn) -> Reply:
    """The reply to one update of the checkout.

    A button press edits the message it was pressed on (fewer stale buttons in the chat);
    typed answers, and messages that change the keyboard, are answered with new messages.
    """
    reply = replace(_turn_reply(t, turn), edit=True)
    draft = turn.draft
    if turn.left == Step.PHONE and (draft is None or draft.step != Step.PHONE):
        reply = _without_contact_keyboard(t, draft, reply)
    return reply


def _turn_reply(t: Translator, turn: CheckoutTurn) -> Reply:
    _ = t.gettext
    draft = turn.draft
    match turn.kind:
        case TurnKind.ASK if draft is not None:
            return question(t, draft, error=turn.error)
        case TurnKind.SUMMARY if draft is not None and turn.summary is not None:
            return summary_view(t, draft, turn.summary, placement=turn.placement, error=turn.error)
        case TurnKind.SUMMARY if draft is not None and turn.error is not None:
            return no_shipping(t, draft, turn.error)
        case TurnKind.PLACED if turn.placement is not None:
            summary = turn.placement.summary
            return placed(t, turn.placement, summary.delivery.country if summary else None)
        case TurnKind.CANCELLED:
            return Reply(
                _("Checkout cancelled. Your cart is still there."),
                buttons=((Button(_("🛒 Open the cart"), callbacks.encode("cart")),),),
            )
        case TurnKind.CART_EMPTY:
            return Reply(
                _("Your cart is empty, so there is nothing to check out yet. "
                  "Type what you are looking for.")
            )  # fmt: skip
    return Reply(_("This checkout has expired. Please start it again from your cart."))


def _without_contact_keyboard(t: Translator, draft: CheckoutDraft | None, reply: Reply) -> Reply:
    """Leaving the phone step takes the share-contact keyboard away.

    Telegram removes that keyboard only with a message of its own (not one with inline
    buttons): a checkout that ended says so without buttons, one that goes on first repeats
    the number it took (or just "OK." when going back).
    """
    if draft is None:
        return replace(reply, buttons=(), remove_keyboard=True)
    if draft.phone and draft.history and draft.history[-1] == Step.PHONE:
        phone = format_phone(draft.phone, draft.country)
        text = t.gettext("📞 {phone}").format(phone=escape(phone))
    else:
        text = t.gettext("OK.")
    return Reply(text, remove_keyboard=True, extra=(reply,))


def nothing_to_cancel(t: Translator) -> Reply:
    """/cancel with no checkout going on."""
    return Reply(t.gettext("There is nothing to cancel right now."), remove_keyboard=True)
