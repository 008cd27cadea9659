"""A bare python-telegram-bot echo bot, the benchmark's floor: what any PTB bot costs per update.

`python -m benchmarks.botbench.echo_bot` with ECHO_TOKEN and ECHO_API_URL (the stand-in's
address) polls like `chatshop run` does and sends every text back into its chat.
"""

from __future__ import annotations

import os

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is not None and message.text is not None:
        await message.reply_text(message.text)


def main() -> None:
    api_url = os.environ["ECHO_API_URL"].rstrip("/")
    application = (
        Application.builder()
        .token(os.environ["ECHO_TOKEN"])
        .base_url(f"{api_url}/bot")
        .base_file_url(f"{api_url}/file/bot")
        .concurrent_updates(True)  # as chatshop handles chats side by side
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.run_polling(poll_interval=0.0, timeout=10)


if __name__ == "__main__":
    main()
