"""What the bot says after a payment event: plain `Reply`s addressed to chats, no Telegram types."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from babel.dates import format_datetime

from bot.web.settlement import OrderChange, OrderParties, Settlement
from conversation.reply import Reply
from i18n import Translator, negotiate_locale, translator
from money.formatting import format_money


@dataclass(frozen=True, slots=True)
class Outgoing:
    chat_id: int
    reply: Reply


def payment_messages(settlement: Settlement) -> list[Outgoing]:
    """The buyer's message (and the merchant's, once merchants have a chat) for one settlement."""
    parties = settlement.parties
    if parties is None or settlement.change is OrderChange.NONE:
        return []
    buyer = translator(negotiate_locale(parties.buyer_locale))
    messages = [Outgoing(parties.buyer_chat_id, buyer_reply(buyer, settlement.change, parties))]
    merchant_text = merchant_reply(translator(), settlement.change, parties)
    if parties.merchant_chat_id is not None and merchant_text is not None:
        messages.append(Outgoing(parties.merchant_chat_id, merchant_text))
    return messages


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


def _deadline(t: Translator, parties: OrderParties) -> str:
    if parties.expires_at is None:
        return "—"
    return format_datetime(parties.expires_at, "short", locale=t.locale) + " UTC"
