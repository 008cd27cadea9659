"""Checkout: /checkout or the cart's button, then one step per message or button press.

Each handler runs one `orders.checkout_dialog` use case in one transaction (the draft lives in
the database) and renders the turn with `conversation.views.checkout`. The turn's reply is owed
through the outbox in that same transaction (`handlers.render.owe`): a buyer whose answer was
taken always sees the next question, even when the worker dies right after the commit, and the
answers of a buyer typing ahead come back in order.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime

from babel import Locale, UnknownLocaleError
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.context import ShopContext, ShopHandler
from bot.database import transaction
from conversation import callbacks
from conversation.views import common
from conversation.views.checkout import checkout_turn, nothing_to_cancel
from db import utcnow
from handlers import fallback
from handlers.render import delivered, owe, send
from handlers.routing import on
from money.locale_currency import territory_of
from orders import checkout_dialog as dialog
from orders.checkout_dialog import CheckoutTurn, DialogKey, Shopper, TurnKind
from orders.countries import country_codes
from orders.placement import Outcome
from orders.pricing import Quoter
from outbox import enqueue
from outbox.telegram import deliver_owed
from storefront.pricing import buyer_pricing

CHANNEL = "telegram"

# A use case over (session, key, shopper, quoter, now), the handler's part of one turn.
Turn = Callable[
    [AsyncSession, DialogKey, Shopper, Quoter, datetime], Awaitable[CheckoutTurn | None]
]


def dialog_key(update: Update) -> DialogKey:
    assert update.effective_chat is not None and update.effective_user is not None
    return DialogKey(CHANNEL, update.effective_chat.id, update.effective_user.id)


def region_hint(locale: str, language_code: str | None = None) -> str | None:
    """The country the buyer's Telegram language points at (en-US → US, ru → RU), else their
    locale's (pt_BR → BR): the likely delivery country, and a second way to read a phone."""
    territory = territory_of(language_code)
    if territory is None:
        try:
            territory = Locale.parse(locale).territory
        except (ValueError, UnknownLocaleError):
            return None
    return territory if territory in country_codes() else None


async def _run(
    update: Update, context: ShopContext, turn: Turn, *, only_during_checkout: bool = False
) -> CheckoutTurn | None:
    """One transaction: price for the buyer as the cart does, then take the turn and owe its
    reply, delivered once that commits (unless the turn placed orders: `step_button` owes
    those itself).

    `only_during_checkout`: a message that may not be meant for the checkout at all (most
    text is a search) looks at the dialog state first and skips the pricing when none is on.
    """
    buyer = context.buyer
    assert buyer is not None
    now = utcnow()
    key = dialog_key(update)
    reply = None
    async with transaction(context.services.sessions) as session:
        if only_during_checkout and await dialog.active_step(session, key=key, now=now) is None:
            return None
        pricing = await buyer_pricing(
            session,
            currency=buyer.currency,
            max_rate_age=context.services.settings.fx_max_age,
            now=now,
        )
        language_code = update.effective_user.language_code if update.effective_user else None
        hint = region_hint(buyer.locale, language_code)
        shopper = Shopper(buyer.customer_id, pricing.currency, buyer.locale, hint)
        result = await turn(session, key, shopper, pricing.quoter, now)
        if result is not None and not _placed(result):
            reply = checkout_turn(context.i18n, result)
            await owe(session, update, reply)
    if reply is not None:
        await delivered(update, context, reply)
    return result


def _placed(turn: CheckoutTurn) -> bool:
    return turn.placement is not None and turn.placement.outcome == Outcome.PLACED


async def start(update: Update, context: ShopContext) -> None:
    """/checkout and the cart's Checkout button: start, or resume the checkout under way."""
    result = await _run(
        update,
        context,
        lambda session, key, shopper, quoter, now: dialog.begin(
            session, key=key, shopper=shopper, quoter=quoter, now=now
        ),
    )
    assert result is not None


async def answer_text(update: Update, context: ShopContext) -> bool:
    """Typed text during checkout answers the step; False when no checkout is going on."""
    assert update.effective_message is not None
    text = update.effective_message.text or ""
    result = await _run(
        update,
        context,
        lambda session, key, shopper, quoter, now: dialog.answer_text(
            session, key=key, shopper=shopper, quoter=quoter, text=text, now=now
        ),
        only_during_checkout=True,
    )
    return result is not None


async def contact(update: Update, context: ShopContext) -> None:
    """A contact shared with the phone step's button."""
    message = update.effective_message
    assert message is not None and message.contact is not None
    phone = message.contact.phone_number
    result = await _run(
        update,
        context,
        lambda session, key, shopper, quoter, now: dialog.answer_contact(
            session, key=key, shopper=shopper, quoter=quoter, phone_number=phone, now=now
        ),
        only_during_checkout=True,
    )
    if result is None:
        await fallback.not_text(update, context)


async def not_text(update: Update, context: ShopContext) -> None:
    """A photo or sticker: during checkout the step is asked again, else the usual answer."""
    result = await _run(
        update,
        context,
        lambda session, key, shopper, quoter, now: dialog.answer_other(
            session, key=key, shopper=shopper, quoter=quoter, now=now
        ),
        only_during_checkout=True,
    )
    if result is None:
        await fallback.not_text(update, context)


async def step_button(update: Update, context: ShopContext) -> None:
    """Back, Cancel, Yes/No, No postal code, a country, Confirm: checked against the step."""
    assert update.callback_query is not None
    try:
        pressed = callbacks.decode(update.callback_query.data)
    except callbacks.InvalidCallback:
        await send(update, context, common.button_expired(context.i18n))
        return
    step, answer = pressed.str(0), pressed.str(1)
    ttl = context.services.settings.order_reservation  # how long placed orders hold their stock
    message = update.callback_query.message
    edit_id = message.message_id if isinstance(message, Message) and not message.photo else None

    async def press_and_owe(
        session: AsyncSession, key: DialogKey, shopper: Shopper, quoter: Quoter, now: datetime
    ) -> CheckoutTurn | None:
        turn = await dialog.press(
            session, key=key, shopper=shopper, quoter=quoter, step=step, answer=answer, now=now,
            ttl=ttl,
        )  # fmt: skip
        if turn is not None and _placed(turn):
            assert turn.kind == TurnKind.PLACED
            await _owe_placed(session, key.chat_id, context, turn, edit_id)  # in its transaction
        return turn

    result = await _run(update, context, press_and_owe)
    if result is None:
        await send(update, context, common.button_expired(context.i18n))
        return
    if _placed(result):
        await update.callback_query.answer()
        await deliver_owed(context.application)  # the outbox delivers, even after a crash


async def _owe_placed(
    session: AsyncSession,
    chat_id: int,
    context: ShopContext,
    turn: CheckoutTurn,
    edit_id: int | None,
) -> None:
    """ "Order placed, press Pay" for each order (and, after a checkout of several shops, the one
    message listing every order to pay), in the outbox: lost neither to a crash nor a 429. The
    first replaces the summary the buyer confirmed on."""
    assert turn.placement is not None
    orders = turn.placement.orders
    shown = checkout_turn(context.i18n, turn)
    replies = [replace(shown, extra=()), *shown.extra]
    keys = [f"order:{order.number}:placed" for order in orders]
    keys += [f"checkout:{orders[0].number}:to_pay"] * (len(replies) - len(keys))
    for index, (reply, key) in enumerate(zip(replies, keys, strict=True)):
        await enqueue(
            session,
            dedupe_key=key,
            chat_id=chat_id,
            reply=reply,
            edit_message_id=edit_id if index == 0 else None,
        )


async def cancel_command(update: Update, context: ShopContext) -> None:
    """/cancel: ends the checkout under way, from any step."""
    result = await _run(
        update,
        context,
        lambda session, key, shopper, quoter, now: dialog.press(
            session,
            key=key,
            shopper=shopper,
            quoter=quoter,
            step="",
            answer=dialog.CANCEL,
            now=now,
        ),
    )
    if result is None:
        await send(update, context, nothing_to_cancel(context.i18n))


def handlers() -> list[ShopHandler]:
    """Commands and buttons; text, contacts and photos reach checkout through `register()`."""
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("checkout", start, filters=private),
        CommandHandler("cancel", cancel_command, filters=private),
        CallbackQueryHandler(start, pattern=on("co")),
        CallbackQueryHandler(step_button, pattern=on("step")),
    ]
