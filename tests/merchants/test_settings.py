"""Merchant settings: secrets never shown, FX policy checked, /setup binding rules."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.database import SessionFactory, transaction
from catalog.merchants import create_merchant
from merchants.binding import bind_chat
from merchants.secrets import SecretBox
from merchants.settings import (
    SettingsError,
    change_settings,
    conversion_policy,
    describe,
    payment_settings,
    set_payment,
    shop_by_slug,
)
from merchants.signup import issue_claim_code
from merchants.staff import is_staff
from tests.payments.factories import SECRET_KEY


async def test_secrets_are_stored_but_never_described(sessions: SessionFactory) -> None:
    async with transaction(sessions) as session:
        await create_merchant(session, slug="demo-us", currency="USD")
        shop = await shop_by_slug(session, "demo-us")
        assert shop is not None
        box = SecretBox.from_keys(SECRET_KEY)
        set_payment(shop.settings, "stripe", {"stripe_api_key": "sk_test_SECRET"}, box)
        set_payment(shop.settings, "stripe", {"stripe_webhook_secret": "whsec_SECRET"}, box)
        shown = describe(shop, [])
        configured = payment_settings(shop, box)
    assert "SECRET" not in repr(shown)
    assert shown["payment"] == {"stripe_api_key": "set", "stripe_webhook_secret": "set"}
    assert configured is not None and configured.stripe_api_key == "sk_test_SECRET"
    assert configured.stripe_webhook_secret == "whsec_SECRET"  # the second call kept the first


async def test_the_fx_policy_is_checked_before_anything_changes(sessions: SessionFactory) -> None:
    async with transaction(sessions) as session:
        await create_merchant(session, slug="demo-us", currency="USD")
        shop = await shop_by_slug(session, "demo-us")
        assert shop is not None
        change_settings(shop.settings, fx_margin_percent="2.5%", charge_currency="merchant")
        with pytest.raises(SettingsError):
            change_settings(shop.settings, fx_margin_percent="100", language="de")
        policy = conversion_policy(shop.settings)
    assert policy.margin_percent == Decimal("2.5") and policy.charge_currency == "merchant"
    assert shop.language == "en"  # the refused change left everything as it was


async def test_a_shop_is_bound_with_its_claim_code_then_only_by_staff(
    sessions: SessionFactory,
) -> None:
    async with transaction(sessions) as session:
        us = await create_merchant(session, slug="demo-us", currency="USD")
        await create_merchant(session, slug="demo-cn", currency="CNY")
        code = await issue_claim_code(session, merchant_id=us.id)
        first = await bind_chat(session, slug="demo-us", chat_id=-1, user_id=10, code=code)
        hijack = await bind_chat(session, slug="demo-us", chat_id=-2, user_id=66, code=code)
        moved = await bind_chat(session, slug="demo-us", chat_id=-3, user_id=10)
        taken = await bind_chat(session, slug="demo-cn", chat_id=-3, user_id=20)
        missing = await bind_chat(session, slug="nope", chat_id=-4, user_id=10)
        staff = await is_staff(session, merchant_id=first.merchant.id, user_id=10) if first else 0
    assert first is not None and staff
    assert hijack is None and taken is None and missing is None
    assert moved is not None and moved.settings.notify_chat_id == -3
