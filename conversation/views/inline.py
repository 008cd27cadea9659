"""Inline mode: `@bot red mug` in any chat lists products priced in the sender's currency; the
posted card's button opens the product in the bot through a /start deep link."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from conversation.reply import Button, Reply
from conversation.views.search import clip, money_text, price_text
from db import MAX_ROW_ID
from i18n import Translator
from storefront.offers import Offer
from storefront.search import SearchOutcome

DEEP_LINK_PREFIX = "p"  # /start p<product id>


@dataclass(frozen=True, slots=True)
class InlineCard:
    """One inline result: what the list shows, and the message posted when it is chosen."""

    result_id: str
    title: str
    description: str
    thumbnail_url: str | None
    message: Reply


def deep_link(bot_username: str, product_id: int) -> str:
    return f"https://t.me/{bot_username}?start={DEEP_LINK_PREFIX}{product_id}"


def parse_deep_link(payload: str) -> int | None:
    """The product id of a `/start p42` payload; None for anything else."""
    digits = payload.removeprefix(DEEP_LINK_PREFIX)
    if payload.startswith(DEEP_LINK_PREFIX) and digits.isascii() and digits.isdigit():
        value = int(digits) if len(digits) <= 18 else 0
        return value if 0 < value <= MAX_ROW_ID else None
    return None


def inline_cards(t: Translator, outcome: SearchOutcome, *, bot_username: str) -> list[InlineCard]:
    return [_card(t, offer, bot_username) for offer in outcome.offers]


def _card(t: Translator, offer: Offer, bot_username: str) -> InlineCard:
    plain_price = money_text(t, offer.price, approx=offer.approx)
    lines = [f"<b>{escape(clip(offer.title, 200))}</b>", price_text(t, offer)]
    if offer.description:
        lines.append(escape(offer.description))
    if not offer.in_stock:
        lines.append(t.gettext("sold out"))
    button = Button(t.gettext("Open in the shop"), url=deep_link(bot_username, offer.product_id))
    description = " · ".join(
        part
        for part in (
            plain_price
            if not offer.from_price
            else t.gettext("from {price}").format(price=plain_price),
            clip(offer.merchant_name, 40),
            "" if offer.in_stock else t.gettext("sold out"),
        )
        if part
    )
    return InlineCard(
        result_id=str(offer.product_id),
        title=clip(offer.title, 100),
        description=description,
        thumbnail_url=offer.photo_url,
        message=Reply("\n".join(lines), buttons=((button,),)),
    )
