"""The Pay button's answers: the checkout link, and what to do when there is none."""

from __future__ import annotations

from datetime import UTC
from html import escape

from babel.dates import format_datetime

from bot.web.pay_button import PaymentLink
from conversation.reply import Button, Reply
from conversation.views.checkout import status_label
from i18n import Translator
from money.formatting import format_money
from orders.queries import OrderDetails


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
