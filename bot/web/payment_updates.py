"""Payment events as custom PTB updates: one `TypeHandler` settles them, in the bot's own queue.

The web server verifies a provider's notification, wraps the event in a `PaymentUpdate` and puts
it on the Application's `update_queue` (PTB's custom-webhook pattern). The update carries the
buyer's chat as its ordering key, so "paid, thank you" never overtakes a reply the buyer is
waiting for, and a failure reaches the same error handler as any other update. The web server
awaits `done` to answer the provider: 2xx only once the event is committed.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import BaseHandler, TypeHandler

from bot.context import ShopContext
from bot.database import transaction
from bot.web.payment_messages import payment_messages
from bot.web.settlement import Settlement, settle_payment
from db import utcnow
from handlers.render import keyboard
from payments import PaymentEvent, WebhookRejected

log = logging.getLogger(__name__)


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


def handlers() -> list[BaseHandler]:  # type: ignore[type-arg]
    """The handlers to register (any group; nothing else handles a `PaymentUpdate`)."""
    return [TypeHandler(PaymentUpdate, settle)]


async def settle(update: PaymentUpdate, context: ShopContext) -> None:
    """Records the event and moves the order in one transaction, then tells the buyer."""
    try:
        async with transaction(context.services.sessions) as session:
            settlement = await settle_payment(session, update.event, now=utcnow())
    except WebhookRejected as error:  # the checkout changed since verifying; the ledger logged it
        _finish(update, error=error)
        return
    except Exception as error:
        _finish(update, error=error)
        raise  # the Application's error handler logs it
    _finish(update, settlement=settlement)
    for message in payment_messages(settlement):
        # After the commit: a message that fails to send never undoes the payment.
        try:
            await context.bot.send_message(
                message.chat_id,
                message.reply.text,
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard(message.reply),
            )
        except TelegramError:
            log.exception("order %s: could not tell chat %s", update.event.order_number,
                          message.chat_id)  # fmt: skip


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
