"""Free text in a private chat: an answer to what the bot asked, a cart edit, or else what the
assistant makes of it (a greeting, a question, a cart command, a search); a photo's caption too."""

from __future__ import annotations

from telegram import Update

from bot.context import ShopContext
from bot.database import transaction
from conversation.views.assistant import assistant_reply, photo_without_words
from handlers import cart, checkout, onboarding, questions, shipping
from handlers.render import send
from storefront.assistant import understand_and_answer


async def on_text(update: Update, context: ShopContext) -> None:
    """A pending question to the shop or the checkout's step first (the buyer is answering
    what was asked), then plain-words cart edits, then the assistant."""
    if await onboarding.answer_key_text(update, context):  # a shop's payment key, asked for
        return
    if await questions.answer_text(update, context):
        return
    if await checkout.answer_text(update, context):
        return
    if await shipping.answer_text(update, context):  # the country the cart asked for
        return
    if await cart.handle_cart_words(update, context):
        return
    await assist_text(update, context)


async def assist_text(update: Update, context: ShopContext) -> None:
    """The message's text, for the assistant."""
    message = update.effective_message
    assert message is not None
    await assist(update, context, message.text or "")


async def on_photo(update: Update, context: ShopContext) -> None:
    """A photo outside checkout: its caption is read as text; without one, say what helps."""
    message = update.effective_message
    assert message is not None
    if not (message.caption or "").strip():
        await send(update, context, photo_without_words(context.i18n))
        return
    await assist(update, context, message.caption or "")


async def assist(update: Update, context: ShopContext, text: str) -> None:
    """The assistant's answer to `text`: one use case, one reply."""
    assert context.buyer is not None
    services = context.services
    async with transaction(services.sessions) as session:
        answer = await understand_and_answer(
            session,
            services.search_index,
            text=text,
            buyer=context.buyer,
            max_rate_age=services.settings.fx_max_age,
        )
    await send(update, context, assistant_reply(context.i18n, answer))
