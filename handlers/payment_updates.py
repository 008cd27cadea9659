"""Payment events as custom PTB updates: one `TypeHandler` settles them, in the bot's own queue.

The web server verifies a provider's notification, wraps the event in a `PaymentUpdate` and puts
it on the Application's `update_queue` (PTB's custom-webhook pattern). The update carries the
buyer's chat as its ordering key, so "paid, thank you" never overtakes a reply the buyer is
waiting for, and a failure reaches the same error handler as any other update. The web server
awaits `done` to answer the provider: 2xx only once the event is committed.

What the settlement owes the buyer and the merchant is written to the outbox in the same
transaction (`owe_payment_messages`) and delivered by the outbox sender, so a 429 or a crash
after the commit loses nothing and a replay sends nothing twice: the buyer's message keyed by
the provider's event (a replayed event owes nothing more), and for a newly paid order the
merchant's notice with its buttons (`merchants.desk`), keyed by the order.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram.ext import BaseHandler, TypeHandler

from bot.context import ShopContext
from bot.database import transaction
from bot.services import Services
from catalog.models import Merchant
from conversation.views.merchant import render
from conversation.views.payment import (
    buyer_reply,
    merchant_reply,
    second_payment_buyer,
    second_payment_shop,
)
from db import utcnow
from i18n import negotiate_locale, translator
from merchants.desk import owe_paid_notice
from merchants.second_payments import SecondPaymentNews, give_back
from merchants.settings import shop_of
from orders.models import Order
from outbox import enqueue
from outbox.telegram import deliver_owed
from payments import PaymentEvent, Provider, WebhookRejected
from payments.second_payments import SecondPaymentState, by_reference
from payments.settlement import OrderChange, Settlement, parties_of, settle_payment

log = logging.getLogger(__name__)

DELIVERY_GRACE_SECONDS = 5.0


@dataclass(eq=False)
class PaymentUpdate:
    """A verified payment event on its way into the bot."""

    event: PaymentEvent
    chat_id: int | None  # the buyer's chat: updates of one chat are handled in order
    done: asyncio.Future[Settlement] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future(), repr=False
    )

    @property
    def ordering_key(self) -> int | None:
        """Read by `bot.processor.ordering_key`."""
        return self.chat_id


def handlers() -> list[BaseHandler[PaymentUpdate, ShopContext, None]]:
    """The handlers to register (any group; nothing else handles a `PaymentUpdate`)."""
    return [TypeHandler(PaymentUpdate, settle)]


async def settle(update: PaymentUpdate, context: ShopContext) -> None:
    """Records the event, moves the order and owes the messages, in one transaction."""
    try:
        async with transaction(context.services.sessions) as session:
            settlement = await settle_payment(session, update.event, now=utcnow())
            owed = await owe_payment_messages(session, update.event, settlement)
    except WebhookRejected as error:  # the checkout changed since verifying; the ledger logged it
        _finish(update, error=error)
        return
    except Exception as error:
        _finish(update, error=error)
        raise  # the Application's error handler logs it
    if settlement.change is OrderChange.SECOND_PAYMENT and settlement.parties is not None:
        # Owed back in the committed transaction; asked of the provider now, outside it (the
        # refund job finishes it if this worker dies or the provider is unreachable).
        owed += len(await give_back_second_payments(context.services, settlement.parties.number))
    if owed:
        # Give the messages a moment to go out before the provider hears "done"; a slow send
        # (a flood wait) carries on in the background and is never cut off half-way.
        delivery = asyncio.ensure_future(deliver_owed(context.application))
        await asyncio.wait([delivery], timeout=DELIVERY_GRACE_SECONDS)
    _finish(update, settlement=settlement)


async def owe_payment_messages(
    session: AsyncSession, event: PaymentEvent, settlement: Settlement
) -> int:
    """Writes what `settlement` owes to the outbox (same transaction); returns how many rows."""
    parties = settlement.parties
    if parties is None or settlement.change in (OrderChange.NONE, OrderChange.SECOND_PAYMENT):
        return 0  # a second payment's news is owed once it is refunded or flagged
    if settlement.change is OrderChange.SECOND_REFUNDED:  # the shop refunded it elsewhere
        assert event.provider_reference is not None and event.amount is not None
        row = await by_reference(session, provider=event.provider,
                                 reference=event.provider_reference)  # fmt: skip
        assert row is not None  # the settlement found it in this transaction
        news = SecondPaymentNews(row.id, parties.number, row.amount,
                                 SecondPaymentState.REFUNDED, row.provider_reference)  # fmt: skip
        return await owe_second_payment_news(session, news)
    written = 0
    buyer = translator(negotiate_locale(parties.buyer_locale))
    key = f"payment:{event.provider}:{event.event_id}"[:180]
    written += await enqueue(
        session,
        dedupe_key=f"{key}:buyer",
        chat_id=parties.buyer_chat_id,
        reply=buyer_reply(buyer, settlement.change, parties),
        order_number=parties.number,
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


async def give_back_second_payments(
    services: Services, order_number: str | None = None
) -> list[SecondPaymentNews]:
    """Refunds (or flags to the shop) the owed second payments of an order (None: all)."""
    directory = services.payments
    provider_for = directory.took_payment if directory is not None else _no_provider
    return await give_back(services.sessions, provider_for, _owe_news,
                           order_number=order_number)  # fmt: skip


async def _owe_news(session: AsyncSession, news: SecondPaymentNews) -> None:
    await owe_second_payment_news(session, news)


async def owe_second_payment_news(session: AsyncSession, news: SecondPaymentNews) -> int:
    """The buyer's and the shop's message about one second payment, once per state."""
    parties = await parties_of(session, news.order_number)
    if parties is None:
        return 0
    key = f"second-payment:{news.payment_id}:{news.state.value}"
    buyer = translator(negotiate_locale(parties.buyer_locale))
    written = int(await enqueue(
        session, dedupe_key=f"{key}:buyer", chat_id=parties.buyer_chat_id,
        reply=second_payment_buyer(buyer, news.state, parties.number, news.amount,
                                   parties.merchant_name),
        order_number=parties.number,
    ))  # fmt: skip
    merchant_id = await session.scalar(
        select(Order.merchant_id).where(Order.number == news.order_number)
    )
    shop = await shop_of(session, merchant_id) if merchant_id is not None else None
    if shop is not None and shop.settings.notify_chat_id is not None:
        shop_t = translator(negotiate_locale(shop.language))
        written += int(await enqueue(
            session, dedupe_key=f"{key}:merchant", chat_id=shop.settings.notify_chat_id,
            reply=second_payment_shop(shop_t, news.state, parties.number, news.amount,
                                      news.reference, news.payment_id),
        ))  # fmt: skip
    return written


async def _no_provider(session: AsyncSession, merchant_id: int, name: str) -> Provider | None:
    return None  # this server takes no payments: every second payment is the shop's to refund


def _finish(
    update: PaymentUpdate,
    *,
    settlement: Settlement | None = None,
    error: BaseException | None = None,
) -> None:
    if update.done.done():  # the web request gave up waiting, or this update ran twice
        return
    if error is not None:
        update.done.set_exception(error)
    else:
        assert settlement is not None
        update.done.set_result(settlement)
