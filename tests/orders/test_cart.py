"""Cart use cases on both databases: scoped to the buyer, bounded, honest about prices."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from bot.database import SessionFactory, transaction
from catalog.models import Product, Variant
from money import Money
from orders import cart
from orders.cart_language import CartEdit, EditAction
from orders.errors import (
    LineNotFound,
    NotAQuantity,
    NotEnoughStock,
    ProductUnavailable,
    QuantityOutOfRange,
    ShopError,
    SoldOut,
)
from orders.models import CartLine
from tests.orders.factories import Shop, make_customer, quoter, seed_shop


async def _setup(sessions: SessionFactory) -> tuple[Shop, int, int]:
    async with transaction(sessions) as session:
        shop = await seed_shop(session)
        alice = await make_customer(session, 1001)
        bob = await make_customer(session, 1002)
    return shop, alice, bob


async def _lines(sessions: SessionFactory) -> list[tuple[int, int, int]]:
    async with transaction(sessions) as session:
        rows = await session.execute(
            select(CartLine.id, CartLine.variant_id, CartLine.quantity).order_by(CartLine.id)
        )
        return [(line_id, variant_id, quantity) for line_id, variant_id, quantity in rows]


async def test_add_merges_lines_and_view_groups_by_merchant(sessions: SessionFactory) -> None:
    shop, alice, _ = await _setup(sessions)
    async with transaction(sessions) as session:
        await cart.add_to_cart(session, customer_id=alice, variant_id=shop.mug_red, quantity=2)
        await cart.add_to_cart(session, customer_id=alice, variant_id=shop.teapot)
        change = await cart.add_to_cart(session, customer_id=alice, variant_id=shop.mug_red)
    assert change.quantity == 3
    async with transaction(sessions) as session:
        view = await cart.view_cart(
            session, customer_id=alice, buyer_currency="EUR", quoter=quoter(), language="ru"
        )
    assert [m.merchant_name for m in view.merchants] == ["Mugs & Co", "Tea House"]
    mugs, tea = view.merchants
    assert [(line.title, line.quantity) for line in mugs.lines] == [("Кружка", 3)]
    assert mugs.lines[0].options == {"Colour": "Red"}
    assert mugs.subtotal == Money.of("33.00", "USD")
    assert mugs.buyer_subtotal == Money.of("30.00", "EUR")
    assert tea.subtotal == Money.of("77.00", "CNY")
    assert tea.buyer_subtotal == Money.of("10.00", "EUR")
    assert view.buyer_total == Money.of("40.00", "EUR")
    assert not view.price_changed


async def test_price_change_since_adding_is_flagged(sessions: SessionFactory) -> None:
    shop, alice, _ = await _setup(sessions)
    async with transaction(sessions) as session:
        await cart.add_to_cart(session, customer_id=alice, variant_id=shop.mug_red)
        await cart.add_to_cart(session, customer_id=alice, variant_id=shop.mug_blue)
    async with transaction(sessions) as session:
        await session.execute(
            update(Variant).where(Variant.id == shop.mug_red).values(price_minor=1320)
        )
    async with transaction(sessions) as session:
        view = await cart.view_cart(
            session, customer_id=alice, buyer_currency="EUR", quoter=quoter()
        )
    red, blue = view.lines
    assert red.price_changed and red.price_went_up
    assert red.added_price == Money.of("11.00", "USD")
    assert red.unit_price == Money.of("13.20", "USD")
    assert red.buyer_unit_price == Money.of("12.00", "EUR")
    assert not blue.price_changed
    assert view.price_changed


async def test_another_buyers_line_is_refused_and_nothing_changes(
    sessions: SessionFactory,
) -> None:
    shop, alice, bob = await _setup(sessions)
    async with transaction(sessions) as session:
        line = await cart.add_to_cart(session, customer_id=alice, variant_id=shop.mug_red)
    before = await _lines(sessions)
    for attempt in (
        lambda s: cart.set_quantity(s, customer_id=bob, line_id=line.line_id, quantity=5),
        lambda s: cart.change_quantity(s, customer_id=bob, line_id=line.line_id, delta=1),
        lambda s: cart.remove_line(s, customer_id=bob, line_id=line.line_id),
        lambda s: cart.apply_edit(
            s, customer_id=bob, edit=CartEdit(EditAction.REMOVE, line.line_id)
        ),
    ):
        with pytest.raises(LineNotFound):
            async with transaction(sessions) as session:
                await attempt(session)
    async with transaction(sessions) as session:
        assert await cart.empty_cart(session, customer_id=bob) == 0
    assert await _lines(sessions) == before


@pytest.mark.parametrize("line_id", [0, -1, 10**30, 999_999, True, "1"])
async def test_missing_or_malformed_line_ids_read_as_missing(
    sessions: SessionFactory, line_id: object
) -> None:
    shop, alice, _ = await _setup(sessions)
    async with transaction(sessions) as session:
        await cart.add_to_cart(session, customer_id=alice, variant_id=shop.mug_red)
    with pytest.raises(LineNotFound):
        async with transaction(sessions) as session:
            await cart.set_quantity(session, customer_id=alice, line_id=line_id, quantity=2)  # type: ignore[arg-type]  # the ids it must refuse


@pytest.mark.parametrize(
    ("quantity", "error"),
    [
        (-3, QuantityOutOfRange),
        (0, QuantityOutOfRange),
        (100, QuantityOutOfRange),
        (10**9, QuantityOutOfRange),
        (2.5, NotAQuantity),
        ("3", NotAQuantity),
        (None, NotAQuantity),
    ],
)
async def test_quantity_garbage_is_a_typed_error(
    sessions: SessionFactory, quantity: object, error: type[ShopError]
) -> None:
    shop, alice, _ = await _setup(sessions)
    async with transaction(sessions) as session:
        line = await cart.add_to_cart(session, customer_id=alice, variant_id=shop.mug_red)
    with pytest.raises(error) as raised:
        async with transaction(sessions) as session:
            await cart.set_quantity(
                session,
                customer_id=alice,
                line_id=line.line_id,
                quantity=quantity,  # type: ignore[arg-type]  # the garbage it must refuse
            )
    with pytest.raises(error):
        async with transaction(sessions) as session:
            await cart.add_to_cart(
                session,
                customer_id=alice,
                variant_id=shop.mug_blue,
                quantity=quantity,  # type: ignore[arg-type]  # the garbage it must refuse
            )
    assert raised.value.message_id.startswith("cart.")
    assert "%(" not in raised.value.text  # parameters filled in
    assert await _lines(sessions) == [(line.line_id, shop.mug_red, 1)]


async def test_stock_limits_adding_but_not_lowering(sessions: SessionFactory) -> None:
    shop, alice, _ = await _setup(sessions)
    async with transaction(sessions) as session:
        line = await cart.add_to_cart(
            session, customer_id=alice, variant_id=shop.headphones, quantity=3
        )
    with pytest.raises(NotEnoughStock) as raised:
        async with transaction(sessions) as session:
            await cart.add_to_cart(session, customer_id=alice, variant_id=shop.headphones)
    assert raised.value.params == {"title": "Wireless headphones", "available": 3}
    async with transaction(sessions) as session:
        await session.execute(update(Variant).where(Variant.id == shop.headphones).values(stock=1))
    async with transaction(sessions) as session:  # lowering is fine even when short
        await cart.set_quantity(session, customer_id=alice, line_id=line.line_id, quantity=2)
        view = await cart.view_cart(
            session, customer_id=alice, buyer_currency="USD", quoter=quoter()
        )
    assert view.lines[0].stock_short
    async with transaction(sessions) as session:
        await session.execute(update(Variant).where(Variant.id == shop.headphones).values(stock=0))
    with pytest.raises(SoldOut):
        async with transaction(sessions) as session:
            await cart.set_quantity(session, customer_id=alice, line_id=line.line_id, quantity=3)


async def test_made_to_order_sells_past_zero(sessions: SessionFactory) -> None:
    shop, alice, _ = await _setup(sessions)
    async with transaction(sessions) as session:
        change = await cart.add_to_cart(
            session, customer_id=alice, variant_id=shop.made_to_order, quantity=7
        )
    assert change.quantity == 7


async def test_unknown_or_withdrawn_variant(sessions: SessionFactory) -> None:
    shop, alice, _ = await _setup(sessions)
    for variant_id in (987_654, -1, 10**40):
        with pytest.raises(ProductUnavailable):
            async with transaction(sessions) as session:
                await cart.add_to_cart(session, customer_id=alice, variant_id=variant_id)
    async with transaction(sessions) as session:
        await cart.add_to_cart(session, customer_id=alice, variant_id=shop.teapot)
        product_id = await session.scalar(
            select(Variant.product_id).where(Variant.id == shop.teapot)
        )
        await session.execute(
            update(Product).where(Product.id == product_id).values(status="archived")
        )
    with pytest.raises(ProductUnavailable):
        async with transaction(sessions) as session:
            await cart.add_to_cart(session, customer_id=alice, variant_id=shop.teapot)
    async with transaction(sessions) as session:
        view = await cart.view_cart(
            session, customer_id=alice, buyer_currency="EUR", quoter=quoter()
        )
    (teapot,) = view.lines
    assert not teapot.available
    assert view.buyer_total == Money.of("0", "EUR")


async def test_change_remove_and_empty(sessions: SessionFactory) -> None:
    shop, alice, _ = await _setup(sessions)
    async with transaction(sessions) as session:
        red = await cart.add_to_cart(
            session, customer_id=alice, variant_id=shop.mug_red, quantity=2
        )
        await cart.add_to_cart(session, customer_id=alice, variant_id=shop.teapot)
        more = await cart.apply_edit(
            session, customer_id=alice, edit=CartEdit(EditAction.ADD, red.line_id, 2)
        )
        assert isinstance(more, cart.LineChange) and more.quantity == 4
        gone = await cart.apply_edit(
            session, customer_id=alice, edit=CartEdit(EditAction.SUBTRACT, red.line_id, 4)
        )
        assert isinstance(gone, cart.LineChange) and gone.quantity == 0
    assert [variant for _, variant, _ in await _lines(sessions)] == [shop.teapot]
    async with transaction(sessions) as session:
        assert (
            await cart.apply_edit(session, customer_id=alice, edit=CartEdit(EditAction.EMPTY)) == 1
        )
    assert await _lines(sessions) == []
    async with transaction(sessions) as session:
        count = await session.scalar(select(func.count()).select_from(CartLine))
    assert count == 0


async def test_edit_quantities_from_words_are_checked(sessions: SessionFactory) -> None:
    shop, alice, _ = await _setup(sessions)
    async with transaction(sessions) as session:
        red = await cart.add_to_cart(session, customer_id=alice, variant_id=shop.mug_red)
    for edit in (
        CartEdit(EditAction.SET, red.line_id, -3),
        CartEdit(EditAction.SET, red.line_id, 10**9),
        CartEdit(EditAction.ADD, red.line_id, 10**9),
        CartEdit(EditAction.SUBTRACT, red.line_id, -3),
    ):
        with pytest.raises(QuantityOutOfRange):
            async with transaction(sessions) as session:
                await cart.apply_edit(session, customer_id=alice, edit=edit)
    assert await _lines(sessions) == [(red.line_id, shop.mug_red, 1)]
