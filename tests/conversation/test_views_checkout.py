"""The checkout's replies: questions with Back/Cancel, the phone keyboard, the summary, orders."""

from __future__ import annotations

import inspect
from datetime import timedelta

import pytest

from conversation import callbacks
from conversation.reply import Reply
from conversation.views.checkout import (
    ERROR_TEXTS,
    checkout_turn,
    error_text,
    nothing_to_cancel,
    question,
)
from i18n import SHIPPED_LOCALES, translator
from money import Money
from money.conversion import ConversionPolicy
from orders import errors
from orders.cart import CartLineView
from orders.checkout import CheckoutDraft, Step, start_checkout
from orders.checkout_dialog import CheckoutTurn, TurnKind
from orders.delivery import DeliveryDetails
from orders.placement import (
    CheckoutSummary,
    MerchantSummary,
    Outcome,
    PlacedOrder,
    PlacementResult,
    UnavailableLine,
)
from orders.pricing import price_line, price_merchant
from tests.orders.factories import NOW, quoter

EN = translator("en")
ANSWERS = ["DE", "Anna Müller", "030 1234567", "Hauptstraße 5", "Berlin", "10115"]
DETAILS = DeliveryDetails(
    name="Anna <Müller>",
    phone="+49301234567",
    address_lines=("Hauptstraße 5",),
    city="Berlin",
    postal_code="10115",
    country="DE",
)


US_ANSWERS = ["US", "Ana Silva", "(202) 555-0143", "1600 Pennsylvania Ave NW", "Washington"]
US_ANSWERS += ["DC", "20500"]


def draft_at(step: Step, answers_given: list[str] = ANSWERS) -> CheckoutDraft:
    draft = start_checkout(region_hint="DE")
    answers = iter(answers_given)
    while draft.step != step:
        draft = (
            draft.choose(False) if draft.step == Step.CONFIRM_SAVE else draft.answer(next(answers))
        )
    return draft


def pressed(reply: Reply) -> list[callbacks.Callback]:
    return [callbacks.decode(b.action) for row in reply.buttons for b in row if b.action]


def all_text(reply: Reply) -> str:
    return "\n".join([reply.text, *(all_text(extra) for extra in reply.extra)])


def summary(
    *, merchant_name: str = "Mugs & Co", title: str = "Ceramic <mug>", lines: int = 1
) -> CheckoutSummary:
    policy = ConversionPolicy()
    unit = Money.of("11.00", "USD")
    line = CartLineView(
        line_id=7,
        variant_id=3,
        product_id=2,
        title=title,
        sku="MUG-R",
        options={"Colour": "Red"},
        quantity=2,
        added_price=Money.of("10.00", "USD"),
        priced=price_line(quoter(), unit, 2, "EUR", policy),
        available=True,
        stock_short=False,
    )
    price = price_merchant(
        quoter(),
        [line.priced] * lines,
        currency="USD",
        buyer_currency="EUR",
        shipping=Money.of("5.50", "USD"),
        policy=policy,
    )
    merchant = MerchantSummary(1, merchant_name, (line,) * lines, price)
    return CheckoutSummary("EUR", DETAILS, (merchant,), problems=())


@pytest.mark.parametrize(
    "step", [Step.COUNTRY, Step.NAME, Step.ADDRESS, Step.CITY, Step.POSTAL_CODE]
)
def test_every_question_has_back_and_cancel_for_its_own_step(step: Step) -> None:
    reply = question(EN, draft_at(step))
    answers = [(p.action, p.str(0), p.str(1)) for p in pressed(reply)]
    assert ("step", step.value, "cancel") in answers
    assert (("step", step.value, "back") in answers) == (step != Step.COUNTRY)
    assert "step" in reply.text.lower()  # "Checkout, step n of 6"


def test_the_country_is_asked_first_with_the_likely_one_a_tap_away() -> None:
    answers = [p.str(1) for p in pressed(question(EN, start_checkout(region_hint="BR")))]
    assert answers == ["BR", "cancel"]


def test_a_postal_code_can_be_skipped_only_where_the_country_has_optional_ones() -> None:
    to_egypt = ["EG", "Omar", "010 1234 5678", "5 Tahrir St", "Cairo"]
    answers = [p.str(1) for p in pressed(question(EN, draft_at(Step.POSTAL_CODE, to_egypt)))]
    assert "skip" in answers
    germany = question(EN, draft_at(Step.POSTAL_CODE))
    assert "skip" not in [p.str(1) for p in pressed(germany)]
    assert "Postal code" in germany.text and "26133" in germany.text  # named, with an example


def test_the_us_asks_state_and_zip_and_prints_them_as_its_post_does() -> None:
    state = question(EN, draft_at(Step.AREA, US_ANSWERS))
    assert "State" in state.text and "step 6 of 7" in state.text
    zip_code = question(EN, draft_at(Step.POSTAL_CODE, US_ANSWERS))
    assert "ZIP code" in zip_code.text
    delivery = draft_at(Step.CONFIRM_SAVE, US_ANSWERS).delivery
    assert (delivery.area, delivery.postal_code, delivery.phone) == ("DC", "20500", "+12025550143")
    text = question(EN, draft_at(Step.CONFIRM_SAVE, US_ANSWERS)).text
    assert "WASHINGTON, DC 20500" in text
    assert "(202) 555-0143" in text  # national format for a number of the address's country


def test_the_phone_question_asks_for_the_contact_with_buttons_in_a_second_message() -> None:
    reply = question(EN, draft_at(Step.PHONE))
    assert reply.contact_request and not reply.buttons  # Telegram: one markup per message
    (extra,) = reply.extra
    assert [p.str(1) for p in pressed(extra)] == ["back", "cancel"]


def test_leaving_the_phone_step_removes_the_contact_keyboard() -> None:
    forward = checkout_turn(EN, CheckoutTurn(TurnKind.ASK, draft_at(Step.ADDRESS), left=Step.PHONE))
    assert forward.remove_keyboard and not forward.buttons
    assert "030 1234567" in forward.text  # shown back as Germany writes it
    assert "street address" in forward.extra[0].text
    back = checkout_turn(EN, CheckoutTurn(TurnKind.ASK, draft_at(Step.NAME), left=Step.PHONE))
    assert back.remove_keyboard and "+49" not in back.text
    cancelled = checkout_turn(EN, CheckoutTurn(TurnKind.CANCELLED, left=Step.PHONE))
    assert cancelled.remove_keyboard and not cancelled.buttons
    # Elsewhere nothing is removed (there is no keyboard to remove).
    city = checkout_turn(EN, CheckoutTurn(TurnKind.ASK, draft_at(Step.CITY), left=Step.ADDRESS))
    assert not city.remove_keyboard


def test_a_refused_answer_is_explained_above_the_question_again() -> None:
    draft = draft_at(Step.NAME)
    turn = CheckoutTurn(TurnKind.ASK, draft, left=Step.NAME, error=errors.TextTooLong(maximum=100))
    reply = checkout_turn(EN, turn)
    assert reply.text.startswith("That is too long: please keep it under 100 characters.")
    assert "recipient's full name" in reply.text
    assert reply.edit  # a press edits the message it was pressed on; typed text gets a new one


def test_an_ambiguous_country_offers_the_candidates_as_buttons() -> None:
    error = errors.AmbiguousCountry(("KR", "KP"))
    reply = question(translator("de"), draft_at(Step.COUNTRY), error=error)
    labels = [b.text for row in reply.buttons for b in row]
    assert "Südkorea" in labels and "Nordkorea" in labels
    assert [p.str(1) for p in pressed(reply)][:2] == ["KR", "KP"]


def test_error_texts_repeat_the_domain_defaults_exactly() -> None:
    """The msgids must match `orders.errors`, or a changed default would go untranslated."""
    classes = [
        cls
        for _, cls in inspect.getmembers(errors, inspect.isclass)
        if issubclass(cls, errors.ShopError)
    ]
    for cls in classes:
        if cls.message_id in ERROR_TEXTS:
            assert ERROR_TEXTS[cls.message_id] == cls.default, cls
    for name in ["input.", "delivery.", "checkout.", "order.not_found", "order.invalid_"]:
        wanted = [c.message_id for c in classes if c.message_id.startswith(name)]
        assert wanted and all(message_id in ERROR_TEXTS for message_id in wanted), name


def test_error_text_fills_parameters_and_escapes_them() -> None:
    text = error_text(EN, errors.NoShipping(merchant="<b>Tea</b> & Co", country="FR"))
    assert text == "&lt;b&gt;Tea&lt;/b&gt; &amp; Co does not deliver to France."
    moved = error_text(EN, errors.InvalidTransition(current="paid", requested="cancelled"))
    assert moved == "This order is paid and can't be changed to cancelled."
    assert error_text(EN, errors.InvalidName(minimum=2, maximum=100)).count("%") == 0
    assert error_text(EN, errors.ShopError()) == "Sorry, that cannot be done."


def test_the_summary_shows_each_merchant_and_confirms_what_was_shown() -> None:
    seen = summary(merchant_name="Mugs <&> Co")
    reply = checkout_turn(
        EN,
        CheckoutTurn(
            TurnKind.SUMMARY, draft_at(Step.SUMMARY), left=Step.CONFIRM_SAVE, summary=seen
        ),
    )
    assert "Mugs &lt;&amp;&gt; Co" in reply.text and "Ceramic &lt;mug&gt; (Red)" in reply.text
    assert "Anna &lt;Müller&gt;" in reply.text and "Germany" in reply.text
    assert "price changed" in reply.text  # added at 10.00, now 11.00
    answers = [(p.str(0), p.str(1)) for p in pressed(reply)]
    assert ("summary", seen.fingerprint) in answers
    assert ("summary", "back") in answers and ("summary", "cancel") in answers


def test_a_summary_that_could_not_be_placed_offers_the_cart_instead_of_confirm() -> None:
    seen = summary()
    failed = PlacementResult(
        Outcome.UNAVAILABLE,
        unavailable=(UnavailableLine(7, 3, "Ceramic mug", requested=2, available=1),),
        summary=seen,
    )
    turn = CheckoutTurn(
        TurnKind.SUMMARY, draft_at(Step.SUMMARY), left=Step.SUMMARY, summary=seen, placement=failed
    )
    reply = checkout_turn(EN, turn)
    assert "only 1 left" in reply.text
    actions = [p.action for p in pressed(reply)]
    assert "cart" in actions
    assert all(not (p.action == "step" and p.str(1) == seen.fingerprint) for p in pressed(reply))


def test_no_shipping_explains_and_offers_back_cancel_and_the_cart() -> None:
    error = errors.NoShipping(merchant="Tea House", country="FR")
    turn = CheckoutTurn(
        TurnKind.SUMMARY, draft_at(Step.SUMMARY), left=Step.CONFIRM_SAVE, error=error
    )
    reply = checkout_turn(EN, turn)
    assert "Tea House does not deliver to France" in reply.text
    assert {p.action for p in pressed(reply)} == {"cart", "step"}


def placed_orders() -> PlacementResult:
    orders = tuple(
        PlacedOrder(
            order_id=order_id,
            number=number,
            merchant_id=order_id,
            total=Money.of("27.50", "USD"),
            buyer_total=Money.of("25.00", "EUR"),
            charge=Money.of("25.00", "EUR"),
            expires_at=NOW + timedelta(hours=2),
        )
        for order_id, number in [(41, "7KQ-3M9"), (42, "ABC-DEF")]
    )
    return PlacementResult(Outcome.PLACED, orders=orders)


def test_each_placed_order_gets_its_own_message_with_its_own_pay_button() -> None:
    reply = checkout_turn(
        EN, CheckoutTurn(TurnKind.PLACED, left=Step.SUMMARY, placement=placed_orders())
    )
    *messages, to_pay = [reply, *reply.extra]
    assert len(messages) == 2
    for message, (order_id, number) in zip(
        messages, [(41, "7KQ-3M9"), (42, "ABC-DEF")], strict=True
    ):
        assert number in message.text and "awaiting payment" in message.text
        assert "25.00" in message.text and "Pay" in message.text
        # The link itself is made when Pay is pressed, so it is fresh and the buyer's own.
        assert all(button.url is None for row in message.buttons for button in row)
        assert [(p.action, p.int(0)) for p in pressed(message)] == [
            ("pay", order_id),
            ("order", order_id),
        ]
    # Then one message lists every order to pay, so the second shop's is not forgotten.
    assert "2 orders to pay" in to_pay.text and "/orders" in to_pay.text
    assert "7KQ-3M9" in to_pay.text and "ABC-DEF" in to_pay.text
    assert [(p.action, p.int(0)) for p in pressed(to_pay)] == [("pay", 41), ("pay", 42)]


@pytest.mark.parametrize("kind", [TurnKind.CANCELLED, TurnKind.CART_EMPTY, TurnKind.EXPIRED])
def test_endings_say_what_happened(kind: TurnKind) -> None:
    reply = checkout_turn(EN, CheckoutTurn(kind))
    assert reply.text and not reply.contact_request


@pytest.mark.parametrize("locale", SHIPPED_LOCALES)
def test_every_reply_renders_in_every_shipped_language(locale: str) -> None:
    t = translator(locale)
    turns = [
        *(
            CheckoutTurn(TurnKind.ASK, draft_at(step))
            for step in Step
            if step
            not in (Step.SUMMARY, Step.CANCELLED, Step.REUSE_SAVED, Step.AREA, Step.CITY_AREA)
        ),
        CheckoutTurn(TurnKind.ASK, draft_at(Step.AREA, US_ANSWERS)),
        CheckoutTurn(TurnKind.ASK, start_checkout(saved=DETAILS)),
        CheckoutTurn(TurnKind.SUMMARY, draft_at(Step.SUMMARY), summary=summary()),
        CheckoutTurn(TurnKind.PLACED, placement=placed_orders()),
    ]
    for turn in turns:
        reply = checkout_turn(t, turn)
        assert all_text(reply).strip()
        assert "{" not in all_text(reply) and "%(" not in all_text(reply)
    assert nothing_to_cancel(t).text


def test_a_huge_cart_still_fits_in_one_message_with_its_confirm_button() -> None:
    seen = summary(title="Extraordinarily long product title " * 10, lines=50)
    turn = CheckoutTurn(TurnKind.SUMMARY, draft_at(Step.SUMMARY), summary=seen)
    reply = checkout_turn(EN, turn)
    assert len(reply.text) <= 4096 and "100 items" in reply.text
    assert any(p.str(1) == seen.fingerprint for p in pressed(reply))
