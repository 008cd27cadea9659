"""What the buyer and the merchant are told after a payment event, in the buyer's language."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from conversation.views.payment import buyer_reply, merchant_reply
from i18n import translator
from money import Money
from money.formatting import format_money
from payments.settlement import OrderChange, OrderParties

PARTIES = OrderParties(
    number="A-1001",
    buyer_chat_id=42,
    buyer_locale="ar",
    merchant_name="Mugs <&> Co",
    charge=Money.of("16.50", "USD"),
    expires_at=datetime(2025, 3, 1, 12, 30, tzinfo=UTC),
)


@pytest.mark.parametrize("change", [c for c in OrderChange if c is not OrderChange.NONE])
def test_every_change_tells_the_buyer_in_their_language(change: OrderChange) -> None:
    reply = buyer_reply(translator("ar"), change, PARTIES)

    assert "A-1001" in reply.text
    assert "{" not in reply.text  # every placeholder filled
    assert "<&>" not in reply.text  # the shop's name is escaped for Telegram's HTML
    assert reply.text != buyer_reply(translator("en"), change, PARTIES).text


def test_paid_names_the_amount_as_the_buyer_reads_it() -> None:
    reply = buyer_reply(translator("ar"), OrderChange.PAID, PARTIES)

    assert format_money(PARTIES.charge, "ar") in reply.text


@pytest.mark.parametrize(
    ("change", "told"),
    [(c, c in (OrderChange.PAID, OrderChange.NEEDS_REFUND)) for c in OrderChange],
)
def test_the_merchant_hears_only_what_they_must_act_on(change: OrderChange, told: bool) -> None:
    reply = merchant_reply(translator(), change, PARTIES)

    assert (reply is not None) is told
    assert reply is None or "A-1001" in reply.text
