"""Payments: checkout links and verified provider events. This package's own names know `money`
and `db` only; its use cases, imported from their modules, also know `orders`: the Pay button
(`payments.pay_button`), an order as a provider sees it (`payments.checkout_links`) and what a
verified event does to its order (`payments.settlement`).

Providers: Stripe Checkout (`StripeCheckout`), a merchant's own payment link with a signed
callback (`PaymentLinkProvider`), and a sandbox for the demo and tests (`SandboxProvider`).
The web layer calls `verify_webhook` for every notification; `settlement.settle_payment` then
records it (`settle_event`; the two together: `receive_webhook`) and moves the order for an
`ACCEPTED` event; the Pay button calls `open_checkout` for the buyer's link.
"""

from payments.base import (
    AmountMismatch,
    CheckoutExpired,
    CheckoutLine,
    CheckoutLink,
    CheckoutRequest,
    EventKind,
    InvalidAmount,
    InvalidSignature,
    MalformedEvent,
    NotSupported,
    PaymentError,
    PaymentEvent,
    Provider,
    ProviderConfigError,
    ProviderError,
    ProviderRejected,
    ProviderUnavailable,
    RefundResult,
    StaleEvent,
    UnknownOrder,
    WebhookRejected,
)
from payments.ledger import (
    Outcome,
    WebhookOutcome,
    events_for_order,
    open_checkout,
    receive_webhook,
    record_event,
    settle_event,
    verify_webhook,
)
from payments.payment_link import PaymentLinkProvider
from payments.registry import MerchantPaymentSettings, ProviderKind, build_provider
from payments.sandbox import SandboxPage, SandboxProvider
from payments.stripe_checkout import StripeCheckout

__all__ = [
    "AmountMismatch",
    "CheckoutExpired",
    "CheckoutLine",
    "CheckoutLink",
    "CheckoutRequest",
    "EventKind",
    "InvalidAmount",
    "InvalidSignature",
    "MalformedEvent",
    "MerchantPaymentSettings",
    "NotSupported",
    "Outcome",
    "PaymentError",
    "PaymentEvent",
    "PaymentLinkProvider",
    "Provider",
    "ProviderConfigError",
    "ProviderError",
    "ProviderKind",
    "ProviderRejected",
    "ProviderUnavailable",
    "RefundResult",
    "SandboxPage",
    "SandboxProvider",
    "StaleEvent",
    "StripeCheckout",
    "UnknownOrder",
    "WebhookOutcome",
    "WebhookRejected",
    "build_provider",
    "events_for_order",
    "open_checkout",
    "receive_webhook",
    "record_event",
    "settle_event",
    "verify_webhook",
]
