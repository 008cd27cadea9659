"""Products as entries of a result list: title in the buyer's language, price in their currency.

The price shown is the lowest of the variants on sale (all variants when none is), marked
`from_price` when the variants' prices differ, so "from $12.99" never promises a price that
does not exist.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from catalog.models import Product
from i18n.locales import catalog_language
from money import Money
from storefront.listings import Listing
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
    translations = ((t.language, t.title, t.description) for t in product.translations)
    return in_language(translations, language, product.title, product.description)


def in_language(
    translations: Iterable[tuple[str, str, str]], language: str, title: str, description: str
) -> tuple[str, str]:
    """(title, description) from the translation (language, title, description) in the buyer's
    language, each falling back to the merchant's own."""
    wanted = catalog_language(language).lower()
    for code, translated_title, translated_description in translations:
        if catalog_language(code).lower() == wanted:
            return translated_title or title, translated_description or description
    return title, description


def shorten(text: str, limit: int = SHORT_DESCRIPTION) -> str:
    """The first `limit` characters, cut at a word and marked with "…" when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] or text[: limit - 1]
    return cut.rstrip(" ,.;:") + "…"


def to_offer(listing: Listing, pricing: Pricing, language: str) -> Offer:
    """A product, as read for a list, priced for the buyer."""
    merchant = listing.merchant
    lowest = Money.from_minor(listing.lowest_minor, merchant.currency)
    shown = pricing.show(lowest, merchant_policy(merchant))
    title, description = in_language(
        listing.translations, language, listing.title, listing.description
    )
    return Offer(
        product_id=listing.product_id,
        merchant_id=merchant.id,
        merchant_name=merchant.name,
        title=title,
        price=shown.buyer,
        merchant_price=shown.merchant,
        approx=shown.approx,
        from_price=listing.prices > 1,
        in_stock=listing.in_stock,
        description=shorten(description),
        photo_url=listing.photo_url,
    )
