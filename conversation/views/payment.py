"""The Pay button's answers (the checkout link, and what to do when there is none), and what
the buyer and the merchant are told after a payment event."""

from __future__ import annotations

from datetime import UTC
from html import escape

from babel.dates import format_datetime

from conversation import callbacks
from conversation.reply import Button, Reply
from conversation.views.checkout import status_label
from i18n import Translator
from money import Money
from money.formatting import format_money
from orders.queries import OrderDetails
from payments.pay_button import PaymentLink
from payments.second_payments import SecondPaymentState
from payments.settlement import OrderChange, OrderParties


def payment_link(t: Translator, shown_currency: str, payment: PaymentLink) -> Reply:
    """What the buyer will be charged, in which currency, and why it may differ from the shown."""
    _ = t.gettext
    charge = t.isolate(format_money(payment.charge, t.code))
    lines = [
        _("Order <b>{number}</b>: you will be charged {amount}.").format(
            number=escape(payment.order.number), amount=charge
        )
    ]
    if payment.charge.currency != shown_currency:
        lines.append(
            _(
                "Prices were shown to you in {shown}, but the shop charges in {currency}. "
                "Your bank converts the amount, so your statement can differ slightly "
                "from the price you saw."
            ).format(shown=shown_currency, currency=payment.charge.currency)
        )
    expires = format_datetime(
        payment.link.expires_at.astimezone(UTC), "short", tzinfo=UTC, locale=t.locale
    )
    lines.append(_("The payment link works until {time} (UTC).").format(time=escape(expires)))
    button = Button("💳 " + _("Pay {amount}").format(amount=charge), url=payment.link.url)
    return Reply("\n".join(lines), buttons=((button,),))


def not_payable(t: Translator, order: OrderDetails) -> Reply:
    return Reply(
        t.gettext("Order <b>{number}</b> is {status}: there is nothing to pay.").format(
            number=escape(order.number), status=status_label(t, order.status)
        )
    )


def provider_unavailable(t: Translator) -> Reply:
    return Reply(
        t.gettext(
            "The payment service cannot be reached right now. Your order stays reserved for "
            "you; please press Pay again in a minute."
        )
    )


def payments_not_set_up(t: Translator) -> Reply:
    return Reply(
        t.gettext(
            "This shop does not take payments online yet. Your order is reserved; "
            "the shop will contact you about payment."
        )
    )


def buyer_reply(t: Translator, change: OrderChange, parties: OrderParties) -> Reply:
    _ = t.gettext
    number, amount = escape(parties.number), format_money(parties.charge, t.locale)
    shop = escape(parties.merchant_name)
    if change is OrderChange.PAID:
        text = _(
            "Thank you! Your payment of {amount} for order {number} has arrived. "
            "{shop} will prepare it now."
        )
    elif change is OrderChange.NEEDS_REFUND:
        text = _(
            "Your payment of {amount} for order {number} arrived after the reservation ended, "
            "and the items are no longer in stock. {shop} will refund you in full."
        )
    elif change is OrderChange.REFUNDED:
        text = _("Order {number}: {amount} has been refunded to you.")
    elif change is OrderChange.PARTLY_REFUNDED:
        text = _("Order {number}: {shop} has refunded part of your payment.")
    elif change is OrderChange.PENDING:
        text = _(
            "Order {number}: your payment is being processed. "
            "I will tell you as soon as it arrives."
        )
    else:
        text = _(
            "Order {number}: the payment did not go through and nothing was charged. "
            "The order stays reserved until {deadline}; you can try again with the same link."
        )
    deadline = _deadline(t, parties)
    return Reply(text.format(amount=amount, number=number, shop=shop, deadline=deadline))


def merchant_reply(t: Translator, change: OrderChange, parties: OrderParties) -> Reply | None:
    """Only what the merchant must act on: a new paid order, or a late one to refund."""
    _ = t.gettext
    values = {"number": escape(parties.number), "amount": format_money(parties.charge, t.locale)}
    if change is OrderChange.PAID:
        return Reply(_("New paid order {number}: {amount}.").format(**values))
    if change is OrderChange.NEEDS_REFUND:
        return Reply(
            _("Order {number} was paid ({amount}) after its stock was gone: refund it.").format(
                **values
            )
        )
    return None


def second_payment_buyer(
    t: Translator, state: SecondPaymentState, number: str, amount: Money, shop: str
) -> Reply:
    """The buyer paid an order twice: the second payment went back, or the shop will send it."""
    values = {"number": escape(number), "amount": format_money(amount, t.locale),
              "shop": escape(shop)}  # fmt: skip
    if state is SecondPaymentState.REFUNDED:
        text = t.gettext(
            "Order {number} was already paid, so your second payment of {amount} has been "
            "refunded to you. Your bank may take a few days to show it."
        )
    else:
        text = t.gettext(
            "Order {number} was already paid, and you paid {amount} a second time. "
            "{shop} has been asked to refund it to you."
        )
    return Reply(text.format(**values))


def second_payment_shop(
    t: Translator, state: SecondPaymentState, number: str, amount: Money,
    reference: str | None, payment_id: int,
) -> Reply:  # fmt: skip
    """The shop hears of a second payment: refunded automatically, or to refund by hand (with
    the provider's reference and a button to say it is done)."""
    values = {"number": escape(number), "amount": format_money(amount, t.locale),
              "reference": escape(reference or "—")}  # fmt: skip
    if state is SecondPaymentState.REFUNDED:
        return Reply(
            t.gettext(
                "Order {number} was paid twice. The second payment of {amount} has been "
                "refunded to the buyer."
            ).format(**values)
        )
    text = t.gettext(
        "Order {number} was paid twice. Please refund the second payment of {amount} "
        "(reference {reference}) with your payment provider, then press Refunded."
    ).format(**values)
    button = Button("✅ " + t.gettext("Refunded"), callbacks.encode("m2ref", payment_id))
    return Reply(text, buttons=((button,),))


def second_payment_recorded(t: Translator, *, changed: bool) -> str:
    """The toast for the shop's Refunded press."""
    if changed:
        return t.gettext("Recorded: the buyer has been told the second payment was refunded.")
    return t.gettext("This refund was already recorded.")


def _deadline(t: Translator, parties: OrderParties) -> str:
    if parties.expires_at is None:
        return "—"
    return format_datetime(parties.expires_at, "short", locale=t.locale) + " UTC"
