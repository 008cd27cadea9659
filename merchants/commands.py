"""Shop commands in the merchant's chat: orders by status, one order, stock, prices, alerts.

Every use case runs in the caller's transaction and is scoped to one shop, which only
`staff_shop` hands out: the chat must be a merchant's order chat and the sender on its staff.
Another merchant's order number or SKU reads exactly like one that does not exist, so a
merchant learns nothing about another shop's catalog or orders.

Input arrives as the merchant typed it; the parsing here refuses what must not reach the
catalog (negative or fractional stock, a price with more digits than the currency has) with a
`CommandRefused` naming the problem, for the view to word in the merchant's language.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from catalog.models import SKU_MAX, InventoryPolicy, Product, ProductStatus, Variant
from catalog.version import bump_catalog_version
from db import utcnow
from i18n import negotiate_locale
from merchants.desk import DeskRefused, OrderNotice, Refusal, notice_of
from merchants.models import MerchantSettings
from merchants.settings import Shop, shop_for_chat, shop_of
from merchants.staff import is_staff
from money import Money
from money.formatting import MoneyParseError, parse_money
from orders.models import Order, OrderLine, OrderStatus
from orders.numbers import normalise_number
from orders.status import RELEASES_STOCK

ORDERS_PAGE_SIZE: Final = 10
STOCK_SHOWN: Final = 30
LOW_STOCK_THRESHOLD: Final = 3  # no per-merchant setting yet (merchant_settings has no column)
MAX_STOCK: Final = 1_000_000  # `variants.stock` is a 32-bit integer; beyond this is a typo
MAX_PRICE_MINOR: Final = 10**12
_WHOLE = re.compile(r"^[0-9]+$")
_EXPONENT = re.compile(r"[0-9.,][eE]")


class Problem(StrEnum):
    UNKNOWN_STATUS = "unknown_status"
    UNKNOWN_SKU = "unknown_sku"  # no such SKU, or another merchant's
    UNKNOWN_ORDER = "unknown_order"  # no such number, or another merchant's
    NEGATIVE = "negative"
    NOT_WHOLE = "not_whole"  # "1.5", "abc"
    TOO_LARGE = "too_large"
    NOT_A_PRICE = "not_a_price"
    TOO_MANY_DIGITS = "too_many_digits"  # "19.999" USD


class CommandRefused(ValueError):
    """The merchant's input cannot be applied; `value` is what they typed (for the reply)."""

    def __init__(self, problem: Problem, value: str = "") -> None:
        super().__init__(f"{problem.value}: {value!r}")
        self.problem, self.value = problem, value


async def staff_shop(session: AsyncSession, *, chat_id: int, user_id: int) -> Shop:
    """The shop `chat_id` serves, if `user_id` is on its staff; else raises `DeskRefused`."""
    shop = await shop_for_chat(session, chat_id)
    if shop is None:
        raise DeskRefused(Refusal.NOT_A_SHOP_CHAT)
    if not await is_staff(session, merchant_id=shop.merchant.id, user_id=user_id):
        raise DeskRefused(Refusal.NOT_STAFF)
    return shop


# --- orders ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MerchantOrderItem:
    number: str
    status: OrderStatus
    total: Money  # the merchant's currency
    created_at: datetime
    item_count: int


@dataclass(frozen=True, slots=True)
class MerchantOrderPage:
    status: OrderStatus | None  # None: every status
    items: tuple[MerchantOrderItem, ...]
    page: int
    total_count: int
    page_size: int = ORDERS_PAGE_SIZE

    @property
    def has_previous(self) -> bool:
        return self.page > 0

    @property
    def has_next(self) -> bool:
        return (self.page + 1) * self.page_size < self.total_count


def parse_status(text: str | None) -> OrderStatus | None:
    """ "paid" → PAID; None, "" or "all" → None (every status); anything else is refused."""
    token = (text or "").strip().lower()
    if token in ("", "all"):
        return None
    try:
        return OrderStatus(token)
    except ValueError:
        raise CommandRefused(Problem.UNKNOWN_STATUS, text or "") from None


async def orders_page(
    session: AsyncSession, *, shop: Shop, status: OrderStatus | None, page: int = 0
) -> MerchantOrderPage:
    """The shop's orders newest first, optionally of one status; a page past the end is empty."""
    page = page if 0 <= page < 10_000 else 0
    scope = [Order.merchant_id == shop.merchant.id]
    if status is not None:
        scope.append(Order.status == status.value)
    total = await session.scalar(select(func.count()).select_from(Order).where(*scope))
    orders = (
        await session.scalars(
            select(Order)
            .where(*scope)
            .order_by(Order.created_at.desc(), Order.id.desc())
            .offset(page * ORDERS_PAGE_SIZE)
            .limit(ORDERS_PAGE_SIZE)
            .options(selectinload(Order.lines))
        )
    ).all()
    items = tuple(
        MerchantOrderItem(
            number=order.number,
            status=OrderStatus(order.status),
            total=Money.from_minor(order.total_minor, order.currency),
            created_at=order.created_at,
            item_count=sum(line.quantity for line in order.lines),
        )
        for order in orders
    )
    return MerchantOrderPage(status, items, page, int(total or 0))


async def order_notice(session: AsyncSession, *, shop: Shop, number: str) -> OrderNotice:
    """One of the shop's orders, as its notice shows it (raises `CommandRefused`)."""
    # As typed ("7kq 3m9", "#7KQ3M9") or exactly as stored (numbers from older schemes).
    typed = {normalise_number(number), number.strip().upper()[:16]} - {None, ""}
    order_id = (
        await session.scalar(
            select(Order.id).where(Order.number.in_(typed), Order.merchant_id == shop.merchant.id)
        )
        if typed
        else None
    )
    notice = await notice_of(session, order_id, shop) if order_id is not None else None
    if notice is None:
        raise CommandRefused(Problem.UNKNOWN_ORDER, number)
    return notice


# --- stock and prices --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StockItem:
    sku: str | None
    title: str
    options: dict[str, str]
    stock: int
    tracked: bool  # False: may be sold below zero (made to order), stock is informative


@dataclass(frozen=True, slots=True)
class StockOverview:
    items: tuple[StockItem, ...]  # low stock first
    total_count: int
    low_count: int
    threshold: int


@dataclass(frozen=True, slots=True)
class StockChange:
    sku: str
    title: str
    options: dict[str, str]
    before: int
    after: int


@dataclass(frozen=True, slots=True)
class PriceChange:
    sku: str
    title: str
    options: dict[str, str]
    before: Money
    after: Money


def _listed(shop: Shop) -> list[ColumnElement[bool]]:
    return [
        Variant.merchant_id == shop.merchant.id,
        Product.id == Variant.product_id,
        Product.status != ProductStatus.ARCHIVED.value,
    ]


async def stock_overview(
    session: AsyncSession, *, shop: Shop, threshold: int = LOW_STOCK_THRESHOLD,
    limit: int = STOCK_SHOWN,
) -> StockOverview:  # fmt: skip
    """The shop's variants with tracked stock lowest first (untracked ones last), top `limit`."""
    scope = _listed(shop)
    tracked = Variant.inventory_policy == InventoryPolicy.DENY.value
    total = await session.scalar(select(func.count()).select_from(Variant).join(Product)
                                 .where(*scope))  # fmt: skip
    low = await session.scalar(
        select(func.count()).select_from(Variant).join(Product)
        .where(*scope, tracked, Variant.stock <= threshold)
    )  # fmt: skip
    rows = (
        await session.execute(
            select(Variant, Product)
            .join(Product)
            .where(*scope)
            .order_by((~tracked).asc(), Variant.stock.asc(), Product.title, Variant.id)
            .limit(limit)
        )
    ).all()
    items = tuple(
        StockItem(
            variant.sku,
            product.title,
            product.options_of(variant),
            variant.stock,
            variant.inventory_policy == InventoryPolicy.DENY.value,
        )
        for variant, product in rows
    )
    return StockOverview(items, int(total or 0), int(low or 0), threshold)


async def _variant(session: AsyncSession, shop: Shop, sku: str) -> tuple[Variant, Product]:
    """The shop's variant with this SKU (exact, else the one matching without case)."""
    sku = sku.strip()
    if not sku or len(sku) > SKU_MAX:
        raise CommandRefused(Problem.UNKNOWN_SKU, sku[:SKU_MAX])
    for match in (Variant.sku == sku, func.lower(Variant.sku) == sku.lower()):
        rows = (
            await session.execute(
                select(Variant, Product)
                .join(Product)
                .where(Variant.merchant_id == shop.merchant.id, match)
                .limit(2)
            )
        ).all()
        if len(rows) == 1:
            return rows[0][0], rows[0][1]
    raise CommandRefused(Problem.UNKNOWN_SKU, sku)


def parse_stock_level(text: str) -> int:
    """A whole number of units, 0..MAX_STOCK, in ASCII digits."""
    value = text.strip()
    if value.startswith(("-", "\u2212")) and _WHOLE.match(value[1:]):
        raise CommandRefused(Problem.NEGATIVE, text)
    if not _WHOLE.match(value):
        raise CommandRefused(Problem.NOT_WHOLE, text)
    if len(value) > 9 or int(value) > MAX_STOCK:
        raise CommandRefused(Problem.TOO_LARGE, text)
    return int(value)


def parse_price(text: str, currency: str, locale: str) -> Money:
    """The price as the merchant writes it: "19,90" in German, "19.90" anywhere, "€19.90".

    The merchant's locale is tried first (strictly, so "1.234,50" is 1234.50 in German and the
    ambiguous "19.90" is not misread as 1990), then the plain dot of "19.90". Exact Decimal all
    the way; more digits than the currency has (19.999 USD) is refused, never rounded.
    """
    amount: Money | None = None
    if _EXPONENT.search(text):  # babel reads "1e3" as 1000: no merchant means that
        raise CommandRefused(Problem.NOT_A_PRICE, text)
    for reading in dict.fromkeys((negotiate_locale(locale), "en")):
        try:
            amount = parse_money(text.strip(), currency, reading)
            break
        except (MoneyParseError, ValueError):
            continue
    if amount is None:
        raise CommandRefused(Problem.NOT_A_PRICE, text)
    if amount.amount < 0:
        raise CommandRefused(Problem.NEGATIVE, text)
    try:
        minor = amount.to_minor()
    except ValueError:
        raise CommandRefused(Problem.TOO_MANY_DIGITS, text) from None
    if minor >= MAX_PRICE_MINOR:
        raise CommandRefused(Problem.TOO_LARGE, text)
    return Money.from_minor(minor, currency)


async def _stamp(session: AsyncSession, product: Product, now: datetime | None) -> None:
    """A changed product gets the new catalog version, so every search index picks it up.

    Bumped last: the version row stays locked until commit (see `catalog.version`).
    """
    await session.flush()
    product.version = await bump_catalog_version(session)
    product.updated_at = now or utcnow()
    await session.flush()


async def set_stock(
    session: AsyncSession, *, shop: Shop, sku: str, level: str, now: datetime | None = None
) -> StockChange:
    """Sets the stock of the shop's variant `sku` to `level` (raises `CommandRefused`)."""
    units = parse_stock_level(level)
    variant, product = await _variant(session, shop, sku)
    before = variant.stock
    if before != units:
        variant.stock = units
        await _stamp(session, product, now)
    return StockChange(str(variant.sku), product.title, product.options_of(variant), before, units)


async def set_price(
    session: AsyncSession, *, shop: Shop, sku: str, price: str, now: datetime | None = None
) -> PriceChange:
    """Sets the price of the shop's variant `sku` (raises `CommandRefused`)."""
    currency = shop.merchant.currency
    amount = parse_price(price, currency, shop.language)
    variant, product = await _variant(session, shop, sku)
    before = Money.from_minor(variant.price_minor, currency)
    if variant.price_minor != amount.to_minor():
        variant.price_minor = amount.to_minor()
        await _stamp(session, product, now)
    options = product.options_of(variant)
    return PriceChange(str(variant.sku), product.title, options, before, amount)


# --- low stock alerts --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LowStockAlert:
    """One variant that an order just took to (or below) the threshold."""

    dedupe_key: str
    chat_id: int
    language: str
    merchant_id: int
    sku: str | None
    title: str
    options: dict[str, str]
    stock: int
    threshold: int


def _crossing_order(stock: int, threshold: int, taken: list[tuple[int, int]]) -> int | None:
    """The order that took the stock from above `threshold` to at or below it.

    `taken` is (order id, quantity) of the variant's live orders, newest first. Walking back,
    each order's quantity is added back onto today's stock; the first order before which the
    stock stood above the threshold is the crossing. None: it was already low before them all
    (set low by hand or imported low: the merchant knows).
    """
    level = stock
    for order_id, quantity in taken:
        level += quantity
        if level > threshold:
            return order_id
    return None


async def low_stock_alerts(
    session: AsyncSession, *, threshold: int = LOW_STOCK_THRESHOLD, limit: int = 500
) -> list[LowStockAlert]:
    """Alerts owed for tracked variants at or below `threshold` after an order took them there.

    The dedupe key names the variant and the order that crossed the threshold, so scanning
    again (on any worker, any number of times) owes nothing twice, and a restock followed by
    another crossing owes a new alert. Only shops with an order chat are scanned.
    """
    rows = (
        await session.execute(
            select(Variant, Product, MerchantSettings.notify_chat_id)
            .join(Product, Product.id == Variant.product_id)
            .join(MerchantSettings, MerchantSettings.merchant_id == Variant.merchant_id)
            .where(
                MerchantSettings.notify_chat_id.is_not(None),
                Variant.inventory_policy == InventoryPolicy.DENY.value,
                Variant.stock <= threshold,
                Product.status != ProductStatus.ARCHIVED.value,
            )
            .order_by(Variant.id)
            .limit(limit)
        )
    ).all()
    if not rows:
        return []
    live = [status.value for status in OrderStatus if status not in RELEASES_STOCK]
    taken: dict[int | None, list[tuple[int, int]]] = defaultdict(list)
    for variant_id, order_id, quantity in await session.execute(
        select(OrderLine.variant_id, Order.id, OrderLine.quantity)
        .join(Order, Order.id == OrderLine.order_id)
        .where(OrderLine.variant_id.in_([v.id for v, _, _ in rows]), Order.status.in_(live))
        .order_by(Order.created_at.desc(), Order.id.desc())
    ):
        taken[variant_id].append((order_id, quantity))
    alerts: list[LowStockAlert] = []
    languages: dict[int, str] = {}
    for variant, product, chat_id in rows:
        crossing = _crossing_order(variant.stock, threshold, taken.get(variant.id, []))
        if crossing is None:
            continue
        assert chat_id is not None  # the query reads shops with an order chat only
        if variant.merchant_id not in languages:
            shop = await shop_of(session, variant.merchant_id)
            languages[variant.merchant_id] = shop.language if shop else "en"
        alerts.append(
            LowStockAlert(
                dedupe_key=f"low-stock:{variant.id}:{crossing}",
                chat_id=chat_id,
                language=languages[variant.merchant_id],
                merchant_id=variant.merchant_id,
                sku=variant.sku,
                title=product.title,
                options=product.options_of(variant),
                stock=variant.stock,
                threshold=threshold,
            )
        )
    return alerts


# --- the daily digest --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Waiting:
    """Orders waiting for the shop: paid but not accepted, accepted but not shipped."""

    to_accept: int
    to_ship: int


async def waiting_orders(session: AsyncSession, *, shop: Shop) -> Waiting:
    counts = dict(
        (
            await session.execute(
                select(Order.status, func.count())
                .where(
                    Order.merchant_id == shop.merchant.id,
                    Order.status.in_([OrderStatus.PAID.value, OrderStatus.ACCEPTED.value]),
                )
                .group_by(Order.status)
            )
        ).all()
    )
    return Waiting(
        int(counts.get(OrderStatus.PAID.value, 0)), int(counts.get(OrderStatus.ACCEPTED.value, 0))
    )


async def shops_with_chats(session: AsyncSession) -> list[Shop]:
    """Every shop with an order chat bound: the ones a digest goes to."""
    ids = await session.scalars(
        select(MerchantSettings.merchant_id)
        .where(MerchantSettings.notify_chat_id.is_not(None))
        .order_by(MerchantSettings.merchant_id)
    )
    shops = [await shop_of(session, merchant_id) for merchant_id in ids.all()]
    return [shop for shop in shops if shop is not None]


__all__ = [
    "LOW_STOCK_THRESHOLD",
    "ORDERS_PAGE_SIZE",
    "CommandRefused",
    "LowStockAlert",
    "MerchantOrderItem",
    "MerchantOrderPage",
    "PriceChange",
    "Problem",
    "StockChange",
    "StockItem",
    "StockOverview",
    "Waiting",
    "low_stock_alerts",
    "order_notice",
    "orders_page",
    "parse_price",
    "parse_status",
    "parse_stock_level",
    "set_price",
    "set_stock",
    "shops_with_chats",
    "staff_shop",
    "stock_overview",
    "waiting_orders",
]
