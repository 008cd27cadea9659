"""The driver against a real PTB Application polling the stand-in over loopback HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.settings import DEMO_TOKEN
from bot.standin import BotEvent, StandIn, StandInError, User

App = Application[Any, Any, Any, Any, Any, Any]


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greets with a button, in the user's language."""
    assert update.effective_message is not None and update.effective_user is not None
    greeting = "Olá" if update.effective_user.language_code == "pt-br" else "Hello"
    button = InlineKeyboardButton("Show cart", callback_data="cart:show")
    await update.effective_message.reply_html(
        f"<b>{greeting}</b>, {update.effective_user.first_name}!",
        reply_markup=InlineKeyboardMarkup([[button]]),
    )


async def show_cart(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answers the press and edits the message in place."""
    query = update.callback_query
    assert query is not None
    await query.answer("Loading")
    await query.edit_message_text("Your cart is empty")


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Repeats text; names what else arrived."""
    message = update.effective_message
    assert message is not None
    if message.document:
        await message.reply_text(f"got {message.document.file_name}")
    elif message.sticker:
        await message.reply_text(f"nice {message.sticker.emoji}")
    elif message.contact:
        await message.reply_text(f"phone {message.contact.phone_number}")
    elif message.photo:
        await message.reply_photo(message.photo[-1].file_id, caption="same back")
    else:
        await message.reply_text(f"echo: {message.text}")


@pytest_asyncio.fixture(loop_scope="module")
async def app(standin: StandIn) -> AsyncIterator[App]:
    application = (
        ApplicationBuilder()
        .token(DEMO_TOKEN)
        .base_url(f"{standin.api_url}/bot")
        .base_file_url(f"{standin.api_url}/file/bot")
        .rate_limiter(AIORateLimiter(max_retries=2))
        .build()
    )
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CallbackQueryHandler(show_cart, pattern="^cart:show$"))
    application.add_handler(MessageHandler(~filters.COMMAND, echo))
    async with application:
        assert application.updater is not None
        await application.updater.start_polling(timeout=5)
        await application.start()
        yield application
        await application.updater.stop()
        await application.stop()


@pytest.mark.slow
async def test_start_press_and_see_the_edit(standin: StandIn, app: App) -> None:
    ana = standin.user("Ana", language_code="pt-br")
    await ana.send("/start")
    await standin.settle()
    greeting = await ana.chat.wait_for(lambda m: "Olá" in (m.text or ""))
    assert greeting.text == "Olá, Ana!"
    assert greeting.buttons == [[("Show cart", "cart:show")]]
    answer = await ana.press(greeting, "Show cart")
    assert answer is not None and answer.text == "Loading" and not answer.show_alert
    edited = await ana.chat.wait_for(lambda m: m.edited)
    await standin.settle()
    assert edited == greeting and greeting.text == "Your cart is empty"
    assert greeting.buttons == []
    assert [m.text for m in ana.chat.messages] == ["/start", "Your cart is empty"]


@pytest.mark.slow
async def test_uploads_stickers_and_contacts_reach_the_bot(standin: StandIn, app: App) -> None:
    ana = standin.user("Ana")
    await ana.send_document("list.csv", b"a,b\n", "text/csv")
    await ana.send_sticker("🎉")
    await ana.send_contact("+351900000000")
    await ana.send_photo()
    await standin.settle()
    texts = [m.text for m in ana.chat.bot_messages]
    assert texts == ["got list.csv", "nice 🎉", "phone +351900000000", "same back"]
    assert ana.chat.last is not None and ana.chat.last.photo is not None


@pytest.mark.slow
async def test_group_commands_and_privacy_mode(standin: StandIn, app: App) -> None:
    ana, bea = standin.user("Ana"), standin.user("Bea")
    group = standin.group("Friends", members={ana: "creator", bea: "member"}, bot_status="member")
    await bea.send("just chatting", chat=group)  # privacy mode: the bot does not see this
    await ana.send("/start@chatshop_demo_bot", chat=group)
    await standin.settle()
    assert [m.text for m in group.bot_messages] == ["Hello, Ana!"]
    outsider = standin.user("Cid")
    with pytest.raises(StandInError):
        await outsider.send("hi", chat=group)


@pytest.mark.slow
async def test_subscribe_follows_every_chat(standin: StandIn, app: App) -> None:
    seen: list[tuple[str, str | None]] = []

    def follow(event: BotEvent) -> None:
        if event.message is not None and event.kind in ("new", "edit"):
            seen.append((event.kind, event.message.text))

    unsubscribe = standin.subscribe(follow)
    ana = standin.user("Ana")
    await ana.send("/start")
    await standin.settle()
    greeting = ana.chat.last
    assert greeting is not None
    await ana.press(greeting, (0, 0))
    await standin.settle()
    unsubscribe()
    await ana.send("after")
    await standin.settle()
    assert seen == [("new", "Hello, Ana!"), ("edit", "Your cart is empty")]


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # PTB's own
async def test_bot_retries_after_injected_429(standin: StandIn, app: App) -> None:
    ana = standin.user("Ana")
    fault = standin.inject_fault("sendMessage", status=429, retry_after=1, chat=ana.chat)
    await ana.send("hello")
    await standin.settle(timeout=5)
    assert fault.hits == 1
    assert [m.text for m in ana.chat.bot_messages] == ["echo: hello"]


async def test_press_refuses_a_missing_button(standin: StandIn) -> None:
    ana: User = standin.user("Ana")
    said = await ana.send("hi")
    with pytest.raises(StandInError, match="no button"):
        await ana.press(said, "Buy")
