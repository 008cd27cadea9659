"""Opening shops through the real bot: /newshop in a group (signup open), a CLI-made shop claimed
with its one-time code (a wrong code claims nothing), and the shop's link for buyers.

The bot is a plain member of the groups with privacy mode on, as @BotFather makes it: it sees
commands and replies to its own messages only, so /newshop's questions must be answered by
replying to them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import build_application
from bot.database import SessionFactory, session_factory, transaction
from bot.demo.seed import seed_demo_catalog
from bot.pending_work import watch_bot
from bot.runner import polling
from bot.services import Services
from bot.settings import DEMO_TOKEN, load_settings
from bot.standin.driver import Chat, Message, User
from bot.standin.server import StandIn
from catalog.merchants import create_merchant
from catalog.models import Merchant, Product
from merchants.secrets import SecretBox
from merchants.settings import payment_settings, shop_for_chat
from merchants.signup import issue_claim_code
from merchants.staff import is_staff
from tests.catalog.importing.helpers import SHOPIFY_LEGACY
from tests.payments.factories import SECRET_KEY

pytestmark = pytest.mark.slow
TIMEOUT = 20
BOT = "chatshop_test_bot"


@dataclass
class World:
    standin: StandIn
    sessions: SessionFactory
    owner: User  # opens shops, administers the groups
    member: User  # in the groups, no admin
    buyer: User


@asynccontextmanager
async def running(engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch,
                  signup: str) -> AsyncIterator[World]:  # fmt: skip
    for name in ("CHATSHOP_DATABASE_URL", "CHATSHOP_TELEGRAM_TOKEN", "CHATSHOP_TELEGRAM_API_URL",
                 "CHATSHOP_SIGNUP", "CHATSHOP_SECRET_KEY"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    settings = load_settings(telegram_token=DEMO_TOKEN, fx_refresh_hours=0, signup=signup)
    services = Services(settings=settings, sessions=session_factory(engine),
                        secrets=SecretBox.from_keys(SECRET_KEY))  # fmt: skip
    await seed_demo_catalog(services.sessions)  # other shops, with categories of their own
    async with StandIn.start() as standin:
        standin.add_bot(DEMO_TOKEN, username=BOT)  # privacy mode on
        application = build_application(services, token=DEMO_TOKEN, api_url=standin.api_url)
        owner = standin.user("Olga", language_code="en", username="olga")
        member = standin.user("Max", language_code="en")
        buyer = standin.user("Ana", language_code="de")
        watch_bot(standin, services.sessions)  # gone with this stand-in
        async with polling(application):
            yield World(standin, services.sessions, owner, member, buyer)


def group(world: World, title: str) -> Chat:
    return world.standin.group(title, members={world.owner: "creator", world.member: "member"})


async def ask(user: User, chat: Chat, text: str, reply_to: Message | None = None) -> Message:
    """Sends `text` (as a reply when asked) and returns the bot's next message there."""
    before = len(chat.bot_messages)
    await user.send(text, chat, reply_to=reply_to)
    return await chat.wait_for(lambda _: len(chat.bot_messages) > before, TIMEOUT)


async def test_a_shop_opened_in_the_chat_from_nothing(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running(engine, monkeypatch, "open") as world:
        chat = group(world, "Lumière")
        refused = await ask(world.member, chat, "/newshop")
        assert "Only an administrator" in (refused.text or "")

        question = await ask(world.owner, chat, "/newshop")
        assert "What is its name?" in (question.text or "")
        # Not a reply: with privacy mode on the bot never sees it, and nothing happens.
        await world.owner.send("Café Lumière", chat)
        await world.standin.settle()
        assert chat.bot_messages[-1] == question

        question = await ask(world.owner, chat, "Café Lumière", reply_to=question)
        assert "currency" in (question.text or "")
        question = await ask(world.owner, chat, "euro", reply_to=question)
        assert "not a currency code" in (question.text or "")
        question = await ask(world.owner, chat, "EUR", reply_to=question)
        assert "Français" in (question.text or "") and "中文" in (question.text or "")
        question = await ask(world.owner, chat, "6", reply_to=question)  # français
        assert "Sandbox" in (question.text or "")
        question = await ask(world.owner, chat, "3", reply_to=question)
        assert "Buyers can order only once you deliver somewhere" in (question.text or "")
        assert "price in EUR" in (question.text or "")
        question = await ask(world.owner, chat, "skip", reply_to=question)  # no shop without it
        assert "“skip”" in (question.text or "") and "deliver somewhere" in (question.text or "")
        async with world.sessions() as session:
            assert await shop_for_chat(session, chat.id) is None
        done = await ask(world.owner, chat, "FR,BE 4,90 free 60 days 2-3", reply_to=question)
        text = done.text or ""
        # In the shop's language now: its delivery, the next steps, then the customers' link.
        assert "Café Lumière" in text and "/shipping" in text
        assert "France" in text and "4,90" in text and "2–3 jours" in text
        assert f"https://t.me/{BOT}?start=shop-cafe-lumiere" in text
        assert text.index("/shipping") < text.index("t.me/")

        async with world.sessions() as session:
            shop = await shop_for_chat(session, chat.id)
            assert shop is not None and shop.merchant.slug == "cafe-lumiere"
            assert shop.merchant.currency == "EUR" and shop.language == "fr"
            assert shop.settings.payment_provider == "sandbox"
            assert await is_staff(session, merchant_id=shop.merchant.id, user_id=world.owner.id)

        # The catalog file, as the closing message asks: imported into the new shop.
        await world.owner.send_document(
            "products.csv", SHOPIFY_LEGACY.read_bytes(), "text/csv", chat=chat, reply_to=done
        )
        await chat.wait_for(lambda m: "import" in (m.text or "").lower(), TIMEOUT)
        async with world.sessions() as session:
            products = list(await session.scalars(
                select(Product.category).join(Merchant).where(
                    Merchant.slug == "cafe-lumiere", Product.status == "active")
            ))  # fmt: skip
        assert products

        # A buyer follows the link: the shop's name and its own categories.
        before = len(world.buyer.chat.bot_messages)
        await world.buyer.send("/start shop-cafe-lumiere")
        welcome = await world.buyer.chat.wait_for(
            lambda m: len(world.buyer.chat.bot_messages) > before, TIMEOUT
        )
        assert "Café Lumière" in (welcome.text or "")
        shown = [
            label.rsplit(" (", 1)[0].rstrip("…") for row in welcome.buttons for label, _ in row
        ]
        categories = {category for category in products if category}
        assert len(shown) == len(categories)  # this shop's categories, not the others'
        assert all(any(c.startswith(label) for c in categories) for label in shown)

        # A second /newshop in the same group: it already serves a shop.
        again = await ask(world.owner, chat, "/newshop")
        assert "already receives the orders" in (again.text or "")


async def test_a_cli_made_shop_is_claimed_only_with_its_code(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with transaction(session_factory(engine)) as session:
        merchant = await create_merchant(session, slug="tea-house", currency="CNY", name="Tea")
        code = await issue_claim_code(session, merchant_id=merchant.id)
    async with running(engine, monkeypatch, "closed") as world:
        stranger_group = world.standin.group(
            "Not the shop", members={world.member: "creator"}
        )  # fmt: skip
        shop_group = group(world, "Tea House orders")

        wrong = await ask(world.member, stranger_group, "/setup tea-house AAAA-BBBB-CCCC")
        assert "can't connect" in (wrong.text or "")
        bare = await ask(world.member, stranger_group, "/setup tea-house")
        assert "can't connect" in (bare.text or "")
        closed = await ask(world.owner, shop_group, "/newshop")
        assert "not being opened" in (closed.text or "")
        async with world.sessions() as session:
            assert await shop_for_chat(session, stranger_group.id) is None

        claimed = await ask(world.owner, shop_group, f"/setup tea-house {code.lower()}")
        assert "now receives the orders of Tea" in (claimed.text or "")
        reused = await ask(world.member, stranger_group, f"/setup tea-house {code}")
        assert "can't connect" in (reused.text or "")
        async with world.sessions() as session:
            shop = await shop_for_chat(session, shop_group.id)
            assert shop is not None and shop.merchant.slug == "tea-house"
            assert await shop_for_chat(session, stranger_group.id) is None
            assert await is_staff(session, merchant_id=shop.merchant.id, user_id=world.owner.id)
            assert not await is_staff(session, merchant_id=shop.merchant.id,
                                      user_id=world.member.id)  # fmt: skip


async def test_stripe_keys_are_typed_in_a_private_chat_and_never_kept_in_it(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    api_key, whsec = "sk_test_lumiere_own_9Xq2", "whsec_lumiere_own_Tz71"
    async with running(engine, monkeypatch, "open") as world:
        chat = group(world, "Lumière")
        question = await ask(world.owner, chat, "/newshop")
        for answer in ("Lumière", "EUR", "1"):
            question = await ask(world.owner, chat, answer, reply_to=question)
        question = await ask(world.owner, chat, "2", reply_to=question)  # Stripe
        done = await ask(world.owner, chat, "* 9.90", reply_to=question)
        keys_link = f"https://t.me/{BOT}?start=keys-lumiere"
        assert keys_link in (done.text or "") and "Never post payment keys" in (done.text or "")

        stranger = await ask(world.member, world.member.chat, "/start keys-lumiere")
        assert "Only the shop's staff" in (stranger.text or "")

        private = world.owner.chat
        asked = await ask(world.owner, private, "/start keys-lumiere")
        assert "Stripe secret key" in (asked.text or "")
        typed = await world.owner.send(api_key, private)
        asked = await private.wait_for(lambda m: "whsec_" in (m.text or ""), TIMEOUT)
        assert "/payments/stripe/lumiere" in (asked.text or "")
        typed_secret = await world.owner.send(whsec, private)
        await private.wait_for(lambda m: "Saved" in (m.text or ""), TIMEOUT)
        await world.standin.settle()
        # Both messages holding a secret are gone from the chat.
        assert typed.deleted and typed_secret.deleted
        assert all(api_key not in (m.text or "") for m in private.messages)

        async with world.sessions() as session:
            shop = await shop_for_chat(session, chat.id)
            assert shop is not None
            raw = repr(shop.settings.payment_config)
            own = payment_settings(shop, SecretBox.from_keys(SECRET_KEY))
        assert api_key not in raw and whsec not in raw
        assert own is not None and (own.stripe_api_key, own.stripe_webhook_secret) == (
            api_key,
            whsec,
        )
