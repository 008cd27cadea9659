"""End to end, a Chinese shop's group: the notice in Chinese with SKUs and a tappable buyer, staff
ship with a spaced tracking number, the buyer gets a tracking link in German, and staff correct it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from sqlalchemy import select

from bot.database import transaction
from bot.standin.driver import Message
from catalog.models import Merchant, Variant
from i18n import translator
from orders.customers import identify_buyer
from orders.models import Order, OrderLine
from tests.catalog.importing.test_real_exports import export
from tests.e2e.conftest import ANNA_IN_BERLIN, MerchantWorld, store_paid
from tests.e2e.test_merchant import claim

pytestmark = pytest.mark.slow
TIMEOUT = 20
USPS = "https://tools.usps.com/go/TrackConfirmAction?tLabels="
_numbers = itertools.count(1)
zh = translator("zh_Hans").gettext


async def paid_chinese_order(world: MerchantWorld) -> str:
    """Ana (German) paid Lotus Bazaar for black headphones; the line keeps her German title."""
    number = f"C{next(_numbers):03d}-OPS"
    async with transaction(world.sessions) as session:
        buyer = await identify_buyer(
            session, telegram_user_id=world.ana.id, locale="de", currency="EUR"
        )
        merchant = await session.scalar(select(Merchant).where(Merchant.slug == "demo-cn"))
        variant = await session.scalar(select(Variant).where(Variant.sku == "CN-HA01-BLACK"))
        assert merchant is not None and variant is not None
        order = Order(
            number=number, checkout_token=number, customer_id=buyer.customer_id,
            merchant_id=merchant.id, currency="CNY", subtotal_minor=89900, shipping_minor=9900,
            total_minor=99800, buyer_currency="EUR", buyer_total_minor=12900, fx_rate="0.129",
            fx_margin_percent="0", charge_currency="EUR", charge_total_minor=12900,
            delivery=ANNA_IN_BERLIN.to_dict(),
            lines=[OrderLine(variant_id=variant.id, title="Kabellose Kopfhörer mit ANC",
                             sku="CN-HA01-BLACK", options={"Colour": "Black"}, quantity=1,
                             unit_price_minor=89900, line_total_minor=89900,
                             buyer_unit_price_minor=11600)],
        )  # fmt: skip
        await store_paid(session, order)
    world.sender.sender.wake()
    return number


def about(number: str, *words: str) -> Callable[[Message], bool]:
    return lambda m: number in (m.text or "") and all(w in (m.text or "") for w in words)


def labels(message: Message) -> list[list[str]]:
    return [[label for label, _ in row] for row in message.buttons]


async def test_a_chinese_shop_ships_with_a_spaced_number_and_the_buyer_can_track(
    world: MerchantWorld,
) -> None:
    await world.ana.send("/start")  # Telegram tells the bot her name here
    await world.ana.chat.wait_for(timeout=TIMEOUT)
    await claim(world, "demo-cn", answer="Lotus Bazaar")
    number = await paid_chinese_order(world)

    notice = await world.group.wait_for(about(number), timeout=TIMEOUT)
    text = notice.text or ""
    # the shop's words, not Ana's: the title and the colour in Chinese, as its staff read them
    assert "1 × 无线降噪耳机 (黑色) · SKU CN-HA01-BLACK" in text
    assert "Kabellose" not in text and zh("paid") in text
    assert "德语" in text and "10115 BERLIN" in text  # German, said in Chinese
    mention = [e for e in notice.entities if e["type"] == "text_mention"]
    assert [e["user"]["id"] for e in mention] == [world.ana.id]
    assert text[mention[0]["offset"] : mention[0]["offset"] + mention[0]["length"]] == "Ana"

    await world.mia.press(notice, zh("✅ Accept"), timeout=TIMEOUT)
    await world.group.wait_for(lambda m: m == notice and [zh("🚚 Ship")] in labels(m), TIMEOUT)
    await world.mia.press(notice, zh("🚚 Ship"), timeout=TIMEOUT)
    await world.group.wait_for(about(number, "USPS"), TIMEOUT)  # the question, with an example
    await world.mia.send("USPS 9400 1118 9922 3197 4284 90", world.group)

    told = await world.ana.chat.wait_for(about(number, "9400111899223197428490"), TIMEOUT)
    [[(label, url)]] = told.buttons
    assert url == USPS + "9400111899223197428490"
    assert label == translator("de").gettext("📦 Track the parcel")
    assert [e["url"] for e in told.entities if e["type"] == "text_link"] == [url]
    shipped = await world.group.wait_for(
        lambda m: m == notice and "9400111899223197428490" in (m.text or ""), TIMEOUT
    )
    assert labels(shipped) == [[zh("📦 Delivered")], [zh("✏️ Correct tracking")]]

    await world.mia.press(notice, zh("✏️ Correct tracking"), timeout=TIMEOUT)
    await world.standin.settle()
    await world.mia.send("UPS 1Z 5R8 939 03 5756 7127", world.group)
    corrected = await world.ana.chat.wait_for(about(number, "1Z5R89390357567127"), TIMEOUT)
    [[(_, url)]] = corrected.buttons
    assert url is not None and url.endswith("trackNums=1Z5R89390357567127")
    await world.group.wait_for(
        lambda m: m == notice and "1Z5R89390357567127" in (m.text or ""), TIMEOUT
    )


async def test_a_real_shopify_export_sent_in_the_group_imports_with_warnings(
    world: MerchantWorld,
) -> None:
    """Las Lira's export: zero prices, products that need no shipping, repeated SKUs."""
    data = export("juliettegramatges__Las-Lira__products_export_1.csv")
    await claim(world, "demo-us")
    await world.mia.send_document("products_export_1.csv", data, "text/csv", chat=world.group)
    reply = await world.group.wait_for(lambda m: "imported" in (m.text or ""), TIMEOUT)
    text = reply.text or ""
    assert "Nothing was imported" not in text
    assert "New products: 141" in text and "left out: 2" in text
    assert "The price is 0" in text  # warned at its line
