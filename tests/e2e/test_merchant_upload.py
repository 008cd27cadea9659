"""A catalog file sent in the shop's group, end to end through the Bot API stand-in: staff
import it and read a report; strangers, other groups and oversized files are refused before
anything is downloaded; a file with errors imports nothing until sent with the caption `skip`.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.database import transaction
from catalog.importing import ImportLimits
from catalog.models import Merchant, Product
from merchants import upload
from tests.e2e.test_merchant import TIMEOUT, MerchantWorld, set_up

pytestmark = pytest.mark.slow

GOOD = (
    b"handle,title,price,sku,stock\n"
    b"e2e-kettle,Electric kettle,39.90,E2E-KT-1,5\n"
    b"e2e-saucer,Saucer,4.00,E2E-SC-1,12\n"
)
WITH_ERRORS = (
    b"handle,title,price,sku\n"
    b"e2e-kettle,Electric kettle,39.90,E2E-KT-1\n"
    b"e2e-toaster,Toaster,cheap,E2E-TO-1\n"
)


async def demo_us_handles(world: MerchantWorld) -> set[str]:
    async with transaction(world.sessions) as session:
        merchant = await session.scalar(select(Merchant.id).where(Merchant.slug == "demo-us"))
        found = await session.scalars(select(Product.handle).where(Product.merchant_id == merchant))
        return set(found)


async def test_staff_upload_a_catalog_and_read_the_report(world: MerchantWorld) -> None:
    await set_up(world)
    await world.mia.send_document("catalog.csv", GOOD, "text/csv", chat=world.group)
    reply = await world.group.wait_for(lambda m: "imported" in (m.text or ""), TIMEOUT)
    assert "New products: 2" in (reply.text or "")
    assert {"e2e-kettle", "e2e-saucer"} <= await demo_us_handles(world)


async def test_a_file_with_errors_imports_nothing_until_sent_with_skip(
    world: MerchantWorld,
) -> None:
    await set_up(world)
    await world.mia.send_document("catalog.csv", WITH_ERRORS, "text/csv", chat=world.group)
    refused = await world.group.wait_for(lambda m: "Nothing was imported" in (m.text or ""),
                                         TIMEOUT)  # fmt: skip
    assert "line 3, price" in (refused.text or "") and "skip" in (refused.text or "")
    assert "e2e-kettle" not in await demo_us_handles(world)

    await world.mia.send_document(
        "catalog.csv", WITH_ERRORS, "text/csv", caption="skip bad rows", chat=world.group
    )
    done = await world.group.wait_for(lambda m: "imported." in (m.text or ""), TIMEOUT)
    assert "New products: 1" in (done.text or "") and "1 products (1 rows)" in (done.text or "")
    handles = await demo_us_handles(world)
    assert "e2e-kettle" in handles and "e2e-toaster" not in handles


async def test_a_binary_file_is_refused_whole(world: MerchantWorld) -> None:
    await set_up(world)
    before = await demo_us_handles(world)
    junk = b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 8
    await world.mia.send_document("catalog.csv", junk, "text/csv", chat=world.group)
    reply = await world.group.wait_for(lambda m: "can't read" in (m.text or ""), TIMEOUT)
    assert "binary" in (reply.text or "")
    assert await demo_us_handles(world) == before


async def test_strangers_and_other_groups_are_refused_without_a_download(
    world: MerchantWorld,
) -> None:
    await set_up(world)
    sent = await world.bob.send_document("catalog.csv", GOOD, "text/csv", chat=world.group)
    await world.group.wait_for(lambda m: "Only the shop's staff" in (m.text or ""), TIMEOUT)

    elsewhere = world.standin.group(
        "Book club", members={world.mia: "administrator"}, bot_status="administrator"
    )
    other = await world.mia.send_document("catalog.csv", GOOD, "text/csv", chat=elsewhere)
    await elsewhere.wait_for(lambda m: "not connected to a shop" in (m.text or ""), TIMEOUT)

    for message in (sent, other):
        assert message.document is not None and message.document.file_path is None  # no getFile
    assert "e2e-kettle" not in await demo_us_handles(world)


async def test_an_oversized_file_is_refused_before_it_is_downloaded(
    world: MerchantWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    await set_up(world)
    monkeypatch.setattr(upload, "CHAT_LIMITS", ImportLimits(max_bytes=len(GOOD) - 1))
    sent = await world.mia.send_document("catalog.csv", GOOD, "text/csv", chat=world.group)
    await world.group.wait_for(lambda m: "too large" in (m.text or ""), TIMEOUT)
    assert sent.document is not None and sent.document.file_path is None
    assert "e2e-kettle" not in await demo_us_handles(world)
