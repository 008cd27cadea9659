"""What the bot says after a payment event: plain `Reply`s addressed to chats, no Telegram types.

`owe_payment_messages` writes them to the outbox in the settlement's own transaction: the buyer's
message keyed by the provider's event (a replayed event owes nothing more), and for a newly paid
order the merchant's notice with its buttons (`merchants.desk`), keyed by the order.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from babel.dates import format_datetime
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.web.settlement import OrderChange, OrderParties, Settlement
from catalog.models import Merchant
from conversation.reply import Reply
from conversation.views.merchant import render
from i18n import Translator, negotiate_locale, translator
from merchants.desk import owe_paid_notice
from merchants.settings import shop_of
from money.formatting import format_money
from orders.models import Order
from outbox import enqueue
from payments import PaymentEvent


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


async def owe_payment_messages(
    session: AsyncSession, event: PaymentEvent, settlement: Settlement
) -> int:
    """Writes what `settlement` owes to the outbox (same transaction); returns how many rows."""
    parties = settlement.parties
    if parties is None or settlement.change is OrderChange.NONE:
        return 0
    written = 0
    buyer = translator(negotiate_locale(parties.buyer_locale))
    key = f"payment:{event.provider}:{event.event_id}"[:180]
    written += await enqueue(
        session,
        dedupe_key=f"{key}:buyer",
        chat_id=parties.buyer_chat_id,
        reply=buyer_reply(buyer, settlement.change, parties),
    )
    if settlement.change is OrderChange.PAID:
        notice = await owe_paid_notice(session, order_number=parties.number)
        if notice is not None:
            written += await enqueue(
                session, dedupe_key=notice.dedupe_key, chat_id=notice.chat_id,
                reply=render(notice),
            )  # fmt: skip
    elif settlement.change is OrderChange.NEEDS_REFUND:
        merchant_id = await session.scalar(
            select(Merchant.id).join(Order, Order.merchant_id == Merchant.id)
            .where(Order.number == parties.number)
        )  # fmt: skip
        shop = await shop_of(session, merchant_id) if merchant_id is not None else None
        if shop is not None and shop.settings.notify_chat_id is not None:
            reply = merchant_reply(translator(negotiate_locale(shop.language)),
                                   settlement.change, parties)  # fmt: skip
            assert reply is not None
            written += await enqueue(
                session, dedupe_key=f"{key}:merchant", chat_id=shop.settings.notify_chat_id,
                reply=reply,
            )  # fmt: skip
    return written


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
