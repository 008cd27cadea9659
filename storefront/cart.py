"""The cart as the storefront uses it: `orders.cart` with the buyer's prices and their words.

Every function takes the `Buyer` the update came from and passes their customer id down, so a
button or a sentence can only ever touch that buyer's own lines (`orders.cart` finds lines
through the buyer's cart, and a line of anyone else's reads as gone). Errors the buyer should
read are `orders.errors.ShopError`s; the caller's transaction rolls back and nothing changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from orders import cart
from orders.cart import CartLineView, CartView, LineChange
from orders.cart_language import Ambiguous, may_be_cart_edit, parse_cart_edit
from orders.customers import Buyer
from storefront import memory
from storefront.delivery import with_delivery
from storefront.errors import StaleButton
from storefront.pricing import buyer_pricing


@dataclass(frozen=True, slots=True)
class Added:
    """What "Add to cart" did: the product, its options, how many now in the cart."""

    title: str
    options: dict[str, str]
    added: int
    in_cart: int


@dataclass(frozen=True, slots=True)
class WordsOutcome:
    """A plain-words edit done (`change`), or the question it raises (`ambiguous`)."""

    cart: CartView
    change: LineChange | int | None = None  # int: lines removed by "empty the cart"
    ambiguous: Ambiguous | None = None

    @property
    def candidates(self) -> tuple[CartLineView, ...]:
        """The lines the buyer may have meant, as buttons to ask with."""
        if self.ambiguous is None:
            return ()
        found = (self.cart.line(line_id) for line_id in self.ambiguous.line_ids)
        return tuple(line for line in found if line is not None)


async def add_variant(
    session: AsyncSession, *, buyer: Buyer, variant_id: int, quantity: int
) -> Added:
    change = await cart.add_to_cart(
        session,
        customer_id=buyer.customer_id,
        variant_id=variant_id,
        quantity=quantity,
        language=buyer.locale,
    )
    offer = change.offer
    assert offer is not None  # adding reads the variant
    return Added(offer.title, offer.options, quantity, change.quantity)


async def show_cart(
    session: AsyncSession, *, buyer: Buyer, max_rate_age: timedelta, now: datetime | None = None
) -> CartView:
    """The buyer's cart, grouped by merchant, priced in their currency now, with each shop's
    delivery to the buyer's country."""
    pricing = await buyer_pricing(
        session, currency=buyer.currency, max_rate_age=max_rate_age, now=now
    )
    view = await cart.view_cart(
        session,
        customer_id=buyer.customer_id,
        buyer_currency=pricing.currency,
        quoter=pricing.quoter,
        language=buyer.locale,
    )
    return await with_delivery(session, view, buyer=buyer, quoter=pricing.quoter)


async def change_line(
    session: AsyncSession,
    *,
    buyer: Buyer,
    line_id: int,
    operation: str,
    max_rate_age: timedelta,
    now: datetime | None = None,
) -> CartView:
    """One more (`inc`), one fewer (`dec`, the last one removes the line), or remove (`del`)."""
    customer = buyer.customer_id
    if operation == "del":
        await cart.remove_line(session, customer_id=customer, line_id=line_id)
    elif operation in ("inc", "dec"):
        delta = 1 if operation == "inc" else -1
        await cart.change_quantity(
            session, customer_id=customer, line_id=line_id, delta=delta, language=buyer.locale
        )
    else:
        raise StaleButton(operation)
    return await show_cart(session, buyer=buyer, max_rate_age=max_rate_age, now=now)


async def empty(
    session: AsyncSession, *, buyer: Buyer, max_rate_age: timedelta, now: datetime | None = None
) -> CartView:
    await cart.empty_cart(session, customer_id=buyer.customer_id)
    return await show_cart(session, buyer=buyer, max_rate_age=max_rate_age, now=now)


async def edit_in_words(
    session: AsyncSession,
    *,
    buyer: Buyer,
    text: str,
    max_rate_age: timedelta,
    now: datetime | None = None,
) -> WordsOutcome | None:
    """Carries out "make it 3", "remove the mug", "再加两个"; None when `text` is no cart edit
    (or the cart is empty, when every text is a search). An unsure line is asked about."""
    if not may_be_cart_edit(text):  # a search, most of the time: no need to read the cart
        return None
    if not await cart.cart_lines(session, customer_id=buyer.customer_id):
        return None
    view = await show_cart(session, buyer=buyer, max_rate_age=max_rate_age, now=now)
    edit = parse_cart_edit(text, buyer.locale, view.lines)
    if edit is None:
        return None
    if isinstance(edit, Ambiguous):
        await memory.remember_pending_edit(session, customer_id=buyer.customer_id, edit=edit)
        return WordsOutcome(view, ambiguous=edit)
    change = await cart.apply_edit(
        session, customer_id=buyer.customer_id, edit=edit, language=buyer.locale
    )
    view = await show_cart(session, buyer=buyer, max_rate_age=max_rate_age, now=now)
    return WordsOutcome(view, change=change)


async def pick_line(
    session: AsyncSession,
    *,
    buyer: Buyer,
    line_id: int,
    max_rate_age: timedelta,
    now: datetime | None = None,
) -> WordsOutcome:
    """The answer to "which one did you mean?": the waiting edit applied to that line.

    `StaleButton` when no question is waiting or the line was not one of those offered.
    """
    pending = await memory.take_pending_edit(session, customer_id=buyer.customer_id)
    if pending is None or line_id not in pending.line_ids:
        raise StaleButton(str(line_id))
    change = await cart.apply_edit(
        session,
        customer_id=buyer.customer_id,
        edit=pending.resolve(line_id),
        language=buyer.locale,
    )
    view = await show_cart(session, buyer=buyer, max_rate_age=max_rate_age, now=now)
    return WordsOutcome(view, change=change)
