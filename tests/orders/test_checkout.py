"""The checkout state machine: every step answers typed text, Back, Cancel and garbage."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from orders.checkout import CheckoutDraft, Step, parse_yes_no, start_checkout
from orders.delivery import DeliveryDetails
from orders.errors import (
    CheckoutExpired,
    ChooseAButton,
    InvalidAddressPart,
    InvalidPhone,
    NotText,
    ShopError,
    TextTooLong,
    UnknownCountry,
)

ANSWERS = {
    Step.COUNTRY: "Deutschland",
    Step.NAME: "Anna Müller",
    Step.PHONE: "030 1234567",
    Step.ADDRESS: "Hauptstraße 5",
    Step.CITY: "Berlin",
    Step.POSTAL_CODE: "10115",
    Step.CONFIRM_SAVE: "yes",
}
SAVED = DeliveryDetails(
    name="Li Wei",
    phone="+8613800138000",
    address_lines=("88 Nanjing Road",),
    city="Shanghai",
    postal_code="200001",
    country="CN",
    area="上海市",
)
GARBAGE = ["😀😀😀", "x" * 5000, "\x00\x07", "", "   ", "🙂" * 5000]


def walk(draft: CheckoutDraft, until: Step) -> CheckoutDraft:
    while draft.step != until:
        draft = draft.answer(ANSWERS[draft.step])
    return draft


def roundtrip(draft: CheckoutDraft) -> CheckoutDraft:
    return CheckoutDraft.from_json(json.loads(json.dumps(draft.to_json())))


def test_full_walk_collects_valid_details() -> None:
    draft = walk(start_checkout(region_hint="DE"), Step.SUMMARY)
    assert draft.ready and draft.save_details
    assert draft.delivery == DeliveryDetails(
        name="Anna Müller",
        phone="+49301234567",
        address_lines=("Hauptstraße 5",),
        city="Berlin",
        postal_code="10115",
        country="DE",
    )
    assert draft.history == (
        Step.COUNTRY,  # first: the phone and the address are read the way it writes them
        Step.NAME,
        Step.PHONE,
        Step.ADDRESS,
        Step.CITY,
        Step.POSTAL_CODE,  # Germany has no states: no state step
        Step.CONFIRM_SAVE,
    )


@pytest.mark.parametrize("step", [s for s in ANSWERS if s != Step.CONFIRM_SAVE])
@pytest.mark.parametrize("garbage", GARBAGE)
def test_garbage_at_every_step_is_a_typed_error_and_keeps_the_draft(
    step: Step, garbage: str
) -> None:
    draft = walk(start_checkout(region_hint="DE"), step)
    with pytest.raises(ShopError) as raised:
        draft.answer(garbage)
    assert raised.value.message_id and raised.value.text  # something to say, in any language
    assert draft.step == step  # immutable: the stored draft is untouched


@pytest.mark.parametrize("step", [Step.CONFIRM_SAVE, Step.SUMMARY])
@pytest.mark.parametrize("garbage", [*GARBAGE, "maybe", "красный"])
def test_button_steps_ask_for_a_button(step: Step, garbage: str) -> None:
    draft = walk(start_checkout(region_hint="DE"), step)
    with pytest.raises((ChooseAButton, TextTooLong)):
        draft.answer(garbage)


def test_specific_errors() -> None:
    to_us = walk(start_checkout(), Step.COUNTRY).answer("US")
    draft = walk(to_us, Step.PHONE)  # a German number, delivery to the US, no language hint
    with pytest.raises(InvalidPhone):
        draft.answer("030 1234567")
    assert draft.answer("+49 30 1234567").phone == "+49301234567"
    # The buyer's language's country is the second hint: a German number for a US address.
    hinted = walk(walk(start_checkout(region_hint="DE"), Step.COUNTRY).answer("US"), Step.PHONE)
    assert hinted.answer("030 1234567").phone == "+49301234567"
    assert hinted.answer("(202) 555-0143").phone == "+12025550143"
    with pytest.raises(UnknownCountry):
        walk(start_checkout(region_hint="DE"), Step.COUNTRY).answer("Atlantis")
    with pytest.raises(NotText):
        walk(start_checkout(region_hint="DE"), Step.NAME).answer("🙂")


@pytest.mark.parametrize("step", [*list(ANSWERS), Step.SUMMARY])
def test_back_returns_to_the_previous_step_and_cancel_ends(step: Step) -> None:
    draft = walk(start_checkout(region_hint="DE"), step)
    back = draft.back()
    if step == Step.COUNTRY:
        assert back == draft  # nothing before the first step
    else:
        assert back.step == draft.history[-1]
        assert back.history == draft.history[:-1]
        # Answering again moves forward to where we were.
        assert back.answer(ANSWERS[back.step]).step == step
    cancelled = draft.cancel()
    assert cancelled.step == Step.CANCELLED
    assert cancelled.back() == cancelled
    with pytest.raises(CheckoutExpired):
        cancelled.answer("Anna")


def test_contact_button_and_postal_code_skip() -> None:
    draft = walk(start_checkout(), Step.PHONE).answer_contact("491701234567")
    assert (draft.step, draft.phone) == (Step.ADDRESS, "+491701234567")
    with pytest.raises(ChooseAButton):
        draft.answer_contact("491701234567")  # only the phone step takes a contact
    with pytest.raises(InvalidAddressPart):  # Germany's post needs one
        walk(draft, Step.POSTAL_CODE).skip_postal_code()
    to_egypt = walk(start_checkout(region_hint="DE"), Step.COUNTRY).answer("EG")  # optional
    draft = walk(to_egypt, Step.POSTAL_CODE).skip_postal_code()
    assert (draft.step, draft.postal_code) == (Step.CONFIRM_SAVE, None)


def test_saved_details_are_offered_and_reused() -> None:
    draft = start_checkout(saved=SAVED, region_hint="DE")
    assert draft.step == Step.REUSE_SAVED
    reused = draft.answer("да")
    assert reused.ready and reused.reused and not reused.save_details
    assert reused.delivery == SAVED
    assert reused.back().step == Step.REUSE_SAVED
    fresh = draft.answer("nein")
    assert fresh.step == Step.COUNTRY and not fresh.reused
    assert walk(fresh, Step.SUMMARY).delivery.country == "DE"


@pytest.mark.parametrize("step", [Step.REUSE_SAVED, *ANSWERS, Step.SUMMARY, Step.CANCELLED])
def test_json_round_trip_at_every_step(step: Step) -> None:
    draft = start_checkout(saved=SAVED, region_hint="DE").choose(False)
    if step == Step.REUSE_SAVED:
        draft = start_checkout(saved=SAVED, region_hint="DE")
    elif step == Step.CANCELLED:
        draft = draft.cancel()
    else:
        draft = walk(draft, step)
    assert roundtrip(draft) == draft


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.update(v=99),
        lambda d: d.update(step="teleport"),
        lambda d: d.update(token="not-a-uuid"),
        lambda d: d.update(phone="12"),
        lambda d: d.update(country="Atlantis"),
        lambda d: d.update(address_lines="Hauptstraße 5"),
        lambda d: d.update(history=["name", "nowhere"]),
        lambda d: d.pop("token"),
        lambda d: d.update(name="<script>" * 100),
    ],
)
def test_tampered_json_is_refused(mutate: Callable[[dict[str, Any]], object]) -> None:
    data = walk(start_checkout(region_hint="DE"), Step.SUMMARY).to_json()
    mutate(data)
    with pytest.raises(CheckoutExpired):
        CheckoutDraft.from_json(data)


def test_not_a_dict_is_refused() -> None:
    data: object
    for data in (None, [], "draft", 3):
        with pytest.raises(CheckoutExpired):
            CheckoutDraft.from_json(data)


@pytest.mark.parametrize(
    ("typed", "yes"),
    [
        ("Yes!", True),
        ("да", True),
        ("是的", True),
        ("Sí", True),
        ("ja", True),
        ("Oui", True),
        ("sim", True),
        ("نعم", True),
        ("no", False),
        ("нет", False),
        ("不要", False),
        ("nein", False),
        ("non", False),
        ("não", False),
        ("لا", False),
        ("👍", True),
    ],
)
def test_yes_no_in_every_language(typed: str, yes: bool) -> None:
    assert parse_yes_no(typed) is yes
