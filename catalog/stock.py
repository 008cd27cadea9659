"""Stock reservation that never oversells, however many buyers check out at once.

Each change is one conditional UPDATE, so the check and the decrement happen atomically in the
database: PostgreSQL re-checks the WHERE clause after waiting for a concurrent writer's row lock,
and SQLite runs writers one at a time (`BEGIN IMMEDIATE`). There is no read-then-write window for
two buyers to both see the last unit.

These do not bump the catalog version (see `catalog.version`): that row is locked until commit,
and a checkout reserving several lines while holding it would deadlock against another checkout.
A search index's `in_stock` is therefore as fresh as the last catalog change; product cards and
carts read live stock, as they must anyway, since stock moves between a search and a tap.
Callers reserving several variants in one transaction should do so in ascending variant id, so
two checkouts always take row locks in the same order.
"""

from __future__ import annotations

from sqlalchemy import or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from catalog.models import InventoryPolicy, Variant


def _check(quantity: int) -> None:
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise ValueError(f"quantity must be a positive integer, got {quantity!r}")


async def reserve_stock(session: AsyncSession, variant_id: int, quantity: int) -> bool:
    """Takes `quantity` units if they are there (or the variant may be oversold).

    False when there is not enough stock or no such variant; the stock is then unchanged.
    """
    _check(quantity)
    statement = (
        update(Variant)
        .where(
            Variant.id == variant_id,
            or_(
                Variant.stock >= quantity,
                Variant.inventory_policy == InventoryPolicy.CONTINUE.value,
            ),
        )
        .values(stock=Variant.stock - quantity)
        .returning(Variant.id)
        .execution_options(synchronize_session="fetch")
    )
    return (await session.execute(statement)).first() is not None


async def release_stock(session: AsyncSession, variant_id: int, quantity: int) -> bool:
    """Gives back units reserved earlier (a cancelled or expired order); False if no variant."""
    _check(quantity)
    statement = (
        update(Variant)
        .where(Variant.id == variant_id)
        .values(stock=Variant.stock + quantity)
        .returning(Variant.id)
        .execution_options(synchronize_session="fetch")
    )
    return (await session.execute(statement)).first() is not None
