"""Two shops with order chats and staff, and a buyer's paid order at each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.database import SessionFactory, transaction
from db import utcnow
from merchants.settings import change_settings, settings_of
from merchants.staff import add_staff
from orders import cart
from orders.lifecycle import record_payment
from orders.models import ActorKind
from orders.placement import place_orders
from orders.status import Actor
from tests.orders.factories import make_customer, quoter, ready_draft, seed_shop

MUGS_CHAT, TEA_CHAT = -4001, -4002
MUGS_STAFF, TEA_STAFF, STRANGER = 701, 702, 703
BUYER = 5005


@dataclass(frozen=True)
class Shops:
    usd_merchant: int
    cny_merchant: int
    orders: dict[str, str]  # merchant slug -> paid order number
    order_ids: dict[str, int]


async def two_shops_with_paid_orders(sessions: SessionFactory, *, locale: str = "de") -> Shops:
    """Mugs & Co (USD, English notices) and Tea House (CNY, Chinese), each with a paid order."""
    async with transaction(sessions) as session:
        shop = await seed_shop(session)
        for merchant, chat, staff, language in (
            (shop.usd_merchant, MUGS_CHAT, MUGS_STAFF, "en"),
            (shop.cny_merchant, TEA_CHAT, TEA_STAFF, "zh_Hans"),
        ):
            change_settings(await settings_of(session, merchant), notify_chat_id=chat,
                            language=language)  # fmt: skip
            await add_staff(session, merchant_id=merchant, user_id=staff, name="Mia")
        buyer = await make_customer(session, BUYER, locale=locale, currency="EUR")
        await cart.add_to_cart(session, customer_id=buyer, variant_id=shop.mug_red)
        await cart.add_to_cart(session, customer_id=buyer, variant_id=shop.teapot)
        result = await place_orders(
            session, customer_id=buyer, draft=ready_draft(), buyer_currency="EUR",
            quoter=quoter(utcnow()), now=utcnow(), ttl=timedelta(minutes=30),
        )  # fmt: skip
    numbers: dict[str, str] = {}
    ids: dict[str, int] = {}
    for order in result.orders:
        slug = "mugs" if order.merchant_id == shop.usd_merchant else "tea"
        numbers[slug] = order.number
        ids[slug] = order.order_id
        async with transaction(sessions) as session:
            await record_payment(session, number=order.number, actor=Actor(ActorKind.PROVIDER))
    return Shops(shop.usd_merchant, shop.cny_merchant, numbers, ids)
