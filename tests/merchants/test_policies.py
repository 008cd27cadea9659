"""A shop's own returns, shipping and payment texts: set from files by the CLI, answered to the
buyer's question in the shop's words, shown as written (never as markup)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli import _parser
from bot.database import SessionFactory, transaction
from bot.errors import ConfigurationError
from bot.merchant_admin import merchant_command
from bot.policy_admin import policy_command
from bot.settings import load_settings
from catalog.models import Merchant
from conversation.views.assistant import assistant_reply
from i18n import translator
from merchants.policies import MAX_POLICY_CHARS, PolicyKind, set_policy
from storefront.assistant import understand_and_answer
from storefront.intents import Intent
from storefront.search_index import LiveSearchIndex
from tests.conversation.test_assistant import _demo
from tests.payments.factories import SECRET_KEY
from tests.storefront.factories import MAX_AGE, NOW

RETURNS = "Returns within 30 days <free>.\nWrite to us first & keep the receipt."


async def test_the_cli_sets_and_clears_a_shops_texts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("CHATSHOP_DATABASE_URL", "CHATSHOP_SECRET_KEY", "CHATSHOP_SIGNUP"):
        monkeypatch.delenv(name, raising=False)
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite'}"
    settings = load_settings(database_url=url, secret_key=SECRET_KEY)
    out = io.StringIO()
    args = _parser().parse_args
    added = args(["merchant", "add", "mugs", "--currency", "EUR"])
    assert await merchant_command(settings, added, io.StringIO()) == 0
    returns = tmp_path / "returns.txt"
    returns.write_text(RETURNS, encoding="utf-8")
    set_it = args(["merchant", "policy", "mugs", "--returns-file", str(returns)])
    assert await policy_command(settings, set_it, out) == 0
    assert "returns: Returns within 30 days <free>." in out.getvalue()
    assert "payment: not set" in out.getvalue()
    cleared = io.StringIO()
    assert (
        await policy_command(
            settings, args(["merchant", "policy", "mugs", "--clear", "returns"]), cleared
        )
        == 0
    )
    assert "returns: not set" in cleared.getvalue()
    returns.write_text("x" * (MAX_POLICY_CHARS + 1), encoding="utf-8")
    with pytest.raises(ConfigurationError, match="too long"):
        await policy_command(settings, set_it, out)
    with pytest.raises(ConfigurationError, match="no merchant"):
        await policy_command(
            settings, args(["merchant", "policy", "nope", "--clear", "payment"]), out
        )


async def test_a_buyers_question_is_answered_in_the_shops_own_words(
    sessions: SessionFactory,
) -> None:
    buyer = (await _demo(sessions))["en"]
    async with transaction(sessions) as session:
        shop = await session.scalar(select(Merchant).order_by(Merchant.id))
        assert shop is not None
        await set_policy(session, merchant_id=shop.id, kind=PolicyKind.RETURNS, text=RETURNS)
        await set_policy(
            session, merchant_id=shop.id, kind=PolicyKind.PAYMENT, text="Cash on pickup too."
        )
        name = shop.name
    index = LiveSearchIndex()
    t = translator("en")
    for question, intent, words in (
        (
            "can I return it if it doesn't fit?",
            Intent.RETURNS,
            "Returns within 30 days &lt;free&gt;.",
        ),
        ("how do I pay?", Intent.PAYMENT, "Cash on pickup too."),
    ):
        async with transaction(sessions) as session:
            answer = await understand_and_answer(
                session, index, text=question, buyer=buyer, max_rate_age=MAX_AGE, now=NOW
            )
        assert answer.intent is intent
        assert [p.shop_name for p in answer.policies] == [name]
        reply = assistant_reply(t, answer)
        assert words in reply.text and "<free>" not in reply.text
    async with transaction(sessions) as session:
        shipping = await understand_and_answer(
            session, index, text="do you ship to Spain?", buyer=buyer, max_rate_age=MAX_AGE, now=NOW
        )
    assert shipping.policies == ()  # no shop wrote a shipping text
