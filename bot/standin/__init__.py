"""A local Telegram Bot API server for the demo and the tests, with a driver for its users.

async with StandIn.start() as standin:
    standin.add_bot(DEMO_TOKEN)
    ana = standin.user("Ana", language_code="pt-br")
    # point the bot at standin.api_url, then:
    await ana.send("/start")
    await standin.settle()
    print(ana.chat.last.text)
"""

from bot.standin.driver import BotEvent, CallbackAnswer, Chat, Message, User
from bot.standin.errors import StandInError
from bot.standin.files import tiny_png
from bot.standin.server import StandIn

__all__ = [
    "BotEvent",
    "CallbackAnswer",
    "Chat",
    "Message",
    "StandIn",
    "StandInError",
    "User",
    "tiny_png",
]
