"""Shopify's translation export sent in the shop's group, end to end: staff read what it
translated, and a German buyer's cart shows the option names and values in German while the
shop's own words stay for its staff."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.database import transaction
from catalog.models import Merchant, Variant
from orders.cart import add_to_cart
from orders.customers import Customer
from tests.e2e.test_merchant import TIMEOUT, MerchantWorld, set_up

pytestmark = pytest.mark.slow

CATALOG = (
    b"Handle,Title,Option1 Name,Option1 Value,Variant SKU,Variant Price,Variant Inventory Qty\n"
    b"e2e-beanie,Wool beanie,Knit colour,Charcoal,E2E-BN-C,19,5\n"
    b"e2e-beanie,,,Mustard,E2E-BN-M,19,5\n"
)
TRANSLATIONS = (
    "Type,Identification,Field,Locale,Market,Status,Default content,Translated content\n"
    "PRODUCT,'8812345678901,handle,de,,,e2e-beanie,muetze\n"
    "PRODUCT,'8812345678901,title,de,,,Wool beanie,Wollmütze\n"
    "PRODUCT_OPTION,'1055,name,de,,,Knit colour,Strickfarbe\n"
    "PRODUCT_OPTION_VALUE,'2093,name,de,,,Charcoal,Anthrazit\n"
    "PRODUCT_OPTION_VALUE,'2094,name,de,,,Mustard,Senfgelb\n"
).encode()


async def test_staff_send_shopifys_translation_export_and_a_german_buyer_reads_german_options(
    world: MerchantWorld,
) -> None:
    await set_up(world)
    await world.mia.send_document("products_export.csv", CATALOG, "text/csv", chat=world.group)
    await world.group.wait_for(lambda m: "New products: 1" in (m.text or ""), TIMEOUT)
    await world.mia.send_document("translations_de.csv", TRANSLATIONS, "text/csv",
                                  chat=world.group)  # fmt: skip
    report = await world.group.wait_for(lambda m: "translations into de" in (m.text or ""), TIMEOUT)
    assert "1 products changed, 1 titles and descriptions, 1 option names, 2 option values" in (
        report.text or ""
    )

    async with transaction(world.sessions) as session:
        customer = await session.scalar(
            select(Customer.id).where(Customer.telegram_user_id == world.ana.id)
        )
        variant = await session.scalar(
            select(Variant.id)
            .join(Merchant, Merchant.id == Variant.merchant_id)
            .where(Merchant.slug == "demo-us", Variant.sku == "E2E-BN-M")
        )
        assert customer is not None and variant is not None
        await add_to_cart(session, customer_id=customer, variant_id=variant, quantity=1)
    await world.ana.send("/cart")
    cart = await world.ana.chat.wait_for(lambda m: "Wollmütze" in (m.text or ""), TIMEOUT)
    text = cart.text or ""
    assert "Wollmütze (Senfgelb)" in text and "Mustard" not in text  # the cart shows values
