"""Shop commands in the merchant's group, end to end through the Bot API stand-in: /orders with
its pages, /order, /stock, /price and /sales with its chart, for staff only.

The merchant handlers are wired here the way the lead wires them in the app.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.database import transaction
from catalog.models import Merchant, Variant
from tests.e2e.test_merchant import (
    TIMEOUT,
    MerchantWorld,
    about,
    paid_order,
    set_up,
)

pytestmark = pytest.mark.slow


async def a_sku(world: MerchantWorld) -> str:
    async with transaction(world.sessions) as session:
        sku = await session.scalar(
            select(Variant.sku)
            .join(Merchant, Merchant.id == Variant.merchant_id)
            .where(Merchant.slug == "demo-us", Variant.sku.is_not(None))
            .order_by(Variant.id)
            .limit(1)
        )
    assert sku is not None
    return sku


async def test_staff_run_the_shop_from_the_group_and_others_are_refused(
    world: MerchantWorld,
) -> None:
    await set_up(world)
    group = world.group

    await world.bob.send("/stock", group)
    refused = await group.wait_for(timeout=TIMEOUT)
    assert "staff" in (refused.text or "")

    number, _ = await paid_order(world)
    await group.wait_for(about(number), timeout=TIMEOUT)  # the notice

    await world.mia.send("/orders paid", group)
    listed = await group.wait_for(lambda m: "Orders" in (m.text or ""), timeout=TIMEOUT)
    assert number in (listed.text or "") and "$27.00" in (listed.text or "")

    await world.mia.send(f"/order {number.lower()}", group)
    shown = await group.wait_for(lambda m: f"Order {number}" in (m.text or ""), TIMEOUT)
    assert "Anna Müller" in (shown.text or "")

    sku = await a_sku(world)
    await world.mia.send(f"/stock {sku} 2", group)
    stock_set = await group.wait_for(lambda m: "→ 2" in (m.text or ""), timeout=TIMEOUT)
    assert sku in (stock_set.text or "")
    await world.mia.send("/stock", group)
    overview = await group.wait_for(lambda m: "Stock ·" in (m.text or ""), timeout=TIMEOUT)
    text = overview.text or ""
    assert "at 3 or below" in text and text.index("⚠️") < text.index("more")  # low first
    await world.mia.send(f"/stock {sku} -4", group)
    negative = await group.wait_for(lambda m: "negative" in (m.text or ""), timeout=TIMEOUT)
    assert negative is not None

    await world.mia.send(f"/price {sku} 19.90", group)
    priced = await group.wait_for(lambda m: "$19.90" in (m.text or ""), timeout=TIMEOUT)
    assert sku in (priced.text or "")

    await world.mia.send("/sales", group)
    sales = await group.wait_for(lambda m: m.photo is not None, timeout=TIMEOUT * 2)
    assert "$27.00" in (sales.text or "")  # today's paid total, in the caption
    assert sales.photo is not None and (sales.photo.data or b"").startswith(b"\x89PNG")


async def test_orders_are_paged_with_next_and_previous(world: MerchantWorld) -> None:
    await set_up(world)
    numbers = []
    world.sender.sender.wake()
    for _ in range(11):
        numbers.append((await paid_order(world))[0])
    await world.mia.send("/orders", world.group)
    first = await world.group.wait_for(lambda m: "page 1 of 2" in (m.text or ""), TIMEOUT * 3)
    await world.mia.press(first, "Next ➡️", timeout=TIMEOUT)
    second = await world.group.wait_for(
        lambda m: m == first and "page 2 of 2" in (m.text or ""), TIMEOUT
    )
    assert numbers[0] in (second.text or "")  # the oldest, alone on page 2

    answer = await world.bob.press(second, "⬅️ Previous", timeout=TIMEOUT)
    assert answer is not None and "staff" in (answer.text or "")
