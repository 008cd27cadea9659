"""The checkout as the buyer lives it: turns over the stored draft, on SQLite and PostgreSQL.

Every test drives `orders.checkout_dialog` the way the handlers do: one transaction per update.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from bot.database import SessionFactory, create_engine, session_factory, transaction
from catalog.models import Variant
from orders import cart
from orders import checkout_dialog as dialog
from orders.checkout import Step
from orders.checkout_dialog import CheckoutTurn, DialogKey, Shopper, TurnKind
from orders.delivery import saved_delivery_details
from orders.dialog import load_dialog, save_dialog
from orders.errors import (
    AmbiguousCountry,
    ChooseAButton,
    InvalidAddressPart,
    InvalidPhone,
    NoShipping,
    NotText,
    ShopNotOpen,
    TextTooLong,
)
from orders.models import Order, OrderStatus
from orders.placement import Outcome
from orders.shipping import remove_rules, set_rule
from tests.orders.factories import NOW, Shop, make_customer, quoter, seed_shop, stock_of

KEY = DialogKey("telegram", 500, 500)
ANSWERS = {
    Step.NAME: "Anna Müller",
    Step.PHONE: "030 1234567",
    Step.ADDRESS: "Hauptstraße 5",
    Step.CITY: "Berlin",
    Step.POSTAL_CODE: "10115",
    Step.COUNTRY: "Deutschland",
    Step.CONFIRM_SAVE: "no",
}
GARBAGE = ["😀😀😀", "x" * 5000, "\x00\x07", "", "🙂" * 5000, "👍🏽🔥"]


@dataclass
class Buyer:
    """One buyer's updates, each in its own transaction, like the handlers run them."""

    sessions: SessionFactory
    shopper: Shopper
    key: DialogKey = KEY

    async def _turn(self, use_case: Any, **arguments: Any) -> CheckoutTurn | None:
        async with transaction(self.sessions) as session:
            return await use_case(
                session, key=self.key, shopper=self.shopper, quoter=quoter(), now=NOW, **arguments
            )

    async def begin(self) -> CheckoutTurn:
        turn = await self._turn(dialog.begin)
        assert turn is not None
        return turn

    async def text(self, text: str) -> CheckoutTurn | None:
        return await self._turn(dialog.answer_text, text=text)

    async def contact(self, phone: str) -> CheckoutTurn | None:
        return await self._turn(dialog.answer_contact, phone_number=phone)

    async def photo(self) -> CheckoutTurn | None:
        return await self._turn(dialog.answer_other)

    async def press(self, step: Step | str, answer: str) -> CheckoutTurn | None:
        return await self._turn(dialog.press, step=str(step), answer=answer)

    async def step(self) -> Step | None:
        async with transaction(self.sessions) as session:
            return await dialog.active_step(session, key=self.key, now=NOW)

    async def stored(self) -> dict[str, Any] | None:
        async with transaction(self.sessions) as session:
            state = await load_dialog(
                session, channel=KEY.channel, chat_id=KEY.chat_id, user_id=KEY.user_id
            )
        return None if state is None else {"step": state.step, "data": state.data}

    async def walk_to(self, until: Step) -> CheckoutTurn:
        return await self.walk_on(until, await self.begin())

    async def walk_on(self, until: Step, turn: CheckoutTurn | None = None) -> CheckoutTurn:
        """Answers from the step being asked on, up to `until`."""
        if turn is None:
            turn = await self.begin()  # resumes the checkout under way
        while turn.draft is not None and turn.draft.step != until:
            next_turn = await self.text(ANSWERS[turn.draft.step])
            assert next_turn is not None and next_turn.error is None, next_turn
            turn = next_turn
        return turn


async def _shop_and_buyer(sessions: SessionFactory) -> tuple[Shop, Buyer]:
    async with transaction(sessions) as session:
        shop = await seed_shop(session)
        customer = await make_customer(session, KEY.user_id)
        await cart.add_to_cart(session, customer_id=customer, variant_id=shop.mug_red, quantity=2)
        await cart.add_to_cart(session, customer_id=customer, variant_id=shop.teapot)
    return shop, Buyer(sessions, Shopper(customer, "EUR", "en", "DE"))


async def _order_with_details_saved(buyer: Buyer) -> None:
    """A whole checkout that remembers the delivery details, and its orders placed."""
    await buyer.walk_to(Step.CONFIRM_SAVE)
    turn = await buyer.press(Step.CONFIRM_SAVE, "yes")
    assert turn is not None and turn.summary is not None
    await buyer.press(Step.SUMMARY, turn.summary.fingerprint)


async def _count_orders(sessions: SessionFactory) -> int:
    async with transaction(sessions) as session:
        return int(await session.scalar(select(func.count()).select_from(Order)) or 0)


async def test_a_whole_checkout_places_one_order_per_merchant(sessions: SessionFactory) -> None:
    shop, buyer = await _shop_and_buyer(sessions)
    first = await buyer.begin()
    assert first.kind == TurnKind.ASK and first.draft is not None
    assert first.draft.step == Step.COUNTRY  # nothing saved yet: no offer to reuse
    await buyer.walk_to(Step.CONFIRM_SAVE)
    turn = await buyer.press(Step.CONFIRM_SAVE, "yes")
    assert turn is not None and turn.kind == TurnKind.SUMMARY and turn.summary is not None
    summary = turn.summary
    assert [m.merchant_name for m in summary.merchants] == ["Mugs & Co", "Tea House"]
    # 2 × 11.00 USD + 5.50 shipping; 77.00 CNY + 30.80 shipping (to Germany).
    assert [str(m.total) for m in summary.merchants] == ["27.50 USD", "107.80 CNY"]
    assert await buyer.step() == Step.SUMMARY

    placed = await buyer.press(Step.SUMMARY, summary.fingerprint)
    assert placed is not None and placed.kind == TurnKind.PLACED and placed.over
    assert placed.placement is not None and placed.placement.outcome == Outcome.PLACED
    assert len(placed.placement.orders) == 2
    assert await buyer.step() is None and await buyer.stored() is None
    async with transaction(sessions) as session:
        assert await stock_of(session, shop.mug_red) == 8
        assert await stock_of(session, shop.teapot) == 4
        statuses = set((await session.scalars(select(Order.status))).all())
        remembered = await saved_delivery_details(session, customer_id=buyer.shopper.customer_id)
    assert statuses == {OrderStatus.AWAITING_PAYMENT.value}
    assert remembered is not None and remembered.name == "Anna Müller"

    # Confirm pressed again (its reply lost in a crash, a retried update): the same orders,
    # never "expired", nothing new.
    again = await buyer.press(Step.SUMMARY, summary.fingerprint)
    assert again is not None and again.kind == TurnKind.PLACED and again.placement is not None
    assert again.placement.outcome == Outcome.ALREADY_PLACED
    assert [o.number for o in again.placement.orders] == [o.number for o in placed.placement.orders]
    assert await _count_orders(sessions) == 2


async def test_a_restart_resumes_at_the_same_step(
    sessions: SessionFactory, database_url: tuple[str, str | None]
) -> None:
    _shop, buyer = await _shop_and_buyer(sessions)
    await buyer.begin()
    await buyer.text("Deutschland")
    await buyer.text("Anna Müller")
    await buyer.text("030 1234567")
    assert await buyer.step() == Step.ADDRESS

    # A new process: a new engine and session factory on the same database.
    url, schema = database_url
    engine = create_engine(url, search_path=schema)
    try:
        restarted = Buyer(session_factory(engine), buyer.shopper)
        assert await restarted.step() == Step.ADDRESS
        resumed = await restarted.begin()  # /checkout again: resumes, does not start over
        assert resumed.draft is not None and resumed.draft.step == Step.ADDRESS
        assert resumed.draft.name == "Anna Müller" and resumed.draft.phone == "+49301234567"
        turn = await restarted.text("Hauptstraße 5")
        assert turn is not None and turn.draft is not None and turn.draft.step == Step.CITY
    finally:
        await engine.dispose()


@pytest.mark.parametrize(
    "step",
    [Step.NAME, Step.PHONE, Step.ADDRESS, Step.CITY, Step.POSTAL_CODE, Step.COUNTRY],
)
async def test_garbage_at_every_step_is_refused_and_changes_nothing(
    sessions: SessionFactory, step: Step
) -> None:
    _shop, buyer = await _shop_and_buyer(sessions)
    await buyer.walk_to(step)
    before = await buyer.stored()
    for garbage in GARBAGE:
        turn = await buyer.text(garbage)
        assert turn is not None and turn.kind == TurnKind.ASK
        assert turn.error is not None, garbage
        assert turn.draft is not None and turn.draft.step == step
    photo = await buyer.photo()
    assert photo is not None and isinstance(photo.error, NotText)
    assert await buyer.stored() == before


async def test_garbage_at_the_yes_no_steps_and_the_summary(sessions: SessionFactory) -> None:
    _shop, buyer = await _shop_and_buyer(sessions)
    await buyer.walk_to(Step.CONFIRM_SAVE)
    for garbage in GARBAGE:
        turn = await buyer.text(garbage)
        assert turn is not None and turn.error is not None
        assert isinstance(turn.error, ChooseAButton | TextTooLong)
    await buyer.press(Step.CONFIRM_SAVE, "no")
    before = await buyer.stored()
    # Text at the summary shows the summary again; it never places anything.
    turn = await buyer.text("yes")
    assert turn is not None and turn.kind == TurnKind.SUMMARY and turn.summary is not None
    assert isinstance(turn.error, ChooseAButton)
    assert await buyer.stored() == before and await _count_orders(sessions) == 0


async def test_typed_yes_no_answers_in_the_buyers_language(sessions: SessionFactory) -> None:
    _shop, buyer = await _shop_and_buyer(sessions)
    await buyer.walk_to(Step.CONFIRM_SAVE)
    turn = await buyer.text("нет")
    assert turn is not None and turn.kind == TurnKind.SUMMARY
    assert turn.draft is not None and not turn.draft.save_details


async def test_back_and_cancel(sessions: SessionFactory) -> None:
    _shop, buyer = await _shop_and_buyer(sessions)
    await buyer.walk_to(Step.CITY)
    back = await buyer.press(Step.CITY, "back")
    assert back is not None and back.draft is not None and back.draft.step == Step.ADDRESS
    assert back.left == Step.CITY
    # A button of a step already left is stale: nothing changes.
    assert await buyer.press(Step.CITY, "back") is None
    assert await buyer.step() == Step.ADDRESS
    # Cancel works from any message of this checkout, and ends it.
    cancelled = await buyer.press(Step.NAME, "cancel")
    assert cancelled is not None and cancelled.kind == TurnKind.CANCELLED
    assert await buyer.step() is None
    # After that, text is no answer to anything (the handler searches instead).
    assert await buyer.text("Berlin") is None
    assert await buyer.press(Step.ADDRESS, "back") is None


async def test_back_at_the_first_step_is_not_offered(sessions: SessionFactory) -> None:
    _shop, buyer = await _shop_and_buyer(sessions)
    await buyer.begin()
    assert await buyer.press(Step.COUNTRY, "back") is None
    assert await buyer.step() == Step.COUNTRY


async def test_forged_step_answers_are_stale(sessions: SessionFactory) -> None:
    _shop, buyer = await _shop_and_buyer(sessions)
    await buyer.walk_to(Step.COUNTRY)
    before = await buyer.stored()
    for step, answer in [
        (Step.COUNTRY, "ZZ"),  # not a country
        (Step.COUNTRY, "yes"),
        (Step.COUNTRY, "skip"),
        (Step.SUMMARY, "0123456789ab"),  # Confirm of a step not reached
        ("nonsense", "back"),
    ]:
        assert await buyer.press(step, answer) is None
    assert await buyer.stored() == before


async def test_contact_button_answers_the_phone_step_only(sessions: SessionFactory) -> None:
    _shop, buyer = await _shop_and_buyer(sessions)
    await buyer.begin()
    early = await buyer.contact("491701234567")
    assert early is not None and isinstance(early.error, ChooseAButton)
    await buyer.text("Deutschland")
    await buyer.text("Anna Müller")
    bad = await buyer.contact("12")
    assert bad is not None and isinstance(bad.error, InvalidPhone)
    turn = await buyer.contact("491701234567")
    assert turn is not None and turn.draft is not None
    assert turn.draft.step == Step.ADDRESS and turn.draft.phone == "+491701234567"
    assert turn.left == Step.PHONE


async def test_postal_code_can_be_skipped_and_countries_picked(sessions: SessionFactory) -> None:
    _shop, buyer = await _shop_and_buyer(sessions)
    await buyer.begin()
    ambiguous = await buyer.text("Korea")
    assert ambiguous is not None and isinstance(ambiguous.error, AmbiguousCountry)
    assert "KR" in ambiguous.error.candidates
    assert await buyer.step() == Step.COUNTRY
    picked = await buyer.press(Step.COUNTRY, "DE")
    assert picked is not None and picked.draft is not None
    assert picked.draft.country == "DE" and picked.draft.step == Step.NAME
    for answer in ("Anna Müller", "030 1234567", "Hauptstraße 5", "Berlin"):
        await buyer.text(answer)
    # Germany's post needs a postal code: no skipping it, and a wrong one is named.
    refused = await buyer.press(Step.POSTAL_CODE, "skip")
    assert refused is not None and isinstance(refused.error, InvalidAddressPart)
    wrong = await buyer.text("1011")
    assert wrong is not None and isinstance(wrong.error, InvalidAddressPart)
    assert wrong.error.params["field"] == "postal" and wrong.error.params["country"] == "DE"
    turn = await buyer.text("10115")
    assert turn is not None and turn.draft is not None and turn.draft.step == Step.CONFIRM_SAVE


async def test_an_optional_postal_code_can_be_skipped(sessions: SessionFactory) -> None:
    shop, buyer = await _shop_and_buyer(sessions)
    async with transaction(sessions) as session:  # the tea shop ships to Egypt too
        await set_rule(session, merchant_id=shop.cny_merchant, country="EG", rate_minor=5000)
    await buyer.begin()
    for answer in ("Egypt", "Omar Hassan", "010 1234 5678", "5 Tahrir Street", "Cairo"):
        await buyer.text(answer)
    turn = await buyer.press(Step.POSTAL_CODE, "skip")
    assert turn is not None and turn.draft is not None and turn.draft.step == Step.CONFIRM_SAVE
    assert turn.draft.postal_code is None and turn.draft.phone == "+201012345678"


async def test_a_country_a_shop_does_not_ship_to_is_refused_at_the_country_step(
    sessions: SessionFactory,
) -> None:
    """Not after the whole address: the buyer stays at the country question, the shop named."""
    _shop, buyer = await _shop_and_buyer(sessions)
    await buyer.walk_to(Step.COUNTRY)
    typed = await buyer.text("France")
    assert typed is not None and typed.kind == TurnKind.ASK
    assert isinstance(typed.error, NoShipping) and typed.error.params["merchant"] == "Tea House"
    assert typed.error.params["country"] == "FR"
    pressed = await buyer.press(Step.COUNTRY, "FR")
    assert pressed is not None and isinstance(pressed.error, NoShipping)
    assert await buyer.step() == Step.COUNTRY
    stored = await buyer.stored()
    assert stored is not None and stored["data"].get("country") is None
    # A country every shop of the cart ships to goes on to the name.
    turn = await buyer.text("DE")
    assert turn is not None and turn.error is None and turn.draft is not None
    assert turn.draft.step == Step.NAME
    await buyer.walk_on(Step.CONFIRM_SAVE, turn)
    turn = await buyer.press(Step.CONFIRM_SAVE, "no")
    assert turn is not None and turn.summary is not None


async def test_saved_details_for_a_country_a_new_shop_skips_are_refused_before_the_summary(
    sessions: SessionFactory,
) -> None:
    """Germany saved from an earlier order; the tea shop has stopped delivering there."""
    shop, buyer = await _shop_and_buyer(sessions)
    await _order_with_details_saved(buyer)
    async with transaction(sessions) as session:
        await remove_rules(session, merchant_id=shop.cny_merchant, countries=["DE"])
        await set_rule(session, merchant_id=shop.cny_merchant, country="AT", rate_minor=3080)
        await cart.add_to_cart(session, customer_id=buyer.shopper.customer_id,
                               variant_id=shop.teapot)  # fmt: skip
    offer = await buyer.begin()
    assert offer.draft is not None and offer.draft.step == Step.REUSE_SAVED
    refused = await buyer.press(Step.REUSE_SAVED, "yes")
    assert refused is not None and refused.kind == TurnKind.ASK and refused.summary is None
    assert isinstance(refused.error, NoShipping) and refused.error.params["country"] == "DE"
    assert await buyer.step() == Step.REUSE_SAVED
    other = await buyer.press(Step.REUSE_SAVED, "no")  # on to another country
    assert other is not None and other.draft is not None and other.draft.step == Step.COUNTRY
    austria = await buyer.text("Österreich")
    assert austria is not None and austria.error is None and austria.draft is not None
    assert austria.draft.step == Step.NAME


async def test_a_shop_without_any_rule_is_named_as_not_taking_orders(
    sessions: SessionFactory,
) -> None:
    shop, buyer = await _shop_and_buyer(sessions)
    async with transaction(sessions) as session:
        await remove_rules(session, merchant_id=shop.cny_merchant, countries=None)
    await buyer.walk_to(Step.COUNTRY)
    turn = await buyer.text("DE")
    assert turn is not None and isinstance(turn.error, ShopNotOpen)
    assert turn.error.params["merchant"] == "Tea House"
    assert await buyer.step() == Step.COUNTRY


async def test_a_summary_that_moved_is_shown_again_not_placed(sessions: SessionFactory) -> None:
    shop, buyer = await _shop_and_buyer(sessions)
    await buyer.walk_to(Step.CONFIRM_SAVE)
    turn = await buyer.press(Step.CONFIRM_SAVE, "no")
    assert turn is not None and turn.summary is not None
    seen = turn.summary.fingerprint
    async with transaction(sessions) as session:  # the merchant raises the price meanwhile
        await session.execute(
            update(Variant).where(Variant.id == shop.mug_red).values(price_minor=1300)
        )
    again = await buyer.press(Step.SUMMARY, seen)
    assert again is not None and again.kind == TurnKind.SUMMARY
    assert again.placement is not None and again.placement.outcome == Outcome.CHANGED
    assert again.summary is not None and again.summary.fingerprint != seen
    assert await _count_orders(sessions) == 0 and await buyer.step() == Step.SUMMARY
    placed = await buyer.press(Step.SUMMARY, again.summary.fingerprint)
    assert placed is not None and placed.kind == TurnKind.PLACED


async def test_saved_details_are_offered_and_reused(sessions: SessionFactory) -> None:
    shop, buyer = await _shop_and_buyer(sessions)
    await _order_with_details_saved(buyer)
    async with transaction(sessions) as session:
        await cart.add_to_cart(
            session, customer_id=buyer.shopper.customer_id, variant_id=shop.mug_blue
        )
    offer = await buyer.begin()
    assert offer.draft is not None and offer.draft.step == Step.REUSE_SAVED
    assert offer.draft.saved is not None and offer.draft.saved.city == "Berlin"
    reused = await buyer.press(Step.REUSE_SAVED, "yes")
    assert reused is not None and reused.kind == TurnKind.SUMMARY and reused.summary is not None
    assert reused.summary.delivery.name == "Anna Müller"
    # Or not: Back, then No, asks everything again.
    await buyer.press(Step.SUMMARY, "back")
    fresh = await buyer.press(Step.REUSE_SAVED, "no")
    assert fresh is not None and fresh.draft is not None and fresh.draft.step == Step.COUNTRY


async def test_an_empty_cart_has_nothing_to_check_out(sessions: SessionFactory) -> None:
    async with transaction(sessions) as session:
        customer = await make_customer(session, KEY.user_id)
    buyer = Buyer(sessions, Shopper(customer, "EUR", "en"))
    turn = await buyer.begin()
    assert turn.kind == TurnKind.CART_EMPTY and turn.over
    assert await buyer.stored() is None


async def test_a_cart_emptied_during_checkout_ends_it_at_the_summary(
    sessions: SessionFactory,
) -> None:
    _shop, buyer = await _shop_and_buyer(sessions)
    await buyer.walk_to(Step.CONFIRM_SAVE)
    async with transaction(sessions) as session:
        await cart.empty_cart(session, customer_id=buyer.shopper.customer_id)
    turn = await buyer.press(Step.CONFIRM_SAVE, "no")
    assert turn is not None and turn.kind == TurnKind.CART_EMPTY
    assert await buyer.step() is None


async def test_a_tampered_draft_expires_instead_of_being_trusted(sessions: SessionFactory) -> None:
    _shop, buyer = await _shop_and_buyer(sessions)
    await buyer.walk_to(Step.ADDRESS)
    stored = await buyer.stored()
    assert stored is not None
    data = dict(stored["data"], phone="not a phone")
    async with transaction(sessions) as session:
        await save_dialog(
            session,
            channel=KEY.channel,
            chat_id=KEY.chat_id,
            user_id=KEY.user_id,
            step=stored["step"],
            data=data,
            now=NOW,
        )
    turn = await buyer.text("Hauptstraße 5")
    assert turn is not None and turn.kind == TurnKind.EXPIRED
    assert await buyer.stored() is None


async def test_a_checkout_idle_for_too_long_is_forgotten(sessions: SessionFactory) -> None:
    _shop, buyer = await _shop_and_buyer(sessions)
    await buyer.walk_to(Step.ADDRESS)
    async with transaction(sessions) as session:
        late = NOW + dialog.MAX_IDLE + timedelta(minutes=1)
        assert await dialog.active_step(session, key=KEY, now=late) is None
        assert await dialog.active_step(session, key=KEY, now=NOW + timedelta(days=1)) == (
            Step.ADDRESS
        )


async def test_other_buyers_and_chats_have_their_own_checkout(sessions: SessionFactory) -> None:
    _shop, buyer = await _shop_and_buyer(sessions)
    await buyer.walk_to(Step.CITY)
    other_chat = Buyer(sessions, buyer.shopper, DialogKey("telegram", 501, KEY.user_id))
    assert await other_chat.step() is None
    assert await other_chat.text("Berlin") is None
    assert await buyer.step() == Step.CITY
