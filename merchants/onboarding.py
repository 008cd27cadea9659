"""`/newshop`: a group admin opens a shop in the chat, one question at a time.

The questions: the shop's name, its base currency, the language of its notices, how buyers
pay (a payment link, Stripe, or the sandbox for testing), and where it delivers (one zone, in
the words of `/shipping`: "DE,FR,AT 4.90 free 60 days 3-5"). A shop that delivers nowhere
cannot sell, so there is no skipping that question. The last answer opens the shop
(`merchants.signup.open_shop`) with that zone: the group becomes its order chat and the admin
its staff; the catalog file is asked in the closing message, with the shop's link.

The dialog lives in the database (`orders.dialog`, its own channel) keyed by the group and the
admin, so any worker serves the next answer and a restart resumes the same question. Nothing
but the last answer writes a shop; an invite code (policy `invite`) is checked at the start and
used up at the end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from sqlalchemy.ext.asyncio import AsyncSession

from catalog.models import NAME_MAX
from i18n import SHIPPED_LOCALES, negotiate_locale
from merchants.secrets import SECRET_FIELDS, SecretBox
from merchants.settings import Shop, set_payment, shop_by_slug
from merchants.shipping import ShippingRefused, add_zone, parse_zone, shipping_zones
from merchants.signup import Signup, may_open, open_shop
from merchants.staff import is_staff
from money import UnknownCurrency, normalise_code
from orders.dialog import clear_dialog, load_dialog, save_dialog
from orders.shipping import Zone
from payments import ProviderKind

CHANNEL: Final = "telegram:newshop"  # its own dialog rows: a Ship dialog under way is kept
IDLE: Final = timedelta(hours=2)
# The order the payment choices are offered in (answered by number).
PAYMENT_CHOICES: Final = (ProviderKind.PAYMENT_LINK, ProviderKind.STRIPE, ProviderKind.SANDBOX)


class Step(StrEnum):
    NAME = "name"
    CURRENCY = "currency"
    LANGUAGE = "language"
    PAYMENT = "payment"
    SHIPPING = "shipping"


class Problem(StrEnum):
    NAME = "name"  # empty or too long
    CURRENCY = "currency"  # not an ISO 4217 code
    LANGUAGE = "language"  # not one of the shipped languages
    PAYMENT = "payment"  # not one of the numbered choices
    SHIPPING = "shipping"  # not a zone (`Answered.refusal` says what is wrong)


@dataclass(frozen=True, slots=True)
class Answered:
    """What the dialog says after an answer: the next question (maybe again, with `problem`),
    or the opened shop with the zone it delivers to."""

    step: Step | None
    problem: Problem | None = None
    shop: Shop | None = None
    payment: ProviderKind | None = None
    currency: str = ""  # at the shipping question and after: the shop's currency
    refusal: ShippingRefused | None = None  # with `Problem.SHIPPING`
    zone: Zone | None = None  # the opened shop's delivery


async def begin(
    session: AsyncSession, *, policy: Signup, invite: str | None, chat_id: int, user_id: int,
    now: datetime,
) -> Step:  # fmt: skip
    """Starts (or restarts) the dialog; raises `signup.ShopNotOpened` when it may not."""
    await may_open(session, policy=policy, invite=invite, chat_id=chat_id)
    await save_dialog(
        session, channel=CHANNEL, chat_id=chat_id, user_id=user_id, step=Step.NAME.value,
        data={"invite": invite} if invite else {}, now=now,
    )  # fmt: skip
    return Step.NAME


async def answer(
    session: AsyncSession, *, policy: Signup, chat_id: int, user_id: int, user_name: str,
    text: str, now: datetime,
) -> Answered | None:  # fmt: skip
    """Takes `text` as the answer to the pending question; None when none is pending.

    The last answer raises `signup.ShopNotOpened` when the shop cannot be opened after all (the
    invite was used meanwhile, the group took another shop); the dialog is then over.
    """
    dialog = await load_dialog(
        session, channel=CHANNEL, chat_id=chat_id, user_id=user_id, max_idle=IDLE, now=now
    )
    if dialog is None:
        return None
    data, text = dict(dialog.data), text.strip()
    step = Step(dialog.step)
    if step is Step.NAME:
        if not 0 < len(text) <= min(NAME_MAX, 80):
            return Answered(step, Problem.NAME)
        data["name"], following = text, Step.CURRENCY
    elif step is Step.CURRENCY:
        try:
            data["currency"], following = normalise_code(text), Step.LANGUAGE
        except UnknownCurrency:
            return Answered(step, Problem.CURRENCY)
    elif step is Step.LANGUAGE:
        language = parse_language(text)
        if language is None:
            return Answered(step, Problem.LANGUAGE)
        data["language"], following = language, Step.PAYMENT
    elif step is Step.PAYMENT:
        payment = parse_payment(text)
        if payment is None:
            return Answered(step, Problem.PAYMENT)
        data["payment"], following = payment.value, Step.SHIPPING
    else:
        return await _open(session, policy=policy, data=data, chat_id=chat_id, user_id=user_id,
                           user_name=user_name, text=text, now=now)  # fmt: skip
    await save_dialog(session, channel=CHANNEL, chat_id=chat_id, user_id=user_id,
                      step=following.value, data=data, now=now)  # fmt: skip
    if following is Step.SHIPPING:  # its prices are in the shop's currency: the view says which
        return Answered(following, currency=data["currency"])
    return Answered(following)


async def _open(
    session: AsyncSession, *, policy: Signup, data: dict[str, str], chat_id: int, user_id: int,
    user_name: str, text: str, now: datetime,
) -> Answered:  # fmt: skip
    """The shipping answer: the shop is opened with that zone, or the question asked again."""
    currency = data["currency"]
    try:
        zone = parse_zone(text, currency=currency, locale=data["language"])
    except ShippingRefused as refusal:
        return Answered(Step.SHIPPING, Problem.SHIPPING, currency=currency, refusal=refusal)
    await clear_dialog(session, channel=CHANNEL, chat_id=chat_id, user_id=user_id)
    shop = await open_shop(
        session, policy=policy, invite=data.get("invite"), name=data["name"], currency=currency,
        language=data["language"], chat_id=chat_id, user_id=user_id, user_name=user_name,
        now=now,
    )  # fmt: skip
    payment = ProviderKind(data["payment"])
    # The choice only: keys and templates are secrets or need the operator (see README).
    set_payment(shop.settings, payment.value, {})
    await add_zone(session, merchant_id=shop.merchant.id, zone=zone)
    found = await shipping_zones(session, merchant_id=shop.merchant.id)
    return Answered(None, shop=shop, payment=payment, currency=currency, zone=found[0])


async def cancel(session: AsyncSession, *, chat_id: int, user_id: int) -> None:
    await clear_dialog(session, channel=CHANNEL, chat_id=chat_id, user_id=user_id)


def parse_language(text: str) -> str | None:
    """A shipped locale from its number in the list (1-8) or its code ("de", "pt-BR")."""
    text = text.strip()
    if text.isdigit():
        number = int(text)
        return SHIPPED_LOCALES[number - 1] if 1 <= number <= len(SHIPPED_LOCALES) else None
    return negotiate_locale(text, default="") or None


def parse_payment(text: str) -> ProviderKind | None:
    """A payment choice from its number (1-3) or its name ("stripe", "sandbox", "link")."""
    text = text.strip().lower().rstrip(".")
    if text.isdigit():
        number = int(text)
        return PAYMENT_CHOICES[number - 1] if 1 <= number <= len(PAYMENT_CHOICES) else None
    names = {"link": ProviderKind.PAYMENT_LINK, "payment link": ProviderKind.PAYMENT_LINK,
             "payment_link": ProviderKind.PAYMENT_LINK, "stripe": ProviderKind.STRIPE,
             "sandbox": ProviderKind.SANDBOX}  # fmt: skip
    return names.get(text)


# --- payment keys, in a private chat ------------------------------------------------------------

KEYS_CHANNEL: Final = "telegram:paykeys"
# What each provider needs typed, in the order asked (`merchants.settings.PAYMENT_FIELDS`).
KEY_FIELDS: Final = {
    ProviderKind.STRIPE: ("stripe_api_key", "stripe_webhook_secret"),
    ProviderKind.PAYMENT_LINK: ("url_template", "callback_secret"),
}


@dataclass(frozen=True, slots=True)
class KeyAsked:
    """The field asked next (None: all stored) for the shop `slug`; `secret`: the answer was a
    secret, so the message holding it should be deleted."""

    slug: str
    field: str | None
    secret: bool = False
    refused: bool = False  # the sender left the staff, or the shop's provider changed meanwhile


async def begin_keys(
    session: AsyncSession, *, slug: str, user_id: int, now: datetime
) -> KeyAsked | None:
    """`/start keys-<slug>` in a private chat: the first field to ask, or None when the sender
    is not on the shop's staff or its provider takes no keys."""
    shop = await shop_by_slug(session, slug)
    if shop is None or not await is_staff(session, merchant_id=shop.merchant.id, user_id=user_id):
        return None
    fields = _key_fields(shop.settings.payment_provider)
    if not fields:
        return None
    await save_dialog(session, channel=KEYS_CHANNEL, chat_id=user_id, user_id=user_id,
                      step=fields[0], data={"slug": slug}, now=now)  # fmt: skip
    return KeyAsked(slug, fields[0])


async def answer_key(
    session: AsyncSession, *, user_id: int, text: str, box: SecretBox | None, now: datetime
) -> KeyAsked | None:
    """Stores `text` as the field asked (a secret sealed with `box`); None when nothing is asked.

    Raises `merchants.secrets.SecretKeyError` when a secret comes and no key is configured.
    """
    dialog = await load_dialog(session, channel=KEYS_CHANNEL, chat_id=user_id, user_id=user_id,
                               max_idle=IDLE, now=now)  # fmt: skip
    if dialog is None:
        return None
    slug, field = str(dialog.data.get("slug", "")), dialog.step
    shop = await shop_by_slug(session, slug)
    kind = shop.settings.payment_provider if shop else None
    fields = _key_fields(kind)
    secret = field in SECRET_FIELDS
    if (
        shop is None
        or kind is None
        or field not in fields
        or not await is_staff(session, merchant_id=shop.merchant.id, user_id=user_id)
    ):
        await clear_dialog(session, channel=KEYS_CHANNEL, chat_id=user_id, user_id=user_id)
        return KeyAsked(slug, None, secret, refused=True)
    set_payment(shop.settings, kind, {field: text.strip()}, box)
    following = fields[fields.index(field) + 1] if fields.index(field) + 1 < len(fields) else None
    if following is None:
        await clear_dialog(session, channel=KEYS_CHANNEL, chat_id=user_id, user_id=user_id)
    else:
        await save_dialog(session, channel=KEYS_CHANNEL, chat_id=user_id, user_id=user_id,
                          step=following, data={"slug": slug}, now=now)  # fmt: skip
    return KeyAsked(slug, following, secret)


def _key_fields(provider: str | None) -> tuple[str, ...]:
    """What the stored provider needs typed (an unknown or keyless provider: nothing)."""
    return next((fields for kind, fields in KEY_FIELDS.items() if kind.value == provider), ())
