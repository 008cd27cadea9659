"""The product card: what a buyer needs to choose a variant and put it in the cart.

Option buttons carry the chosen values as indexes into each option's list of values
("0-_-1": first colour, no size yet, second material), so a card is rebuilt from the database
on every press and any worker can answer it. Only values that still lead to a variant on sale,
given the other choices, are offered: the buyer never picks a combination that cannot be bought.

A card opened from a result list starts on the colour, size and quantity the search asked for
("2 red mugs", "running shoes 42") and leads back to that list (`back`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import Select, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from catalog.localised import option_names_in, option_value_in
from catalog.models import InventoryPolicy, Merchant, Product, ProductImage, Variant
from catalog.search.lexicon import colour_of, size_of
from catalog.search.text import fold
from db import MAX_ROW_ID
from money import Money
from money.conversion import ConversionPolicy
from orders.cart import MAX_QUANTITY
from orders.customers import Buyer
from orders.errors import ProductUnavailable
from storefront import memory
from storefront.errors import StaleButton
from storefront.listings import on_sale
from storefront.offers import localised
from storefront.pricing import ShownPrice, buyer_pricing, merchant_policy

NO_CHOICE = "_"
LOW_STOCK = 5  # "only 3 left" from here down


class StockStatus(StrEnum):
    IN_STOCK = "in_stock"
    LOW = "low"  # `stock` units left
    SOLD_OUT = "sold_out"
    MADE_TO_ORDER = "made_to_order"  # none on the shelf, sold anyway


@dataclass(frozen=True, slots=True)
class OptionValue:
    index: int
    label: str
    selected: bool


@dataclass(frozen=True, slots=True)
class OptionChoice:
    name: str
    values: tuple[OptionValue, ...]  # only those that lead to a variant on sale (and the chosen)

    @property
    def chosen(self) -> OptionValue | None:
        return next((value for value in self.values if value.selected), None)


@dataclass(frozen=True, slots=True)
class CardPhoto:
    image_id: int
    url: str | None  # an http(s) address
    path: str | None  # relative to the media folder
    file_id: str | None  # the channel's id once it has been sent


@dataclass(frozen=True, slots=True)
class ProductCard:
    product_id: int
    title: str
    description: str
    brand: str
    merchant_name: str
    photo: CardPhoto | None
    options: tuple[OptionChoice, ...]
    selection: tuple[int | None, ...]
    variant_id: int | None  # the chosen variant, once every option is chosen
    price: ShownPrice  # the chosen variant's, else the lowest that fits the choices
    from_price: bool
    stock: StockStatus
    stock_left: int
    quantity: int
    max_quantity: int
    back: tuple[str, int] | None = None  # the result list it was opened from: key, page

    @property
    def can_add(self) -> bool:
        return self.variant_id is not None and self.stock != StockStatus.SOLD_OUT

    def token(self, selection: tuple[int | None, ...] | None = None) -> str:
        """The option indexes as an `opt` button carries them."""
        return selection_token(self.selection if selection is None else selection)

    def choosing(self, option: int, value: int) -> str:
        """The token after choosing `value` of option `option` (pressing it again un-chooses)."""
        chosen = list(self.selection)
        chosen[option] = None if chosen[option] == value else value
        return selection_token(tuple(chosen))


def selection_token(selection: tuple[int | None, ...]) -> str:
    if not selection:
        return NO_CHOICE
    return "-".join(NO_CHOICE if index is None else str(index) for index in selection)


def parse_selection(token: str | None, options: int) -> tuple[int | None, ...]:
    """`"0-_-1"` → (0, None, 1); None or "_" with no options → nothing chosen."""
    if token is None:
        return (None,) * options
    if options == 0:
        if token != NO_CHOICE:
            raise StaleButton(token)
        return ()
    parts = token.split("-")
    if len(parts) != options:
        raise StaleButton(token)
    chosen: list[int | None] = []
    for part in parts:
        if part == NO_CHOICE:
            chosen.append(None)
        elif part.isascii() and part.isdigit() and len(part) <= 3:
            chosen.append(int(part))
        else:
            raise StaleButton(token)
    return tuple(chosen)


def _card_query() -> Select[Product, Merchant]:
    """An active product with its merchant and all a card shows, in two statements: the
    product, merchant, translations and photos joined (a few dozen rows), the variants after."""
    return (
        select(Product, Merchant)
        .join(Merchant, Product.merchant_id == Merchant.id)
        .where(on_sale())
        .options(
            joinedload(Product.translations),
            joinedload(Product.images),
            selectinload(Product.variants),
        )
    )


async def load_product_card(
    session: AsyncSession,
    *,
    product_id: int,
    buyer: Buyer,
    max_rate_age: timedelta,
    selection: str | None = None,
    quantity: int = 1,
    now: datetime | None = None,
) -> ProductCard:
    """The card of an active product; `ProductUnavailable` if it is gone or withdrawn,
    `StaleButton` if `selection` does not fit its options."""
    if not 0 < product_id <= MAX_ROW_ID:
        raise ProductUnavailable()
    row = (await session.execute(_card_query().where(Product.id == product_id))).unique().first()
    if row is None or not row[0].variants:
        raise ProductUnavailable()
    product, merchant = row
    pricing = await buyer_pricing(
        session, currency=buyer.currency, max_rate_age=max_rate_age, now=now
    )
    last = await memory.last_results(session, customer_id=buyer.customer_id)
    if selection is None and last is not None:  # opened from the list: what it asked for
        selection = preselect(product, last.colours, last.sizes)
        quantity = last.quantity if quantity == 1 else quantity
    card = _card(product, merchant, selection, quantity, buyer.locale, pricing.show)
    if last is None:
        return card
    return replace(card, back=(last.key, last.page))


def preselect(product: Product, colours: tuple[str, ...], sizes: tuple[str, ...]) -> str | None:
    """The option token with the asked colour and size chosen where the product has them, or
    None when it has neither."""
    if not (colours or sizes) or not product.option_names:
        return None
    chosen: list[int | None] = []
    for k in range(len(product.option_names)):
        values = list(dict.fromkeys(v.option_values[k] for v in product.variants))
        chosen.append(
            next(
                (
                    i
                    for i, value in enumerate(values)
                    if colour_of(fold(value)) in colours
                    or size_of(fold(value), after_size_word=True) in sizes
                ),
                None,
            )
        )
    return None if all(i is None for i in chosen) else selection_token(tuple(chosen))


def _card(
    product: Product,
    merchant: Merchant,
    selection: str | None,
    quantity: int,
    language: str,
    show: Callable[[Money, ConversionPolicy], ShownPrice],
) -> ProductCard:
    variants: list[Variant] = [v for v in product.variants if v.priced]  # 0: not yet priced
    names = product.option_names
    values = [list(dict.fromkeys(v.option_values[k] for v in variants)) for k in range(len(names))]
    chosen = list(parse_selection(selection, len(names)))
    for k, index in enumerate(chosen):
        if index is not None and index >= len(values[k]):
            raise StaleButton(selection)
        if len(values[k]) == 1:  # nothing to choose
            chosen[k] = 0
    labels = [None if i is None else values[k][i] for k, i in enumerate(chosen)]

    def fits(variant: Variant, skip: int | None = None) -> bool:
        return all(
            label is None or k == skip or variant.option_values[k] == label
            for k, label in enumerate(labels)
        )

    shown_names = option_names_in(product, language)  # the buyer's words; choices by index
    options = tuple(
        OptionChoice(
            shown_names[k],
            tuple(
                OptionValue(i, option_value_in(product, k + 1, label, language), chosen[k] == i)
                for i, label in enumerate(values[k])
                if chosen[k] == i
                or any(v.available and v.option_values[k] == label and fits(v, k) for v in variants)
            ),
        )
        for k in range(len(names))
    )
    matching = [v for v in variants if fits(v)]
    variant = matching[0] if matching and None not in labels else None
    if len(variants) == 1:
        variant = variants[0]
    candidates = [variant] if variant else [v for v in matching if v.available] or matching
    prices = {v.price_minor for v in candidates} or {v.price_minor for v in variants}
    price = show(Money.from_minor(min(prices), merchant.currency), merchant_policy(merchant))
    status, left = _stock(variant, variants)
    limit = MAX_QUANTITY
    if variant is not None and variant.inventory_policy != InventoryPolicy.CONTINUE.value:
        limit = max(1, min(MAX_QUANTITY, variant.stock))
    title, description = localised(product, language)
    return ProductCard(
        product_id=product.id,
        title=title,
        description=description,
        brand=product.brand,
        merchant_name=merchant.name,
        photo=_photo(product.images),
        options=options,
        selection=tuple(chosen),
        variant_id=variant.id if variant else None,
        price=price,
        from_price=len(prices) > 1,
        stock=status,
        stock_left=left,
        quantity=max(1, min(quantity, limit)),
        max_quantity=limit,
    )


def _stock(variant: Variant | None, variants: list[Variant]) -> tuple[StockStatus, int]:
    if variant is None:
        on_sale = any(v.available for v in variants)
        return (StockStatus.IN_STOCK if on_sale else StockStatus.SOLD_OUT), 0
    if variant.stock <= 0:
        if variant.inventory_policy == InventoryPolicy.CONTINUE.value:
            return StockStatus.MADE_TO_ORDER, 0
        return StockStatus.SOLD_OUT, 0
    if variant.stock <= LOW_STOCK and variant.inventory_policy != InventoryPolicy.CONTINUE.value:
        return StockStatus.LOW, variant.stock
    return StockStatus.IN_STOCK, variant.stock


def _photo(images: list[ProductImage]) -> CardPhoto | None:
    if not images:
        return None
    image = images[0]
    is_url = image.url.startswith(("https://", "http://"))
    return CardPhoto(
        image_id=image.id,
        url=image.url if is_url else None,
        path=None if is_url else image.url,
        file_id=image.telegram_file_id,
    )


async def remember_photo_file_id(session: AsyncSession, *, image_id: int, file_id: str) -> None:
    """Keeps the channel's id of a photo once sent, so it is uploaded only once."""
    await session.execute(
        update(ProductImage)
        .where(ProductImage.id == image_id)
        .values(telegram_file_id=file_id[:255])
    )
