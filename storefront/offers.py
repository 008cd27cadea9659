"""Products as entries of a result list: title in the buyer's language, price in their currency.

The price shown is the lowest of the variants on sale (all variants when none is), marked
`from_price` when the variants' prices differ, so "from $12.99" never promises a price that
does not exist.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from catalog.models import Merchant, Product, ProductStatus, Variant
from db import MAX_ROW_ID
from i18n.locales import catalog_language
from money import Money
from storefront.pricing import Pricing, merchant_policy

SHORT_DESCRIPTION = 160  # characters of description an entry carries (inline results, cards)


@dataclass(frozen=True, slots=True)
class Offer:
    product_id: int
    merchant_id: int
    merchant_name: str
    title: str
    price: Money  # what the buyer is shown, in the shown currency
    merchant_price: Money  # the same price in the merchant's currency
    approx: bool  # converted at stale rates
    from_price: bool  # the variants' prices differ: this is the lowest
    in_stock: bool
    description: str = ""
    photo_url: str | None = None  # only http(s) photos: what inline results can show


def localised(product: Product, language: str) -> tuple[str, str]:
    """(title, description) in the buyer's language when the catalog has them, else the
    merchant's own."""
    wanted = catalog_language(language).lower()
    title, description = product.title, product.description
    for translation in product.translations:
        if catalog_language(translation.language).lower() == wanted:
            title = translation.title or title
            description = translation.description or description
            break
    return title, description


def shorten(text: str, limit: int = SHORT_DESCRIPTION) -> str:
    """The first `limit` characters, cut at a word and marked with "…" when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] or text[: limit - 1]
    return cut.rstrip(" ,.;:") + "…"


def to_offer(product: Product, merchant: Merchant, pricing: Pricing, language: str) -> Offer:
    """A product (translations, variants and images loaded) as a priced list entry."""
    variants = [variant for variant in product.variants if variant.priced]
    for_sale = [variant for variant in variants if variant.available] or variants
    prices = {variant.price_minor for variant in for_sale}
    lowest = Money.from_minor(min(prices, default=0), merchant.currency)
    shown = pricing.show(lowest, merchant_policy(merchant))
    title, description = localised(product, language)
    photo = next((image.url for image in product.images if _is_url(image.url)), None)
    return Offer(
        product_id=product.id,
        merchant_id=merchant.id,
        merchant_name=merchant.name,
        title=title,
        price=shown.buyer,
        merchant_price=shown.merchant,
        approx=shown.approx,
        from_price=len(prices) > 1,
        in_stock=any(variant.available for variant in variants),
        description=shorten(description),
        photo_url=photo,
    )


def _is_url(address: str) -> bool:
    return address.startswith(("https://", "http://"))


def product_rows_query() -> Select[Product, Merchant]:
    """Products with their merchant and everything an offer reads, eagerly loaded."""
    return (
        select(Product, Merchant)
        .join(Merchant, Product.merchant_id == Merchant.id)
        .where(Product.status == ProductStatus.ACTIVE.value)
        .where(  # a product priced 0 everywhere is hidden until the shop prices it
            select(Variant.id)
            .where(Variant.product_id == Product.id, Variant.price_minor > 0)
            .exists()
        )
        .options(
            selectinload(Product.translations),
            selectinload(Product.variants),
            selectinload(Product.images),
        )
    )


async def load_offers(
    session: AsyncSession, product_ids: Sequence[int], *, pricing: Pricing, language: str
) -> list[Offer]:
    """Offers for the active products among `product_ids`, in that order (others left out)."""
    ids = [pid for pid in dict.fromkeys(product_ids) if 0 < pid <= MAX_ROW_ID]
    if not ids:
        return []
    rows = await session.execute(product_rows_query().where(Product.id.in_(ids)))
    found = {product.id: (product, merchant) for product, merchant in rows}
    return [to_offer(*found[pid], pricing, language) for pid in ids if pid in found]


def offers_of(
    rows: Iterable[tuple[Product, Merchant]], pricing: Pricing, language: str
) -> list[Offer]:
    return [to_offer(product, merchant, pricing, language) for product, merchant in rows]
