"""Everything `orders/` reads from or does to the catalog, in one module.

The cart and checkout see a variant as an `Offer` (price, stock, titles, merchant) and change
stock only through the catalog's own conditional updates (`reserve_stock` / `release_stock`),
never by reading a number and writing it back. If the catalog's schema moves, this module is
the one place to follow it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from catalog import stock as catalog_stock
from catalog.localised import options_in
from catalog.models import InventoryPolicy, Merchant, Product, ProductStatus, Variant
from money.conversion import ConversionPolicy


@dataclass(frozen=True, slots=True)
class Offer:
    """A variant as a buyer can order it right now."""

    variant_id: int
    product_id: int
    merchant_id: int
    merchant_name: str
    currency: str  # the merchant's
    price_minor: int
    stock: int
    unlimited: bool  # inventory policy "continue": sells past zero
    active: bool  # still on sale (product and variant not withdrawn)
    title: str  # in the buyer's language when the catalog has it
    sku: str | None
    options: dict[str, str] = field(default_factory=dict)
    policy: ConversionPolicy = field(default_factory=ConversionPolicy)
    grams: int = 0  # shipping weight of one unit (0: the catalog does not say)

    @property
    def option_values(self) -> tuple[str, ...]:
        return tuple(self.options.values())

    def available(self, quantity: int) -> bool:
        return self.active and (self.unlimited or self.stock >= quantity)


async def load_offers(
    session: AsyncSession, variant_ids: Iterable[int], *, language: str
) -> dict[int, Offer]:
    """The offers for `variant_ids` that exist (missing ids are simply absent)."""
    ids = sorted(set(variant_ids))
    if not ids:
        return {}
    rows = await session.execute(
        select(Variant, Product, Merchant)
        .join(Product, Variant.product_id == Product.id)
        .join(Merchant, Product.merchant_id == Merchant.id)
        .where(Variant.id.in_(ids))
        .options(selectinload(Product.translations))
    )
    return {
        variant.id: _offer(variant, product, merchant, language)
        for variant, product, merchant in rows
    }


def _offer(variant: Variant, product: Product, merchant: Merchant, language: str) -> Offer:
    return Offer(
        variant_id=variant.id,
        product_id=product.id,
        merchant_id=merchant.id,
        merchant_name=merchant.name,
        currency=merchant.currency,
        price_minor=variant.price_minor,
        stock=variant.stock,
        unlimited=variant.inventory_policy == InventoryPolicy.CONTINUE.value,
        active=product.status == ProductStatus.ACTIVE.value and variant.price_minor > 0,
        title=_title(product, language),
        sku=variant.sku or None,
        options=options_in(product, variant, language),  # the buyer's words where translated
        policy=_policy(merchant),
        grams=variant.grams or 0,
    )


def _policy(merchant: Merchant) -> ConversionPolicy:
    """The merchant's conversion policy (margin, price ending, charge currency).

    From `merchants.models.MerchantSettings` (`Merchant.settings`, loaded with the merchant);
    a merchant without a settings row converts at the mid rate and charges the buyer's currency.
    """
    settings = getattr(merchant, "settings", None)
    return settings.conversion_policy() if settings is not None else ConversionPolicy()


def _title(product: Product, language: str) -> str:
    """The product's title in the buyer's language, else in the merchant's own."""
    base = language.replace("-", "_").split("_")[0].lower()
    for translation in product.translations:
        if (
            translation.language.replace("-", "_").split("_")[0].lower() == base
            and translation.title
        ):
            return translation.title
    return product.title


async def merchant_names(session: AsyncSession, merchant_ids: Iterable[int]) -> dict[int, str]:
    ids = sorted(set(merchant_ids))
    if not ids:
        return {}
    rows = await session.execute(select(Merchant.id, Merchant.name).where(Merchant.id.in_(ids)))
    return {merchant_id: name for merchant_id, name in rows}


async def reserve(session: AsyncSession, *, variant_id: int, quantity: int) -> bool:
    """Takes `quantity` units off the shelf, or returns False and takes none."""
    return await catalog_stock.reserve_stock(session, variant_id, quantity)


async def release(session: AsyncSession, *, variant_id: int, quantity: int) -> None:
    """Puts `quantity` reserved units back on the shelf."""
    await catalog_stock.release_stock(session, variant_id, quantity)
