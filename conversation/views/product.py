"""The product card (photo, title, price in two currencies, stock, option and quantity buttons)
and the answer to "Add to cart"."""

from __future__ import annotations

from html import escape
from pathlib import Path, PurePosixPath

from conversation import callbacks
from conversation.reply import Button, Photo, Reply
from conversation.views.search import clip, money_text
from i18n import Translator
from storefront.cart import Added
from storefront.offers import shorten
from storefront.product_card import CardPhoto, ProductCard, StockStatus

CAPTION_LIMIT = 1024  # the card is always short enough to be a photo's caption
TITLE_LIMIT = 200
VALUES_PER_ROW = 4


def product_card(
    t: Translator, card: ProductCard, *, media_dir: Path | None = None, edit: bool = False
) -> Reply:
    """The card; `edit` replies (an option pressed) leave the photo as it is."""
    _ = t.gettext
    head = [f"<b>{escape(clip(card.title, TITLE_LIMIT))}</b>"]
    seller = escape(clip(card.merchant_name, 80))
    if card.brand:
        seller = f"{escape(clip(card.brand, 80))} · {seller}"
    head.append(f"<i>{seller}</i>")
    tail = [_price_line(t, card), _stock_line(t, card)]
    if card.price.approx:
        tail.append(_("≈ converted at older exchange rates; the price is confirmed at checkout."))
    missing = [option.name for option in card.options if option.chosen is None]
    if missing and card.stock != StockStatus.SOLD_OUT:
        tail.append(_("Choose: {options}").format(options=escape(", ".join(missing))))
    room = CAPTION_LIMIT - len("\n\n".join(["\n".join(head), "", "\n".join(tail)])) - 2
    description = escape(shorten(card.description, max(0, room))) if room > 20 else ""
    while len(description) > room:  # escaping made it longer: shorten the source further
        room -= 20
        description = escape(shorten(card.description, max(0, room))) if room > 20 else ""
    parts = ["\n".join(head), *([description] if description else []), "\n".join(tail)]
    return Reply(
        "\n\n".join(parts),
        buttons=_buttons(t, card),
        photo=None if edit else card_photo(card.photo, media_dir),
        edit=edit,
    )


def _price_line(t: Translator, card: ProductCard) -> str:
    price = card.price
    shown = money_text(t, price.buyer, approx=price.approx)
    if card.from_price:
        shown = t.gettext("from {price}").format(price=shown)
    line = f"<b>{shown}</b>"
    if price.converted:
        line += f" <i>({money_text(t, price.merchant)})</i>"
    return line


def _stock_line(t: Translator, card: ProductCard) -> str:
    _ = t.gettext
    if card.stock == StockStatus.SOLD_OUT:
        return "✖ " + _("Sold out")
    if card.stock == StockStatus.LOW:
        return "⚠ " + t.ngettext("Only {count} left", "Only {count} left", card.stock_left).format(
            count=card.stock_left
        )
    if card.stock == StockStatus.MADE_TO_ORDER:
        return "✓ " + _("Made to order")
    return "✓ " + _("In stock")


def _buttons(t: Translator, card: ProductCard) -> tuple[tuple[Button, ...], ...]:
    rows: list[tuple[Button, ...]] = []
    for k, option in enumerate(card.options):
        if len(option.values) <= 1 and option.chosen is not None and len(card.options) > 1:
            continue  # nothing to choose here
        buttons = [
            Button(
                ("✓ " if value.selected else "") + clip(value.label, 24),
                action=callbacks.encode(
                    "opt", card.product_id, card.choosing(k, value.index), card.quantity
                ),
            )
            for value in option.values
        ]
        rows += [
            tuple(buttons[i : i + VALUES_PER_ROW]) for i in range(0, len(buttons), VALUES_PER_ROW)
        ]
    if card.can_add:
        token = card.token()
        step = []
        if card.quantity > 1:
            step.append(
                Button(
                    "−", action=callbacks.encode("opt", card.product_id, token, card.quantity - 1)
                )
            )
        step.append(
            Button(
                str(card.quantity),
                action=callbacks.encode("opt", card.product_id, token, card.quantity),
            )
        )
        if card.quantity < card.max_quantity:
            step.append(
                Button(
                    "+", action=callbacks.encode("opt", card.product_id, token, card.quantity + 1)
                )
            )
        rows.append(tuple(step))
        assert card.variant_id is not None
        rows.append(
            (
                Button(
                    "🛒 " + t.gettext("Add to cart"),
                    action=callbacks.encode("add", card.variant_id, card.quantity),
                ),
            )
        )
    last = [Button(t.gettext("View cart"), action=callbacks.encode("cart"))]
    if card.back is not None:
        last.insert(
            0, Button("« " + t.gettext("Back to results"), callbacks.encode("page", *card.back))
        )
    rows.append(tuple(last))
    return tuple(rows)


def card_photo(photo: CardPhoto | None, media_dir: Path | None) -> Photo | None:
    """The channel's cached copy, else the URL, else the file under `media_dir`.

    A path that would leave the media folder (absolute, or with "..") is not sent.
    """
    if photo is None:
        return None
    if photo.file_id:
        return Photo(channel_file_id=photo.file_id)
    if photo.url:
        return Photo(url=photo.url)
    if photo.path and media_dir is not None:
        relative = PurePosixPath(photo.path)
        if not relative.is_absolute() and ".." not in relative.parts:
            return Photo(path=media_dir.joinpath(*relative.parts))
    return None


def added_to_cart(t: Translator, added: Added) -> Reply:
    _ = t.gettext
    title = escape(clip(added.title, TITLE_LIMIT))
    if added.options:
        title += " (" + escape(", ".join(added.options.values())) + ")"
    text = t.ngettext(
        "Added {count} × {title} to your cart.",
        "Added {count} × {title} to your cart.",
        added.added,
    ).format(count=added.added, title=title)
    if added.in_cart != added.added:
        text += "\n" + _("You now have {count} in your cart.").format(count=added.in_cart)
    buttons = (
        (
            Button("🛒 " + _("View cart"), action=callbacks.encode("cart")),
            Button(_("Checkout"), action=callbacks.encode("co")),
        ),
    )
    return Reply(text, buttons=buttons, notice=_("Added to cart"))
