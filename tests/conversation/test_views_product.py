"""The product card as a pure function: caption-sized, option buttons that decode, a stepper."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from conversation import callbacks
from conversation.reply import Reply
from conversation.views.product import added_to_cart, card_photo, product_card
from i18n import translator
from money import Money
from money.formatting import format_money
from storefront.cart import Added
from storefront.pricing import ShownPrice
from storefront.product_card import (
    CardPhoto,
    OptionChoice,
    OptionValue,
    ProductCard,
    StockStatus,
)


def card(**fields: Any) -> ProductCard:
    default = ProductCard(
        product_id=42, title="T-shirt <cotton>", description="Soft & light. " * 200,
        brand="Acme", merchant_name="Wear & Co",
        photo=CardPhoto(1, None, "shirts/red.jpg", None),
        options=(
            OptionChoice("Colour", (OptionValue(0, "Red", True), OptionValue(1, "Blue", False))),
            OptionChoice("Size", (OptionValue(0, "S", False), OptionValue(2, "XL", False))),
        ),
        selection=(0, None), variant_id=None,
        price=ShownPrice(Money.of("22.73", "EUR"), Money.of("25.00", "USD"), approx=False),
        from_price=True, stock=StockStatus.IN_STOCK, stock_left=0, quantity=1,
        max_quantity=99,
    )  # fmt: skip
    return dataclasses.replace(default, **fields)


def pressed(reply: Reply) -> list[callbacks.Callback]:
    return [callbacks.decode(b.action) for row in reply.buttons for b in row if b.action]


@pytest.mark.parametrize("locale", ["en", "ar", "zh_Hans"])
def test_card_fits_a_caption_and_shows_both_prices(locale: str, tmp_path: Path) -> None:
    t = translator(locale)
    reply = product_card(t, card(), media_dir=tmp_path)
    assert len(reply.text) <= 1024 and "&lt;cotton&gt;" in reply.text
    assert format_money(Money.of("22.73", "EUR"), t.locale) in reply.text
    assert format_money(Money.of("25.00", "USD"), t.locale) in reply.text
    assert reply.photo is not None and reply.photo.path == tmp_path / "shirts" / "red.jpg"
    options = [p for p in pressed(reply) if p.action == "opt"]
    assert [p.str(1) for p in options] == ["_-_", "1-_", "0-0", "0-2"]  # Red again un-chooses
    assert not [p for p in pressed(reply) if p.action == "add"]  # no size yet: nothing to add


def test_a_chosen_variant_gets_a_stepper_and_add_to_cart() -> None:
    t = translator("en")
    usd = Money.of("25.00", "USD")
    chosen = card(
        selection=(0, 2), variant_id=9, from_price=False, stock=StockStatus.LOW, stock_left=3,
        quantity=3, max_quantity=3, price=ShownPrice(usd, usd, False),
    )  # fmt: skip
    reply = product_card(t, chosen, edit=True)
    assert reply.edit and reply.photo is None  # an edit keeps the photo already shown
    assert "Only 3 left" in reply.text and reply.text.count("$") == 1
    steps = [p for p in pressed(reply) if p.action == "opt" and p.str(1) == "0-2"]
    assert [p.int(2) for p in steps] == [2, 3]  # "−" and the count; no "+" at the maximum
    assert ("add", 9, 3) in [(p.action, *p.args) for p in pressed(reply)]


def test_sold_out_and_photo_paths_that_leave_the_folder(tmp_path: Path) -> None:
    reply = product_card(translator("en"), card(stock=StockStatus.SOLD_OUT))
    assert "Sold out" in reply.text
    assert card_photo(CardPhoto(1, None, "../secret.jpg", None), tmp_path) is None
    assert card_photo(CardPhoto(1, None, "/etc/passwd", None), tmp_path) is None
    kept = card_photo(CardPhoto(1, "https://x.test/a.jpg", None, "F1"), tmp_path)
    assert kept is not None and kept.channel_file_id == "F1"


def test_added_to_cart_offers_cart_and_checkout() -> None:
    reply = added_to_cart(translator("ar"), Added("كوب <أحمر>", {"Colour": "Red"}, 2, 3))
    assert "&lt;أحمر&gt;" in reply.text and reply.notice
    assert [p.action for p in pressed(reply)] == ["cart", "co"]


def test_a_card_opened_from_a_list_leads_back_to_that_page() -> None:
    t = translator("en")
    back = [p for p in pressed(product_card(t, card(back=("sAbc", 2)))) if p.action == "page"]
    assert [(p.str(0), p.int(1)) for p in back] == [("sAbc", 2)]
    assert not [p for p in pressed(product_card(t, card())) if p.action == "page"]
