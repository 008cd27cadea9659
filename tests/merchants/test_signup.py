"""One-time codes: a CLI-made shop is claimed only with its code; who may open a shop; /newshop's
dialog as stored in the database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text

from bot.database import SessionFactory, transaction
from catalog.merchants import create_merchant, find_merchant, is_valid_slug
from db import utcnow
from merchants import onboarding
from merchants.models import SignupCode
from merchants.onboarding import Problem, Step
from merchants.secrets import SecretBox, SecretKeyError
from merchants.settings import payment_settings, set_payment, shop_by_slug, shop_for_chat
from merchants.shipping import Problem as ShippingProblem
from merchants.signup import (
    OpenRefused,
    ShopNotOpened,
    Signup,
    claim_shop,
    code_hash,
    free_slug,
    issue_claim_code,
    issue_invite,
    new_code,
    open_shop,
)
from merchants.staff import is_staff, list_staff, remove_staff
from orders.dialog import load_dialog
from orders.shipping import Terms, has_rules
from payments import ProviderKind
from tests.payments.factories import SECRET_KEY

GROUP, OTHER_GROUP, ADMIN, STRANGER = -1001, -1002, 501, 666


async def test_codes_are_random_typeable_and_forgiving_to_type() -> None:
    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200
    code = next(iter(codes))
    assert len(code) == 14 and code.count("-") == 2
    assert not set(code.replace("-", "")) & set("01OIL")
    assert code_hash(code) == code_hash(code.lower().replace("-", " "))
    assert code_hash(code) != code_hash(new_code())


async def test_a_shop_is_claimed_only_with_its_own_unused_code(sessions: SessionFactory) -> None:
    async with transaction(sessions) as session:
        mugs = await create_merchant(session, slug="mugs", currency="EUR")
        tea = await create_merchant(session, slug="tea", currency="USD")
        mugs_code = await issue_claim_code(session, merchant_id=mugs.id)
        tea_code = await issue_claim_code(session, merchant_id=tea.id)

    async with transaction(sessions) as session:
        without = await claim_shop(session, slug="mugs", code=None, chat_id=GROUP, user_id=ADMIN)
        wrong = await claim_shop(session, slug="mugs", code="ABCD-EFGH-JKMN", chat_id=GROUP,
                                 user_id=ADMIN)  # fmt: skip
        others = await claim_shop(session, slug="mugs", code=tea_code, chat_id=GROUP,
                                  user_id=ADMIN)  # fmt: skip
        assert await shop_for_chat(session, GROUP) is None
        assert await list_staff(session, merchant_id=mugs.id) == []
    assert without is None and wrong is None and others is None

    async with transaction(sessions) as session:
        claimed = await claim_shop(session, slug="MUGS", code=mugs_code.lower(), chat_id=GROUP,
                                   user_id=ADMIN, user_name="Mia")  # fmt: skip
        assert claimed is not None and claimed.settings.notify_chat_id == GROUP
        assert await is_staff(session, merchant_id=mugs.id, user_id=ADMIN)
    async with transaction(sessions) as session:  # used once: a second group gets nothing
        again = await claim_shop(session, slug="mugs", code=mugs_code, chat_id=OTHER_GROUP,
                                 user_id=STRANGER)  # fmt: skip
        assert again is None
        shop = await shop_by_slug(session, "mugs")
        assert shop is not None and shop.settings.notify_chat_id == GROUP
        # The shop's staff may move it without a code; the taken group refuses another shop.
        moved = await claim_shop(session, slug="mugs", code=None, chat_id=OTHER_GROUP,
                                 user_id=ADMIN)  # fmt: skip
        assert moved is not None and moved.settings.notify_chat_id == OTHER_GROUP
        taken = await claim_shop(session, slug="tea", code=tea_code, chat_id=OTHER_GROUP,
                                 user_id=STRANGER)  # fmt: skip
        assert taken is None
    async with transaction(sessions) as session:  # refused above, so the code still works
        tea_shop = await claim_shop(session, slug="tea", code=tea_code, chat_id=GROUP,
                                    user_id=STRANGER)  # fmt: skip
        assert tea_shop is not None


async def test_codes_are_stored_only_hashed_and_a_new_claim_code_replaces_the_old(
    sessions: SessionFactory,
) -> None:
    async with transaction(sessions) as session:
        mugs = await create_merchant(session, slug="mugs", currency="EUR")
        first = await issue_claim_code(session, merchant_id=mugs.id)
        second = await issue_claim_code(session, merchant_id=mugs.id)
        invite = await issue_invite(session)
    async with sessions() as session:
        rows = (await session.execute(text("SELECT * FROM merchant_signup_codes"))).all()
        hashes = set(await session.scalars(select(SignupCode.code_hash)))
    dump = repr(rows)
    for code in (first, second, invite):
        assert code not in dump and code.replace("-", "") not in dump
    assert hashes == {code_hash(second), code_hash(invite)}
    async with transaction(sessions) as session:
        old = await claim_shop(session, slug="mugs", code=first, chat_id=GROUP, user_id=ADMIN)
        new = await claim_shop(session, slug="mugs", code=second, chat_id=GROUP, user_id=ADMIN)
    assert old is None and new is not None


async def _open(sessions: SessionFactory, policy: Signup, invite: str | None,
                chat_id: int = GROUP) -> str:  # fmt: skip
    async with transaction(sessions) as session:
        shop = await open_shop(
            session, policy=policy, invite=invite, name="Café Lumière", currency="eur",
            language="fr", chat_id=chat_id, user_id=ADMIN,
        )  # fmt: skip
        return shop.merchant.slug


async def test_the_signup_policy_decides_who_opens_a_shop(sessions: SessionFactory) -> None:
    with pytest.raises(ShopNotOpened) as closed:
        await _open(sessions, Signup.CLOSED, None)
    assert closed.value.reason is OpenRefused.CLOSED
    with pytest.raises(ShopNotOpened) as uninvited:
        await _open(sessions, Signup.INVITE, "ABCD-EFGH-JKMN")
    assert uninvited.value.reason is OpenRefused.NEEDS_INVITE

    async with transaction(sessions) as session:
        invite = await issue_invite(session)
    slug = await _open(sessions, Signup.INVITE, invite)
    with pytest.raises(ShopNotOpened) as reused:  # an invite opens one shop
        await _open(sessions, Signup.INVITE, invite, chat_id=OTHER_GROUP)
    assert reused.value.reason is OpenRefused.NEEDS_INVITE
    with pytest.raises(ShopNotOpened) as taken:  # a group serves one shop
        await _open(sessions, Signup.OPEN, None)
    assert taken.value.reason is OpenRefused.CHAT_TAKEN
    second = await _open(sessions, Signup.OPEN, None, chat_id=OTHER_GROUP)

    assert (slug, second) == ("cafe-lumiere", "cafe-lumiere-2")
    async with sessions() as session:
        shop = await shop_for_chat(session, GROUP)
        assert shop is not None and shop.merchant.currency == "EUR"
        assert shop.language == "fr" and shop.merchant.language == "fr"
        assert await is_staff(session, merchant_id=shop.merchant.id, user_id=ADMIN)


async def test_slugs_come_from_any_script_and_fit_the_shop_link(sessions: SessionFactory) -> None:
    async with sessions() as session:
        chinese = await free_slug(session, "红茶 Shop")
        nothing = await free_slug(session, "!!!")
        long = await free_slug(session, "A very long shop name " * 5)
    assert is_valid_slug(chinese) and chinese.endswith("-shop") and chinese.isascii()
    assert nothing == "shop"
    assert is_valid_slug(long) and len(f"shop-{long}-99") <= 64  # Telegram's start parameter


async def _say(sessions: SessionFactory, words: str, policy: Signup = Signup.OPEN
               ) -> onboarding.Answered | None:  # fmt: skip
    async with transaction(sessions) as session:
        return await onboarding.answer(
            session, policy=policy, chat_id=GROUP, user_id=ADMIN, user_name="Mia", text=words,
            now=utcnow(),
        )  # fmt: skip


async def test_newshop_asks_one_question_at_a_time_and_keeps_its_place_in_the_database(
    sessions: SessionFactory,
) -> None:
    assert await _say(sessions, "hello") is None  # no dialog: not for /newshop
    async with transaction(sessions) as session:
        first = await onboarding.begin(session, policy=Signup.OPEN, invite=None, chat_id=GROUP,
                                       user_id=ADMIN, now=utcnow())  # fmt: skip
    assert first is Step.NAME
    assert await _say(sessions, " ") == onboarding.Answered(Step.NAME, Problem.NAME)
    assert await _say(sessions, "Lotus Tea") == onboarding.Answered(Step.CURRENCY)
    assert await _say(sessions, "dollars") == onboarding.Answered(Step.CURRENCY, Problem.CURRENCY)
    assert await _say(sessions, "cny") == onboarding.Answered(Step.LANGUAGE)
    async with sessions() as session:  # what a restarted worker would read
        stored = await load_dialog(session, channel=onboarding.CHANNEL, chat_id=GROUP,
                                   user_id=ADMIN)  # fmt: skip
    assert stored is not None and stored.step == "language"
    assert stored.data == {"name": "Lotus Tea", "currency": "CNY"}
    assert await _say(sessions, "9") == onboarding.Answered(Step.LANGUAGE, Problem.LANGUAGE)
    assert await _say(sessions, "2") == onboarding.Answered(Step.PAYMENT)  # 中文
    assert await _say(sessions, "4") == onboarding.Answered(Step.PAYMENT, Problem.PAYMENT)
    assert await _say(sessions, "3") == onboarding.Answered(Step.SHIPPING, currency="CNY")
    async with sessions() as session:  # no shop before it delivers somewhere
        assert await find_merchant(session, slug="lotus-tea") is None

    # No skipping: a shop that delivers nowhere cannot sell. A bad zone is named, not stored.
    refusals = [("skip", ShippingProblem.UNKNOWN_WORD), ("CN,XY 10", ShippingProblem.BAD_COUNTRY),
                ("CN", ShippingProblem.NO_PRICE)]  # fmt: skip
    for words, problem in refusals:
        again = await _say(sessions, words)
        assert again is not None and again.step is Step.SHIPPING and again.shop is None
        assert again.problem is Problem.SHIPPING and again.currency == "CNY"
        assert again.refusal is not None and again.refusal.problem is problem
    async with sessions() as session:
        assert await find_merchant(session, slug="lotus-tea") is None

    done = await _say(sessions, "CN,HK 12 free 199 days 2-4")
    assert done is not None and done.step is None and done.payment is ProviderKind.SANDBOX
    assert done.shop is not None and done.shop.merchant.slug == "lotus-tea"
    assert done.zone is not None and done.zone.countries == ("CN", "HK")
    assert done.zone.terms == Terms(1200, 19900, 2, 4)
    async with sessions() as session:
        shop = await shop_for_chat(session, GROUP)
        assert shop is not None and shop.language == "zh_Hans"
        assert shop.settings.payment_provider == "sandbox"
        merchant = await find_merchant(session, slug="lotus-tea")
        assert merchant is not None
        assert await has_rules(session, merchant_id=merchant.id)
    assert await _say(sessions, "more words") is None  # the dialog is over


async def test_an_idle_newshop_dialog_is_forgotten(sessions: SessionFactory) -> None:
    async with transaction(sessions) as session:
        await onboarding.begin(session, policy=Signup.OPEN, invite=None, chat_id=GROUP,
                               user_id=ADMIN, now=utcnow() - timedelta(hours=3))  # fmt: skip
    assert await _say(sessions, "Lotus Tea") is None


async def test_an_invite_checked_at_the_start_is_used_at_the_end(sessions: SessionFactory) -> None:
    async with transaction(sessions) as session:
        invite = await issue_invite(session)
        with pytest.raises(ShopNotOpened):
            await onboarding.begin(session, policy=Signup.INVITE, invite=None, chat_id=GROUP,
                                   user_id=ADMIN, now=utcnow())  # fmt: skip
        await onboarding.begin(session, policy=Signup.INVITE, invite=invite, chat_id=GROUP,
                               user_id=ADMIN, now=utcnow())  # fmt: skip
    for words in ("Tea", "USD", "en"):
        await _say(sessions, words, Signup.INVITE)
    async with sessions() as session:
        unused = await session.scalar(select(SignupCode.used_at))
    assert unused is None
    await _say(sessions, "stripe", Signup.INVITE)
    async with sessions() as session:
        assert await session.scalar(select(SignupCode.used_at)) is None
    done = await _say(sessions, "* 9.90", Signup.INVITE)
    assert done is not None and done.shop is not None and done.payment is ProviderKind.STRIPE
    async with sessions() as session:
        row = await session.scalar(select(SignupCode))
    assert row is not None and row.used_at is not None and row.used_by == ADMIN


async def test_payment_keys_are_asked_of_staff_only_and_stored_sealed(
    sessions: SessionFactory,
) -> None:
    box = SecretBox.from_keys(SECRET_KEY)
    async with transaction(sessions) as session:
        shop = await open_shop(
            session, policy=Signup.OPEN, invite=None, name="Tea", currency="USD",
            language="en", chat_id=GROUP, user_id=ADMIN,
        )  # fmt: skip
        set_payment(shop.settings, "payment_link", {})
        stranger = await onboarding.begin_keys(session, slug="tea", user_id=STRANGER,
                                               now=utcnow())  # fmt: skip
        first = await onboarding.begin_keys(session, slug="tea", user_id=ADMIN, now=utcnow())
    assert stranger is None
    assert first == onboarding.KeyAsked("tea", "url_template")

    async def type_(text: str) -> onboarding.KeyAsked | None:
        async with transaction(sessions) as session:
            return await onboarding.answer_key(session, user_id=ADMIN, text=text, box=box,
                                               now=utcnow())  # fmt: skip

    template = "https://pay.example/?o={order}"
    assert await type_(template) == onboarding.KeyAsked("tea", "callback_secret", secret=False)
    async with transaction(sessions) as session:  # a secret without a key: nothing kept
        with pytest.raises(SecretKeyError):
            await onboarding.answer_key(session, user_id=ADMIN, text="x" * 20, box=None,
                                        now=utcnow())  # fmt: skip
    assert await type_("callback-secret-0123456") == onboarding.KeyAsked("tea", None, secret=True)
    assert await type_("more text") is None  # nothing is asked any more
    async with sessions() as session:
        stored = await shop_by_slug(session, "tea")
        assert stored is not None
        config = dict(stored.settings.payment_config)
        opened = payment_settings(stored, box)
    assert config["url_template"] == template and "callback-secret" not in repr(config)
    assert opened is not None and opened.callback_secret == "callback-secret-0123456"

    async with transaction(sessions) as session:  # left the staff half-way: refused
        await onboarding.begin_keys(session, slug="tea", user_id=ADMIN, now=utcnow())
        await remove_staff(session, merchant_id=stored.merchant.id, user_id=ADMIN)
    refused = await type_("https://elsewhere.example/?o={order}")
    assert refused is not None and refused.refused
