"""The error handler apologises in the buyer's language and says "nothing was changed" only
when the failed work was rolled back."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from bot.database import SessionFactory, transaction
from handlers import fallback
from i18n import Translator, translator
from orders.customers import Buyer, identify_buyer
from tests.handlers import fakes

ROLLED_BACK = "Sorry, something went wrong on our side. Nothing was changed; please try again."
UNSURE = (
    "Sorry, something went wrong on our side, and I can't tell whether your last step "
    "went through. Please look at /orders and /cart before trying again."
)


@dataclass
class ErrorContext:
    """What PTB gives an error handler: a fresh context (English) with the error on it."""

    bot: fakes.FakeBot
    services: fakes.FakeServices
    error: BaseException | None
    i18n: Translator = field(default_factory=translator)
    buyer: Buyer | None = None


async def _failure_inside_a_transaction(sessions: SessionFactory) -> BaseException:
    try:
        async with transaction(sessions):
            raise RuntimeError("boom")
    except RuntimeError as error:
        return error
    raise AssertionError("unreachable")


@pytest.mark.parametrize("locale", ["ru", "ar", "zh_Hans"])
async def test_the_apology_is_in_the_buyers_language_and_truthful(
    sessions: SessionFactory, locale: str
) -> None:
    async with transaction(sessions) as session:
        buyer = await identify_buyer(session, telegram_user_id=4242, locale=locale, currency="EUR")
    services = fakes.FakeServices(sessions)
    t = translator(locale)
    for error, expected in [
        (await _failure_inside_a_transaction(sessions), ROLLED_BACK),
        (RuntimeError("after the commit, while replying"), UNSURE),
    ]:
        bot = fakes.FakeBot()
        context: Any = ErrorContext(bot, services, error)
        update = fakes.text(fakes.FakeContext(bot, services, buyer), "/checkout")
        await fallback.on_error(update, context)
        assert bot.sent[-1].text == t.gettext(expected)
        assert t.gettext(expected) != expected  # really translated
