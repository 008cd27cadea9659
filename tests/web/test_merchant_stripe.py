"""A merchant with its own Stripe keys is paid into its own account: its key creates the Checkout
Session and the refund, its webhook secret verifies events; the platform's serves the others.

The Stripe stand-in accepts one API key, the merchant's: a request made with the platform's key
would be refused there, so a session that opens at all was opened with the merchant's.
"""

from __future__ import annotations

import time

from sqlalchemy import select

from bot.database import transaction
from catalog.models import Merchant
from handlers.merchant import _owe
from merchants import refunds
from merchants.secrets import SecretBox
from merchants.settings import change_settings, set_payment, shop_by_slug
from merchants.staff import add_staff
from orders.models import Order, OrderStatus
from payments import StripeCheckout
from tests.payments.factories import SECRET_KEY, WEBHOOK_SECRET
from tests.payments.stripe_standin import StripeStandIn
from tests.web.conftest import Harness, open_order_checkout, place_order

MERCHANT_KEY = "sk_test_mugs_own_account_51"
MERCHANT_WHSEC = "whsec_mugs_own_endpoint_0042"
PLATFORM_KEY = "sk_test_platform_account_77"
SHOP_CHAT, STAFF = -100777, 4242


async def _mugs_on_its_own_stripe(harness: Harness, standin: StripeStandIn) -> StripeCheckout:
    """Mugs & Co stores its own keys (sealed); the platform's Stripe is configured too."""
    box = SecretBox.from_keys(SECRET_KEY)
    harness.directory.secrets = box
    harness.directory.stripe_api_base = standin.api_base
    platform = StripeCheckout(PLATFORM_KEY, WEBHOOK_SECRET, api_base=standin.api_base)
    harness.directory.stripe = platform
    standin.api_key = MERCHANT_KEY  # the only key the stand-in accepts
    async with transaction(harness.sessions) as session:
        shop = await shop_by_slug(session, "mugs")
        assert shop is not None
        own = {"stripe_api_key": MERCHANT_KEY, "stripe_webhook_secret": MERCHANT_WHSEC}
        set_payment(shop.settings, "stripe", own, box)
        change_settings(shop.settings, notify_chat_id=SHOP_CHAT)
        await add_staff(session, merchant_id=shop.merchant.id, user_id=STAFF)
    return platform


async def _status(harness: Harness, number: str) -> str:
    async with harness.sessions() as session:
        status = await session.scalar(select(Order.status).where(Order.number == number))
    assert status is not None
    return status


async def test_the_merchants_own_stripe_account_takes_the_money_and_gives_it_back(
    harness: Harness, standin: StripeStandIn
) -> None:
    number = await place_order(harness.sessions)
    platform = await _mugs_on_its_own_stripe(harness, standin)
    async with harness.sessions() as session:
        mugs = await session.scalar(select(Merchant.id).where(Merchant.slug == "mugs"))
        assert mugs is not None
        provider = await harness.directory.for_merchant(session, mugs)
        webhook_provider = await harness.directory.stripe_for(session, "mugs")
        tea_webhooks = await harness.directory.stripe_for(session, "tea")
    assert isinstance(provider, StripeCheckout) and provider is not platform
    assert provider.name == "stripe:mugs" and webhook_provider is provider
    assert tea_webhooks is platform  # a shop without keys of its own: the platform's account

    link = await open_order_checkout(harness.sessions, provider, number)
    created = [r for r in standin.requests if r.path == "/v1/checkout/sessions"]
    assert [r.headers["authorization"] for r in created] == [f"Bearer {MERCHANT_KEY}"]
    standin.complete(link.provider_reference)

    # Signed with the platform's secret: refused, nothing changes.
    headers, body = standin.webhook(link.provider_reference, "checkout.session.completed",
                                    secret=WEBHOOK_SECRET, timestamp=int(time.time()))  # fmt: skip
    forged = await harness.client.post("/payments/stripe/mugs", content=body, headers=headers)
    assert forged.status_code == 400 and await _status(harness, number) == "awaiting_payment"

    headers, body = standin.webhook(link.provider_reference, "checkout.session.completed",
                                    secret=MERCHANT_WHSEC, timestamp=int(time.time()))  # fmt: skip
    paid = await harness.client.post("/payments/stripe/mugs", content=body, headers=headers)
    assert paid.status_code == 200 and await _status(harness, number) == OrderStatus.PAID

    async with harness.sessions() as session:
        order_id = await session.scalar(select(Order.id).where(Order.number == number))
    assert order_id is not None
    result = await refunds.refund_order(
        harness.sessions, harness.directory.took_payment, _owe, chat_id=SHOP_CHAT, user_id=STAFF,
        actor_name="Staff", order_id=order_id, notice_message_id=None,
    )  # fmt: skip
    assert result.changed and await _status(harness, number) == OrderStatus.REFUNDED
    refunded = [r for r in standin.requests if r.path == "/v1/refunds"]
    assert [r.headers["authorization"] for r in refunded] == [f"Bearer {MERCHANT_KEY}"]
    await harness.directory.aclose()


async def test_without_keys_of_its_own_a_shop_on_stripe_uses_the_platforms(
    harness: Harness, standin: StripeStandIn
) -> None:
    harness.directory.stripe = StripeCheckout(
        standin.api_key, WEBHOOK_SECRET, api_base=standin.api_base
    )
    number = await place_order(harness.sessions)
    async with transaction(harness.sessions) as session:
        shop = await shop_by_slug(session, "mugs")
        assert shop is not None
        set_payment(shop.settings, "stripe", {})
    async with harness.sessions() as session:
        provider = await harness.directory.for_merchant(session, shop.merchant.id)
    assert provider is harness.directory.stripe
    link = await open_order_checkout(harness.sessions, provider, number)
    assert link.provider == "stripe"
    await harness.directory.aclose()


async def test_the_platforms_key_refunds_what_it_took_after_the_shop_sets_keys_of_its_own(
    harness: Harness, standin: StripeStandIn
) -> None:
    """Issue 11: the key that took the payment refunds it. Mugs is paid through the platform's
    account, then stores keys of its own; the refund must still go to the platform's account
    (the merchant's account never received this money)."""
    number = await place_order(harness.sessions)
    platform = StripeCheckout(PLATFORM_KEY, WEBHOOK_SECRET, api_base=standin.api_base)
    harness.directory.stripe = platform
    harness.directory.stripe_api_base = standin.api_base
    standin.api_key = PLATFORM_KEY
    async with transaction(harness.sessions) as session:
        shop = await shop_by_slug(session, "mugs")
        assert shop is not None
        set_payment(shop.settings, "stripe", {})
        change_settings(shop.settings, notify_chat_id=SHOP_CHAT)
        await add_staff(session, merchant_id=shop.merchant.id, user_id=STAFF)
    link = await open_order_checkout(harness.sessions, platform, number)
    standin.complete(link.provider_reference)
    headers, body = standin.webhook(link.provider_reference, "checkout.session.completed",
                                    secret=WEBHOOK_SECRET, timestamp=int(time.time()))  # fmt: skip
    paid = await harness.client.post("/payments/stripe/mugs", content=body, headers=headers)
    assert paid.status_code == 200 and await _status(harness, number) == OrderStatus.PAID

    async with transaction(harness.sessions) as session:  # later: the shop's own account
        shop = await shop_by_slug(session, "mugs")
        assert shop is not None
        own = {"stripe_api_key": MERCHANT_KEY, "stripe_webhook_secret": MERCHANT_WHSEC}
        set_payment(shop.settings, "stripe", own, harness.directory.secrets)
        order_id = await session.scalar(select(Order.id).where(Order.number == number))
    assert order_id is not None
    result = await refunds.refund_order(
        harness.sessions, harness.directory.took_payment, _owe, chat_id=SHOP_CHAT, user_id=STAFF,
        actor_name="Staff", order_id=order_id, notice_message_id=None,
    )  # fmt: skip
    assert result.changed and await _status(harness, number) == OrderStatus.REFUNDED
    refunded = [r for r in standin.requests if r.path == "/v1/refunds"]
    assert [r.headers["authorization"] for r in refunded] == [f"Bearer {PLATFORM_KEY}"]
    await harness.directory.aclose()
