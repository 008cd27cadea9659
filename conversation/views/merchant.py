"""What the merchant's chat and the buyer read about an order's life after payment.

Pure functions from `merchants.desk` data to `Reply`s: the notice (in the merchant's language,
amounts in the merchant's currency with the buyer's beside), its buttons, the buyer's status
messages (in the buyer's language), and the short answers to presses and /setup.
"""

from __future__ import annotations

from html import escape

from babel import Locale, UnknownLocaleError

from conversation import callbacks
from conversation.reply import Button, Reply
from conversation.views.checkout import format_phone, line_title, status_label
from conversation.views.shipping import no_delivery_lines
from i18n import N_, Translator, negotiate_locale, translator
from merchants.desk import Action, BuyerNews, OrderNotice, Owed, Refusal
from merchants.refunds import RefundProblem
from merchants.unreachable_buyers import Why
from money import Money
from money.formatting import format_money
from orders.countries import country_name
from orders.delivery import DeliveryDetails
from orders.errors import ShopError
from orders.models import OrderStatus

# The buttons each status offers, a row each; a press is checked again on the server.
# Cancel and refund sits on a row of its own, away from the everyday button.
_CANCEL = (Action.CANCEL, N_("↩️ Cancel and refund"))
_BUTTONS: dict[OrderStatus, tuple[tuple[tuple[Action, str], ...], ...]] = {
    OrderStatus.PAID: (((Action.ACCEPT, N_("✅ Accept")),), (_CANCEL,)),
    OrderStatus.ACCEPTED: (((Action.SHIP, N_("🚚 Ship")),), (_CANCEL,)),
    OrderStatus.SHIPPED: (
        ((Action.DELIVERED, N_("📦 Delivered")),),
        ((Action.RETRACK, N_("✏️ Correct tracking")),),
    ),
}

_REFUND_PROBLEMS = {
    RefundProblem.UNAVAILABLE: N_(
        "The payment provider could not be reached, so order {number} was not refunded and "
        "nothing changed. Please try again in a few minutes."
    ),
    RefundProblem.REJECTED: N_(
        "The payment provider refused to refund order {number}; nothing changed. "
        "Check the payment in the provider's dashboard."
    ),
    RefundProblem.NOT_SUPPORTED: N_(
        "Order {number} was paid through your own payment provider: refund it there. "
        "Nothing changed here."
    ),
    RefundProblem.NO_PROVIDER: N_(
        "Order {number} was paid with a payment provider this shop no longer uses here, so it "
        "cannot be refunded from the chat. Nothing changed."
    ),
    RefundProblem.NO_PAYMENT: N_(
        "No payment of order {number} is on record, so there is nothing to refund from the "
        "chat. Nothing changed."
    ),
}

_REFUSALS = {
    Refusal.NOT_A_SHOP_CHAT: N_("This chat is not a shop's order chat."),
    Refusal.NOT_STAFF: N_("Only the shop's staff can do this."),
    Refusal.NOT_FOUND: N_("This order is not one of this shop's."),
    Refusal.NOT_NOW: N_("Not possible: the order is {status}."),
    Refusal.UNSUPPORTED: N_("This cannot be done from the chat yet."),
}


def render(owed: Owed) -> Reply:
    """The message an `Owed` stands for, in its reader's language."""
    t = translator(negotiate_locale(owed.locale))
    if isinstance(owed.content, OrderNotice):
        return order_notice(t, owed.content)
    return buyer_news(t, owed.content)


def _money(t: Translator, amount: Money) -> str:
    return format_money(amount, t.code)


def _delivery(t: Translator, delivery: dict[str, object]) -> str:
    try:
        return carrier_label(t, DeliveryDetails.from_dict(delivery))
    except ShopError:  # an old or odd snapshot: show what is there rather than nothing
        return escape(", ".join(str(v) for v in delivery.values() if v))


def carrier_label(t: Translator, details: DeliveryDetails) -> str:
    """The delivery details as a carrier reads a label, escaped: the recipient and the address
    in the destination post's own format (Google's address data, `DeliveryDetails.label`), the
    COUNTRY in capitals, a Latin-letter copy when the address is written in another script,
    then the phone number the carrier calls."""
    lines = [*details.label(), country_name(details.country, t.code).upper()]
    text = "\n".join(escape(line) for line in lines if line)
    latin = details.label(latin=True)
    if latin != details.label():
        copy = [*latin, country_name(details.country, "en").upper()]
        text += "\n\n" + "\n".join(escape(line) for line in copy if line)
    phone = t.gettext("Phone: {phone}").format(phone=escape(format_phone(details.phone)))
    return text + "\n" + phone


def language_name(locale: str, t: Translator) -> str:
    """ "Chinese (Simplified)" for zh_Hans, in the reader's language; the code if babel has none."""
    try:
        return Locale.parse(locale.replace("-", "_")).get_display_name(t.code) or locale
    except (ValueError, UnknownLocaleError):
        return locale


def buyer_contact(t: Translator, notice: OrderNotice) -> str:
    """The buyer's name opening their profile on a tap, and their @username when they have one
    (a tg://user link opens only for users who have written to the bot, as every buyer has)."""
    name = notice.buyer_name or t.gettext("Telegram user {id}").format(id=notice.buyer_user_id)
    link = f'<a href="tg://user?id={notice.buyer_user_id}">{escape(name)}</a>'
    if notice.buyer_username:
        link += f" (@{escape(notice.buyer_username)})"
    return link


def order_notice(t: Translator, notice: OrderNotice) -> Reply:
    """A paid order as the merchant sees it, with the buttons its status allows."""
    _ = t.gettext
    lines = [
        "<b>" + _("Order {number}").format(number=escape(notice.number)) + "</b> · "
        + escape(status_label(t, notice.status.value)),
        "",
    ]  # fmt: skip
    for line in notice.lines:
        sku = (
            " · " + _("SKU {sku}").format(sku=f"<code>{escape(line.sku)}</code>")
            if line.sku
            else ""
        )
        lines.append(f"{line.quantity} × {line_title(line.title, line.options)}{sku}: "
                     f"{_money(t, line.total)}")  # fmt: skip
    lines.append(_("Delivery: {amount}").format(amount=_money(t, notice.shipping)))
    total = _money(t, notice.total)
    if notice.buyer_total.currency != notice.total.currency:
        total += f" ({_money(t, notice.buyer_total)})"
    lines.append("<b>" + _("Total: {amount}").format(amount=total) + "</b>")
    if notice.charge.currency != notice.total.currency:
        lines.append(_("Charged: {amount}").format(amount=_money(t, notice.charge)))
    lines += ["", "<b>" + _("Ship to") + "</b>", _delivery(t, notice.delivery), ""]
    lines.append(
        _("Buyer: {buyer}, speaks {language}").format(
            buyer=buyer_contact(t, notice), language=escape(language_name(notice.buyer_locale, t))
        )
    )
    if notice.status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED) and notice.tracking:
        tracking = escape(notice.tracking)
        if notice.tracking_url:
            tracking = f'<a href="{escape(notice.tracking_url)}">{tracking}</a>'
        lines.append(
            _("Shipped with {carrier}, tracking number {tracking}").format(
                carrier=escape(notice.carrier or ""), tracking=tracking
            )
        )
    if notice.status == OrderStatus.REFUNDED:
        lines.append(
            _("Cancelled and refunded in full: {amount}").format(amount=_money(t, notice.charge))
        )
    if notice.acted_by:
        lines.append(_("Last change by {name}").format(name=escape(notice.acted_by)))
    rows = tuple(
        tuple(
            Button(t.gettext(label), callbacks.encode("mord", action.value, notice.order_id))
            for action, label in row
        )
        for row in _BUTTONS.get(notice.status, ())
    )
    return Reply("\n".join(lines), buttons=rows)


def buyer_news(t: Translator, news: BuyerNews) -> Reply:
    """The buyer hears of every change the shop makes to their order."""
    _ = t.gettext
    values = {"number": escape(news.number), "shop": escape(news.merchant_name)}
    if news.status == OrderStatus.ACCEPTED:
        text = _("Order {number}: {shop} has accepted your order and is preparing it.")
    elif news.status == OrderStatus.SHIPPED:
        text = (
            _(
                "Order {number}: {shop} corrected the tracking: {carrier}, "
                "tracking number {tracking}."
            )
            if news.corrected
            else _("Order {number} is on its way: {carrier}, tracking number {tracking}.")
        )
        values |= {"carrier": escape(news.carrier or ""), "tracking": escape(news.tracking or "")}
        if news.tracking_url:
            values["tracking"] = f'<a href="{escape(news.tracking_url)}">{values["tracking"]}</a>'
            button = Button(_("📦 Track the parcel"), url=news.tracking_url)
            return Reply(text.format(**values), buttons=((button,),))
    elif news.status == OrderStatus.DELIVERED:
        text = _("Order {number} has been delivered. Thank you for shopping at {shop}!")
    elif news.status == OrderStatus.REFUNDED and news.refunded is not None:
        text = _(
            "Order {number}: {shop} has cancelled your order and refunded {amount} in full. "
            "The money usually reaches your account within a few days."
        )
        values["amount"] = _money(t, news.refunded)
    else:
        text = _("Order {number} is now {status}.")
        values["status"] = escape(status_label(t, news.status.value))
    return Reply(text.format(**values))


def refused(t: Translator, refusal: Refusal, status: OrderStatus | None) -> Reply:
    text = t.gettext(_REFUSALS[refusal]).format(
        status=status_label(t, status.value) if status else "?"
    )
    return Reply(text, notice=text)


def unchanged(t: Translator, status: OrderStatus) -> Reply:
    """A second press: nothing happens, the presser is told why."""
    text = t.gettext("Already done: the order is {status}.").format(
        status=status_label(t, status.value)
    )
    return Reply(text, notice=text)


def done(t: Translator, status: OrderStatus) -> Reply:
    text = t.gettext("Done: the order is {status}.").format(status=status_label(t, status.value))
    return Reply(text, notice=text)


def confirm_refund(t: Translator, order_id: int, number: str, amount: Money) -> Reply:
    """The second step of Cancel and refund: nothing happens until this is pressed."""
    text = t.gettext(
        "Cancel order {number} and refund {amount} in full to the buyer? This cannot be undone."
    ).format(number=escape(number), amount=_money(t, amount))
    button = Button(
        t.gettext("Yes, cancel and refund {amount}").format(amount=_money(t, amount)),
        callbacks.encode("mord", Action.CONFIRM_REFUND.value, order_id),
    )
    return Reply(text, buttons=((button,),))


def refunded(t: Translator, number: str, changed: bool) -> Reply:
    """The confirmation message, edited once the refund is done (or was already)."""
    text = (
        t.gettext("Order {number} is cancelled and refunded.")
        if changed
        else t.gettext("Already done: order {number} was refunded before.")
    ).format(number=escape(number))
    return Reply(text, notice=text, edit=True)


def refund_failed(t: Translator, problem: RefundProblem, number: str) -> Reply:
    text = t.gettext(_REFUND_PROBLEMS[problem]).format(number=escape(number))
    return Reply(text, notice=text)


def ask_tracking(
    t: Translator, number: str, name: str, user_id: int, *, correcting: bool = False
) -> Reply:
    """Asks the presser (named with a link, so the forced reply is theirs alone) to answer by
    replying: a bot in a group with privacy mode on sees nothing else."""
    asked = (
        t.gettext(
            "{name}, reply to this message with the corrected carrier and tracking number for "
            "order {number}, e.g. <i>USPS 9400 1118 9922 3197 4284 90</i>."
        )
        if correcting
        else t.gettext(
            "{name}, send the carrier and the tracking number for order {number} "
            "in one message, e.g. <i>USPS 9400 1118 9922 3197 4284 90</i>."
        )
    )
    return Reply(
        asked.format(name=_mention(name, user_id), number=escape(number)),
        force_reply=True,
        force_reply_selective=True,
        force_reply_placeholder=t.gettext("Carrier and tracking number")[:64],
    )


def bad_tracking(t: Translator, name: str, user_id: int) -> Reply:
    """Asks again, as a forced reply to the sender alone (the reply names the same order)."""
    text = t.gettext(
        "I need the carrier and the tracking number in one message, "
        "e.g. <i>USPS 9400 1118 9922 3197 4284 90</i>."
    )
    return Reply(
        f"{_mention(name, user_id)}: {text}",
        force_reply=True,
        force_reply_selective=True,
        force_reply_placeholder=t.gettext("Carrier and tracking number")[:64],
    )


def _mention(name: str, user_id: int) -> str:
    """The person as a link Telegram turns into a mention (which a selective forced reply
    targets), whether or not they have a username."""
    return f'<a href="tg://user?id={int(user_id)}">{escape(name)}</a>'


def setup_usage(t: Translator) -> Reply:
    return Reply(
        t.gettext(
            "Send <code>/setup shop-id CODE</code> in the shop's group to connect it, with the "
            "claim code you were given when the shop was made."
        )
    )


def setup_not_admin(t: Translator) -> Reply:
    return Reply(t.gettext("Only an administrator of this chat can connect it to a shop."))


def setup_not_group(t: Translator) -> Reply:
    return Reply(t.gettext("Run /setup in the group where the shop's orders should arrive."))


def setup_refused(t: Translator) -> Reply:
    return Reply(
        t.gettext(
            "I can't connect this chat to that shop: the shop does not exist, this chat serves "
            "another shop, or the claim code is wrong or used already."
        )
    )


def setup_done(t: Translator, shop_name: str, *, delivers: bool = True) -> Reply:
    """The group claimed; for a shop that delivers nowhere yet, why buyers cannot order."""
    text = t.gettext(
        "This chat now receives the orders of {shop}. You are on its staff and can act on them."
    ).format(shop=escape(shop_name))
    if not delivers:
        text += "\n\n" + "\n".join(no_delivery_lines(t))
    return Reply(text)


def buyer_unreachable(t: Translator, number: str, why: Why) -> Reply:
    """The shop hears that a message about order `number` could not reach its buyer."""
    values = {"number": escape(number)}
    if why is Why.BLOCKED:
        text = t.gettext(
            "Could not reach the buyer of order {number}: they blocked the bot. "
            "Please contact them another way if needed."
        )
    elif why is Why.GONE:
        text = t.gettext(
            "Could not reach the buyer of order {number}: their Telegram account or chat "
            "no longer exists."
        )
    else:
        text = t.gettext(
            "Could not reach the buyer of order {number}: Telegram refused the message."
        )
    return Reply(text.format(**values))
