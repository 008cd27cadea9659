"""A product photo kept under an id Telegram does not know (another bot's, or a demo's earlier
stand-in) is uploaded again: the card shows, and the new id is kept."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from catalog.models import Product, ProductImage
from tests.e2e.conftest import Shop

pytestmark = pytest.mark.slow

FOREIGN_ID = "AgACAgIAAxkBAAIBvGWn-not-this-bots-file"


async def test_a_card_whose_kept_photo_id_is_unknown_uploads_the_photo_again(shop: Shop) -> None:
    async with shop.services.sessions() as session, session.begin():
        mug = await session.scalar(select(Product.id).where(Product.title == "Enamel Camping Mug"))
        await session.execute(
            update(ProductImage)
            .where(ProductImage.product_id == mug)
            .values(telegram_file_id=FOREIGN_ID)
        )
    buyer = shop.buyer()
    [results] = await shop.say(buyer, "enamel camping mug")

    card = await shop.press(buyer, results, "1")

    assert card.photo is not None and "Enamel Camping Mug" in (card.text or "")
    sent = [m.text for m in buyer.chat.bot_messages if m.text]
    assert not any("went wrong" in text for text in sent), sent
    async with shop.services.sessions() as session:
        kept = await session.scalar(
            select(ProductImage.telegram_file_id).where(ProductImage.product_id == mug)
        )
    assert kept and kept != FOREIGN_ID  # the id Telegram gave the upload, for next time
