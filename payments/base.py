"""The boundary between the shop and any payment provider: small dataclasses and one Protocol.

The shape follows saleor's idea: the shop hands a provider an amount, a currency and an order
number, and gets back the provider's own reference plus its raw answer. Nothing here knows
Telegram, orders or HTTP frameworks; a provider is plain Python the web layer calls.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

from money import Money


class EventKind(StrEnum):
    """What a provider event means for the order, whatever the provider called it."""

    PAID = "paid"
    FAILED = "failed"
    EXPIRED = "expired"
    REFUNDED = "refunded"
    PENDING = "pending"  # the buyer finished, the money has not arrived (bank debits, vouchers)


# --- errors ---------------------------------------------------------------------------------


class PaymentError(Exception):
    """Base of everything `payments` raises on purpose."""


class ProviderConfigError(PaymentError, ValueError):
    """A provider was configured wrongly (unknown placeholder, missing secret): fix the settings."""


class InvalidAmount(PaymentError, ValueError):
    """An amount the provider cannot charge as given (too many digits, below a provider rule)."""


class CheckoutExpired(PaymentError):
    """The checkout link is past its expiry: the buyer must ask for a new one."""


class NotSupported(PaymentError):
    """The provider cannot do this (a merchant's own payment link cannot refund through us)."""


class ProviderError(PaymentError):
    """Talking to the provider's API went wrong."""


class ProviderUnavailable(ProviderError):
    """Network error, timeout, rate limit or 5xx: nothing is known to have happened; retry later."""


class ProviderRejected(ProviderError):
    """The provider answered and refused (4xx). Retrying the same request will not help."""

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code


class WebhookRejected(PaymentError):
    """A webhook that must change nothing. The web layer answers 400 and the event is logged."""


class InvalidSignature(WebhookRejected):
    """Missing, garbled or wrong signature: the sender does not hold our secret."""


class StaleEvent(WebhookRejected):
    """Correctly signed but too old: a replay of a captured request, or a badly delayed retry."""


class MalformedEvent(WebhookRejected):
    """Signed correctly but not a payload we understand (bad JSON, missing fields)."""


class UnknownOrder(WebhookRejected):
    """The event names an order we never opened a checkout for (with this provider)."""


class AmountMismatch(WebhookRejected):
    """The event's amount or currency differs from what we asked the provider to charge."""


# --- requests and results -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CheckoutLine:
    """One line as the buyer sees it on the provider's page."""

    name: str
    quantity: int
    unit_amount: Money

    def __post_init__(self) -> None:
        if isinstance(self.quantity, bool) or not isinstance(self.quantity, int):
            raise TypeError("quantity must be an int")
        if self.quantity < 1:
            raise ValueError(f"quantity must be at least 1, got {self.quantity}")
        if not self.name.strip():
            raise ValueError("a checkout line needs a name")
        if self.unit_amount.amount < 0:
            raise ValueError("a checkout line cannot be negative")

    @property
    def total(self) -> Money:
        return self.unit_amount * self.quantity


@dataclass(frozen=True, slots=True)
class CheckoutRequest:
    """Everything a provider needs to take payment for one order.

    The lines must add up to `amount`: a provider like Stripe charges the sum of the lines, so a
    difference (a forgotten delivery fee) would silently charge the wrong total.
    `expires_at` is when the order's stock reservation ends; providers with their own limits
    clamp it and report the real expiry in the `CheckoutLink`.
    """

    order_number: str
    amount: Money
    lines: Sequence[CheckoutLine]
    expires_at: datetime
    success_url: str
    cancel_url: str
    locale: str | None = None
    customer_reference: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "lines", tuple(self.lines))
        if not self.order_number or len(self.order_number) > 64:
            raise ValueError("order_number must be 1..64 characters")
        if self.expires_at.tzinfo is None:
            raise ValueError("expires_at must be timezone-aware")
        if not self.lines:
            raise ValueError("a checkout needs at least one line")
        if self.amount.amount <= 0:
            raise ValueError("a checkout amount must be positive")
        total = Money.zero(self.amount.currency)
        for line in self.lines:
            total = total + line.total  # raises CurrencyMismatch for a line in another currency
        if total.amount != self.amount.amount:
            raise ValueError(f"lines add up to {total}, not to the order amount {self.amount}")


@dataclass(frozen=True, slots=True)
class CheckoutLink:
    """Where to send the buyer, and the provider's reference for that checkout."""

    url: str
    provider: str
    provider_reference: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class PaymentEvent:
    """One verified provider notification, mapped to our vocabulary.

    `kind` is None for an event type we deliberately ignore (it must still be answered 2xx, or the
    provider keeps retrying it). `amount` is what the provider says was charged, refunded or
    asked; the ledger compares it with the checkout before anything changes. `raw` keeps the
    provider's payload for support and audits.
    """

    provider: str
    event_id: str
    kind: EventKind | None
    order_number: str | None
    amount: Money | None
    provider_reference: str | None
    occurred_at: datetime
    raw: Mapping[str, Any] = field(repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class RefundResult:
    """The provider's answer to a refund request (the money moves later, see its webhooks)."""

    provider: str
    refund_id: str
    status: str
    amount: Money | None
    provider_reference: str
    raw: Mapping[str, Any] = field(repr=False, compare=False)


@runtime_checkable
class Provider(Protocol):
    """What the shop needs from any payment provider.

    `name` is the key events and checkouts are recorded under; event ids are unique per name,
    so two merchants' payment-link providers need different names.
    """

    name: str

    async def create_checkout(self, request: CheckoutRequest) -> CheckoutLink:
        """A link the buyer opens to pay; the same request twice gives the same checkout."""
        ...

    def parse_webhook(
        self, headers: Mapping[str, str], body: bytes, *, now: datetime
    ) -> PaymentEvent:
        """Verify and map one notification; raises a `WebhookRejected` subclass when refused."""
        ...

    async def refund(self, provider_reference: str, amount: Money | None = None) -> RefundResult:
        """Give money back (all when `amount` is None); raises `ProviderError` or `NotSupported`."""
        ...

    async def aclose(self) -> None:
        """Release network resources (connection pools)."""
        ...


def header(headers: Mapping[str, str], name: str) -> str | None:
    """A header by name, whatever its case: web frameworks differ in what mapping they hand us."""
    value = headers.get(name)
    if value is not None:
        return value
    wanted = name.lower()
    for key, candidate in headers.items():
        if key.lower() == wanted:
            return candidate
    return None
