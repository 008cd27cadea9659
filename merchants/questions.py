"""A buyer's question about an order, to the shop's chat, and a staff member's reply, back.

1. The buyer presses "Ask the shop" on one of their orders (`start_question`): the dialog state
   remembers the order. Its row is keyed apart from the buyer's main dialog (checkout, cart
   questions) under `question_channel(channel)`, so asking never discards a checkout under way;
   the newer of the two is what the buyer's next text answers (`pending_question`).
2. Their next text is the question (`ask`): owed to the shop's chat through the outbox, marked
   with the order number and the buyer's language, under the dedupe key `question_key(...)`.
3. A staff member answers with a Telegram reply to that notice (`answer`). No table maps notices
   to orders: the outbox already records the id Telegram gave each delivered message, and the
   notice's dedupe key names the order. The answer is owed to the buyer's chat, marked with the
   shop's name, under a key of the staff member's message, so a replayed update owes it once.

A buyer may also ask a shop before buying (`start_question` with a `merchant_id` instead of an
order): the notice then names no order, and its dedupe key names the shop and the buyer instead
(`presale_key`), so the staff's reply finds its way back the same way.

Every step is authorised again: the order must be the buyer's, the chat the order's shop's, the
replier on its staff. Plain Python in the caller's transaction; the caller renders and enqueues.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from merchants.settings import Shop, shop_for_chat, shop_of
from merchants.staff import is_staff
from orders.customers import Customer
from orders.dialog import clear_dialog, load_dialog, save_dialog
from orders.models import Order
from outbox import OutboxMessage, OutboxState

ASK_STEP: Final = "ask_shop"
QUESTION_IDLE: Final = timedelta(hours=1)  # an Ask pressed and forgotten lapses
TEXT_MAX: Final = 2000  # a question or an answer; the notice around it must fit 4,096
_QUESTION_PREFIX = "question:"


class QuestionRefusal(StrEnum):
    NOT_FOUND = "not_found"  # not the buyer's order (or no such order): a stale or forged button
    SHOP_UNREACHABLE = "shop_unreachable"  # the shop has no chat to receive questions yet
    TOO_LONG = "too_long"
    NOT_STAFF = "not_staff"  # a reply to a question notice from someone not on the staff


class QuestionRefused(Exception):
    def __init__(self, refusal: QuestionRefusal) -> None:
        super().__init__(refusal.value)
        self.refusal = refusal


@dataclass(frozen=True, slots=True)
class Asking:
    """The buyer is writing a question about this order (`order_id` None and `number` "": a
    question before buying, to the shop)."""

    order_id: int | None
    number: str
    merchant_name: str


@dataclass(frozen=True, slots=True)
class Pending:
    """What the buyer's next text asks about: an order, or (before buying) a shop."""

    order_id: int | None = None
    merchant_id: int | None = None


@dataclass(frozen=True, slots=True)
class QuestionNotice:
    """The question as the shop's chat reads it (in the shop's language)."""

    number: str
    text: str
    buyer_locale: str
    buyer_user_id: int


@dataclass(frozen=True, slots=True)
class ShopAnswer:
    """The staff member's reply as the buyer reads it (in the buyer's language)."""

    number: str
    merchant_name: str
    text: str


@dataclass(frozen=True, slots=True)
class OwedMessage:
    """A message the use case owes; the caller renders it in `locale` and enqueues it."""

    dedupe_key: str
    chat_id: int
    locale: str
    content: QuestionNotice | ShopAnswer


@dataclass(frozen=True, slots=True)
class Asked:
    number: str
    merchant_name: str
    owed: OwedMessage


@dataclass(frozen=True, slots=True)
class Answered:
    number: str
    language: str  # the shop's: for the confirmation in its chat
    owed: OwedMessage


def question_channel(channel: str) -> str:
    """The dialog channel of questions: beside, not instead of, the buyer's main dialog."""
    return f"{channel}:ask"


def question_key(order_id: int, chat_id: int, message_id: int) -> str:
    """The notice's dedupe key: one per buyer message, and it names the order."""
    return f"{_QUESTION_PREFIX}{order_id}:{chat_id}:{message_id}"


def answer_key(order_id: int, chat_id: int, message_id: int) -> str:
    return f"answer:{order_id}:{chat_id}:{message_id}"


def presale_key(merchant_id: int, customer_id: int, chat_id: int, message_id: int) -> str:
    """The dedupe key of a question before buying: it names the shop and the buyer."""
    return f"{_QUESTION_PREFIX}m{merchant_id}.{customer_id}:{chat_id}:{message_id}"


def _order_of_key(dedupe_key: str) -> int | None:
    head, _, rest = dedupe_key.partition(_QUESTION_PREFIX)
    order = rest.split(":", 1)[0]
    return int(order) if not head and order.isdigit() else None


def _presale_of_key(dedupe_key: str) -> tuple[int, int] | None:
    """(merchant id, customer id) of a `presale_key`, or None."""
    head, _, rest = dedupe_key.partition(_QUESTION_PREFIX)
    target = rest.split(":", 1)[0]
    if head or not target.startswith("m"):
        return None
    merchant, _, customer = target[1:].partition(".")
    if not (merchant.isdigit() and customer.isdigit()):
        return None
    return int(merchant), int(customer)


async def _buyers_order(session: AsyncSession, *, customer_id: int, order_id: int) -> Order:
    if not 0 < order_id < 2**63:
        raise QuestionRefused(QuestionRefusal.NOT_FOUND)
    order = await session.get(Order, order_id)
    if order is None or order.customer_id != customer_id:
        raise QuestionRefused(QuestionRefusal.NOT_FOUND)
    return order


async def _reachable_shop(session: AsyncSession, order: Order) -> Shop:
    shop = await shop_of(session, order.merchant_id)
    if shop is None or shop.settings.notify_chat_id is None:
        raise QuestionRefused(QuestionRefusal.SHOP_UNREACHABLE)
    return shop


async def start_question(
    session: AsyncSession,
    *,
    channel: str,
    chat_id: int,
    user_id: int,
    customer_id: int,
    order_id: int | None = None,
    merchant_id: int | None = None,
    now: datetime,
) -> Asking:
    """ "Ask the shop" pressed on an order (or, before buying, on a shop: `merchant_id`): the
    next text will be the question.

    Raises `QuestionRefused` (NOT_FOUND for another buyer's order or no such shop,
    SHOP_UNREACHABLE).
    """
    if order_id is None:
        shop = await _shop_by_id(session, merchant_id)
        await save_dialog(
            session, channel=question_channel(channel), chat_id=chat_id, user_id=user_id,
            step=ASK_STEP, data={"merchant_id": shop.merchant.id}, now=now,
        )  # fmt: skip
        return Asking(None, "", shop.merchant.name)
    order = await _buyers_order(session, customer_id=customer_id, order_id=order_id)
    shop = await _reachable_shop(session, order)
    await save_dialog(
        session, channel=question_channel(channel), chat_id=chat_id, user_id=user_id,
        step=ASK_STEP, data={"order_id": order.id}, now=now,
    )  # fmt: skip
    return Asking(order.id, order.number, shop.merchant.name)


async def _shop_by_id(session: AsyncSession, merchant_id: int | None) -> Shop:
    if merchant_id is None or not 0 < merchant_id < 2**63:
        raise QuestionRefused(QuestionRefusal.NOT_FOUND)
    shop = await shop_of(session, merchant_id)
    if shop is None:
        raise QuestionRefused(QuestionRefusal.NOT_FOUND)
    if shop.settings.notify_chat_id is None:
        raise QuestionRefused(QuestionRefusal.SHOP_UNREACHABLE)
    return shop


async def pending_question(
    session: AsyncSession, *, channel: str, chat_id: int, user_id: int, now: datetime
) -> Pending | None:
    """The order (or shop) the buyer's next text asks about, or None.

    None too when the main dialog moved since Ask was pressed (the buyer went on with the
    checkout, say): then the text answers that, and the forgotten question lapses.
    """
    asking = await load_dialog(
        session, channel=question_channel(channel), chat_id=chat_id, user_id=user_id,
        max_idle=QUESTION_IDLE, now=now,
    )  # fmt: skip
    if asking is None or asking.step != ASK_STEP:
        return None
    main = await load_dialog(session, channel=channel, chat_id=chat_id, user_id=user_id)
    if main is not None and main.updated_at > asking.updated_at:
        return None
    order_id = asking.data.get("order_id")
    if isinstance(order_id, int):
        return Pending(order_id=order_id)
    merchant_id = asking.data.get("merchant_id")
    return Pending(merchant_id=merchant_id) if isinstance(merchant_id, int) else None


async def cancel_question(
    session: AsyncSession, *, channel: str, chat_id: int, user_id: int
) -> None:
    await clear_dialog(session, channel=question_channel(channel), chat_id=chat_id, user_id=user_id)


async def ask(
    session: AsyncSession,
    *,
    channel: str,
    chat_id: int,
    user_id: int,
    customer_id: int,
    message_id: int,
    text: str,
    now: datetime,
) -> Asked | None:
    """The buyer's text while a question is pending: owed to the shop's chat. None when no
    question is pending (the text is for something else).

    Raises `QuestionRefused`: TOO_LONG (the question stays pending, to be sent shorter),
    NOT_FOUND or SHOP_UNREACHABLE (the question is dropped).
    """
    pending = await pending_question(
        session, channel=channel, chat_id=chat_id, user_id=user_id, now=now
    )
    if pending is None:
        return None
    text = text.strip()
    if len(text) > TEXT_MAX:
        raise QuestionRefused(QuestionRefusal.TOO_LONG)
    await cancel_question(session, channel=channel, chat_id=chat_id, user_id=user_id)
    if pending.order_id is None:
        return await _ask_before_buying(
            session, pending.merchant_id, customer_id, chat_id, message_id, text
        )
    order = await _buyers_order(session, customer_id=customer_id, order_id=pending.order_id)
    shop = await _reachable_shop(session, order)
    customer = await session.get(Customer, customer_id)
    assert customer is not None and shop.settings.notify_chat_id is not None
    notice = QuestionNotice(order.number, text, customer.locale, customer.telegram_user_id)
    owed = OwedMessage(
        question_key(order.id, chat_id, message_id),
        shop.settings.notify_chat_id,
        shop.language,
        notice,
    )
    return Asked(order.number, shop.merchant.name, owed)


async def _ask_before_buying(
    session: AsyncSession,
    merchant_id: int | None,
    customer_id: int,
    chat_id: int,
    message_id: int,
    text: str,
) -> Asked:
    shop = await _shop_by_id(session, merchant_id)
    customer = await session.get(Customer, customer_id)
    assert customer is not None and shop.settings.notify_chat_id is not None
    notice = QuestionNotice("", text, customer.locale, customer.telegram_user_id)
    owed = OwedMessage(
        presale_key(shop.merchant.id, customer_id, chat_id, message_id),
        shop.settings.notify_chat_id,
        shop.language,
        notice,
    )
    return Asked("", shop.merchant.name, owed)


async def _question_target(
    session: AsyncSession, *, chat_id: int, replied_message_id: int
) -> int | tuple[int, int] | None:
    """The order whose question notice is message `replied_message_id` of `chat_id`, or the
    (merchant, customer) of a question before buying."""
    keys = await session.scalars(
        select(OutboxMessage.dedupe_key).where(
            OutboxMessage.chat_id == chat_id,
            OutboxMessage.sent_message_id == replied_message_id,
            OutboxMessage.state == OutboxState.SENT.value,
            OutboxMessage.dedupe_key.startswith(_QUESTION_PREFIX),
        )
    )
    for key in keys:
        order_id = _order_of_key(key)
        if order_id is not None:
            return order_id
        presale = _presale_of_key(key)
        if presale is not None:
            return presale
    return None


async def answer(
    session: AsyncSession,
    *,
    chat_id: int,
    user_id: int,
    replied_message_id: int,
    message_id: int,
    text: str,
) -> Answered | None:
    """A reply in `chat_id` to message `replied_message_id`: if that is a question notice, the
    reply is owed to the buyer. None when it is not one (ordinary chatter, another dialog).

    Raises `QuestionRefused`: NOT_STAFF, NOT_FOUND (the chat no longer serves the order's
    shop), TOO_LONG.
    """
    target = await _question_target(session, chat_id=chat_id, replied_message_id=replied_message_id)
    if target is None:
        return None
    if isinstance(target, tuple):
        return await _answer_before_buying(
            session, target, chat_id=chat_id, user_id=user_id, message_id=message_id, text=text
        )
    order_id = target
    shop = await shop_for_chat(session, chat_id)
    order = await session.get(Order, order_id)
    if shop is None or order is None or order.merchant_id != shop.merchant.id:
        raise QuestionRefused(QuestionRefusal.NOT_FOUND)
    if not await is_staff(session, merchant_id=shop.merchant.id, user_id=user_id):
        raise QuestionRefused(QuestionRefusal.NOT_STAFF)
    text = text.strip()
    if len(text) > TEXT_MAX:
        raise QuestionRefused(QuestionRefusal.TOO_LONG)
    buyer = await session.get(Customer, order.customer_id)
    assert buyer is not None
    owed = OwedMessage(
        answer_key(order.id, chat_id, message_id),
        buyer.telegram_user_id,
        buyer.locale,
        ShopAnswer(order.number, shop.merchant.name, text),
    )
    return Answered(order.number, shop.language, owed)


async def _answer_before_buying(
    session: AsyncSession,
    target: tuple[int, int],
    *,
    chat_id: int,
    user_id: int,
    message_id: int,
    text: str,
) -> Answered:
    merchant_id, customer_id = target
    shop = await shop_for_chat(session, chat_id)
    buyer = await session.get(Customer, customer_id)
    if shop is None or buyer is None or shop.merchant.id != merchant_id:
        raise QuestionRefused(QuestionRefusal.NOT_FOUND)
    if not await is_staff(session, merchant_id=shop.merchant.id, user_id=user_id):
        raise QuestionRefused(QuestionRefusal.NOT_STAFF)
    text = text.strip()
    if len(text) > TEXT_MAX:
        raise QuestionRefused(QuestionRefusal.TOO_LONG)
    owed = OwedMessage(
        f"answer:m{merchant_id}.{customer_id}:{chat_id}:{message_id}",
        buyer.telegram_user_id,
        buyer.locale,
        ShopAnswer("", shop.merchant.name, text),
    )
    return Answered("", shop.language, owed)
