"""The checkout conversation as a pure state machine over an immutable `CheckoutDraft`.

The handler loads the draft from the dialog state (`orders.dialog`), feeds it what the buyer
typed or pressed, stores the new draft and asks the next step's question. Because the draft
is plain data that round-trips through JSON, a checkout left idle resumes where it stopped on
any worker, even after a restart; because it is immutable, an answer that fails validation
leaves the stored draft exactly as it was.

Steps: [reuse_saved] → country → name → phone → address → the parts the country's post needs,
in its order (city, district, state/province; the postal code last, where the country has
them: `orders.addresses`) → confirm_save → summary. The country comes first so the phone and
the address are read the way that country writes them. Free text always answers the step
being asked (never a search); `back()` returns to the step asked before; `cancel()` ends it.
Placing the orders is `orders.placement`.
"""

from __future__ import annotations

import unicodedata
import uuid
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from orders.addresses import Part, address_form
from orders.delivery import (
    DeliveryDetails,
    phone_from_contact,
    validate_address,
    validate_area,
    validate_city,
    validate_country,
    validate_name,
    validate_phone,
    validate_postal_code,
)
from orders.errors import CheckoutExpired, ChooseAButton, ShopError, TextTooLong

DRAFT_VERSION = 2
READABLE_VERSIONS = (1, 2)  # a version 1 draft lacks only the fields added since


class Step(StrEnum):
    REUSE_SAVED = "reuse_saved"  # "Deliver to <saved details>?" yes / no
    NAME = "name"
    PHONE = "phone"
    ADDRESS = "address"
    CITY = "city"
    CITY_AREA = "city_area"  # district or neighbourhood, where the country needs one
    AREA = "area"  # state, province, oblast, prefecture, emirate
    POSTAL_CODE = "postal_code"
    COUNTRY = "country"
    CONFIRM_SAVE = "confirm_save"  # "Remember these details for next time?" yes / no
    SUMMARY = "summary"  # the handler shows `summarise(...)` and a Confirm button
    CANCELLED = "cancelled"


_FIRST_STEPS = (Step.COUNTRY, Step.NAME, Step.PHONE, Step.ADDRESS)
_PART_STEPS: dict[Part, Step] = {
    Part.CITY: Step.CITY,
    Part.CITY_AREA: Step.CITY_AREA,
    Part.AREA: Step.AREA,
    Part.POSTAL_CODE: Step.POSTAL_CODE,
}


def detail_steps(country: str | None) -> tuple[Step, ...]:
    """The questions for delivery to `country`, in order: no more than its post needs."""
    if country is None:
        return (*_FIRST_STEPS, Step.CITY, Step.POSTAL_CODE)
    return (*_FIRST_STEPS, *(_PART_STEPS[part] for part in address_form(country).parts))


# Short answers to a yes/no question in each shipped language: (yes words, no words).
YES_NO: dict[str, tuple[str, str]] = {
    "en": ("yes y yeah yep ok okay sure", "no n nope nah"),
    "ru": ("да ага конечно угу ок", "нет неа не"),
    "zh": ("是 是的 好 好的 对 要 嗯 可以", "不 不是 不要 否 不用"),
    "es": ("sí si vale claro ok", "no"),
    "de": ("ja jo jawohl gerne ok", "nein nee"),
    "fr": ("oui ouais d'accord ok", "non"),
    "pt": ("sim claro pode ok", "não nao"),
    "ar": ("نعم أجل اجل ايوه حسنا", "لا كلا"),
    "": ("✅ 👍 +", "❌ 👎"),
}
_YES = frozenset(word for yes, _no in YES_NO.values() for word in yes.split())
_NO = frozenset(word for _yes, no in YES_NO.values() for word in no.split())


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKC", text).casefold().strip(" .!?。！？¡¿")
    return " ".join(decomposed.split())


def parse_yes_no(text: str) -> bool:
    """True for yes, False for no, in any shipped language; `ChooseAButton` otherwise."""
    if not isinstance(text, str) or len(text) > 40:
        raise ChooseAButton()
    folded = _fold(text)
    if folded in _YES:
        return True
    if folded in _NO:
        return False
    raise ChooseAButton()


@dataclass(frozen=True, slots=True)
class CheckoutDraft:
    """Everything asked so far; `token` makes placing the orders idempotent."""

    token: str
    step: Step = Step.NAME
    history: tuple[Step, ...] = ()
    region_hint: str | None = None  # the buyer's locale's territory, for national phone numbers
    saved: DeliveryDetails | None = None  # offered at `reuse_saved`
    reused: bool = False
    name: str | None = None
    phone: str | None = None
    address_lines: tuple[str, ...] = ()
    city: str | None = None
    postal_code: str | None = None
    country: str | None = None
    area: str | None = None
    city_area: str | None = None
    save_details: bool = False
    extra: dict[str, Any] = field(default_factory=dict)  # room for the handler; JSON only

    # --- moving ---------------------------------------------------------------------------
    def answer(self, text: str) -> CheckoutDraft:
        """The draft after the buyer typed `text` at the current step.

        Raises a `ShopError` (and the draft stays as it was) when the text does not answer it.
        """
        if not isinstance(text, str):
            raise ChooseAButton()
        if len(text) > 1000:
            raise TextTooLong(maximum=1000)
        match self.step:
            case Step.REUSE_SAVED:
                return self.choose(parse_yes_no(text))
            case Step.CONFIRM_SAVE:
                return self.choose(parse_yes_no(text))
            case Step.NAME:
                return self._forward(name=validate_name(text))
            case Step.PHONE:
                phone = validate_phone(
                    text, region_hint=self.country or self.region_hint, second_hint=self.region_hint
                )
                return self._forward(phone=phone)
            case Step.ADDRESS:
                return self._forward(address_lines=validate_address(text))
            case Step.CITY:
                return self._forward(city=validate_city(text))
            case Step.CITY_AREA:
                return self._forward(city_area=validate_city(text))
            case Step.AREA:
                assert self.country is not None
                return self._forward(area=validate_area(text, country=self.country))
            case Step.POSTAL_CODE:
                code = validate_postal_code(text, country=self.country, area=self.area)
                return self._forward(postal_code=code)
            case Step.COUNTRY:
                return self.with_country(validate_country(text))
            case Step.SUMMARY:
                raise ChooseAButton()
        raise CheckoutExpired()

    def answer_contact(self, phone_number: str) -> CheckoutDraft:
        """The number from Telegram's "share contact" button; only the phone step takes it."""
        if self.step != Step.PHONE:
            raise ChooseAButton()
        return self._forward(phone=phone_from_contact(phone_number))

    def skip_postal_code(self) -> CheckoutDraft:
        """The "no postal code" button: some countries and islands have none."""
        if self.step != Step.POSTAL_CODE:
            raise ChooseAButton()
        return self._forward(
            postal_code=validate_postal_code("-", country=self.country, area=self.area)
        )

    def with_country(self, country: str) -> CheckoutDraft:
        """The country answered; the parts that belong to another country's address are dropped."""
        if country == self.country:
            return self._forward(country=country)
        return self._forward(country=country, area=None, city_area=None, postal_code=None)

    def choose(self, yes: bool) -> CheckoutDraft:
        """A yes/no button at `reuse_saved` or `confirm_save`."""
        if self.step == Step.REUSE_SAVED:
            if not yes or self.saved is None:
                return self._go(Step.COUNTRY)
            saved = self.saved
            return replace(
                self._go(Step.SUMMARY),
                reused=True,
                save_details=False,
                name=saved.name,
                phone=saved.phone,
                address_lines=saved.address_lines,
                city=saved.city,
                postal_code=saved.postal_code,
                country=saved.country,
                area=saved.area,
                city_area=saved.city_area,
            )
        if self.step == Step.CONFIRM_SAVE:
            return replace(self._go(Step.SUMMARY), save_details=yes)
        raise ChooseAButton()

    def back(self) -> CheckoutDraft:
        """The step asked before this one; at the first step, the draft unchanged."""
        if not self.history or self.step == Step.CANCELLED:
            return self
        previous = self.history[-1]
        changes: dict[str, Any] = {"step": previous, "history": self.history[:-1]}
        if previous == Step.REUSE_SAVED:
            changes["reused"] = False
        return replace(self, **changes)

    def cancel(self) -> CheckoutDraft:
        return replace(self, step=Step.CANCELLED)

    def _forward(self, **values: Any) -> CheckoutDraft:
        answered = replace(self, **values)
        return answered._go(answered._after(self.step))

    def _after(self, step: Step) -> Step:
        if step == Step.CONFIRM_SAVE:
            return Step.SUMMARY
        steps = self.steps
        if step in steps and steps.index(step) + 1 < len(steps):
            return steps[steps.index(step) + 1]
        return Step.CONFIRM_SAVE

    @property
    def steps(self) -> tuple[Step, ...]:
        """The detail questions of this checkout (they depend on the country)."""
        return detail_steps(self.country)

    def _go(self, step: Step) -> CheckoutDraft:
        return replace(self, step=step, history=(*self.history, self.step))

    # --- reading --------------------------------------------------------------------------
    @property
    def ready(self) -> bool:
        """At the summary with every detail present: the orders can be placed."""
        return self.step == Step.SUMMARY and self._complete()

    def _complete(self) -> bool:
        if not (self.name and self.phone and self.address_lines and self.country):
            return False
        required = address_form(self.country).required
        parts = {Part.CITY: self.city, Part.AREA: self.area, Part.CITY_AREA: self.city_area}
        return all(value for part, value in parts.items() if part in required)

    @property
    def delivery(self) -> DeliveryDetails:
        """The collected details; `CheckoutExpired` if the draft never got that far."""
        if not self._complete():
            raise CheckoutExpired()
        assert self.name and self.phone and self.country
        return DeliveryDetails(
            name=self.name,
            phone=self.phone,
            address_lines=self.address_lines,
            city=self.city or "",
            postal_code=self.postal_code,
            country=self.country,
            area=self.area,
            city_area=self.city_area,
        )

    # --- storage --------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        """Plain JSON types only, for `DialogState.data`."""
        return {
            "v": DRAFT_VERSION,
            "token": self.token,
            "step": self.step.value,
            "history": [step.value for step in self.history],
            "region_hint": self.region_hint,
            "saved": self.saved.to_dict() if self.saved else None,
            "reused": self.reused,
            "name": self.name,
            "phone": self.phone,
            "address_lines": list(self.address_lines),
            "city": self.city,
            "postal_code": self.postal_code,
            "country": self.country,
            "area": self.area,
            "city_area": self.city_area,
            "save_details": self.save_details,
            "extra": self.extra,
        }

    @classmethod
    def from_json(cls, data: object) -> CheckoutDraft:
        """A stored draft, checked field by field; `CheckoutExpired` if it cannot be trusted.

        The stored values are re-validated, so a draft edited in the database (or written by an
        older release) cannot smuggle an unchecked address into an order.
        """
        try:
            if not isinstance(data, dict) or data.get("v") not in READABLE_VERSIONS:
                raise CheckoutExpired()
            token = data["token"]
            uuid.UUID(token)
            step = Step(data["step"])
            history = tuple(Step(value) for value in data["history"])
            region_hint = data.get("region_hint")
            if region_hint is not None and not (
                isinstance(region_hint, str) and len(region_hint) == 2
            ):
                raise CheckoutExpired()
            saved = DeliveryDetails.from_dict(data["saved"]) if data.get("saved") else None
            name, phone, city = data.get("name"), data.get("phone"), data.get("city")
            postal_code, country = data.get("postal_code"), data.get("country")
            area, city_area = data.get("area"), data.get("city_area")
            country = None if country is None else validate_country(country)
            lines = data.get("address_lines") or []
            extra = data.get("extra") or {}
            if not isinstance(extra, dict) or not isinstance(lines, list):
                raise CheckoutExpired()
            return cls(
                token=token,
                step=step,
                history=history,
                region_hint=region_hint,
                saved=saved,
                reused=bool(data.get("reused")),
                name=None if name is None else validate_name(name),
                phone=None if phone is None else validate_phone(phone),
                address_lines=validate_address("\n".join(lines)) if lines else (),
                city=None if city is None else validate_city(city),
                postal_code=None if postal_code is None else validate_postal_code(postal_code),
                country=country,
                area=None
                if area is None or country is None
                else validate_area(area, country=country),
                city_area=None if city_area is None else validate_city(city_area),
                save_details=bool(data.get("save_details")),
                extra=extra,
            )
        except (KeyError, TypeError, ValueError, ShopError) as error:
            if isinstance(error, CheckoutExpired):
                raise
            raise CheckoutExpired() from error


def start_checkout(
    *, saved: DeliveryDetails | None = None, region_hint: str | None = None
) -> CheckoutDraft:
    """A new checkout: offers the remembered details first when there are any."""
    return CheckoutDraft(
        token=str(uuid.uuid4()),
        step=Step.REUSE_SAVED if saved else Step.COUNTRY,
        region_hint=region_hint,
        saved=saved,
    )
