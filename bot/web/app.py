"""The web app factory: every route of the bot's web server, wired in one place."""

from __future__ import annotations

import logging
import secrets
from typing import Any

from starlette.applications import Starlette
from telegram.ext import Application, TypeHandler

from bot.services import Services, directory_from_settings
from bot.web.checkout_pages import checkout_routes
from bot.web.health import health_route
from bot.web.payment_webhooks import PaymentInbox, payment_routes
from bot.web.receipts import receipt_route
from bot.web.telegram_webhook import telegram_route
from handlers.payment_updates import PaymentUpdate
from merchants.payment_providers import PaymentDirectory

log = logging.getLogger(__name__)


def create_web_app(
    services: Services,
    application: Application[Any, Any, Any, Any, Any, Any],
    *,
    payments: PaymentDirectory | None = None,
    webhook_secret: str | None = None,
) -> Starlette:
    """Routes: Telegram's webhook, payment webhooks, checkout pages, health.

    `payments` defaults to the providers the settings enable; `webhook_secret` to
    `CHATSHOP_WEBHOOK_SECRET` (without one, a random secret nobody knows: the route refuses all).
    The PTB Application is started and stopped by the caller (`bot.serve`), not by this app.
    """
    settings = services.settings
    directory = payments if payments is not None else directory_from_settings(settings)
    secret = webhook_secret or settings.webhook_secret or secrets.token_urlsafe(32)
    if not _handles_payments(application):
        log.warning("no handler for PaymentUpdate: register handlers.payment_updates.handlers()")
    inbox = PaymentInbox(services.sessions, application.update_queue)
    return Starlette(
        routes=[
            telegram_route(application, secret, services.sessions),
            *payment_routes(inbox, directory),
            *checkout_routes(inbox, directory),
            health_route(services.sessions, services.search_index),
            receipt_route(services),
        ]
    )


def _handles_payments(application: Application[Any, Any, Any, Any, Any, Any]) -> bool:
    return any(
        isinstance(handler, TypeHandler) and issubclass(PaymentUpdate, handler.type)
        for group in application.handlers.values()
        for handler in group
    )
