"""The checkout as the buyer lives it: one turn per update, the draft kept in the dialog state.

`orders.checkout` is the pure state machine; this module is its use cases. Each function loads
the buyer's draft from `orders.dialog`, applies one answer (typed text, a shared contact, a
button), stores the new draft and returns a `CheckoutTurn` saying what to show next. All of it
happens in the caller's one transaction, so a restart between two updates resumes at the same
step, and an answer that fails validation changes nothing (the stored draft is left as it was).

A turn never raises for what the buyer sent: refusals come back as `turn.error` (a `ShopError`
the view translates) beside the unchanged draft. A button that no longer fits the checkout (an
old message, a forged payload) returns `None` from `press`: "this button has expired".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from orders.cart import cart_lines
from orders.checkout import CheckoutDraft, Step, start_checkout
from orders.countries import country_codes
from orders.delivery import saved_delivery_details
from orders.dialog import clear_dialog, load_dialog, save_dialog
from orders.errors import (
    CartEmpty,
    CheckoutExpired,
    ChooseAButton,
    NoShipping,
    NotText,
    ShopError,
)
from orders.placement import (
    DEFAULT_TTL,
    CheckoutSummary,
    PlacementResult,
    check_delivers,
    latest_placement,
    place_orders,
    summarise,
)
from orders.pricing import Quoter

STEP_PREFIX = "checkout:"  # dialog steps this module owns read `checkout:<step>`
# A checkout untouched this long is forgotten: the buyer's next words are a search again.
MAX_IDLE = timedelta(days=7)
_FINGERPRINT = re.compile(r"^[0-9a-f]{12}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")

# Button answers (the second argument of a `step` button), besides a country code at the
# country step and the summary's fingerprint at the summary.
BACK, CANCEL, YES, NO, SKIP = "back", "cancel", "yes", "no", "skip"


@dataclass(frozen=True, slots=True)
class DialogKey:
    """Whose dialog: one user in one chat on one channel."""

    channel: str
    chat_id: int
    user_id: int


@dataclass(frozen=True, slots=True)
class Shopper:
    """The buyer checking out, as pricing and placement need them."""

    customer_id: int
    currency: str  # the buyer's display currency
    language: str  # locale code: product titles in the buyer's language
    region_hint: str | None = None  # territory of the buyer's locale, for national phone numbers


class TurnKind(StrEnum):
    ASK = "ask"  # ask `draft.step`'s question (after `error`, when the answer was refused)
    SUMMARY = "summary"  # show `summary` (or `error`: a merchant does not ship there)
    PLACED = "placed"  # `placement.orders` exist now; the checkout is over
    CANCELLED = "cancelled"  # the buyer cancelled; the checkout is over
    CART_EMPTY = "cart_empty"  # nothing left to order; the checkout is over
    EXPIRED = "expired"  # the stored checkout could not be trusted and was dropped


@dataclass(frozen=True, slots=True)
class CheckoutTurn:
    kind: TurnKind
    draft: CheckoutDraft | None = None  # None once the checkout is over
    left: Step | None = None  # the step asked before this turn (None: a fresh start)
    error: ShopError | None = None
    summary: CheckoutSummary | None = None
    placement: PlacementResult | None = None  # set when Confirm was pressed (also on failure)

    @property
    def over(self) -> bool:
        return self.draft is None


# --- reading and writing the draft ---------------------------------------------------------
async def _load(session: AsyncSession, key: DialogKey, now: datetime) -> CheckoutDraft | None:
    """The active draft; raises `CheckoutExpired` for one that is stored but unreadable."""
    dialog = await load_dialog(
        session,
        channel=key.channel,
        chat_id=key.chat_id,
        user_id=key.user_id,
        max_idle=MAX_IDLE,
        now=now,
    )
    if dialog is None or not dialog.step.startswith(STEP_PREFIX):
        return None
    return CheckoutDraft.from_json(dialog.data)


async def _save(session: AsyncSession, key: DialogKey, draft: CheckoutDraft, now: datetime) -> None:
    await save_dialog(
        session,
        channel=key.channel,
        chat_id=key.chat_id,
        user_id=key.user_id,
        step=STEP_PREFIX + draft.step.value,
        data=draft.to_json(),
        now=now,
    )


async def _clear(session: AsyncSession, key: DialogKey) -> None:
    await clear_dialog(session, channel=key.channel, chat_id=key.chat_id, user_id=key.user_id)


async def active_step(session: AsyncSession, *, key: DialogKey, now: datetime) -> Step | None:
    """The step the buyer is being asked, or None when no checkout is going on."""
    try:
        draft = await _load(session, key, now)
    except CheckoutExpired:
        return None
    return None if draft is None else draft.step


# --- turns ---------------------------------------------------------------------------------
async def begin(
    session: AsyncSession, *, key: DialogKey, shopper: Shopper, quoter: Quoter, now: datetime
) -> CheckoutTurn:
    """/checkout or the cart's Checkout button: resumes a checkout under way, else starts one.

    A new checkout offers the details the buyer asked to remember, when there are any.
    """
    try:
        draft = await _load(session, key, now)
    except CheckoutExpired:
        draft = None
    if draft is not None:
        return await _show(session, key, shopper, quoter, draft, left=draft.step, now=now)
    if not await cart_lines(session, customer_id=shopper.customer_id):
        return CheckoutTurn(TurnKind.CART_EMPTY)
    saved = await saved_delivery_details(session, customer_id=shopper.customer_id)
    draft = start_checkout(saved=saved, region_hint=shopper.region_hint)
    await _save(session, key, draft, now)
    return CheckoutTurn(TurnKind.ASK, draft)


async def answer_text(
    session: AsyncSession,
    *,
    key: DialogKey,
    shopper: Shopper,
    quoter: Quoter,
    text: str,
    now: datetime,
) -> CheckoutTurn | None:
    """Typed text answers the step being asked; None when no checkout is going on."""
    return await _answer(session, key, shopper, quoter, now, lambda draft: draft.answer(text))


async def answer_contact(
    session: AsyncSession,
    *,
    key: DialogKey,
    shopper: Shopper,
    quoter: Quoter,
    phone_number: str,
    now: datetime,
) -> CheckoutTurn | None:
    """A contact shared with Telegram's button; None when no checkout is going on."""
    return await _answer(
        session, key, shopper, quoter, now, lambda draft: draft.answer_contact(phone_number)
    )


async def answer_other(
    session: AsyncSession, *, key: DialogKey, shopper: Shopper, quoter: Quoter, now: datetime
) -> CheckoutTurn | None:
    """A photo, sticker or voice message during checkout: refused, the question asked again."""

    def refuse(_draft: CheckoutDraft) -> CheckoutDraft:
        raise NotText()

    return await _answer(session, key, shopper, quoter, now, refuse)


async def press(
    session: AsyncSession,
    *,
    key: DialogKey,
    shopper: Shopper,
    quoter: Quoter,
    step: str,
    answer: str,
    now: datetime,
    ttl: timedelta = DEFAULT_TTL,
) -> CheckoutTurn | None:
    """A checkout button: `step` is the step it was shown at, `answer` what it says.

    None (nothing changed) when no checkout is going on, when the button belongs to a step the
    buyer has left, or when the answer is not one that step offers. Cancel works from any
    message of the checkout under way.
    """
    try:
        draft = await _load(session, key, now)
    except CheckoutExpired:
        await _clear(session, key)
        return CheckoutTurn(TurnKind.EXPIRED)
    if draft is None:
        if step == Step.SUMMARY.value and _FINGERPRINT.match(answer):
            # Confirm pressed again (a retry, a slow network): the orders it placed, if any.
            placed = await latest_placement(
                session, customer_id=shopper.customer_id, since=now - ttl
            )
            if placed is not None:
                return CheckoutTurn(TurnKind.PLACED, placement=placed)
        return None
    if answer == CANCEL:
        await _clear(session, key)
        return CheckoutTurn(TurnKind.CANCELLED, left=draft.step)
    if step != draft.step.value:
        return None
    if draft.step == Step.SUMMARY and _FINGERPRINT.match(answer):
        return await _place(session, key, shopper, quoter, draft, answer, now, ttl)
    moved = _pressed(draft, answer)
    if moved is None:
        return None
    try:
        new = moved()
        await _check_country(session, shopper, draft, new)
    except ShopError as error:
        return CheckoutTurn(TurnKind.ASK, draft, left=draft.step, error=error)
    await _save(session, key, new, now)
    return await _show(session, key, shopper, quoter, new, left=draft.step, now=now)


def _pressed(draft: CheckoutDraft, answer: str) -> Callable[[], CheckoutDraft] | None:
    """What a button answer does at the draft's step, or None if that step offers no such button."""
    if answer == BACK and draft.history:
        return draft.back
    if draft.step in (Step.REUSE_SAVED, Step.CONFIRM_SAVE) and answer in (YES, NO):
        return lambda: draft.choose(answer == YES)
    if draft.step == Step.POSTAL_CODE and answer == SKIP:
        return draft.skip_postal_code
    if draft.step == Step.COUNTRY and _COUNTRY.match(answer) and answer in country_codes():
        return lambda: draft.answer(answer)
    return None


async def _answer(
    session: AsyncSession,
    key: DialogKey,
    shopper: Shopper,
    quoter: Quoter,
    now: datetime,
    apply: Callable[[CheckoutDraft], CheckoutDraft],  # raises ShopError to refuse the answer
) -> CheckoutTurn | None:
    try:
        draft = await _load(session, key, now)
    except CheckoutExpired:
        await _clear(session, key)
        return CheckoutTurn(TurnKind.EXPIRED)
    if draft is None:
        return None
    if draft.step == Step.SUMMARY:
        # Text at the summary is not an answer: show the summary (freshly priced) again.
        turn = await _show(session, key, shopper, quoter, draft, left=draft.step, now=now)
        if turn.kind == TurnKind.SUMMARY and turn.error is None:
            turn = replace(turn, error=ChooseAButton())
        return turn
    try:
        new = apply(draft)
        await _check_country(session, shopper, draft, new)
    except ShopError as error:
        return CheckoutTurn(TurnKind.ASK, draft, left=draft.step, error=error)
    await _save(session, key, new, now)
    return await _show(session, key, shopper, quoter, new, left=draft.step, now=now)


async def _check_country(
    session: AsyncSession, shopper: Shopper, draft: CheckoutDraft, new: CheckoutDraft
) -> None:
    """The country just answered (or taken with the saved details) must be one every shop in
    the cart delivers to: `NoShipping` keeps the buyer at that question instead of letting them
    type a whole address, or reach the summary, for nothing."""
    chosen = draft.step == Step.COUNTRY or (draft.step == Step.REUSE_SAVED and new.reused)
    if chosen and new.country is not None:
        await check_delivers(session, customer_id=shopper.customer_id, country=new.country)


async def _show(
    session: AsyncSession,
    key: DialogKey,
    shopper: Shopper,
    quoter: Quoter,
    draft: CheckoutDraft,
    *,
    left: Step | None,
    now: datetime,
) -> CheckoutTurn:
    """The turn for `draft` as stored: a question, or the summary priced right now."""
    if draft.step != Step.SUMMARY:
        return CheckoutTurn(TurnKind.ASK, draft, left=left)
    try:
        summary = await summarise(
            session,
            customer_id=shopper.customer_id,
            delivery=draft.delivery,
            buyer_currency=shopper.currency,
            quoter=quoter,
            language=shopper.language,
        )
    except CartEmpty:
        await _clear(session, key)
        return CheckoutTurn(TurnKind.CART_EMPTY, left=left)
    except NoShipping as error:
        return CheckoutTurn(TurnKind.SUMMARY, draft, left=left, error=error)
    except CheckoutExpired:
        await _clear(session, key)
        return CheckoutTurn(TurnKind.EXPIRED, left=left)
    return CheckoutTurn(TurnKind.SUMMARY, draft, left=left, summary=summary)


async def _place(
    session: AsyncSession,
    key: DialogKey,
    shopper: Shopper,
    quoter: Quoter,
    draft: CheckoutDraft,
    fingerprint: str,
    now: datetime,
    ttl: timedelta,
) -> CheckoutTurn:
    try:
        result = await place_orders(
            session,
            customer_id=shopper.customer_id,
            draft=draft,
            buyer_currency=shopper.currency,
            quoter=quoter,
            now=now,
            ttl=ttl,
            language=shopper.language,
            expected_fingerprint=fingerprint,
        )
    except (CartEmpty, NoShipping, CheckoutExpired):
        # The cart or the rules changed under the summary: show what is true now.
        return await _show(session, key, shopper, quoter, draft, left=draft.step, now=now)
    if result.ok:
        await _clear(session, key)
        return CheckoutTurn(TurnKind.PLACED, left=draft.step, placement=result)
    return CheckoutTurn(
        TurnKind.SUMMARY, draft, left=draft.step, summary=result.summary, placement=result
    )
