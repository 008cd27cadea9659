"""What the buyer and the merchant are told after a payment event, in the buyer's language."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.web.payment_messages import buyer_reply, merchant_reply, payment_messages
from bot.web.settlement import OrderChange, OrderParties, Settlement
from i18n import translator
from money import Money
from money.formatting import format_money
from payments import EventKind, Outcome, PaymentEvent, WebhookOutcome

PARTIES = OrderParties(
    number="A-1001",
    buyer_chat_id=42,
    buyer_locale="ar",
    merchant_name="Mugs <&> Co",
    charge=Money.of("16.50", "USD"),
    expires_at=datetime(2025, 3, 1, 12, 30, tzinfo=UTC),
)
EVENT = PaymentEvent(
    "sandbox", "evt-1", EventKind.PAID, "A-1001", Money.of("16.50", "USD"), None,
    datetime(2025, 3, 1, 12, 0, tzinfo=UTC), {},
)  # fmt: skip


def settlement(change: OrderChange, parties: OrderParties | None = PARTIES) -> Settlement:
    return Settlement(WebhookOutcome(Outcome.ACCEPTED, EVENT), change, parties)


@pytest.mark.parametrize("change", [c for c in OrderChange if c is not OrderChange.NONE])
def test_every_change_tells_the_buyer_in_their_language(change: OrderChange) -> None:
    (message,) = payment_messages(settlement(change))

    assert message.chat_id == 42
    assert "A-1001" in message.reply.text
    assert "{" not in message.reply.text  # every placeholder filled
    assert "<&>" not in message.reply.text  # the shop's name is escaped for Telegram's HTML


def test_paid_names_the_amount_as_the_buyer_reads_it() -> None:
    reply = buyer_reply(translator("ar"), OrderChange.PAID, PARTIES)

    assert format_money(PARTIES.charge, "ar") in reply.text


def test_nothing_is_said_for_a_replay_or_without_an_order() -> None:
    assert payment_messages(settlement(OrderChange.NONE)) == []
    assert payment_messages(settlement(OrderChange.PAID, parties=None)) == []


def test_the_merchant_hears_of_paid_orders_once_they_have_a_chat() -> None:
    parties = replace(PARTIES, merchant_chat_id=7)

    messages = payment_messages(settlement(OrderChange.PAID, parties))

    assert [m.chat_id for m in messages] == [42, 7]
    assert merchant_reply(translator(), OrderChange.FAILED, parties) is None
