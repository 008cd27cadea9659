"""Cart use cases: add, change a quantity, remove a line, empty, and look at it.

Every function takes the buyer's `customer_id` and finds lines only through that buyer's cart,
so a forged button naming someone else's line id behaves exactly like a line that is gone
(`LineNotFound`) and changes nothing. Each runs inside the caller's transaction and never
commits. Quantities are bounded (1..99 per line) and checked against stock unless the variant
sells past zero; the real reservation happens at placement (`orders.placement`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from db import MAX_ROW_ID, rowcount, utcnow
from money import Money
from money.conversion import ConversionPolicy
from orders.cart_language import Ambiguous, CartEdit, EditAction
from orders.catalog_port import Offer, load_offers
from orders.errors import (
    LineNotFound,
    NotEnoughStock,
    ProductUnavailable,
    QuantityOutOfRange,
    SoldOut,
)
from orders.inputs import check_quantity
from orders.models import MAX_LINE_QUANTITY, Cart, CartLine
from orders.pricing import PricedLine, Quoter, price_line
from orders.shipping import CartDelivery

MIN_QUANTITY = 1
MAX_QUANTITY = MAX_LINE_QUANTITY
MAX_LINES = 50  # a cart is a conversation, not a warehouse


@dataclass(frozen=True, slots=True)
class LineChange:
    """What an edit did: the line and its quantity now (0: the line is gone)."""

    line_id: int
    variant_id: int
    quantity: int
    offer: Offer | None = None  # the variant as it was checked, when the edit read it


@dataclass(frozen=True, slots=True)
class CartLineView:
    line_id: int
    variant_id: int
    product_id: int
    title: str
    sku: str | None
    options: dict[str, str]
    quantity: int
    added_price: Money  # the unit price when the buyer added it, merchant currency
    priced: PricedLine  # the unit price now, in the merchant's and the buyer's currency
    available: bool  # still on sale
    stock_short: bool  # fewer units in stock than the line asks for
    unit_grams: int = 0  # shipping weight of one unit

    @property
    def unit_price(self) -> Money:
        return self.priced.unit

    @property
    def buyer_unit_price(self) -> Money:
        return self.priced.buyer_unit

    @property
    def line_total(self) -> Money:
        return self.priced.total

    @property
    def buyer_line_total(self) -> Money:
        return self.priced.buyer_total

    @property
    def approx(self) -> bool:
        return self.priced.quote.approx

    @property
    def price_changed(self) -> bool:
        """The merchant's price moved since the line was added (FX moves do not count)."""
        return self.unit_price != self.added_price

    @property
    def price_went_up(self) -> bool:
        return (
            self.unit_price.currency == self.added_price.currency
            and self.unit_price > self.added_price
        )

    @property
    def option_values(self) -> tuple[str, ...]:
        return tuple(self.options.values())


@dataclass(frozen=True, slots=True)
class MerchantCart:
    """One merchant's part of the cart: it becomes one order."""

    merchant_id: int
    merchant_name: str
    currency: str
    policy: ConversionPolicy
    lines: tuple[CartLineView, ...]

    @property
    def orderable(self) -> tuple[CartLineView, ...]:
        return tuple(line for line in self.lines if line.available)

    @property
    def subtotal(self) -> Money:
        """In the merchant's currency, lines still on sale only."""
        total = Money.zero(self.currency)
        for line in self.orderable:
            total += line.line_total
        return total

    @property
    def items(self) -> int:
        """How many units the order will hold (lines still on sale only)."""
        return sum(line.quantity for line in self.orderable)

    @property
    def grams(self) -> int:
        """The order's shipping weight (lines still on sale only; unknown weights count 0)."""
        return sum(line.unit_grams * line.quantity for line in self.orderable)

    @property
    def buyer_subtotal(self) -> Money:
        """The sum of the prices the buyer is shown, lines still on sale only."""
        total = Money.zero(self.buyer_currency)
        for line in self.orderable:
            total += line.buyer_line_total
        return total

    @property
    def buyer_currency(self) -> str:
        return self.lines[0].buyer_unit_price.currency

    @property
    def approx(self) -> bool:
        return any(line.approx for line in self.lines)


@dataclass(frozen=True, slots=True)
class CartView:
    buyer_currency: str
    merchants: tuple[MerchantCart, ...]
    delivery: CartDelivery | None = None  # estimates per shop, when the storefront adds them

    @property
    def lines(self) -> tuple[CartLineView, ...]:
        return tuple(line for merchant in self.merchants for line in merchant.lines)

    @property
    def is_empty(self) -> bool:
        return not self.merchants

    @property
    def buyer_total(self) -> Money:
        total = Money.zero(self.buyer_currency)
        for merchant in self.merchants:
            total += merchant.buyer_subtotal
        return total

    @property
    def price_changed(self) -> bool:
        return any(line.price_changed for line in self.lines)

    @property
    def approx(self) -> bool:
        return any(merchant.approx for merchant in self.merchants)

    def line(self, line_id: int) -> CartLineView | None:
        return next((line for line in self.lines if line.line_id == line_id), None)


# --- lookups, always scoped to the buyer ----------------------------------------------------
def _valid_id(value: object) -> bool:
    """A row id the database can hold: a forged 10^30 must not reach the driver as an error."""
    return not isinstance(value, bool) and isinstance(value, int) and 0 < value <= MAX_ROW_ID


async def _cart(session: AsyncSession, customer_id: int, *, create: bool) -> Cart | None:
    cart = await session.scalar(select(Cart).where(Cart.customer_id == customer_id))
    if cart is None and create:
        cart = Cart(customer_id=customer_id)
        session.add(cart)
        await session.flush()
    return cart


async def _own_line(session: AsyncSession, customer_id: int, line_id: object) -> CartLine:
    """The line `line_id` if it is in this buyer's cart; `LineNotFound` for any other id."""
    if not _valid_id(line_id):
        raise LineNotFound()
    line = await session.scalar(
        select(CartLine)
        .join(Cart, CartLine.cart_id == Cart.id)
        .where(CartLine.id == line_id, Cart.customer_id == customer_id)
    )
    if line is None:
        raise LineNotFound()
    return line


def _check_stock(offer: Offer, quantity: int) -> None:
    if not offer.active:
        raise ProductUnavailable()
    if offer.unlimited:
        return
    if offer.stock <= 0:
        raise SoldOut(title=offer.title)
    if quantity > offer.stock:
        raise NotEnoughStock(title=offer.title, available=offer.stock)


async def _offer(session: AsyncSession, variant_id: int, language: str) -> Offer:
    offer = (await load_offers(session, [variant_id], language=language)).get(variant_id)
    if offer is None:
        raise ProductUnavailable()
    return offer


def _bounded(quantity: object) -> int:
    return check_quantity(quantity, minimum=MIN_QUANTITY, maximum=MAX_QUANTITY)


async def _touch(session: AsyncSession, cart_id: int) -> None:
    cart = await session.get(Cart, cart_id)
    if cart is not None:
        cart.updated_at = utcnow()


# --- use cases ------------------------------------------------------------------------------
async def add_to_cart(
    session: AsyncSession,
    *,
    customer_id: int,
    variant_id: int,
    quantity: int = 1,
    language: str = "en",
) -> LineChange:
    """Adds `quantity` of a variant, to its existing line if there is one.

    The line remembers today's price; adding more later keeps the first price, so the buyer is
    still told if it moved since they first put it in.
    """
    quantity = _bounded(quantity)
    if not _valid_id(variant_id):
        raise ProductUnavailable()
    offer = await _offer(session, variant_id, language)
    cart, lines = await _cart_and_lines(session, customer_id)
    line = next((line for line in lines if line.variant_id == variant_id), None)
    total = quantity + (line.quantity if line else 0)
    if total > MAX_QUANTITY:
        raise QuantityOutOfRange(minimum=MIN_QUANTITY, maximum=MAX_QUANTITY)
    _check_stock(offer, total)
    if line is None:
        if len(lines) >= MAX_LINES:
            raise QuantityOutOfRange(minimum=1, maximum=MAX_LINES)
        line = CartLine(
            cart=cart,
            variant_id=variant_id,
            quantity=total,
            unit_price_minor=offer.price_minor,
            currency=offer.currency,
        )
        session.add(line)
    else:
        line.quantity = total
    cart.updated_at = utcnow()
    await session.flush()
    return LineChange(line.id, variant_id, total, offer)


async def _cart_and_lines(session: AsyncSession, customer_id: int) -> tuple[Cart, list[CartLine]]:
    """The buyer's cart (created if they have none yet) and its lines, read in one statement."""
    rows = (
        await session.execute(
            select(Cart, CartLine)
            .outerjoin(CartLine, CartLine.cart_id == Cart.id)
            .where(Cart.customer_id == customer_id)
        )
    ).all()
    if not rows:
        cart = Cart(customer_id=customer_id)
        session.add(cart)
        return cart, []
    return rows[0][0], [line for _, line in rows if line is not None]


async def set_quantity(
    session: AsyncSession, *, customer_id: int, line_id: int, quantity: int, language: str = "en"
) -> LineChange:
    """Sets a line's quantity (1..99, and no more than in stock); 0 is refused, not a removal.

    Lowering a quantity is always allowed, even when stock has fallen below it meanwhile.
    """
    line = await _own_line(session, customer_id, line_id)
    quantity = _bounded(quantity)
    if quantity > line.quantity:
        _check_stock(await _offer(session, line.variant_id, language), quantity)
    line.quantity = quantity
    await _touch(session, line.cart_id)
    await session.flush()
    return LineChange(line.id, line.variant_id, quantity)


async def change_quantity(
    session: AsyncSession, *, customer_id: int, line_id: int, delta: int, language: str = "en"
) -> LineChange:
    """A line's quantity moved by `delta` ("add 2 more", "one less"); to nothing removes it."""
    line = await _own_line(session, customer_id, line_id)
    if isinstance(delta, bool) or not isinstance(delta, int) or abs(delta) > MAX_QUANTITY:
        raise QuantityOutOfRange(minimum=MIN_QUANTITY, maximum=MAX_QUANTITY)
    target = line.quantity + delta
    if target <= 0:
        return await remove_line(session, customer_id=customer_id, line_id=line_id)
    return await set_quantity(
        session, customer_id=customer_id, line_id=line_id, quantity=target, language=language
    )


async def remove_line(session: AsyncSession, *, customer_id: int, line_id: int) -> LineChange:
    line = await _own_line(session, customer_id, line_id)
    change = LineChange(line.id, line.variant_id, 0)
    await _touch(session, line.cart_id)
    await session.delete(line)
    await session.flush()
    return change


async def empty_cart(session: AsyncSession, *, customer_id: int) -> int:
    """Removes every line; returns how many there were."""
    cart = await _cart(session, customer_id, create=False)
    if cart is None:
        return 0
    result = await session.execute(delete(CartLine).where(CartLine.cart_id == cart.id))
    cart.updated_at = utcnow()
    await session.flush()
    session.expire(cart, ["lines"])
    return int(rowcount(result) or 0)


async def apply_edit(
    session: AsyncSession, *, customer_id: int, edit: CartEdit, language: str = "en"
) -> LineChange | int:
    """Carries out a plain-words edit from `orders.cart_language` (never an `Ambiguous` one).

    Returns the `LineChange`, or the number of lines removed for "empty the cart".
    """
    if isinstance(edit, Ambiguous):
        raise TypeError("ask the buyer which line first: Ambiguous.resolve(line_id)")
    if edit.action == EditAction.EMPTY:
        return await empty_cart(session, customer_id=customer_id)
    if edit.line_id is None:
        raise LineNotFound()
    if edit.action == EditAction.REMOVE:
        return await remove_line(session, customer_id=customer_id, line_id=edit.line_id)
    quantity = edit.quantity if edit.quantity is not None else 1
    if edit.action == EditAction.SET:
        return await set_quantity(
            session,
            customer_id=customer_id,
            line_id=edit.line_id,
            quantity=quantity,
            language=language,
        )
    delta = quantity if edit.action == EditAction.ADD else -quantity
    if edit.action == EditAction.ADD:
        check_quantity(quantity, minimum=MIN_QUANTITY, maximum=MAX_QUANTITY)
    elif not MIN_QUANTITY <= quantity <= MAX_QUANTITY:
        raise QuantityOutOfRange(minimum=MIN_QUANTITY, maximum=MAX_QUANTITY)
    return await change_quantity(
        session, customer_id=customer_id, line_id=edit.line_id, delta=delta, language=language
    )


async def cart_lines(session: AsyncSession, *, customer_id: int) -> Sequence[CartLine]:
    """The buyer's raw cart lines (oldest first)."""
    return (
        await session.scalars(
            select(CartLine)
            .join(Cart, CartLine.cart_id == Cart.id)
            .where(Cart.customer_id == customer_id)
            .order_by(CartLine.id)
        )
    ).all()


async def view_cart(
    session: AsyncSession,
    *,
    customer_id: int,
    buyer_currency: str,
    quoter: Quoter,
    language: str = "en",
) -> CartView:
    """The cart grouped by merchant: prices now against prices when added, in both currencies.

    Lines whose variant was deleted from the catalog are left out; withdrawn ones are shown
    with `available=False` and left out of the totals.
    """
    lines = await cart_lines(session, customer_id=customer_id)
    offers = await load_offers(session, [line.variant_id for line in lines], language=language)
    grouped: dict[int, list[CartLineView]] = {}
    first_offer: dict[int, Offer] = {}
    for line in lines:
        offer = offers.get(line.variant_id)
        if offer is None:
            continue
        first_offer.setdefault(offer.merchant_id, offer)
        unit = Money.from_minor(offer.price_minor, offer.currency)
        grouped.setdefault(offer.merchant_id, []).append(
            CartLineView(
                line_id=line.id,
                variant_id=line.variant_id,
                product_id=offer.product_id,
                title=offer.title,
                sku=offer.sku,
                options=offer.options,
                quantity=line.quantity,
                added_price=Money.from_minor(line.unit_price_minor, line.currency),
                priced=price_line(quoter, unit, line.quantity, buyer_currency, offer.policy),
                available=offer.active,
                stock_short=offer.active and not offer.available(line.quantity),
                unit_grams=offer.grams,
            )
        )
    merchants = [
        MerchantCart(
            merchant_id=merchant_id,
            merchant_name=first_offer[merchant_id].merchant_name,
            currency=first_offer[merchant_id].currency,
            policy=first_offer[merchant_id].policy,
            lines=tuple(views),
        )
        for merchant_id, views in grouped.items()
    ]
    return CartView(buyer_currency=buyer_currency, merchants=tuple(merchants))
