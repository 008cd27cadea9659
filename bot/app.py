"""Builds the PTB Application: the one place where the bot is wired together."""

from __future__ import annotations

from typing import Any

from telegram import BotCommand
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes

import handlers
from bot.context import ShopContext, ShopData
from bot.merchant_jobs import schedule_merchant_jobs
from bot.order_expiry import schedule_expiry
from bot.processor import PerChatUpdateProcessor
from bot.rate_limits import ReleasingRateLimiter, rate_limiter_for
from bot.rates import schedule_refresh
from bot.second_payment_refunds import schedule_second_payment_refunds
from bot.services import Services
from handlers import payment_updates
from handlers.dead_letters import tell_the_shop
from i18n import N_, SHIPPED_LOCALES, translator

ShopApplication = Application[Any, ShopContext, Any, Any, ShopData, Any]
# Every handler and job gets a `ShopContext`; `bot_data` is a `ShopData`, not a dict.
CONTEXT_TYPES = ContextTypes(context=ShopContext, bot_data=ShopData)

# (command, description) as the buyer sees them in Telegram's menu, in their language.
COMMANDS = (
    ("start", N_("Start shopping")),
    ("help", N_("What I can do")),
    ("cart", N_("Your cart")),
    ("checkout", N_("Check out your cart")),
    ("orders", N_("Your orders")),
    ("cancel", N_("Cancel the checkout")),
    ("language", N_("Change the language")),
    ("currency", N_("Change the currency of prices")),
)


def build_application(
    services: Services,
    *,
    token: str,
    api_url: str,
    rate_limiter: AIORateLimiter | None = None,
) -> ShopApplication:
    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{api_url}/bot")
        .base_file_url(f"{api_url}/file/bot")
        .context_types(CONTEXT_TYPES)
        .concurrent_updates(PerChatUpdateProcessor())
        # Retries 429s after Telegram's retry_after and keeps under its global and group limits.
        # Shared by all workers through PostgreSQL (bot.rate_limits); in memory on SQLite.
        # Wrapped so an update's merged read-only transaction ends before each call (db.unit).
        .rate_limiter(ReleasingRateLimiter(rate_limiter or rate_limiter_for(services.sessions)))
        .post_init(register_commands)
        .build()
    )
    application.bot_data.services = services
    # A refused message to a buyer about an order is told to the order's shop.
    application.bot_data.outbox_dead_letter = tell_the_shop
    handlers.register(application)
    # Verified payment events enter as `PaymentUpdate`s, ordered with the buyer's own updates.
    application.add_handlers(payment_updates.handlers())
    schedule_refresh(application, services.settings)
    schedule_expiry(application)
    schedule_second_payment_refunds(application)
    schedule_merchant_jobs(application)
    return application


async def register_commands(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """The command menu in every shipped language (Telegram picks by the user's app language)."""
    default = translator()
    await application.bot.set_my_commands([BotCommand(c, default.gettext(d)) for c, d in COMMANDS])
    for locale in SHIPPED_LOCALES:
        t = translator(locale)
        language = locale.split("_")[0]
        await application.bot.set_my_commands(
            [BotCommand(c, t.gettext(d)) for c, d in COMMANDS], language_code=language
        )
