"""Starting and stopping the bot with long polling, with clear words when Telegram says no."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram import Update
from telegram.error import InvalidToken, NetworkError, TelegramError

from bot.app import ShopApplication, register_commands
from bot.settings import ConfigurationError


@asynccontextmanager
async def polling(application: ShopApplication) -> AsyncIterator[ShopApplication]:
    """The bot fetching and answering updates until the block ends."""
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
        assert application.updater is not None
        await application.updater.start_polling(
            allowed_updates=Update.ALL_TYPES, drop_pending_updates=False
        )
        await application.start()
        try:
            yield application
        finally:
            if application.updater.running:
                await application.updater.stop()
            if application.running:
                await application.stop()
    except TelegramError as error:
        raise ConfigurationError(f"Telegram refused to start the bot: {error.message}.") from None
    finally:
        await application.shutdown()
