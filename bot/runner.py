"""Starting and stopping the bot, with clear words when Telegram says no.

`running` is the Application with its background work (the inbox dispatcher that processes
stored updates, the outbox sender); `polling` adds long polling into the inbox (`chatshop run`,
the demo), `bot.serve` a webhook instead.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram.error import InvalidToken, NetworkError, TelegramError

from bot.app import ShopApplication, register_commands
from bot.settings import ConfigurationError
from bot.worker_claims import release_previous_claims
from inbox.telegram import poll_updates, start_inbox
from outbox.telegram import start_outbox_sender, stop_outbox_sender


@asynccontextmanager
async def running(application: ShopApplication) -> AsyncIterator[ShopApplication]:
    """The Application initialised and processing its update queue until the block ends."""
    try:
        await application.initialize()  # getMe: proves the token and the address
    except InvalidToken:
        raise ConfigurationError(
            "The Bot API refused the token in CHATSHOP_TELEGRAM_TOKEN; "
            "copy it again from @BotFather."
        ) from None
    except NetworkError as error:
        raise ConfigurationError(
            f"The Bot API at CHATSHOP_TELEGRAM_API_URL cannot be reached: {error.message}."
        ) from None
    try:
        await register_commands(application)
        services = application.bot_data.services
        assert services is not None, "build_application puts the services in bot_data"
        worker = services.settings.worker_name
        # Before anything claims: rows this worker's dead previous process held go back now.
        await release_previous_claims(services.sessions, worker)
        await application.start()
        start_outbox_sender(application, worker=worker)
        # Built now, in the background, so that no buyer's first search pays for it.
        services.search_index.warm_up(services.sessions)
        inbox = start_inbox(application, worker=worker)
        try:
            yield application
        finally:
            await inbox.stop()
            application.bot_data.inbox = None
            await services.search_index.stop()
            await stop_outbox_sender(application)
            if application.running:
                await application.stop()
    except TelegramError as error:
        raise ConfigurationError(f"Telegram refused to start the bot: {error.message}.") from None
    finally:
        await application.shutdown()


@asynccontextmanager
async def polling(application: ShopApplication) -> AsyncIterator[ShopApplication]:
    """The bot fetching and answering updates by long polling until the block ends.

    Each batch of updates is stored in the inbox before getUpdates' offset acknowledges it."""
    async with running(application):
        stop = asyncio.Event()
        services = application.bot_data.services
        assert services is not None
        poller = asyncio.create_task(poll_updates(application, services.sessions, stop))
        try:
            yield application
        finally:
            stop.set()
            poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await poller
