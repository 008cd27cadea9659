"""Stripe Checkout through the official `stripe` SDK: one Checkout Session per order.

The SDK is used for every call and for webhook signatures, so tests can point it at a loopback
stand-in (`api_base`) and exercise the real request encoding, retries and error mapping.

Choices worth knowing:
- Idempotency key `checkout-<order>-<digest of the session parameters>`: asking again for the
  same order, lines, amount and reservation returns the same session; a renewed reservation or a
  re-priced order (the buyer switched currency) gets a new session. The order number alone would
  not do: Stripe refuses a key reused with other parameters for 24 hours.
- `expires_at`: Stripe accepts 30 minutes to 24 hours after creation. The reservation end is
  floored to the minute and clamped into [now + 31 min, now + 23 h 59 min] (a minute of margin
  for clocks and transit), so a retry within the same minute sends identical parameters. A
  reservation shorter than 31 minutes therefore outlives its session: orders must accept a
  payment that arrives after the reservation ended (re-reserve or refund).
- The webhook signature is checked by the SDK (`WebhookSignature.verify_header`); the age is
  checked against the caller's `now`, so tests and replays use one injectable clock and a
  stale event is told apart from a forged one.
- Telemetry: the SDK writes `~/.config/stripe/telemetry_id` and sends request metrics unless
  `stripe.enable_telemetry = False`; that global belongs to the composition root.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from db import utcnow
from money import Money, UnknownCurrency
from payments.base import (
    CheckoutLink,
    CheckoutRequest,
    EventKind,
    InvalidAmount,
    InvalidSignature,
    MalformedEvent,
    PaymentEvent,
    ProviderError,
    ProviderRejected,
    ProviderUnavailable,
    RefundResult,
    header,
)
from payments.minor_units import from_stripe_minor, to_stripe_minor
from payments.signed_callback import check_age

if TYPE_CHECKING:
    import stripe
    from stripe.params import RefundCreateParams
    from stripe.params.checkout import SessionCreateParams

log = logging.getLogger(__name__)
_T = TypeVar("_T")

SIGNATURE_HEADER = "Stripe-Signature"
DEFAULT_TOLERANCE_SECONDS = 300  # stripe.Webhook.DEFAULT_TOLERANCE: a signature's age limit
MIN_EXPIRY = timedelta(minutes=31)  # Stripe's 30 minutes, plus a minute of margin
MAX_EXPIRY = timedelta(hours=23, minutes=59)  # Stripe's 24 hours, minus a minute of margin

# Locales Stripe Checkout displays (docs: Session `locale`); anything else becomes "auto".
STRIPE_LOCALES = frozenset(
    (  # noqa: SIM905 - a word list reads better than forty quoted strings
        "bg cs da de el en en-GB es es-419 et fi fil fr fr-CA hr hu id it ja ko lt lv ms mt nb nl "
        "pl pt pt-BR ro ru sk sl sv th tr vi zh zh-HK zh-TW"
    ).split()
)

_SESSION_EVENTS = {
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "checkout.session.expired",
}


def stripe_expiry(requested: datetime, now: datetime) -> datetime:
    """The session expiry Stripe will accept for a reservation ending at `requested`."""
    lower = _ceil_minute(now + MIN_EXPIRY)
    upper = _floor_minute(now + MAX_EXPIRY)
    return min(max(_floor_minute(requested), lower), upper)


def stripe_locale(locale: str | None) -> str:
    """Our locale (`de_CH`, `pt-br`, `uk`) as Stripe's (`de`, `pt-BR`, `auto`)."""
    if not locale:
        return "auto"
    language, _, region = locale.replace("_", "-").partition("-")
    language = {"no": "nb"}.get(language.lower(), language.lower())
    if region:
        full = f"{language}-{region.upper()}" if region.isalpha() else f"{language}-{region}"
        if full in STRIPE_LOCALES:
            return full
    return language if language in STRIPE_LOCALES else "auto"


def idempotency_key(order_number: str, params: Mapping[str, Any]) -> str:
    """One Checkout Session per order and content, however often we ask."""
    canonical = json.dumps(params, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return f"checkout-{order_number}-{hashlib.sha256(canonical.encode()).hexdigest()[:16]}"


class StripeCheckout:
    """`Provider` for Stripe Checkout (hosted payment page)."""

    def __init__(
        self,
        api_key: str,
        webhook_secret: str,
        *,
        api_base: str | None = None,
        name: str = "stripe",
        clock: Callable[[], datetime] = utcnow,
        timeout_seconds: int = 20,
        max_network_retries: int = 2,
        tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
    ) -> None:
        """`api_base` points the SDK elsewhere (a stand-in in tests); retries are safe because
        every POST carries an idempotency key."""
        if not api_key or not webhook_secret:
            raise ValueError("Stripe needs an API key and a webhook signing secret")
        import stripe  # the SDK (~0.3 s with requests) loads only where Stripe is configured

        self.name = name
        self._webhook_secret = webhook_secret
        self._clock = clock
        self._tolerance = tolerance_seconds
        self._http = stripe.HTTPXClient(timeout=timeout_seconds)
        self._client = stripe.StripeClient(
            api_key,
            base_addresses={"api": api_base} if api_base else None,
            http_client=self._http,
            max_network_retries=max_network_retries,
        )

    async def aclose(self) -> None:
        await self._http.close_async()

    # --- checkout ---------------------------------------------------------------------------
    async def create_checkout(self, request: CheckoutRequest) -> CheckoutLink:
        """Create (or, for a repeated request, fetch again) the order's Checkout Session."""
        expires_at = stripe_expiry(request.expires_at, self._clock())
        currency = request.amount.currency.lower()
        to_stripe_minor(request.amount)  # refuse an uncharged total before any line is sent
        metadata = {"order_number": request.order_number}
        if request.customer_reference:
            metadata["customer_reference"] = request.customer_reference
        params: SessionCreateParams = {
            "mode": "payment",
            "line_items": [
                {
                    "quantity": line.quantity,
                    "price_data": {
                        "currency": currency,
                        "unit_amount": to_stripe_minor(line.unit_amount),
                        "product_data": {"name": line.name[:250]},
                    },
                }
                for line in request.lines
            ],
            "client_reference_id": request.order_number,
            "metadata": metadata,
            "payment_intent_data": {"metadata": {"order_number": request.order_number}},
            "expires_at": int(expires_at.timestamp()),
            "success_url": request.success_url,
            "cancel_url": request.cancel_url,
            "locale": stripe_locale(request.locale),
        }
        key = idempotency_key(request.order_number, params)
        session = await self._call(
            self._client.v1.checkout.sessions.create_async(
                params,
                options={"idempotency_key": key},
            )
        )
        data = session.to_dict()
        url = data.get("url")
        if not isinstance(url, str) or data.get("object") != "checkout.session":
            raise ProviderRejected("Stripe answered without a checkout URL")
        return CheckoutLink(
            url=url,
            provider=self.name,
            provider_reference=str(data["id"]),
            expires_at=datetime.fromtimestamp(int(data["expires_at"]), UTC),
        )

    # --- refunds ----------------------------------------------------------------------------
    async def refund(self, provider_reference: str, amount: Money | None = None) -> RefundResult:
        """Refund through the Refunds API; `provider_reference` is a session, payment intent or
        charge id. The idempotency key makes a repeated click refund once (which also means two
        identical partial refunds within 24 hours are one)."""
        params: RefundCreateParams = {}
        currency: str | None = None
        if provider_reference.startswith("cs_"):
            session = (
                await self._call(
                    self._client.v1.checkout.sessions.retrieve_async(provider_reference)
                )
            ).to_dict()
            payment_intent = session.get("payment_intent")
            if not isinstance(payment_intent, str):
                raise ProviderRejected(f"checkout {provider_reference} has no payment to refund")
            params["payment_intent"] = payment_intent
            currency = str(session.get("currency", "")).upper() or None
            if session.get("client_reference_id"):
                params["metadata"] = {"order_number": session["client_reference_id"]}
        elif provider_reference.startswith("pi_"):
            params["payment_intent"] = provider_reference
        elif provider_reference.startswith(("ch_", "py_")):
            params["charge"] = provider_reference
        else:
            raise ProviderRejected(f"not a Stripe payment reference: {provider_reference!r}")
        if amount is not None:
            if currency is not None and amount.currency != currency:
                raise InvalidAmount(f"refund in {amount.currency} of a payment in {currency}")
            params["amount"] = to_stripe_minor(amount)
        key = f"refund-{provider_reference}-{params.get('amount', 'full')}"
        refund = (
            await self._call(
                self._client.v1.refunds.create_async(
                    params,
                    options={"idempotency_key": key},
                )
            )
        ).to_dict()
        refunded: Money | None = None
        if isinstance(refund.get("amount"), int) and isinstance(refund.get("currency"), str):
            refunded = from_stripe_minor(refund["amount"], refund["currency"])
        return RefundResult(
            provider=self.name,
            refund_id=str(refund["id"]),
            status=str(refund.get("status")),
            amount=refunded,
            provider_reference=provider_reference,
            raw=refund,
        )

    # --- webhooks ---------------------------------------------------------------------------
    def parse_webhook(
        self, headers: Mapping[str, str], body: bytes, *, now: datetime
    ) -> PaymentEvent:
        """Verify `Stripe-Signature` with the SDK, check the age, map the event.

        Handled: `checkout.session.completed` (paid only when `payment_status` is `paid`, else
        pending), `…async_payment_succeeded` (paid), `…async_payment_failed` (failed),
        `…expired` (expired). Any other type is returned with `kind=None`: answer 2xx, change
        nothing.
        """
        import stripe

        signature = header(headers, SIGNATURE_HEADER)
        try:
            stripe.WebhookSignature.verify_header(body, signature, self._webhook_secret, None)
        except stripe.SignatureVerificationError as error:
            raise InvalidSignature(f"Stripe-Signature: {error.user_message}") from error
        except UnicodeDecodeError as error:
            raise InvalidSignature("body is not UTF-8, the signature cannot match") from error
        assert signature is not None  # verify_header refuses a missing header
        timestamp = next(
            int(value)
            for key, _, value in (part.partition("=") for part in signature.split(","))
            if key.strip() == "t"
        )
        check_age(timestamp, now=now, tolerance_seconds=self._tolerance)
        return self._map_event(body)

    def _map_event(self, body: bytes) -> PaymentEvent:
        try:
            data = json.loads(body)
        except json.JSONDecodeError as error:
            raise MalformedEvent(f"body is not JSON: {error}") from error
        if not isinstance(data, dict) or data.get("object") != "event":
            raise MalformedEvent("not a Stripe event object")
        event_id, event_type, created = data.get("id"), data.get("type"), data.get("created")
        container = data.get("data")
        inner = container.get("object") if isinstance(container, dict) else None
        if not isinstance(event_id, str) or not event_id or len(event_id) > 255:
            raise MalformedEvent("event without an id")
        if not isinstance(event_type, str) or not isinstance(created, int):
            raise MalformedEvent("event without a type or creation time")
        if not isinstance(inner, dict):
            raise MalformedEvent("event without data.object")
        occurred_at = datetime.fromtimestamp(created, UTC)
        if event_type not in _SESSION_EVENTS:
            log.info("stripe event %s of type %s ignored", event_id, event_type)
            return PaymentEvent(self.name, event_id, None, None, None, None, occurred_at, data)
        if inner.get("object") != "checkout.session" or not isinstance(inner.get("id"), str):
            raise MalformedEvent(f"{event_type} without a checkout session")
        return PaymentEvent(
            provider=self.name,
            event_id=event_id,
            kind=_session_kind(event_type, inner),
            order_number=_order_number(inner),
            amount=_session_amount(inner),
            provider_reference=inner["id"],
            occurred_at=occurred_at,
            raw=data,
        )

    # --- errors -----------------------------------------------------------------------------
    async def _call(self, awaitable: Awaitable[_T]) -> _T:
        """Await an SDK call, translating its errors into ours."""
        import stripe

        try:
            return await awaitable
        except stripe.StripeError as error:
            raise _translate(error) from error


def _translate(error: stripe.StripeError) -> ProviderError:
    """Network trouble, 429 and 5xx mean "try later"; any other answer is a refusal."""
    import stripe

    status = error.http_status
    if isinstance(error, stripe.APIConnectionError | stripe.RateLimitError) or (
        status is None or status >= 500
    ):
        log.warning("Stripe unavailable (%s): %s", status, error.user_message)
        return ProviderUnavailable(f"Stripe is unavailable: {error.user_message or error}")
    message = error.user_message or str(error)
    log.warning("Stripe refused (%s %s): %s", status, error.code, message)
    return ProviderRejected(message, status=status, code=error.code)


def _session_kind(event_type: str, session: Mapping[str, Any]) -> EventKind:
    if event_type == "checkout.session.completed":
        return EventKind.PAID if session.get("payment_status") == "paid" else EventKind.PENDING
    if event_type == "checkout.session.async_payment_succeeded":
        return EventKind.PAID
    if event_type == "checkout.session.async_payment_failed":
        return EventKind.FAILED
    return EventKind.EXPIRED


def _order_number(session: Mapping[str, Any]) -> str:
    """Both places we put the order number must agree; one is enough."""
    reference = session.get("client_reference_id")
    metadata = session.get("metadata")
    from_metadata = metadata.get("order_number") if isinstance(metadata, dict) else None
    if reference and from_metadata and reference != from_metadata:
        raise MalformedEvent("client_reference_id and metadata.order_number disagree")
    order = reference or from_metadata
    if not isinstance(order, str) or not order:
        raise MalformedEvent("checkout session without an order number")
    return order


def _session_amount(session: Mapping[str, Any]) -> Money | None:
    minor, currency = session.get("amount_total"), session.get("currency")
    if minor is None and currency is None:
        return None
    if isinstance(minor, bool) or not isinstance(minor, int) or not isinstance(currency, str):
        raise MalformedEvent("amount_total must be an integer with a currency")
    try:
        return from_stripe_minor(minor, currency)
    except UnknownCurrency as error:
        raise MalformedEvent(str(error)) from error


def _floor_minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def _ceil_minute(moment: datetime) -> datetime:
    floored = _floor_minute(moment)
    return floored if floored == moment else floored + timedelta(minutes=1)
