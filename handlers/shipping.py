"""Shipping in the chat: `/shipping` for a shop's staff in its group, and the buyer's delivery
country in the cart (the "Not in …?" button, the country buttons, or the country typed).

Staff are checked on the server (`merchants.commands.staff_shop`); what they read is in the
shop's language. The buyer's answer goes through `storefront.delivery`, then the cart is shown
again with each shop's delivery to that country.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.context import ShopContext
from bot.database import transaction
from conversation import callbacks
from conversation.reply import Reply
from conversation.views import common
from conversation.views import merchant as desk_views
from conversation.views import shipping as views
from conversation.views.cart import cart_view
from handlers.render import send
from handlers.routing import on
from i18n import Translator, negotiate_locale, translator
from merchants import commands, shipping
from merchants.desk import DeskRefused
from orders.cart import CartView
from orders.countries import country_codes, country_name
from orders.errors import AmbiguousCountry, UnknownCountry
from storefront import cart, delivery


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        CommandHandler("shipping", shipping_command, filters=filters.ChatType.GROUPS),
        CallbackQueryHandler(country_button, pattern=on("ctry", "ctryset")),
    ]


# --- the shop's staff ---------------------------------------------------------------------------


async def shipping_command(update: Update, context: ShopContext) -> None:
    """/shipping [add … | remove …]: the shop's delivery zones, listed, added or removed."""
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None and user is not None
    args = list(context.args or [])
    verb = args[0].lower() if args else ""
    rest = " ".join(args[1:])
    shop_t: Translator = context.i18n
    currency = ""
    try:
        async with transaction(context.services.sessions) as session:
            shop = await commands.staff_shop(session, chat_id=chat.id, user_id=user.id)
            shop_t = translator(negotiate_locale(shop.language))
            currency, name, merchant_id = (
                shop.merchant.currency,
                shop.merchant.name,
                shop.merchant.id,
            )
            reply = await _shipping(session, shop_t, verb, rest, merchant_id, name, currency)
    except DeskRefused as refusal:
        reply = desk_views.refused(context.i18n, refusal.refusal, None)
    except shipping.ShippingRefused as error:
        reply = views.refused(shop_t, error, currency)
    await send(update, context, reply)


async def _shipping(
    session: AsyncSession,
    t: Translator,
    verb: str,
    rest: str,
    merchant_id: int,
    name: str,
    currency: str,
) -> Reply:
    if verb in ("add", "set"):
        zone = shipping.parse_zone(rest, currency=currency, locale=t.code)
        await shipping.add_zone(session, merchant_id=merchant_id, zone=zone)
        found = await shipping.shipping_zones(session, merchant_id=merchant_id)
        saved = next(z for z in found if set(zone.countries) <= set(z.countries))
        return views.zone_saved(t, saved, currency, found)
    if verb in ("remove", "delete", "rm"):
        removed = await shipping.remove_zone(
            session, merchant_id=merchant_id, countries=shipping.parse_removal(rest or "")
        )
        left = await shipping.shipping_zones(session, merchant_id=merchant_id)
        return views.zones_removed(t, removed, name, currency, left)
    if verb and verb != "list":
        raise shipping.ShippingRefused(shipping.Problem.UNKNOWN_WORD, verb)
    return views.zones_view(t, name, currency, await shipping.shipping_zones(
        session, merchant_id=merchant_id))  # fmt: skip


# --- the buyer's country ------------------------------------------------------------------------


async def country_button(update: Update, context: ShopContext) -> None:
    """ "Not in …?" under the cart (asks), or a country button (chooses it)."""
    assert update.callback_query is not None and context.buyer is not None
    pressed = callbacks.decode(update.callback_query.data)
    t, services = context.i18n, context.services
    if pressed.action == "ctry":
        async with transaction(services.sessions) as session:
            likely = await delivery.ask_country(session, buyer=context.buyer)
        await send(update, context, views.ask_country(t, likely))
        return
    code = pressed.str(0)
    if code not in country_codes():
        await send(update, context, common.button_expired(t))
        return
    await _choose(update, context, code, edit=True)


async def answer_text(update: Update, context: ShopContext) -> bool:
    """The country typed after the cart asked for it: True if the text was that answer."""
    message = update.effective_message
    if message is None or not message.text or context.buyer is None:
        return False
    t, services = context.i18n, context.services
    try:
        async with transaction(services.sessions) as session:
            buyer = await delivery.answer_country(session, buyer=context.buyer, text=message.text)
            if buyer is None:
                return False
            view = await cart.show_cart(
                session, buyer=buyer, max_rate_age=services.settings.fx_max_age
            )
    except AmbiguousCountry as error:
        await send(update, context, views.ask_country(t, error.candidates, edit=False))
        return True
    except UnknownCountry:
        async with transaction(services.sessions) as session:
            likely = await delivery.ask_country(session, buyer=context.buyer)
        await send(update, context, views.ask_country(t, likely, edit=False, unknown=message.text))
        return True
    await send(update, context, _chosen(t, view, buyer.country or "", edit=False))
    return True


async def _choose(update: Update, context: ShopContext, code: str, *, edit: bool) -> None:
    assert context.buyer is not None
    t, services = context.i18n, context.services
    async with transaction(services.sessions) as session:
        buyer = await delivery.choose_delivery_country(session, buyer=context.buyer, text=code)
        view = await cart.show_cart(session, buyer=buyer, max_rate_age=services.settings.fx_max_age)
    await send(update, context, _chosen(t, view, code, edit=edit))


def _chosen(t: Translator, view: CartView, code: str, *, edit: bool) -> Reply:
    notice = t.gettext("Delivery to {country}").format(country=country_name(code, t.code))
    return cart_view(t, view, edit=edit, notice=notice)
