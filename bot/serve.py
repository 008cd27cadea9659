"""`chatshop serve`: the bot in webhook mode, behind its own web server (uvicorn + Starlette).

One process holds the PTB Application (started without its Updater: updates arrive over HTTP)
and the web app that feeds it. Several such workers can serve one bot on one PostgreSQL
database: every state lives there, and each worker registers the same webhook.

The webhook is registered once the server listens, so Telegram's first delivery is never
refused. It is left in place at shutdown: another worker may still be serving it.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace

import uvicorn
from telegram import Update
from telegram.error import TelegramError

from bot.app import ShopApplication, build_application
from bot.bootstrap import bootstrap
from bot.runner import running
from bot.services import Services, directory_from_settings
from bot.settings import ConfigurationError, Settings
from bot.web.app import create_web_app
from bot.web.telegram_webhook import PATH as TELEGRAM_PATH

log = logging.getLogger(__name__)


def webhook_settings(settings: Settings) -> tuple[str, str, str]:
    """(token, public URL, webhook secret), or one sentence naming what is missing."""
    if not settings.telegram_token:
        raise ConfigurationError("CHATSHOP_TELEGRAM_TOKEN is not set; get one from @BotFather.")
    if not settings.public_url:
        raise ConfigurationError(
            "CHATSHOP_PUBLIC_URL is not set: the https address Telegram can reach this server at."
        )
    if not settings.webhook_secret:
        raise ConfigurationError(
            "CHATSHOP_WEBHOOK_SECRET is not set: a random string of A-Z, a-z, 0-9, _ and -."
        )
    return settings.telegram_token, settings.public_url, settings.webhook_secret


async def serve(settings: Settings) -> None:
    """Runs until SIGINT/SIGTERM (uvicorn's own signal handling ends `server.serve()`)."""
    webhook_settings(settings)  # a missing setting is named before the database is touched
    services, engine = await bootstrap(settings)
    try:
        await serve_webhook(services)
    finally:
        await engine.dispose()


async def serve_webhook(services: Services) -> None:
    """The bot in webhook mode on `services` until SIGINT/SIGTERM or until cancelled.

    The database is the caller's: `serve` opens it from the settings, tests bring their own.
    """
    settings = services.settings
    token, public_url, secret = webhook_settings(settings)
    payments = directory_from_settings(settings)
    services = replace(services, payments=payments)
    application = build_application(services, token=token, api_url=settings.telegram_api_url)
    web_app = create_web_app(services, application, payments=payments, webhook_secret=secret)
    server = uvicorn.Server(
        uvicorn.Config(
            web_app,
            host=settings.web_host,
            port=settings.web_port,
            lifespan="off",
            proxy_headers=True,
            log_config=None,  # keep the CLI's logging setup
        )
    )
    try:
        async with running(application):
            serving = asyncio.create_task(server.serve())
            try:
                await _until_listening(server, serving)
                await _register_webhook(application, f"{public_url}{TELEGRAM_PATH}", secret)
                await serving
            finally:
                if not serving.done():
                    server.should_exit = True
                    await asyncio.wait([serving])
    finally:
        await payments.aclose()


async def _until_listening(server: uvicorn.Server, serving: asyncio.Task[None]) -> None:
    while not server.started:
        if serving.done():  # could not bind the port, for instance
            serving.result()
            raise ConfigurationError(
                "The web server stopped while starting; is CHATSHOP_WEB_PORT free?"
            )
        await asyncio.sleep(0.05)


async def _register_webhook(application: ShopApplication, url: str, secret: str) -> None:
    try:
        await application.bot.set_webhook(
            url, secret_token=secret, allowed_updates=Update.ALL_TYPES
        )
    except TelegramError as error:
        raise ConfigurationError(
            f"Telegram refused the webhook at {url} (CHATSHOP_PUBLIC_URL): {error.message}."
        ) from None
    log.info("webhook registered at %s", url)
