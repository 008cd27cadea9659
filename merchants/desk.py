"""The merchant's order desk: notices of paid orders, and what staff do with them.

Every use case runs in the caller's transaction and writes what the bot then owes to the
outbox in that same transaction: the notice in the merchant's chat (new, or edited to show the
new status and who acted) and the buyer's status message. A change that rolls back owes
nothing; a repeated press or webhook changes nothing and owes nothing twice (dedupe keys).

Authorisation, on every press: the chat must be the merchant's notification chat, the order
must be that merchant's, and the presser one of its staff. A chat acts for one merchant only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from catalog.localised import options_in, title_in
from catalog.models import Product, Variant
from db import utcnow
from merchants.settings import Shop, shop_for_chat, shop_of
from merchants.staff import is_staff
from money import Money
from orders.customers import Customer
from orders.errors import InvalidTransition, MissingTracking, OrderNotFound
from orders.lifecycle import change_status
from orders.models import ActorKind, Order, OrderEvent, OrderLine, OrderStatus
from orders.status import Actor
from orders.tracking import Tracking, tracking_link
from orders.tracking import parse_tracking as read_tracking
from outbox import sent_message_id

CHANNEL = "telegram"
SHIP_STEP = "merchant_ship"  # dialog step: waiting for carrier and tracking number


class Action(StrEnum):
    """Button tokens of `mord` callbacks; old notices' tokens stay valid forever."""

    ACCEPT = "accept"
    SHIP = "ship"
    CANCEL = "cancel"  # "Cancel and refund": only asks for confirmation
    REFUND = "refund"  # the same as CANCEL (older notices may carry it)
    CONFIRM_REFUND = "refundok"  # the confirmation: refunds (see `merchants.refunds`)
    DELIVERED = "delivered"
    RETRACK = "retrack"  # "Correct tracking" on a shipped order: asks for it again


# An order can be cancelled with a full refund until it has left the shop.
REFUNDABLE = frozenset({OrderStatus.PAID, OrderStatus.ACCEPTED})


class Refusal(StrEnum):
    NOT_A_SHOP_CHAT = "not_a_shop_chat"
    NOT_STAFF = "not_staff"
    NOT_FOUND = "not_found"  # no such order, or another merchant's
    NOT_NOW = "not_now"  # the status machine forbids it in this status
    UNSUPPORTED = "unsupported"  # not available through the bot


class DeskRefused(Exception):
    def __init__(self, refusal: Refusal, status: OrderStatus | None = None) -> None:
        super().__init__(refusal.value)
        self.refusal, self.status = refusal, status


@dataclass(frozen=True, slots=True)
class NoticeLine:
    title: str  # in the shop's language (the order's snapshot if the product is gone)
    options: dict[str, str]  # likewise
    quantity: int
    total: Money  # merchant's currency
    sku: str | None = None


@dataclass(frozen=True, slots=True)
class OrderNotice:
    """Everything the merchant's notice shows: plain data for `conversation.views.merchant`."""

    order_id: int
    number: str
    status: OrderStatus
    lines: tuple[NoticeLine, ...]
    subtotal: Money
    shipping: Money
    total: Money
    buyer_total: Money  # what the buyer was shown, in their currency
    charge: Money
    delivery: dict[str, Any]
    buyer_user_id: int
    buyer_locale: str
    carrier: str | None
    tracking: str | None
    acted_by: str | None  # who made the last merchant move, as they are called in Telegram
    merchant_name: str
    buyer_name: str = ""  # as Telegram showed the buyer when they last wrote
    buyer_username: str | None = None
    tracking_url: str | None = None


@dataclass(frozen=True, slots=True)
class BuyerNews:
    """What the buyer is told about a change, in the buyer's language."""

    number: str
    status: OrderStatus
    merchant_name: str
    carrier: str | None
    tracking: str | None
    refunded: Money | None = None  # what went back to the buyer, for a refund
    tracking_url: str | None = None  # where the buyer follows the parcel, when the carrier's known
    corrected: bool = False  # the shop corrected the tracking of an order already shipped


@dataclass(frozen=True, slots=True)
class Owed:
    """A message a use case owes, addressed and keyed; `render` happens in the caller's view."""

    dedupe_key: str
    chat_id: int
    locale: str
    content: OrderNotice | BuyerNews
    edit_message_id: int | None = None


@dataclass(frozen=True, slots=True)
class DeskResult:
    number: str
    status: OrderStatus
    changed: bool  # False: a repeated press, nothing happened
    owed: tuple[Owed, ...] = ()
    ask_tracking: bool = False
    confirm_refund: Money | None = None  # Cancel and refund pressed: ask to confirm this amount
    language: str = "en"  # the merchant's: for what the bot posts in the merchant's chat


def notice_key(order_id: int) -> str:
    return f"order:{order_id}:merchant-notice"


async def _load(session: AsyncSession, order_id: int) -> tuple[Order, Customer] | None:
    row = (
        await session.execute(
            select(Order, Customer)
            .join(Customer, Customer.id == Order.customer_id)
            .where(Order.id == order_id)
            .options(selectinload(Order.lines))
            .execution_options(populate_existing=True)
        )
    ).first()
    return (row[0], row[1]) if row is not None else None


async def _acted_by(session: AsyncSession, order_id: int) -> str | None:
    return await session.scalar(
        select(OrderEvent.note)
        .where(OrderEvent.order_id == order_id, OrderEvent.actor_kind == ActorKind.MERCHANT.value)
        .order_by(OrderEvent.id.desc())
        .limit(1)
    )


async def _lines_in(
    session: AsyncSession, lines: list[OrderLine], currency: str, language: str
) -> tuple[NoticeLine, ...]:
    """The order's lines with titles and options in `language` (the shop's): the catalog's
    words where the variant still exists, else what the order recorded (the buyer's words)."""
    ids = [line.variant_id for line in lines if line.variant_id is not None]
    variants: dict[int, Variant] = {}
    if ids:
        found = await session.scalars(
            select(Variant)
            .where(Variant.id.in_(ids))
            .options(selectinload(Variant.product).selectinload(Product.translations))
        )
        variants = {variant.id: variant for variant in found}
    result = []
    for line in lines:
        variant = variants.get(line.variant_id) if line.variant_id is not None else None
        title, options = line.title, dict(line.options or {})
        if variant is not None:
            title = title_in(variant.product, language)
            options = options_in(variant.product, variant, language)
        money = Money.from_minor(line.line_total_minor, currency)
        result.append(NoticeLine(title, options, line.quantity, money, line.sku))
    return tuple(result)


async def notice_of(session: AsyncSession, order_id: int, shop: Shop) -> OrderNotice | None:
    loaded = await _load(session, order_id)
    if loaded is None:
        return None
    order, customer = loaded
    currency = order.currency
    return OrderNotice(
        order_id=order.id,
        number=order.number,
        status=OrderStatus(order.status),
        lines=await _lines_in(session, list(order.lines), currency, shop.language),
        subtotal=Money.from_minor(order.subtotal_minor, currency),
        shipping=Money.from_minor(order.shipping_minor, currency),
        total=Money.from_minor(order.total_minor, currency),
        buyer_total=Money.from_minor(order.buyer_total_minor, order.buyer_currency),
        charge=Money.from_minor(order.charge_total_minor, order.charge_currency),
        delivery=dict(order.delivery or {}),
        buyer_user_id=customer.telegram_user_id,
        buyer_locale=customer.locale,
        carrier=order.carrier,
        tracking=order.tracking,
        acted_by=await _acted_by(session, order.id),
        merchant_name=shop.merchant.name,
        buyer_name=customer.name,
        buyer_username=customer.username,
        tracking_url=tracking_link(order.carrier, order.tracking),
    )


async def owe_paid_notice(session: AsyncSession, *, order_number: str) -> Owed | None:
    """The new paid order's notice for the merchant's chat; None while no chat is bound.

    Called in the transaction that marked the order paid; the caller enqueues the result.
    """
    merchant_id = await session.scalar(
        select(Order.merchant_id).where(Order.number == order_number)
    )
    order_id = await session.scalar(select(Order.id).where(Order.number == order_number))
    if merchant_id is None or order_id is None:
        return None
    shop = await shop_of(session, merchant_id)
    if shop is None or shop.settings.notify_chat_id is None:
        return None
    notice = await notice_of(session, order_id, shop)
    assert notice is not None
    return Owed(notice_key(order_id), shop.settings.notify_chat_id, shop.language, notice)


async def authorise(
    session: AsyncSession, *, chat_id: int, user_id: int, order_id: int
) -> tuple[Shop, Order]:
    shop = await shop_for_chat(session, chat_id)
    if shop is None:
        raise DeskRefused(Refusal.NOT_A_SHOP_CHAT)
    if not await is_staff(session, merchant_id=shop.merchant.id, user_id=user_id):
        raise DeskRefused(Refusal.NOT_STAFF)
    order = await session.get(Order, order_id)
    if order is None or order.merchant_id != shop.merchant.id:
        raise DeskRefused(Refusal.NOT_FOUND)
    return shop, order


async def act(
    session: AsyncSession,
    *,
    chat_id: int,
    user_id: int,
    actor_name: str,
    order_id: int,
    action: Action,
    notice_message_id: int | None,
    now: datetime | None = None,
) -> DeskResult:
    """A staff member pressed a button on order `order_id`'s notice in `chat_id`.

    Raises `DeskRefused`. Accept and Delivered move the order; Ship only asks for the tracking
    (the caller stores the dialog, see `SHIP_STEP`); Cancel and refund only asks for a
    confirmation, whose press the caller hands to `merchants.refunds.refund_order` (the
    provider must be called outside this transaction).
    """
    shop, order = await authorise(session, chat_id=chat_id, user_id=user_id, order_id=order_id)
    status = OrderStatus(order.status)
    if action in (Action.CANCEL, Action.REFUND):
        if status == OrderStatus.REFUNDED:
            return DeskResult(order.number, status, changed=False, language=shop.language)
        if status not in REFUNDABLE:
            raise DeskRefused(Refusal.NOT_NOW, status)
        charge = Money.from_minor(order.charge_total_minor, order.charge_currency)
        return DeskResult(
            order.number, status, changed=False, confirm_refund=charge, language=shop.language
        )
    if action is Action.DELIVERED:
        return await move(session, shop, order_id, OrderStatus.DELIVERED, user_id, actor_name,
                          notice_message_id, now)  # fmt: skip
    if action is Action.RETRACK:
        if status != OrderStatus.SHIPPED:
            raise DeskRefused(Refusal.NOT_NOW, status)
        return DeskResult(
            order.number, status, changed=False, ask_tracking=True, language=shop.language
        )
    if action is Action.SHIP:
        if status == OrderStatus.SHIPPED:
            return DeskResult(order.number, status, changed=False, language=shop.language)
        if status != OrderStatus.ACCEPTED:
            raise DeskRefused(Refusal.NOT_NOW, status)
        return DeskResult(
            order.number, status, changed=False, ask_tracking=True, language=shop.language
        )
    if action is not Action.ACCEPT:
        raise DeskRefused(Refusal.UNSUPPORTED, status)
    return await move(session, shop, order_id, OrderStatus.ACCEPTED, user_id, actor_name,
                       notice_message_id, now)  # fmt: skip


async def ship(
    session: AsyncSession,
    *,
    chat_id: int,
    user_id: int,
    actor_name: str,
    order_id: int,
    carrier: str,
    tracking: str,
    notice_message_id: int | None,
    now: datetime | None = None,
) -> DeskResult:
    """Marks the order shipped with its carrier and tracking number (raises `MissingTracking`
    for empty or overlong ones, `DeskRefused` as `act` does); on an order already shipped, it
    corrects them, and the buyer and the notice are told the new ones."""
    shop, order = await authorise(session, chat_id=chat_id, user_id=user_id, order_id=order_id)
    if order.status == OrderStatus.SHIPPED.value:
        return await _correct_tracking(
            session, shop, order, carrier, tracking, user_id, actor_name, notice_message_id, now
        )
    return await move(session, shop, order_id, OrderStatus.SHIPPED, user_id, actor_name,
                       notice_message_id, now, carrier=carrier, tracking=tracking)  # fmt: skip


async def move(
    session: AsyncSession,
    shop: Shop,
    order_id: int,
    to: OrderStatus,
    user_id: int,
    actor_name: str,
    notice_message_id: int | None,
    now: datetime | None,
    *,
    carrier: str | None = None,
    tracking: str | None = None,
) -> DeskResult:
    try:
        change = await change_status(
            session,
            order_id=order_id,
            to=to,
            actor=Actor(ActorKind.MERCHANT, str(user_id)),
            note=actor_name[:200] or str(user_id),
            now=now,
            carrier=carrier,
            tracking=tracking,
        )
    except InvalidTransition:
        order = await session.get(Order, order_id)
        raise DeskRefused(Refusal.NOT_NOW, OrderStatus(order.status) if order else None) from None
    except OrderNotFound:
        raise DeskRefused(Refusal.NOT_FOUND) from None
    if not change.changed:
        return DeskResult(change.number, change.status, changed=False, language=shop.language)
    notice = await notice_of(session, order_id, shop)
    assert notice is not None
    owed = [
        Owed(
            f"order:{order_id}:buyer:{to.value}",
            notice.buyer_user_id,
            notice.buyer_locale,
            BuyerNews(
                notice.number,
                to,
                shop.merchant.name,
                notice.carrier,
                notice.tracking,
                refunded=notice.charge if to == OrderStatus.REFUNDED else None,
                tracking_url=notice.tracking_url,
            ),
        )
    ]
    chat_id = shop.settings.notify_chat_id
    if notice_message_id is None:  # not pressed on the notice (the Ship dialog): find it
        notice_message_id = await sent_message_id(session, dedupe_key=notice_key(order_id))
    if notice_message_id is not None and chat_id is not None:
        owed.insert(0, Owed(f"order:{order_id}:merchant-notice:{to.value}", chat_id,
                            shop.language, notice, edit_message_id=notice_message_id))  # fmt: skip
    return DeskResult(
        change.number, change.status, changed=True, owed=tuple(owed), language=shop.language
    )


async def _correct_tracking(
    session: AsyncSession,
    shop: Shop,
    order: Order,
    carrier: str,
    tracking: str,
    user_id: int,
    actor_name: str,
    notice_message_id: int | None,
    now: datetime | None,
) -> DeskResult:
    """New tracking for a shipped order: recorded in its history, told to the buyer, shown on
    the notice. The same tracking again changes nothing."""
    carrier, tracking = carrier.strip(), tracking.strip()
    if not carrier or not tracking or len(carrier) > 64 or len(tracking) > 128:
        raise MissingTracking()
    status = OrderStatus(order.status)
    if (order.carrier, order.tracking) == (carrier, tracking):
        return DeskResult(order.number, status, changed=False, language=shop.language)
    order.carrier, order.tracking = carrier, tracking
    session.add(
        OrderEvent(
            order_id=order.id, from_status=status.value, to_status=status.value,
            actor_kind=ActorKind.MERCHANT.value, actor_id=str(user_id),
            note=actor_name[:200] or str(user_id), at=now or utcnow(),
        )
    )  # fmt: skip
    await session.flush()
    notice = await notice_of(session, order.id, shop)
    assert notice is not None
    news = BuyerNews(
        notice.number, status, shop.merchant.name, carrier, tracking,
        tracking_url=notice.tracking_url, corrected=True,
    )  # fmt: skip
    key = f"tracking:{carrier}:{tracking}"[:120]
    owed = [Owed(f"order:{order.id}:buyer:{key}", notice.buyer_user_id, notice.buyer_locale, news)]
    if notice_message_id is None:
        notice_message_id = await sent_message_id(session, dedupe_key=notice_key(order.id))
    chat_id = shop.settings.notify_chat_id
    if notice_message_id is not None and chat_id is not None:
        owed.insert(0, Owed(f"order:{order.id}:merchant-notice:{key}", chat_id, shop.language,
                            notice, edit_message_id=notice_message_id))  # fmt: skip
    return DeskResult(order.number, status, changed=True, owed=tuple(owed), language=shop.language)


def parse_tracking(text: str) -> Tracking:
    """Staff's "USPS 9400 1118 9922 3197 4284 90": see `orders.tracking.parse_tracking`."""
    return read_tracking(text)


__all__ = [
    "CHANNEL",
    "REFUNDABLE",
    "SHIP_STEP",
    "Action",
    "BuyerNews",
    "DeskRefused",
    "DeskResult",
    "MissingTracking",
    "NoticeLine",
    "OrderNotice",
    "Owed",
    "Refusal",
    "Tracking",
    "act",
    "authorise",
    "move",
    "notice_key",
    "notice_of",
    "owe_paid_notice",
    "parse_tracking",
    "ship",
]
