"""The cart: lines grouped by merchant with totals in the buyer's currency, price changes
flagged, a stepper per line, "Empty" (asked first) and "Checkout"; and the cart's questions
and refusals."""

from __future__ import annotations

from html import escape

from conversation import callbacks
from conversation.reply import Button, Reply
from conversation.views import shipping as shipping_views
from conversation.views.search import clip, money_text
from i18n import Translator
from orders.cart import CartLineView, CartView
from orders.errors import ShopError
from storefront.cart import WordsOutcome

TEXT_LIMIT = 4096
LINES_WITH_BUTTONS = 12  # keeps the keyboard well inside Telegram's limits
TITLE_IN_BUTTON = 18
TITLE_IN_TEXT = 80


def line_label(line: CartLineView, limit: int = TITLE_IN_TEXT) -> str:
    label = clip(line.title, limit)
    if line.options:
        label += " (" + ", ".join(line.options.values()) + ")"
    return label


def cart_view(
    t: Translator, view: CartView, *, edit: bool = False, notice: str | None = None
) -> Reply:
    _ = t.gettext
    if view.is_empty:
        return Reply(
            _("Your cart is empty. Type what you are looking for to find something."),
            buttons=((Button(_("Browse categories"), action=callbacks.encode("cats")),),),
            edit=edit,
            notice=notice,
        )
    blocks = [f"🛒 <b>{_('Your cart')}</b>"]
    for merchant in view.merchants:
        lines = [f"<b>{escape(clip(merchant.merchant_name, TITLE_IN_TEXT))}</b>"]
        lines += [_line_text(t, line) for line in merchant.lines]
        lines.append(
            _("Subtotal: {amount}").format(
                amount=money_text(t, merchant.buyer_subtotal, approx=merchant.approx)
            )
        )
        lines += _delivery_lines(t, view, merchant.merchant_id, merchant.merchant_name)
        blocks.append("\n".join(lines))
    footer = [
        "<b>"
        + _("Total: {amount}").format(amount=money_text(t, view.buyer_total, approx=view.approx))
        + "</b>"
    ]
    footer += _delivery_footer(t, view)
    if view.price_changed:
        footer.append(_("⚠ Some prices changed since you added them."))
    if view.approx:
        footer.append(_("≈ converted at older exchange rates; the price is confirmed at checkout."))
    blocks.append("\n".join(footer))
    text = "\n\n".join(blocks)
    if len(text) > TEXT_LIMIT:  # a very full cart: the totals matter more than every line
        text = "\n\n".join(
            [blocks[0], _("Your cart has too many lines to show them all."), blocks[-1]]
        )
    return Reply(text, buttons=_buttons(t, view), edit=edit, notice=notice)


def _delivery_lines(t: Translator, view: CartView, merchant_id: int, name: str) -> list[str]:
    delivery = view.delivery
    shop = delivery.of(merchant_id) if delivery is not None else None
    if delivery is None or delivery.country is None or shop is None:
        return []
    return shipping_views.cart_delivery_line(t, name, delivery.country, shop)


def _delivery_footer(t: Translator, view: CartView) -> list[str]:
    _ = t.gettext
    delivery = view.delivery
    several = len(view.merchants) > 1
    if delivery is None:
        return (
            [_("Each shop's part becomes its own order; delivery is added at checkout.")]
            if several
            else []
        )
    if delivery.country is None:
        return [_("Choose your country to see the delivery cost and time.")]
    lines = [_("Each shop's part becomes its own order.")] if several else []
    if delivery.blocked:
        lines.append(
            "⚠️ " + _("Before checkout, remove what cannot be delivered, or choose another country.")
        )
    elif all(shop.cost is not None for shop in delivery.shops):
        total = view.buyer_total
        approx = view.approx
        for shop in delivery.shops:
            assert shop.cost is not None
            total += shop.cost
            approx = approx or shop.approx
        lines.append(
            _("With delivery: {amount}").format(amount=money_text(t, total, approx=approx))
        )
    return lines


def _line_text(t: Translator, line: CartLineView) -> str:
    _ = t.gettext
    total = money_text(t, line.buyer_line_total, approx=line.approx)
    text = f"• {escape(line_label(line))} × {line.quantity} — {total}"
    if not line.available:
        return f"<s>{text}</s> " + _("no longer available")
    if line.price_changed:
        text += "\n  " + _("price changed: was {old}, now {new}").format(
            old=money_text(t, line.added_price), new=money_text(t, line.unit_price)
        )
    if line.stock_short:
        text += "\n  " + _("not enough in stock for this quantity")
    return text


def _buttons(t: Translator, view: CartView) -> tuple[tuple[Button, ...], ...]:
    rows: list[tuple[Button, ...]] = []
    for line in view.lines[:LINES_WITH_BUTTONS]:
        if line.available:
            rows.append(
                (
                    Button("−", action=callbacks.encode("line", line.line_id, "dec")),
                    Button(
                        f"{clip(line.title, TITLE_IN_BUTTON)} × {line.quantity}",
                        action=callbacks.encode("prod", line.product_id),
                    ),
                    Button("+", action=callbacks.encode("line", line.line_id, "inc")),
                    Button("✕", action=callbacks.encode("line", line.line_id, "del")),
                )
            )
        else:
            rows.append(
                (
                    Button(
                        "✕ " + clip(line.title, TITLE_IN_BUTTON),
                        action=callbacks.encode("line", line.line_id, "del"),
                    ),
                )
            )
    if view.delivery is not None:
        rows.append((shipping_views.country_button(t, view.delivery.country),))
    last = [Button(t.gettext("Empty cart"), action=callbacks.encode("empty"))]
    # A shop that has set no delivery at all cannot take the order to any country: no Checkout
    # until its lines are removed (the cart says why). Another country may still help elsewhere.
    if view.delivery is None or all(shop.has_rules for shop in view.delivery.shops):
        last.append(Button(t.gettext("Checkout") + " »", action=callbacks.encode("co")))
    rows.append(tuple(last))
    return tuple(rows)


def confirm_empty(t: Translator) -> Reply:
    _ = t.gettext
    return Reply(
        _("Remove everything from your cart?"),
        buttons=(
            (
                Button(_("Yes, empty it"), action=callbacks.encode("emptyok")),
                Button(_("No, keep it"), action=callbacks.encode("cart")),
            ),
        ),
        edit=True,
    )


def words_outcome(t: Translator, outcome: WordsOutcome) -> Reply:
    """A plain-words edit: the question "which one?", or the cart as it is now."""
    if outcome.ambiguous is not None and outcome.candidates:
        buttons = tuple(
            (Button(clip(line_label(line, 40), 60), action=callbacks.encode("pick", line.line_id)),)
            for line in outcome.candidates
        )
        return Reply(
            t.gettext("Which one do you mean?"),
            buttons=(
                *buttons,
                (Button(t.gettext("Show my cart"), action=callbacks.encode("cart")),),
            ),
        )
    return cart_view(t, outcome.cart, notice=t.gettext("Cart updated"))


def shop_error(t: Translator, error: ShopError) -> Reply:
    """A refusal from the cart (a quantity out of range, sold out, a line gone)."""
    text = t.gettext(error.default)
    if error.params:
        text %= error.params
    return Reply(escape(text), notice=clip(text, 190))
